"""Docs stay true: every ```python block of the README runs alone, as a reader pasting it would:
a fresh interpreter, an empty folder, nothing defined by an earlier block."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import require_torch

README = Path(__file__).resolve().parent.parent / "README.md"


def python_blocks(text: str) -> list[str]:
    return re.findall(r"```python\n(.*?)```", text, flags=re.S)


def promised_outputs(block: str) -> list[str]:
    """The numbers a block's comments promise on its print lines: `print(x)  # 1.5` and
    `print(g)  # d f / d x = 0.25` promise "1.5" and "0.25"; `# about 0.999` promises nothing."""
    promised = []
    for line in block.splitlines():
        code, _, comment = line.partition("  # ")
        if not code.lstrip().startswith("print(") or comment.startswith("about"):
            continue
        match = re.search(r"(-?[0-9][0-9.e+-]*%?)\s*$", comment)
        if match:
            promised.append(match.group(1))
    return promised


BLOCKS = python_blocks(README.read_text())


def test_readme_has_python_examples():
    assert len(BLOCKS) >= 5


@pytest.mark.parametrize("index", range(len(BLOCKS)))
def test_readme_python_block_runs_alone(index, tmp_path):
    block = BLOCKS[index]
    if "torch" in block:
        require_torch()  # skipped on a machine without torch, a failure in CI
    script = tmp_path / f"readme_block_{index}.py"
    script.write_text(block)
    env = {**os.environ, "MPLBACKEND": "Agg", "PYTHONHASHSEED": "0"}
    result = subprocess.run(
        [sys.executable, script.name],
        cwd=tmp_path,  # blocks that write files write them here
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, (
        f"README python block {index} failed when run alone:\n{block}\n"
        f"--- stderr ---\n{result.stderr[-3000:]}"
    )
    for number in promised_outputs(block):
        assert number in result.stdout, (
            f"README python block {index} promises {number} in a comment; it printed:\n"
            f"{result.stdout}"
        )


def test_promised_outputs_reads_the_comments():
    block = 'print(f.data)     # 1.5\nprint(g)  # d f / d x = -0.25\nprint(a)  # about 0.9\n'
    assert promised_outputs(block) == ["1.5", "-0.25"]
