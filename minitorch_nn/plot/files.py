"""Writing pictures to files: atomically, so a reader never sees a half-written one."""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
from matplotlib.axes import Axes
from matplotlib.figure import Figure

__all__ = ["save_figure"]


def temporary_sibling(target: Path) -> Path:
    """A unique hidden name next to ``target`` with the same suffix (the writers pick the format
    from it); created by the writer itself, so it gets the usual permissions, not mkstemp's 0600.
    """
    return target.with_name(f".{target.stem}.{os.getpid()}.{uuid.uuid4().hex[:8]}{target.suffix}")


def save_figure(
    fig: Figure | Axes, path: str | os.PathLike[str], dpi: int = 120, close: bool = False
) -> Path:
    """Save ``fig`` (or the figure of an Axes) to ``path``, format from the suffix.

    Creates missing parent directories and writes atomically (temporary file, then rename), so
    a reader never sees a half-written picture. ``close=True`` releases the figure afterwards.
    """
    figure: Any = fig.figure if isinstance(fig, Axes) else fig
    if not isinstance(figure, Figure):  # a SubFigure: save its root figure
        figure = getattr(figure, "figure", figure)
    if not isinstance(figure, Figure):
        raise TypeError(f"expected a matplotlib Figure or Axes, got {type(fig).__name__}")
    target = Path(path)
    fmt = target.suffix.lstrip(".").lower()
    if not fmt:
        raise ValueError(f"cannot tell the image format of {target}; add a suffix such as .png")
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = temporary_sibling(target)
    try:
        figure.savefig(tmp, format=fmt, dpi=dpi, bbox_inches="tight")
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    finally:
        if close:
            plt.close(figure)
    return target
