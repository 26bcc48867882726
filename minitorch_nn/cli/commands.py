"""``minitorch-nn datasets`` and ``minitorch-nn playground``, the two small subcommands
(``train`` has its own module)."""

from __future__ import annotations

from ..data import describe_datasets


def run_datasets() -> None:
    """Print one line per dataset: its name and what it is."""
    for name, text in describe_datasets().items():
        print(f"{name:10s} {text}")


def run_playground(host: str, port: int, open_browser: bool) -> None:
    """Serve the playground until Ctrl-C."""
    # Start-up time: the server code loads only for this command.
    from ..playground import serve

    serve(host=host, port=port, open_browser=open_browser)
