"""Pictures: decision boundaries, training curves, the training GIF, the graph behind a Value
and the chain-rule trace (Graphviz, optional, only renders graphs).

Plot deals in numpy arrays, callables and finished graphs, so it serves both engines; it sits
above ``train`` and nothing below imports it.

- :mod:`.boundary`: class labels from a predictor, its grid, :func:`plot_decision_boundary`
- :mod:`.history`: :func:`plot_history`
- :mod:`.animation`: :class:`BoundaryRecorder`, :func:`animate_training`
- :mod:`.files`: :func:`save_figure`
- :mod:`.graph`: :func:`build_graph`, :func:`to_dot`; :mod:`.drawing`: :func:`draw_graph`
- :mod:`.explain`: :func:`explain`
"""

from .animation import BoundaryRecorder, animate_training, frame_title
from .boundary import (
    class_colors,
    class_margins,
    decision_grid,
    grid_bounds,
    plot_decision_boundary,
    to_labels,
)
from .drawing import GraphDrawing, draw_graph, layout
from .explain import explain
from .files import save_figure
from .graph import GraphModel, build_graph, node_names, to_dot
from .history import plot_history

__all__ = [
    "BoundaryRecorder",
    "GraphDrawing",
    "GraphModel",
    "animate_training",
    "build_graph",
    "class_colors",
    "class_margins",
    "decision_grid",
    "draw_graph",
    "explain",
    "frame_title",
    "grid_bounds",
    "layout",
    "node_names",
    "plot_decision_boundary",
    "plot_history",
    "save_figure",
    "to_dot",
    "to_labels",
]
