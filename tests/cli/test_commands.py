"""``minitorch-nn datasets``, ``playground``, ``--version`` and ``--help``."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from minitorch_nn import __version__
from minitorch_nn.cli import MAX_PARAMETERS, MAX_SAMPLES, main
from minitorch_nn.data import list_datasets

ROOT = Path(__file__).resolve().parents[2]


def test_help_gives_one_default_per_option_and_help_for_every_option(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["train", "--help"])
    assert exc.value.code == 0
    text = capsys.readouterr().out
    flat = " ".join(text.split())
    assert "(default: full) (default: None)" not in flat and "{'sgd'" not in flat
    for line in text.splitlines():
        assert line.count("default") <= 1, line
    options = "--dataset --n-samples --noise --validation-fraction --hidden --activation "
    options += "--engine --loss --optimizer --lr --schedule --l2 --epochs --batch-size --seed "
    for option in (options + "--out --gif --quiet").split():
        entry = re.search(rf"^  {option}\b.*?(?=^  -|\Z)", text, flags=re.M | re.S)
        assert entry is not None, option
        words = entry.group(0).split()
        assert len(words) > 3, f"{option} has no help text: {entry.group(0)!r}"
    assert f"{MAX_SAMPLES:,}" in flat and f"{MAX_PARAMETERS:,}" in flat  # the limits
    assert "sgd 1, momentum 0.1, adam 0.05" in flat  # the per-optimizer lr, readable


def test_playground_passes_its_options_to_serve(monkeypatch):
    import minitorch_nn.playground as playground

    calls = []
    monkeypatch.setattr(playground, "serve", lambda **kwargs: calls.append(kwargs))
    assert main(["playground"]) == 0
    assert main(["playground", "--port", "8123", "--host", "0.0.0.0", "--no-browser"]) == 0
    assert calls == [
        {"host": "127.0.0.1", "port": 8000, "open_browser": True},
        {"host": "0.0.0.0", "port": 8123, "open_browser": False},
    ]


def test_playground_that_cannot_listen_is_one_line(monkeypatch, capsys):
    import minitorch_nn.playground as playground

    def port_taken(**kwargs):
        raise OSError("cannot listen on 127.0.0.1:8000 (Address already in use)")

    monkeypatch.setattr(playground, "serve", port_taken)
    assert main(["playground", "--no-browser"]) == 1
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and "Address already in use" in lines[0]


def test_other_commands_do_not_import_the_playground():
    code = "import sys; from minitorch_nn.cli import main; main(['datasets']); " + (
        "print('minitorch_nn.playground' in sys.modules)"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60
    )
    assert result.stdout.strip().splitlines()[-1] == "False", result.stderr


def test_version(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0
    assert capsys.readouterr().out.strip() == f"minitorch-nn {__version__}"


def test_datasets_lists_every_dataset(capsys):
    assert main(["datasets"]) == 0
    out = capsys.readouterr().out
    listed = [line.split()[0] for line in out.strip().splitlines()]
    assert listed == list_datasets()
