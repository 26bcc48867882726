"""``Tensor``: a numpy array that records how it was computed, on the engine's graph walk.

A Tensor made by an op keeps the op rule (``_op``), its inputs (``_args``: Tensors and
constants), the inputs that need a gradient (``_parents``, at argument positions ``_pidx``)
and the op's non-tensor arguments (``_ctx``). The VJP rules live in :mod:`.ops`; the
topological sort and the backward pass are :mod:`minitorch_nn.engine.autodiff`, shared with
the scalar ``Value``.

Only tensors that require a gradient, or are computed from one, record a graph; ``.grad`` is
filled for leaves with ``requires_grad=True`` (and for tensors that called
``retain_grad()``), and accumulates like PyTorch's.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ..engine import autodiff
from ..engine.mode import _mode
from . import ops as _ops
from .ops import NUMPY_MATH, RULES, TensorOp, unbroadcast

_ndarray = np.ndarray
_new = object.__new__
_next_seq = autodiff.next_seq
_FLOAT_DTYPES = (np.dtype(np.float64), np.dtype(np.float32))
_SCALARS = (int, float, np.number, np.bool_)

(
    _ADD, _SUB, _MUL, _DIV, _NEG, _POW, _MATMUL, _LINEAR, _SUM, _MEAN, _MAX,
    _RESHAPE, _TRANSPOSE, _BROADCAST, _GETITEM, _SCATTER, _WHERE,
) = (
    RULES[k]
    for k in (
        "add", "sub", "mul", "div", "neg", "pow", "matmul", "linear", "sum", "mean", "max",
        "reshape", "transpose", "broadcast_to", "getitem", "scatter", "where",
    )
)  # fmt: skip


def _dtype(dtype: Any) -> np.dtype:
    dt = np.dtype(np.float64 if dtype is None else dtype)
    if dt not in _FLOAT_DTYPES:
        raise TypeError(f"Tensor dtype must be float64 or float32, got {dt}")
    return dt


class Tensor(autodiff.Node):
    """An n-dimensional float array with a gradient (float64 unless ``dtype=np.float32``).

    ``Tensor([[1.0, 2.0]], requires_grad=True)``; ops broadcast like numpy, and ``backward()``
    on a one-element result fills ``.grad`` (an array of the same shape, None before).
    """

    __slots__ = (
        "data",
        "grad",
        "requires_grad",
        "label",
        "_op",
        "_args",
        "_parents",
        "_pidx",
        "_ctx",
        "_xs",
        "_g",
        "_retain",
        "_seq",
        "_mark",
    )
    __array_ufunc__ = None  # ndarray (op) Tensor defers to Tensor's reflected operator

    data: np.ndarray
    grad: np.ndarray | None
    requires_grad: bool
    label: str
    _op: TensorOp | None
    _args: tuple[Any, ...]
    _parents: tuple[Tensor, ...]
    _pidx: tuple[int, ...]
    _ctx: Any
    _xs: list[Any] | None  # the input arrays of the forward (kept while the graph lives)
    _g: Any
    _retain: bool
    _seq: int  # creation number (autodiff.next_seq): always after the inputs'
    _mark: object  # scratch for the graph walk

    def __init__(
        self, data: Any, requires_grad: bool = False, dtype: Any = None, label: str = ""
    ) -> None:
        if isinstance(data, Tensor):
            data = data.data
        try:
            array = np.array(data, dtype=_dtype(dtype), copy=True)
        except (TypeError, ValueError) as exc:
            raise TypeError(
                f"Tensor data must be numbers or nested sequences of numbers, "
                f"got {type(data).__name__}: {exc}"
            ) from None
        self.data = array
        self.grad = None
        self.requires_grad = bool(requires_grad)
        self.label = label
        self._op = None
        self._args = self._parents = self._pidx = ()
        self._ctx = self._xs = self._g = self._mark = None
        self._retain = False
        self._seq = _next_seq()

    # ------------------------------------------------------------ properties
    @property
    def shape(self) -> tuple[int, ...]:
        return self.data.shape

    @property
    def ndim(self) -> int:
        return self.data.ndim

    @property
    def size(self) -> int:
        return self.data.size

    @property
    def dtype(self) -> np.dtype:
        return self.data.dtype

    @property
    def op(self) -> str:
        """The name of the op that made this tensor ('' for a leaf)."""
        return "" if self._op is None else self._op.name

    @property
    def is_leaf(self) -> bool:
        """True for tensors made by the user rather than by an op that recorded a graph."""
        return not self._parents

    def __len__(self) -> int:
        if self.data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return len(self.data)

    def item(self) -> float:
        """The single number in a one-element tensor."""
        if self.data.size != 1:
            raise ValueError(f"item(): tensor of shape {self.shape} has {self.data.size} elements")
        return float(self.data.reshape(()))

    def __float__(self) -> float:
        return self.item()

    def __bool__(self) -> bool:
        if self.data.size != 1:
            raise ValueError(
                f"the truth value of a tensor of shape {self.shape} is ambiguous; "
                "use .data.any() or .data.all()"
            )
        return bool(self.data.reshape(()))

    def numpy(self) -> np.ndarray:
        """The data array (shared, not copied)."""
        return self.data

    def detach(self) -> Tensor:
        """The same data (shared) as a new leaf that does not require grad."""
        out = Tensor.__new__(Tensor)
        _init_plain(out, self.data)
        return out

    def retain_grad(self) -> None:
        """Fill ``.grad`` of this interior tensor too during ``backward()``."""
        self._retain = True

    def __repr__(self) -> str:
        body = np.array2string(self.data, separator=", ", prefix="Tensor(")
        extra = ""
        if self.dtype != np.float64:
            extra += f", dtype={self.dtype}"
        if self.requires_grad:
            extra += ", requires_grad=True"
        return f"Tensor({body}{extra})"

    # ------------------------------------------------------------ arithmetic
    def __add__(self, other: Any) -> Tensor:
        if type(other) is not Tensor:
            other = _operand(other)
            if other is NotImplemented:
                return NotImplemented
        return apply(_ADD, (self, other))

    def __radd__(self, other: Any) -> Tensor:
        other = _operand(other)
        if other is NotImplemented:
            return NotImplemented
        return apply(_ADD, (other, self))

    def __sub__(self, other: Any) -> Tensor:
        if type(other) is not Tensor:
            other = _operand(other)
            if other is NotImplemented:
                return NotImplemented
        return apply(_SUB, (self, other))

    def __rsub__(self, other: Any) -> Tensor:
        other = _operand(other)
        if other is NotImplemented:
            return NotImplemented
        return apply(_SUB, (other, self))

    def __mul__(self, other: Any) -> Tensor:
        if type(other) is not Tensor:
            other = _operand(other)
            if other is NotImplemented:
                return NotImplemented
        return apply(_MUL, (self, other))

    def __rmul__(self, other: Any) -> Tensor:
        if type(other) is float:  # alpha * penalty
            return apply(_MUL, (other, self))
        other = _operand(other)
        if other is NotImplemented:
            return NotImplemented
        return apply(_MUL, (other, self))

    def __truediv__(self, other: Any) -> Tensor:
        if type(other) is not Tensor:
            other = _operand(other)
            if other is NotImplemented:
                return NotImplemented
        return apply(_DIV, (self, other))

    def __rtruediv__(self, other: Any) -> Tensor:
        other = _operand(other)
        if other is NotImplemented:
            return NotImplemented
        return apply(_DIV, (other, self))

    def __pow__(self, other: Any) -> Tensor:
        if type(other) is not Tensor:
            other = _operand(other)
            if other is NotImplemented:
                return NotImplemented
        return apply(_POW, (self, other))

    def __rpow__(self, other: Any) -> Tensor:
        other = _operand(other)
        if other is NotImplemented:
            return NotImplemented
        return apply(_POW, (other, self))

    def __matmul__(self, other: Any) -> Tensor:
        return _matmul(self, other)

    def __rmatmul__(self, other: Any) -> Tensor:
        return _matmul(other, self)

    def __neg__(self) -> Tensor:
        return apply(_NEG, (self,))

    def __pos__(self) -> Tensor:
        return self

    # ------------------------------------------------------------ elementwise functions
    def exp(self) -> Tensor:
        """e^x; d/dx = e^x."""
        return apply(RULES["exp"], (self,))

    def log(self) -> Tensor:
        """Natural log; d/dx = 1/x. log(0) = -inf, log(x < 0) = nan."""
        return apply(RULES["log"], (self,))

    def tanh(self) -> Tensor:
        """tanh(x); d/dx = 1 - tanh(x)^2."""
        return apply(RULES["tanh"], (self,))

    def sigmoid(self) -> Tensor:
        """1 / (1 + e^-x); d/dx = s(x) (1 - s(x))."""
        return apply(RULES["sigmoid"], (self,))

    def relu(self) -> Tensor:
        """max(0, x); d/dx = 1 where x > 0, else 0."""
        return apply(RULES["relu"], (self,))

    def sin(self) -> Tensor:
        """sin(x); d/dx = cos(x)."""
        return apply(RULES["sin"], (self,))

    def cos(self) -> Tensor:
        """cos(x); d/dx = -sin(x)."""
        return apply(RULES["cos"], (self,))

    def sqrt(self) -> Tensor:
        """sqrt(x); d/dx = 1 / (2 sqrt(x)). sqrt(x < 0) = nan."""
        return apply(RULES["sqrt"], (self,))

    def abs(self) -> Tensor:
        """|x|; d/dx = sign(x), 0 at 0."""
        return apply(RULES["abs"], (self,))

    __abs__ = abs

    def clip(self, min: float | None = None, max: float | None = None) -> Tensor:  # noqa: A002
        """x limited to [min, max]; d/dx = 1 inside (ends included), 0 outside."""
        if min is None and max is None:
            raise ValueError("clip: give min, max or both")
        return apply(RULES["clip"], (self,), (min, max))

    clamp = clip

    def maximum(self, other: Any) -> Tensor:
        """Elementwise max(self, other); at ties each side gets half the gradient."""
        return _binary(RULES["maximum"], self, other, "max")

    def minimum(self, other: Any) -> Tensor:
        """Elementwise min(self, other); at ties each side gets half the gradient."""
        return _binary(RULES["minimum"], self, other, "min")

    # ------------------------------------------------------------ reductions
    def sum(self, axis: Any = None, keepdims: bool = False) -> Tensor:
        """Sum over ``axis`` (all axes by default); d/dx_i = 1."""
        ax = _ops.normalize_axis(axis, self.data.ndim, "sum")
        return apply(_SUM, (self,), (ax, bool(keepdims)))

    def mean(self, axis: Any = None, keepdims: bool = False) -> Tensor:
        """Mean over ``axis``; d/dx_i = 1/n with n the number of elements averaged."""
        ax = _ops.normalize_axis(axis, self.data.ndim, "mean")
        return apply(_MEAN, (self,), (ax, bool(keepdims), _ops.count(self.shape, ax)))

    def max(self, axis: Any = None, keepdims: bool = False) -> Tensor:
        """Max over ``axis``; the gradient goes to the maximum (shared equally by ties)."""
        ax = _ops.normalize_axis(axis, self.data.ndim, "max")
        if self.data.size == 0:
            raise ValueError(f"max: tensor of shape {self.shape} is empty")
        return apply(_MAX, (self,), (ax, bool(keepdims)))

    def log_softmax(self, axis: int = -1) -> Tensor:
        """x - log(sum(exp(x))) along ``axis``, computed after subtracting the max."""
        (ax,) = _ops.normalize_axis(axis, self.data.ndim, "log_softmax") or (0,)
        return apply(RULES["log_softmax"], (self,), ax)

    def softmax(self, axis: int = -1) -> Tensor:
        """exp(x) / sum(exp(x)) along ``axis``, computed after subtracting the max."""
        (ax,) = _ops.normalize_axis(axis, self.data.ndim, "softmax") or (0,)
        return apply(RULES["softmax"], (self,), ax)

    # ------------------------------------------------------------ shapes
    def reshape(self, *shape: Any) -> Tensor:
        """The same numbers in a new shape (``-1`` infers one dimension)."""
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        try:
            new_shape = self.data.reshape(shape).shape
        except (ValueError, TypeError):
            raise ValueError(
                f"reshape: cannot reshape a tensor of shape {self.shape} "
                f"({self.data.size} elements) into shape {shape}"
            ) from None
        return apply(_RESHAPE, (self,), new_shape)

    def transpose(self, *axes: Any) -> Tensor:
        """Axes permuted (reversed by default, like ``.T``)."""
        if len(axes) == 1 and isinstance(axes[0], (tuple, list)):
            axes = tuple(axes[0])
        ndim = self.data.ndim
        if not axes:
            perm = tuple(range(ndim - 1, -1, -1))
        else:
            perm = tuple(int(a) % ndim if -ndim <= a < ndim else ndim for a in axes)
            if sorted(perm) != list(range(ndim)):
                raise ValueError(
                    f"transpose: axes {axes} are not a permutation of the {ndim} axes "
                    f"of a tensor of shape {self.shape}"
                )
        return apply(_TRANSPOSE, (self,), perm)

    @property
    def T(self) -> Tensor:  # noqa: N802 - numpy's name
        return self.transpose()

    @property
    def mT(self) -> Tensor:  # noqa: N802 - torch's name
        """The last two axes swapped."""
        ndim = self.data.ndim
        if ndim < 2:
            raise ValueError(f"mT: needs at least 2 dimensions, got shape {self.shape}")
        perm = (*range(ndim - 2), ndim - 1, ndim - 2)
        return apply(_TRANSPOSE, (self,), perm)

    def broadcast_to(self, shape: Sequence[int]) -> Tensor:
        """The tensor repeated along broadcast dimensions; the gradient sums the copies."""
        shape = tuple(shape)
        try:
            np.broadcast_shapes(self.shape, shape)
        except ValueError:
            raise ValueError(f"broadcast_to: cannot broadcast {self.shape} to {shape}") from None
        return apply(_BROADCAST, (self,), shape)

    def __getitem__(self, index: Any) -> Tensor:
        """Indexing with ints, slices, None, Ellipsis, int arrays and boolean masks; the
        gradient is scattered back, adding up at repeated indices."""
        index, advanced = _index(index)
        return apply(_GETITEM, (self,), (index, advanced))

    # ------------------------------------------------------------ gradients
    def backward(self, gradient: Any = None) -> None:
        """Add d(self)/d(leaf) * gradient into ``.grad`` of every leaf requiring grad.

        ``gradient`` may be left out only for a one-element tensor (it is then 1), as in
        PyTorch. Gradients accumulate; call ``zero_grad`` between steps.
        """
        if not self.requires_grad:
            raise RuntimeError(
                "backward: this tensor does not require grad (no input had requires_grad=True, "
                "or it was computed under no_grad())"
            )
        data = self.data
        if gradient is None and data.size == 1:  # the usual loss.backward(): a kept, read-only 1
            seed = _ops._filled(data.shape, data.dtype, 1.0)
        else:
            seed = _seed(self, gradient, "backward")
        with np.errstate(all="ignore"):
            _backward(self, seed)

    def _backprop(self, g: Any, create_graph: bool) -> None:
        if create_graph:  # the VJPs on Tensors, so that the gradient has a graph too
            self._chain(g, TENSOR_MATH, self._args, self)
        else:
            self._chain(g, NUMPY_MATH, self._xs, self.data)

    def _chain(self, g: Any, m: Any, xs: Any, out: Any) -> None:
        """Add ``g`` (d/d self) times each input's VJP into the input's ``_g``, the VJPs
        evaluated with the namespace ``m`` on ``xs`` and ``out``: the arrays the forward saw,
        or (create_graph) the input Tensors and this one."""
        op, ctx = self._op, self._ctx
        assert op is not None and xs is not None
        if op.prepare is not None:
            g = op.prepare(m, g, xs, out, ctx)
        vjp = op.vjp
        for parent, i in zip(self._parents, self._pidx):
            d = vjp(m, i, g, xs, out, ctx)
            shape = parent.data.shape
            if d.shape != shape:
                d = unbroadcast(m, d, shape)
            pg = parent._g
            parent._g = d if pg is None else pg + d

    def _accumulate(self, g: Any) -> None:
        if self._parents and not self._retain:
            return
        if isinstance(g, Tensor):
            g = g.data
        if self.grad is None:
            self.grad = np.array(g, dtype=self.data.dtype, copy=True)
        else:
            self.grad += g

    def _zero_like(self) -> np.ndarray:
        data = self.data
        return np.zeros(data.shape, data.dtype)


def _backward(root: Tensor, seed: Any) -> None:
    """``autodiff.backward`` with its loop specialised for Tensors: over the shared
    topological order, each node's gradient is complete when it is reached, so it is passed
    on (``_chain``) or added into ``.grad`` right away and then dropped, which lets the
    arrays of a big graph be reused while the walk goes on."""
    order = autodiff.toposort(root)
    root._g = seed
    for node in reversed(order):
        g = node._g
        if g is None:
            continue
        node._g = None
        if node._parents:
            node._chain(g, NUMPY_MATH, node._xs, node.data)
            if not node._retain:
                continue
        grad = node.grad
        if grad is None:
            node.grad = np.array(g, dtype=node.data.dtype, copy=True)
        else:
            grad += g


# ---------------------------------------------------------------- building nodes
def _init_plain(out: Tensor, data: np.ndarray) -> None:
    out.data = data
    out.grad = None
    out.requires_grad = False
    out.label = ""
    out._op = None
    out._args = out._parents = out._pidx = ()
    out._ctx = out._xs = out._g = out._mark = None
    out._retain = False
    out._seq = _next_seq()


def apply(op: TensorOp, args: tuple[Any, ...], ctx: Any = None) -> Tensor:
    """A new tensor ``op(*args)``; ``args`` are Tensors or constants (numbers, arrays)."""
    xs = [a.data if type(a) is Tensor else a for a in args]
    try:
        data = op.forward(xs, ctx)
    except ValueError as exc:
        shapes = " and ".join(str(np.shape(x)) for x in xs)
        if "broadcast" in str(exc):
            raise ValueError(f"{op.name}: shapes {shapes} cannot be broadcast together") from None
        raise ValueError(f"{op.name}: shapes {shapes}: {exc}") from None
    if type(data) is not _ndarray:
        data = np.asarray(data)
    out = _new(Tensor)
    out.data = data
    out.grad = out._g = out._mark = None
    out.label = ""
    out._retain = False
    out._seq = _next_seq()
    out._ctx = ctx
    out._op = op
    if _mode.enabled:
        parents = [a for a in args if type(a) is Tensor and a.requires_grad]
        if parents:
            out.requires_grad = True
            out._args = args
            out._xs = xs
            n = len(args)
            if len(parents) == n:
                out._parents = args
                out._pidx = _RANGES[n] if n < 4 else tuple(range(n))
            else:
                out._parents = tuple(parents)
                out._pidx = tuple(
                    [i for i, a in enumerate(args) if type(a) is Tensor and a.requires_grad]
                )
            return out
    out.requires_grad = False
    out._args = out._parents = out._pidx = ()
    out._xs = None
    return out


_RANGES = ((), (0,), (0, 1), (0, 1, 2))


def _operand(x: Any) -> Any:
    """A Tensor or a constant (number or float array) as an op input, else NotImplemented."""
    if isinstance(x, Tensor):
        return x
    if isinstance(x, _SCALARS):
        return float(x) if not isinstance(x, (float, np.floating)) else x
    if isinstance(x, _ndarray):
        return x if x.dtype.kind == "f" else x.astype(np.float64)
    return NotImplemented


def _binary(op: TensorOp, a: Any, b: Any, ctx: Any = None) -> Tensor:
    a, b = _operand(a), _operand(b)
    if a is NotImplemented or b is NotImplemented:
        return NotImplemented
    return apply(op, (a, b), ctx)


def _matmul(a: Any, b: Any) -> Tensor:
    a, b = _operand(a), _operand(b)
    if a is NotImplemented or b is NotImplemented:
        return NotImplemented
    message = _ops.matmul_shape_error(np.shape(_data(a)), np.shape(_data(b)))
    if message is not None:
        raise ValueError(message)
    return apply(_MATMUL, (a, b))


def _data(x: Any) -> Any:
    return x.data if isinstance(x, Tensor) else x


def _index(index: Any) -> tuple[Any, bool]:
    """``index`` with Tensors and lists made arrays, and whether it has integer arrays."""
    items = index if isinstance(index, tuple) else (index,)
    fixed = []
    advanced = False
    for item in items:
        if isinstance(item, Tensor):
            item = item.data
        if isinstance(item, (list, np.ndarray)):
            item = np.asarray(item)
            if item.dtype.kind == "f":
                raise IndexError(f"index arrays must be integers or booleans, got {item.dtype}")
            advanced = advanced or item.dtype.kind in "iu"
        fixed.append(item)
    return (tuple(fixed) if isinstance(index, tuple) else fixed[0]), advanced


def _seed(out: Tensor, gradient: Any, what: str) -> Any:
    if gradient is None:
        if out.data.size != 1:
            raise ValueError(
                f"{what}: the gradient can be left out only for a one-element output, "
                f"got shape {out.shape}; pass gradient= with that shape"
            )
        return np.ones(out.data.shape, out.data.dtype)
    seed = np.array(_data(gradient), dtype=out.data.dtype)
    if seed.shape != out.shape:
        raise ValueError(f"{what}: gradient has shape {seed.shape}, expected {out.shape}")
    return seed


# ---------------------------------------------------------------- tensor math (create_graph)
def _lift(a: Any) -> Tensor:
    if isinstance(a, Tensor):
        return a
    out = _new(Tensor)
    _init_plain(out, np.asarray(a))
    return out


class TensorMath:
    """The namespace ``m`` for VJPs built from differentiable Tensor ops (create_graph)."""

    value_of = staticmethod(_data)
    exp = staticmethod(lambda a: _lift(a).exp())
    log = staticmethod(lambda a: _lift(a).log())
    sin = staticmethod(lambda a: _lift(a).sin())
    cos = staticmethod(lambda a: _lift(a).cos())
    # sign is piecewise constant: its derivative is zero, so a constant serves
    sign = staticmethod(lambda a: np.sign(_data(a)))
    pow = staticmethod(lambda a, b: _lift(a) ** b)
    matmul = staticmethod(lambda a, b: _lift(a) @ b)
    multiply = staticmethod(lambda a, b: _lift(a) * b)
    transpose = staticmethod(lambda a, axes: _lift(a).transpose(axes))
    mT = staticmethod(lambda a: _lift(a).mT)  # noqa: N815
    broadcast_to = staticmethod(lambda a, shape: _lift(a).broadcast_to(shape))
    sum = staticmethod(lambda a, axis, keepdims: _lift(a).sum(axis, keepdims))
    reshape = staticmethod(lambda a, shape: _lift(a).reshape(shape))
    getitem = staticmethod(lambda a, index: _lift(a)[index])

    @staticmethod
    def where(cond: Any, a: Any, b: Any) -> Tensor:
        return apply(_WHERE, (_operand(a), _operand(b)), np.asarray(_data(cond), dtype=bool))

    @staticmethod
    def scatter(g: Any, ctx: Any) -> Tensor:
        return apply(_SCATTER, (_lift(g),), ctx)


TENSOR_MATH = TensorMath()
