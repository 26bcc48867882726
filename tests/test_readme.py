"""Docs stay true: every ```python block of the README runs, in order, in one namespace."""

from __future__ import annotations

import re
from pathlib import Path

from conftest import require_torch

README = Path(__file__).resolve().parent.parent / "README.md"


def python_blocks(text: str) -> list[str]:
    return re.findall(r"```python\n(.*?)```", text, flags=re.S)


def test_readme_has_python_examples():
    assert len(python_blocks(README.read_text())) >= 2


def test_readme_python_blocks_run(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # blocks that write files write them here
    namespace: dict = {"__name__": "__readme__"}
    for i, block in enumerate(python_blocks(README.read_text())):
        if "import torch" in block:
            require_torch()  # skipped on a machine without torch, a failure in CI
        try:
            exec(compile(block, f"README.md[python block {i}]", "exec"), namespace)
        except Exception as exc:  # pragma: no cover - the message is the point
            raise AssertionError(f"README python block {i} failed: {exc!r}\n{block}") from exc
