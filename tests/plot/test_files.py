"""Writing pictures to files atomically (Agg backend, conftest)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pytest

from minitorch_nn.plot import save_figure

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_save_figure_is_atomic_and_checks_its_input(tmp_path):
    fig, ax = plt.subplots()
    ax.plot([0, 1], [1, 0])
    target = tmp_path / "a" / "b.png"
    assert save_figure(fig, target, close=True) == target
    assert target.read_bytes()[:8] == PNG_SIGNATURE
    assert not plt.fignum_exists(fig.number)
    assert sorted(p.name for p in target.parent.iterdir()) == ["b.png"]
    plain = target.parent / "plain.txt"
    plain.write_text("x")  # the permissions any new file gets here (umask), not mkstemp's 0600
    assert target.stat().st_mode & 0o777 == plain.stat().st_mode & 0o777
    with pytest.raises(ValueError, match="suffix"):
        save_figure(plt.figure(), tmp_path / "noext")
    with pytest.raises(TypeError, match="Figure or Axes"):
        save_figure("figure", tmp_path / "x.png")
