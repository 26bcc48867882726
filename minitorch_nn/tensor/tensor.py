"""``Tensor``: a numpy array that records how it was computed, on the engine's graph walk.

A Tensor made by an op keeps the op rule (``_op``), its inputs (``_args``: Tensors and
constants), the inputs that need a gradient (``_parents``, at argument positions ``_pidx``)
and the op's non-tensor arguments (``_ctx``). The VJP rules live in :mod:`.ops`; the
topological sort and the backward pass are :mod:`minitorch_nn.autograd.graph`, shared with
the scalar ``Value``.

Only tensors that require a gradient, or are computed from one, record a graph; ``.grad`` is
filled for leaves with ``requires_grad=True`` (and for tensors that called
``retain_grad()``), and accumulates like PyTorch's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from ..autograd import graph as autodiff
from ..autograd import rules
from ..autograd.mode import _mode
from ..autograd.rules import ARRAY_MATH, Op
from . import ops as _ops
from . import shapes
from .ops import NUMPY_MATH, RULES, TensorOp, unbroadcast
from .shape_ops import ShapeOps

_ndarray = np.ndarray
_new = object.__new__
_next_seq = autodiff.next_seq
_FLOAT_DTYPES = (np.dtype(np.float64), np.dtype(np.float32))
_SCALARS = (int, float, np.number, np.bool_)

_MATMUL, _SCATTER, _WHERE = RULES["matmul"], RULES["scatter"], RULES["where"]


def _dtype(dtype: Any) -> np.dtype:
    dt = np.dtype(np.float64 if dtype is None else dtype)
    if dt not in _FLOAT_DTYPES:
        raise TypeError(f"Tensor dtype must be float64 or float32, got {dt}")
    return dt


class Tensor(autodiff.Node, ShapeOps):
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
    # +, -, *, /, ** and the elementwise functions come from the op table (see _install)
    if TYPE_CHECKING:  # generated at import; types only

        def __add__(self, other: Any) -> Tensor: ...

        __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = __add__
        __truediv__ = __rtruediv__ = __pow__ = __rpow__ = __add__

        def exp(self) -> Tensor: ...

        log = tanh = sigmoid = relu = sin = cos = sqrt = abs = __neg__ = __abs__ = exp

    def __matmul__(self, other: Any) -> Tensor:
        return _matmul(self, other)

    def __rmatmul__(self, other: Any) -> Tensor:
        return _matmul(other, self)

    def __pos__(self) -> Tensor:
        return self

    # ------------------------------------------------------------ elementwise functions
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
            seed = _ops.ones(data.shape, data.dtype)
        else:
            seed = _seed(self, gradient, "backward")
        with np.errstate(all="ignore"):
            autodiff.backward(self, seed)  # the shared loop (minitorch_nn.autograd.graph)

    def _backprop(self, g: Any, create_graph: bool) -> None:
        """Add ``g`` (d/d self) times each input's VJP into the input's ``_g``: the VJPs
        evaluated with numpy on the arrays the forward saw, or (create_graph) with Tensor ops
        on the input Tensors, so that the gradient has a graph too. Each input gets its
        gradient summed over broadcast dimensions and in its own dtype (as torch)."""
        m: Any
        xs: Any
        out: Any
        if create_graph:
            m, xs, out = TENSOR_MATH, self._args, self
        else:
            m, xs, out = NUMPY_MATH, self._xs, self.data
        op, ctx = self._op, self._ctx
        assert op is not None and xs is not None
        local: Any = op.local
        if local is not None:  # an elementwise op: g times each local derivative
            local = local(m, xs, out)
        elif op.prepare is not None:
            g = op.prepare(m, g, xs, out, ctx)
        for parent, i in zip(self._parents, self._pidx):
            if local is None:
                d = op.vjp(m, i, g, xs, out, ctx)
            else:
                d = local[i]
                if type(d) is float and (d == 1.0 or d == -1.0):
                    d = g if d == 1.0 else -g  # exactly g * d
                else:
                    d = m.multiply(g, d)
            data = parent.data
            if d.shape != data.shape:
                d = unbroadcast(m, d, data.shape)
            if d.dtype is not data.dtype and d.dtype != data.dtype and not create_graph:
                d = d.astype(data.dtype)
            pg = parent._g
            parent._g = d if pg is None else pg + d

    def _accumulate(self, g: Any) -> None:
        if type(g) is not _ndarray and isinstance(g, Tensor):
            g = g.data
        if self.grad is None:
            self.grad = np.array(g, dtype=self.data.dtype, copy=True)
        else:
            self.grad += g

    def _zero_like(self) -> np.ndarray:
        data = self.data
        return np.zeros(data.shape, data.dtype)


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
Tensor._apply = staticmethod(apply)  # the node constructor ShapeOps' methods call


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
    message = shapes.matmul_shape_error(np.shape(_data(a)), np.shape(_data(b)))
    if message is not None:
        raise ValueError(message)
    return apply(_MATMUL, (a, b))


def _data(x: Any) -> Any:
    return x.data if isinstance(x, Tensor) else x


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
    """The namespace ``m`` for VJPs built from differentiable Tensor ops (create_graph): every
    op of the table (added by :func:`_install`) and the shape functions the VJPs use."""

    value_of = staticmethod(_data)
    # step, nonzero and sign are piecewise constant: their derivative is zero, so a constant
    step = staticmethod(lambda a: ARRAY_MATH.step(_data(a)))
    nonzero = staticmethod(lambda a: ARRAY_MATH.nonzero(_data(a)))
    sign = staticmethod(lambda a: np.sign(_data(a)))
    matmul = staticmethod(lambda a, b: _lift(a) @ b)
    multiply = staticmethod(lambda a, b: _lift(a) * b)
    transpose = staticmethod(lambda a, axes: _lift(a).permute(axes))
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


# ---------------------------------------------------------------- ops from the table
def _unary_method(top: TensorOp, op: Op) -> Any:
    def method(self: Tensor) -> Tensor:
        return apply(top, (self,))

    method.__name__ = method.__qualname__ = op.method or f"__{op.operator}__"
    method.__doc__ = op.doc or f"{op.name}(x) elementwise"
    return method


def _binary_method(top: TensorOp, op: Op, reflected: bool) -> Any:
    if reflected:

        def method(self: Tensor, other: Any) -> Any:
            if type(other) is not float:  # a float is an operand as it is (alpha * penalty)
                other = _operand(other)
                if other is NotImplemented:
                    return NotImplemented
            return apply(top, (other, self))

    else:

        def method(self: Tensor, other: Any) -> Any:
            if type(other) is not Tensor:
                other = _operand(other)
                if other is NotImplemented:
                    return NotImplemented
            return apply(top, (self, other))

    method.__name__ = method.__qualname__ = f"__{'r' if reflected else ''}{op.operator}__"
    method.__doc__ = f"other {op.symbol} self" if reflected else f"self {op.symbol} other"
    return method


def _install(op: Op) -> list[tuple[Any, str]]:
    """Give Tensor the methods of ``op``, TensorMath its differentiable version and RULES
    its TensorOp (VJP: the output gradient times each local derivative)."""
    top = _ops.elementwise(op)
    methods: dict[str, Any] = {}
    if op.arity == 1:
        method = _unary_method(top, op)
        if op.method:
            methods[op.method] = method
        if op.operator:
            methods[f"__{op.operator}__"] = method
    else:
        methods[f"__{op.operator}__"] = _binary_method(top, op, reflected=False)
        methods[f"__r{op.operator}__"] = _binary_method(top, op, reflected=True)
    for name, method in methods.items():
        setattr(Tensor, name, method)

    def differentiable(*xs: Any) -> Tensor:
        return apply(top, tuple(_operand(x) for x in xs))

    setattr(TensorMath, op.name, staticmethod(differentiable))
    RULES[op.name] = top
    return [(Tensor, name) for name in methods] + [(TensorMath, op.name), (RULES, op.name)]


rules.add_engine(_install)
