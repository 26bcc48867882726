"""``python -m minitorch_nn`` runs the ``minitorch-nn`` command."""

from .cli import main

if __name__ == "__main__":
    raise SystemExit(main())
