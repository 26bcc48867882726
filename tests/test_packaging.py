"""The wheel: typed (py.typed), the package and nothing else (no tests, notebooks, benchmarks)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_wheel_is_typed_and_holds_only_the_package(tmp_path):
    # Build from a copy of the sources, so the shared tree gets no build/ or egg-info.
    src = tmp_path / "src"
    shutil.copytree(
        ROOT,
        src,
        ignore=shutil.ignore_patterns(
            ".git", ".venv", "build", "dist", "runs", "*.egg-info", "__pycache__", ".*cache"
        ),
    )
    out = tmp_path / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", ".", "--no-deps", "--no-build-isolation",
         "-q", "-w", str(out)],
        cwd=src,
        check=True,
        capture_output=True,
        env={**os.environ, "PIP_NO_INPUT": "1", "PIP_DISABLE_PIP_VERSION_CHECK": "1"},
        timeout=300,
    )  # fmt: skip
    (wheel,) = out.glob("minitorch_nn-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "minitorch_nn/py.typed" in names
    for module in (
        "__init__.py",
        "io/interop.py",
        "sklearn/base.py",
        "nn/__init__.py",
        "cli/__init__.py",
    ):
        assert f"minitorch_nn/{module}" in names
    for asset in ("index.html", "app.js", "style.css"):  # the playground serves these itself
        assert f"minitorch_nn/playground/static/{asset}" in names
    top = {n.split("/")[0] for n in names}
    assert all(t == "minitorch_nn" or t.endswith(".dist-info") for t in top), top
    unwanted = [
        n for n in names if any(p in n.split("/") for p in ("tests", "notebooks", "benchmarks"))
    ]
    assert unwanted == []
    assert not any(n.endswith((".ipynb", ".pyc")) for n in names)
    metadata = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
    assert "minitorch-nn = minitorch_nn.cli:main" in zipfile.ZipFile(wheel).read(metadata).decode()
