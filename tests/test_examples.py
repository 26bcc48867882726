"""Every script in examples/ runs on the public API and writes its pictures (a few epochs)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "examples").glob("*.py"))


def test_the_examples_are_found():
    assert {p.name for p in EXAMPLES} >= {"moons.py", "circles.py", "spiral_multiclass.py"}


@pytest.mark.parametrize("script", EXAMPLES, ids=lambda p: p.stem)
def test_example_runs_and_writes_pictures(script, tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [
            sys.executable,
            str(script),
            "--out",
            str(tmp_path),
            "--epochs",
            "3",
            "--resolution",
            "20",
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert "accuracy" in result.stdout
    for name in ("decision_boundary.png", "history.png"):
        picture = tmp_path / name
        assert picture.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", name
        assert str(picture) in result.stdout
