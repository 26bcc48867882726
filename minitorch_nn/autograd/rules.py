"""The op rules: every elementwise operation once, for both engines.

An :class:`Op` holds an operation's name, the symbol a drawing shows, its forward on floats
and on numpy arrays, and its local derivatives written once against a math namespace ``m``::

    Op("tanh", "tanh", lambda m, xs, out: (1.0 - out * out,), forward=math.tanh,
       array_forward=np.tanh)        # d/dx tanh(x) = 1 - tanh(x)^2

``derivative(m, xs, out)`` returns d out / d xs[i] for every input, in input order. The
engines evaluate it with the namespace that fits the moment:

- ``FLOAT_MATH`` on floats: a ``Value``'s local derivatives, kept on the node;
- ``ARRAY_MATH`` on numpy arrays: a ``Tensor``'s, multiplied into the output gradient;
- the differentiable namespaces of ``Value`` and ``Tensor`` (``grad(..., create_graph=True)``),
  so the same rule gives second and higher derivatives.

Every namespace holds every op of the table under its name (``m.exp``, ``m.div``, ...) plus
a few helpers that are not ops: ``where(cond, a, b)``, ``value_of(a)`` (the plain number or
array under a node), ``sign`` and ``nonzero`` (piecewise constant, so a constant serves as
their derivative).

Adding an op (the whole recipe)
-------------------------------
1. Write one entry and register it::

       register(Op("softplus", "softplus",
                   lambda m, xs, out: (m.sigmoid(xs[0]),),      # d/dx = sigmoid(x)
                   forward=lambda m, x: m.relu(x) + m.log(1.0 + m.exp(-m.abs(x)))))

   ``forward`` may be written once against the namespace (as here; ``m`` is ``FLOAT_MATH``
   or ``ARRAY_MATH``), or given as a float function plus ``array_forward``. Name an
   ``operator`` ("add" makes ``__add__`` and ``__radd__``) for an infix op.
2. That is all: ``Value(x).softplus()``, ``Tensor(a).softplus()``, their gradients, higher
   derivatives and the graph drawing's label come from the entry. Add the op's PyTorch
   counterpart to ``_torch_fn`` in ``tests/autograd/test_rules.py``: the table-driven tests
   then check it on both engines against central differences and PyTorch (CONTRIBUTING.md).

Floating-point behaviour follows PyTorch float64 rather than Python's ``math`` errors:
``log(0) = -inf``, ``log(-1) = nan``, ``sqrt(-1) = nan``, ``1/0 = inf``, overflow gives ``inf``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

inf = math.inf
nan = math.nan

Derivative = Callable[[Any, Sequence[Any], Any], Sequence[Any]]


# ---------------------------------------------------------------- float math, torch semantics
def add(a: float, b: float) -> float:
    return a + b


def sub(a: float, b: float) -> float:
    return a - b


def mul(a: float, b: float) -> float:
    return a * b


def neg(a: float) -> float:
    return -a


def div(a: float, b: float) -> float:
    """a / b with IEEE results instead of ZeroDivisionError: 1/0 = inf, 0/0 = nan."""
    try:
        return a / b
    except ZeroDivisionError:
        if a == 0 or math.isnan(a):
            return nan
        return math.copysign(inf, a) * math.copysign(1.0, b)


def _is_odd_integer(y: float) -> bool:
    return math.isfinite(y) and y == int(y) and int(y) % 2 == 1


def pow(a: float, b: float) -> float:  # noqa: A001 - the op's name
    """a ** b as torch.pow: 0**-1 = inf, (-8)**(1/3) = nan, overflow = inf."""
    try:
        return math.pow(a, b)
    except OverflowError:
        return -inf if a < 0 and _is_odd_integer(b) else inf
    except ValueError:
        if a == 0:  # zero to a negative power
            return math.copysign(inf, a) if _is_odd_integer(b) else inf
        return nan  # negative base, non-integer exponent


def exp(a: float) -> float:
    try:
        return math.exp(a)
    except OverflowError:
        return inf


def log(a: float) -> float:
    if a > 0:
        return math.log(a)
    if a == 0:
        return -inf
    return nan  # negative or nan


def sqrt(a: float) -> float:
    return math.sqrt(a) if a >= 0 else nan


def sigmoid(a: float) -> float:
    """1 / (1 + exp(-a)), evaluated on the side that cannot overflow."""
    if a >= 0:
        return 1.0 / (1.0 + math.exp(-a))
    if a != a:
        return nan
    e = exp(a)
    return e / (1.0 + e)


def relu(a: float) -> float:
    return 0.0 if a <= 0 else a  # nan passes through, as in torch


def sin(a: float) -> float:
    return math.sin(a) if math.isfinite(a) else nan


def cos(a: float) -> float:
    return math.cos(a) if math.isfinite(a) else nan


def step(a: float) -> float:
    """0 where a <= 0, else 1 (nan included): torch's relu backward passes the gradient
    wherever the output is not <= 0."""
    return 0.0 if a <= 0 else 1.0


def nonzero(a: float) -> float:
    """0 where a == 0, else 1 (nan included): relu'(x) = nonzero(relu(x)), as torch."""
    return 0.0 if a == 0 else 1.0


def sign(a: float) -> float:
    """sign(0) = 0: the derivative of abs (torch's choice at 0)."""
    if a > 0:
        return 1.0
    if a < 0:
        return -1.0
    return a  # 0.0 or nan


def where(cond: Any, a: Any, b: Any) -> Any:
    return a if cond else b


# ---------------------------------------------------------------- array math, torch semantics
def _sigmoid_array(x: np.ndarray) -> np.ndarray:
    """1 / (1 + e^-x) from e^-|x|, which cannot overflow."""
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def _log_array(a: Any) -> Any:
    """np.log; a Python float stays a Python float, so a constant such as log(2.0) in
    ``2.0 ** x`` leaves a float32 gradient float32 (numpy's float64 scalar would not)."""
    return math.log(a) if type(a) is float and a > 0 else np.log(a)


def _nonzero_array(a: Any) -> Any:
    return a != 0


# ---------------------------------------------------------------- the namespaces
class FloatMath:
    """The namespace ``m`` for derivatives on floats (a Value's local derivatives)."""

    where = staticmethod(where)
    step = staticmethod(step)
    nonzero = staticmethod(nonzero)
    sign = staticmethod(sign)
    value_of = staticmethod(lambda a: a)


class ArrayMath:
    """The namespace ``m`` for derivatives on numpy arrays (a Tensor's local derivatives)."""

    where = staticmethod(np.where)
    step = staticmethod(lambda a: ~(a <= 0))
    nonzero = staticmethod(_nonzero_array)
    sign = staticmethod(np.sign)
    value_of = staticmethod(lambda a: a)


FLOAT_MATH = FloatMath()
ARRAY_MATH = ArrayMath()


# ---------------------------------------------------------------- the op type and the table
class Op:
    """One elementwise operation: see the module docstring.

    ``forward(*floats)`` and ``array_forward(*arrays)`` compute the value; ``derivative(m,
    xs, out)`` the local derivatives. ``quiet``: the array forward can leave the finite
    numbers from finite inputs, so it runs with numpy's floating-point warnings off (torch
    gives inf or nan without a warning). ``method``: the name of the generated method
    (None: none); ``operator``: the Python operator it also defines (``"add"`` makes
    ``__add__`` and ``__radd__``, ``"neg"`` makes ``__neg__``); ``doc``: the methods'
    docstring, which states the math.
    """

    __slots__ = (
        "name", "symbol", "derivative", "forward", "array_forward", "arity", "quiet", "method",
        "operator", "neuron", "doc",
    )  # fmt: skip

    def __init__(
        self,
        name: str,
        symbol: str,
        derivative: Derivative,
        forward: Callable[..., Any],
        array_forward: Callable[..., Any] | None = None,
        arity: int = 1,
        quiet: bool = True,
        method: str | None = "",
        operator: str | None = None,
        doc: str = "",
    ) -> None:
        if array_forward is None:  # one forward written against the namespace
            generic = forward
            forward = lambda *xs: generic(FLOAT_MATH, *xs)  # noqa: E731
            array_forward = lambda *xs: generic(ARRAY_MATH, *xs)  # noqa: E731
        self.name = name
        self.symbol = symbol
        self.derivative = derivative
        self.forward = forward
        self.array_forward = array_forward
        self.arity = arity
        self.quiet = quiet
        self.method = name if method == "" else method
        self.operator = operator
        self.neuron = None  # the scalar engine's fused neuron rules set this; an Op is none
        self.doc = doc

    def __repr__(self) -> str:
        return f"Op({self.name!r}, {self.symbol!r})"


OPS: dict[str, Op] = {}
"""Every elementwise op, by name."""

Install = Callable[[Op], list[tuple[Any, str]]]
_ENGINES: list[Install] = []
_INSTALLED: dict[str, list[tuple[Any, str]]] = {}


def add_engine(install: Install) -> None:
    """Have ``install(op)`` called for every op, now and when one is registered later.

    ``install`` gives an op its methods on one engine and returns the (object, attribute
    name) pairs it set, which :func:`unregister` removes again.
    """
    _ENGINES.append(install)
    for op in OPS.values():
        _INSTALLED[op.name].extend(install(op))


def register(op: Op) -> Op:
    """Add ``op`` to the table, to both namespaces and to every engine."""
    if op.name in OPS:
        raise ValueError(f"register: an op named {op.name!r} exists already")
    OPS[op.name] = op
    setattr(FloatMath, op.name, staticmethod(op.forward))
    setattr(ArrayMath, op.name, staticmethod(op.array_forward))
    installed = _INSTALLED[op.name] = [(FloatMath, op.name), (ArrayMath, op.name)]
    for install in _ENGINES:
        installed.extend(install(op))
    return op


def unregister(name: str) -> None:
    """Remove the op ``name`` and everything :func:`register` made for it."""
    if name not in OPS:
        raise KeyError(f"unregister: no op named {name!r}")
    del OPS[name]
    for owner, attribute in _INSTALLED.pop(name):
        if isinstance(owner, dict):
            del owner[attribute]
        else:
            delattr(owner, attribute)


def _pow_derivative(m: Any, xs: Sequence[Any], out: Any) -> tuple[Any, Any]:
    """d/da a^b = b a^(b-1) (0 where b == 0); d/db a^b = a^b log(a) (0 where a == 0, b >= 0)."""
    a, b = xs
    av, bv = m.value_of(a), m.value_of(b)
    da = m.where(bv == 0, 0.0, b * m.pow(a, b - 1.0))
    db = m.where((av == 0) & (bv >= 0), 0.0, out * m.log(a))
    return da, db


for _op in (
    Op("add", "+", lambda m, xs, out: (1.0, 1.0), add, np.add, 2, False, None, "add"),
    Op("sub", "-", lambda m, xs, out: (1.0, -1.0), sub, np.subtract, 2, False, None, "sub"),
    Op("mul", "*", lambda m, xs, out: (xs[1], xs[0]), mul, np.multiply, 2, False, None, "mul"),
    # d/da a/b = 1/b ; d/db a/b = -(a/b)/b
    Op(
        "div", "/", lambda m, xs, out: (m.div(1.0, xs[1]), -m.div(out, xs[1])),
        div, np.divide, 2, method=None, operator="truediv",
    ),
    Op("pow", "**", _pow_derivative, pow, np.power, 2, method=None, operator="pow"),
    Op("neg", "neg", lambda m, xs, out: (-1.0,), neg, np.negative, quiet=False, method=None,
       operator="neg"),
    # d/dx e^x = e^x
    Op("exp", "exp", lambda m, xs, out: (out,), exp, np.exp, doc="e^x; d/dx = e^x."),
    # d/dx log x = 1/x
    Op("log", "log", lambda m, xs, out: (m.div(1.0, xs[0]),), log, _log_array,
       doc="Natural log; d/dx = 1/x. log(0) = -inf, log(x < 0) = nan."),
    # d/dx tanh x = 1 - tanh(x)^2
    Op("tanh", "tanh", lambda m, xs, out: (1.0 - out * out,), math.tanh, np.tanh, quiet=False,
       doc="tanh(x); d/dx = 1 - tanh(x)^2."),
    # d/dx sigmoid x = s (1 - s)
    Op("sigmoid", "sigmoid", lambda m, xs, out: (out * (1.0 - out),), sigmoid, _sigmoid_array,
       doc="1 / (1 + e^-x); d/dx = s(x) (1 - s(x))."),
    # d/dx relu x = 1 where relu(x) != 0 (x > 0, or nan as in torch), else 0
    Op("relu", "relu", lambda m, xs, out: (m.nonzero(out),), relu,
       lambda x: np.maximum(x, 0.0), quiet=False,
       doc="max(0, x); d/dx = 1 where x > 0 (and at nan, as torch), else 0."),
    # d/dx sin x = cos x ; d/dx cos x = -sin x
    Op("sin", "sin", lambda m, xs, out: (m.cos(xs[0]),), sin, np.sin,
       doc="sin(x); d/dx = cos(x)."),
    Op("cos", "cos", lambda m, xs, out: (-m.sin(xs[0]),), cos, np.cos,
       doc="cos(x); d/dx = -sin(x)."),
    # d/dx sqrt x = 1 / (2 sqrt x)
    Op("sqrt", "sqrt", lambda m, xs, out: (m.div(0.5, out),), sqrt, np.sqrt,
       doc="sqrt(x); d/dx = 1 / (2 sqrt(x)). sqrt(x < 0) = nan."),
    # d/dx |x| = sign x (0 at 0)
    Op("abs", "abs", lambda m, xs, out: (m.sign(m.value_of(xs[0])),), math.fabs, np.abs,
       quiet=False, operator="abs", doc="|x|; d/dx = sign(x), 0 at 0."),
):  # fmt: skip
    register(_op)
