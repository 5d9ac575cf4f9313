"""What the accuracy sweep measures: every registry op as a function of one swept number,
and its exact value written from the mathematics (mpmath, ``PREC`` bits).

A ``Sweep`` names the op, the arguments it sweeps and fixes, how the op's arrays are built
from the swept column (rows, matrices, class targets), and the truth of its forward and
its gradient at each point. ``comparisons.grids`` builds the grids, ``comparisons.exact``
computes and caches the truth, and ``comparisons.accuracy`` measures every implementation
against it (``comparisons.truth``: the overview).

Elementwise ops are swept directly. The others are swept through one entry of a small
fixed structure, the rest being constants rounded to the dtype (the truth sees the
rounded constants): the row ``[x, 0.1, -0.3]`` for softmax, log_softmax, sum, reshape,
transpose, cross_entropy and nll (their sums cancel where x is near 0.2); ``[x, 0.1,
-0.3] . [0.7, -0.2, 0.5]`` for dot and cosine_similarity, and a (1, 3) @ (3, 2) product
with that row for matmul; x copied into 3 (repeat), 6 (broadcast_to) or 2 (branch)
outputs; the binary ops once in each argument with the other fixed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import mpmath
import numpy as np

PREC = 200                 # bits of the truth
M = mpmath.MPContext()     # a private context: nobody else's mp.prec changes ours
M.prec = PREC


# ------------------------------------------------------------------ the truth itself
# Each function takes and returns mpf. Written from the definitions; where the textbook
# form cancels (1 - s, 1 + tanh, log(1 + e^x) for large |x|) the form given avoids it.


def _sig(x):
    return 1 / (1 + M.exp(-x))


def _dsig(x):                         # s(x) s(-x), no 1 - s
    e = M.exp(-abs(x))
    return e / (1 + e) ** 2


def _erfc(z):
    # mpmath's erfc overflows on |z| > ~1e150; there erfc is 0 or 2 to within e**(-1e6),
    # far below any dtype's resolution of the results it enters.
    if abs(z) > 1000:
        return M.mpf(0) if z > 0 else M.mpf(2)
    return M.erfc(z)


def _Phi(x):                          # the standard normal cdf
    return _erfc(-x / M.sqrt(2)) / 2


def _phi(x):
    return M.exp(-x * x / 2) / M.sqrt(2 * M.pi)


def _log1pexp(x):                     # log(1 + e^x)
    return x + M.log1p(M.exp(-x)) if x > 0 else M.log1p(M.exp(x))


_C_TANH = M.mpf("0.044715")


def _gelu_tanh_u(x):
    return M.sqrt(2 / M.pi) * (x + _C_TANH * x ** 3)


def _gelu_tanh(x):                    # 0.5 x (1 + tanh u) = x sigmoid(2u)
    return x * _sig(2 * _gelu_tanh_u(x))


def _dgelu_tanh(x):
    u = _gelu_tanh_u(x)
    du = M.sqrt(2 / M.pi) * (1 + 3 * _C_TANH * x * x)
    return _sig(2 * u) + x * _dsig(2 * u) * 2 * du


def _softmax_row(v):
    """softmax and log_softmax of a row of mpf, without cancellation."""
    m = max(v)
    e = [M.exp(a - m) for a in v]
    s_sum = M.fsum(e)
    log_sum = M.log1p(M.fsum(ei for a, ei in zip(v, e) if a != m) +
                      (sum(1 for a in v if a == m) - 1))
    return [ei / s_sum for ei in e], [(a - m) - log_sum for a in v]


def _softmax(x, a, b):
    s, _ = _softmax_row([x, a, b])
    return tuple(s)


def _dsoftmax(x, a, b):               # d s_0 / d(x, a, b): s0 (1 - s0), -s0 s1, -s0 s2
    s0, s1, s2 = _softmax(x, a, b)
    return (s0 * (s1 + s2), -s0 * s1, -s0 * s2)


def _log_softmax(x, a, b):
    _, ls = _softmax_row([x, a, b])
    return tuple(ls)


def _dlog_softmax(x, a, b):           # d ls_0 / d(x, a, b): 1 - s0, -s1, -s2
    s0, s1, s2 = _softmax(x, a, b)
    return (s1 + s2, -s1, -s2)


def _huber(d):
    return d * d / 2 if abs(d) <= 1 else abs(d) - M.mpf(1) / 2


def _bce(p, t):
    return -(t * M.log(p) + (1 - t) * M.log1p(-p))


def _bce_logits(x, t):                # softplus(x) - t x
    if x >= 0:
        return (1 - t) * x + M.log1p(M.exp(-x))
    return -t * x + M.log1p(M.exp(x))


def _dbce_logits(x, t):               # sigmoid(x) - t
    e = M.exp(-x)
    return ((1 - t) - t * e) / (1 + e)


_ONE, _ZERO = M.mpf(1), M.mpf(0)


def _one(f):
    return lambda *a: (f(*a),)


def _row_sum(*v):
    return M.fsum(v)


def _cross_entropy(k):
    """-log softmax(row)[k] and its gradient softmax(row) - onehot(k), the entry k written
    as minus the other probabilities (no 1 - s_k)."""
    def forward(x, a, b, t):
        return (-_softmax_row([x, a, b])[1][k],)

    def grad(x, a, b, t):
        s = _softmax(x, a, b)
        return tuple(-M.fsum(s[j] for j in range(3) if j != k) if i == k else s[i]
                     for i in range(3))
    return forward, grad


def _nll(k):
    return (lambda x, a, b, t: (-(x, a, b)[k],),
            lambda x, a, b, t: tuple(-_ONE if i == k else _ZERO for i in range(3)))


def _matmul(x, a1, a2, *B):               # [x, a1, a2] @ B, B (3, 2) row-major
    r = (x, a1, a2)
    return tuple(M.fsum(r[j] * B[2 * j + m] for j in range(3)) for m in range(2))


def _dmatmul(x, a1, a2, *B):              # cotangent ones (1, 2): dA = 1 B^T, dB = A^T 1
    return tuple(B[2 * j] + B[2 * j + 1] for j in range(3)) + tuple(
        v for v in (x, a1, a2) for _ in range(2))


def _norm(v):
    return M.sqrt(M.fsum(c * c for c in v))


def _cosine(a0, a1, a2, b0, b1, b2):
    a, b = (a0, a1, a2), (b0, b1, b2)
    return (M.fsum(p * q for p, q in zip(a, b)) / (_norm(a) * _norm(b)),)


def _dcosine(a0, a1, a2, b0, b1, b2):
    """d cos/da = (b_i sum_{j!=i} a_j^2 - a_i sum_{j!=i} a_j b_j) / (|a|^3 |b|), and the same
    for b: b/(|a||b|) - cos a/|a|^2 without its cancellation where a lies along one axis."""
    a, b = (a0, a1, a2), (b0, b1, b2)

    def across(p, q):
        return tuple((q[i] * M.fsum(p[j] ** 2 for j in range(3) if j != i)
                      - p[i] * M.fsum(p[j] * q[j] for j in range(3) if j != i))
                     / (_norm(p) ** 3 * _norm(q)) for i in range(3))
    return across(a, b) + across(b, a)


# --------------------------------------------------------------------------- sweeps

@dataclass(frozen=True)
class Sweep:
    """One swept function: the op, its keyword arguments, the grid and the truth.

    ``args`` names the swept and fixed numbers; each of ``settings`` (dicts name -> value,
    rounded to the dtype) fixes all but one, and that one is swept over the grid (its
    ``domain``; an argument named ``var`` over the variance grid). ``build(columns,
    dtype)`` turns the columns (one 1-D array per ``args``) into the op's arrays, each with
    the points along its first axis (default: the columns themselves); ``batched=False``:
    the op takes one point at a time (``dot`` takes vectors only).
    ``forward`` and ``grad`` map a point, the mpf of every entry of the op's arrays at it
    (flattened, in order), to a tuple of mpf: the outputs, flattened, and the vjp with
    respect to the arrays ``wrt``, flattened, with the cotangent ``cotangent`` (one entry
    per output value; default all ones). ``out`` gives each output's shape at one point.
    ``kink(*point) -> bool`` marks grad points left out. ``sized(n)`` gives the keyword
    arguments that depend on the number of points n (broadcast_to's target shape).
    """
    name: str
    op: str
    module: str
    args: tuple
    forward: Callable
    grad: Callable
    kwargs: dict = field(default_factory=dict)
    settings: tuple = ({},)
    wrt: tuple = (0,)
    domain: str = "real"          # "real", "positive", "nonzero", "open01" (probabilities), "var" (> 1e-5)
    kink: Callable | None = None
    build: Callable | None = None
    out: tuple = ((),)
    cotangent: tuple | None = None
    batched: bool = True
    sized: Callable | None = None     # n -> keyword arguments that name the number of points

    def kwargs_for(self, lead: tuple) -> dict:
        return {**self.kwargs, **(self.sized(*lead) if self.sized else {})}

    def arrays(self, columns: tuple, dtype) -> tuple:
        return tuple(columns) if self.build is None else self.build(columns, np.dtype(dtype))

    def cotangents(self, lead: tuple, dtype) -> list:
        """The cotangent of each output, for points of shape ``lead``."""
        if self.cotangent is not None:
            (o,) = self.out
            g = np.asarray(self.cotangent, dtype).reshape(o)
            return [np.broadcast_to(g, lead + o).copy()]
        return [np.ones(lead + o, dtype) for o in self.out]


def _act(name, f, df, kink=None, **kwargs):
    label = name + "".join(f"({k}={v})" for k, v in kwargs.items() if k == "approximate" and v)
    return Sweep(label, name, "activations", ("x",), _one(f), _one(df), kwargs, kink=kink)


def _const(values, dt, n):
    """The constants ``values`` (any shape) rounded to ``dt``, repeated for n points."""
    c = np.asarray(values, np.float64).astype(dt)
    return np.broadcast_to(c, (n,) + c.shape).copy()


def _row(x, dt, shape=(3,)):
    """The rows [x, 0.1, -0.3] (constants rounded to dt), one per point, in ``shape``."""
    r = np.concatenate([x[:, None], _const([0.1, -0.3], dt, len(x))], axis=1)
    return r.reshape((len(x),) + shape)


_VECTOR = [0.7, -0.2, 0.5]
_MATRIX = [[0.7, -0.2], [0.5, 0.3], [-0.1, 0.9]]
_ROW = dict(build=lambda c, dt: (_row(c[0], dt),), out=((3,),))
_CLASSES = dict(args=("x", "t"), settings=({"t": 0},), kwargs={"reduction": "none"},
                build=lambda c, dt: (_row(c[0], dt), c[1].astype(np.int64)))
_at_zero = lambda x, *_: x == 0                       # noqa: E731


def _binary(op, f, df, settings=({"b": 0.7}, {"a": -3.0}), name=None, domain="real"):
    return Sweep(name or op, op, "graph", ("a", "b"), _one(f), df, settings=settings,
                 wrt=(0, 1), domain=domain)


def _pow(c, domain):
    cm = M.mpf(c)
    return Sweep(f"pow(c={c:g})", "pow", "graph", ("x",), _one(lambda x: x ** cm),
                 _one(lambda x: cm * x ** (cm - 1)), {"c": c}, domain=domain)


SWEEPS_LIST = [
    _binary("add", lambda a, b: a + b, lambda a, b: (_ONE, _ONE)),
    _binary("sub", lambda a, b: a - b, lambda a, b: (_ONE, -_ONE)),
    Sweep("neg", "neg", "graph", ("x",), _one(lambda x: -x), _one(lambda x: -_ONE)),
    _binary("mul", lambda a, b: a * b, lambda a, b: (b, a)),
    _binary("div", lambda a, b: a / b, lambda a, b: (1 / b, -a / (b * b)), name="div(a)",
            settings=({"b": 0.7}, {"b": -3.0})),
    _binary("div", lambda a, b: a / b, lambda a, b: (1 / b, -a / (b * b)), name="div(b)",
            settings=({"a": 0.7}, {"a": -3.0}), domain="nonzero"),
    _pow(2.0, "real"), _pow(3.0, "real"), _pow(0.5, "positive"), _pow(-1.0, "nonzero"),
    Sweep("exp", "exp", "graph", ("x",), _one(M.exp), _one(M.exp)),
    Sweep("log", "log", "graph", ("x",), _one(M.log), _one(lambda x: 1 / x), domain="positive"),
    Sweep("branch", "branch", "graph", ("x",), lambda x: (x, x), lambda x: (2 * _ONE,),
          {"n": 2}, out=((), ())),
    Sweep("repeat", "repeat", "graph", ("x",), lambda x: (x,) * 3, lambda x: (3 * _ONE,),
          {"n": 3, "axis": 1}, build=lambda c, dt: (c[0][:, None],), out=((3,),)),
    Sweep("broadcast_to", "broadcast_to", "graph", ("x",), lambda x: (x,) * 6,
          lambda x: (6 * _ONE,), build=lambda c, dt: (c[0][:, None, None],), out=((2, 3),),
          sized=lambda n: {"shape": (n, 2, 3)}),
    Sweep("sum", "sum", "graph", ("x",), _one(_row_sum), lambda *r: (_ONE,) * 3, {"axis": -1},
          build=_ROW["build"]),
    Sweep("reshape", "reshape", "graph", ("x",), lambda *r: r, lambda *r: (_ONE,) * 3,
          {"shape": (-1, 3, 1)}, build=_ROW["build"], out=((3, 1),)),
    Sweep("transpose", "transpose", "graph", ("x",), lambda *r: r, lambda *r: (_ONE,) * 3,
          {"axes": (0, 2, 1)}, build=lambda c, dt: (_row(c[0], dt, (3, 1)),), out=((1, 3),)),
    Sweep("matmul", "matmul", "tensors", ("x",), _matmul, _dmatmul, wrt=(0, 1),
          build=lambda c, dt: (_row(c[0], dt, (1, 3)), _const(_MATRIX, dt, len(c[0]))),
          out=((1, 2),)),
    Sweep("dot", "dot", "tensors", ("x",), _one(lambda *p: M.fsum(
              p[j] * p[3 + j] for j in range(3))), lambda *p: p[3:] + p[:3], wrt=(0, 1),
          build=lambda c, dt: (_row(c[0], dt), _const(_VECTOR, dt, len(c[0]))), batched=False),
    Sweep("cosine_similarity", "cosine_similarity", "tensors", ("x",), _cosine, _dcosine,
          wrt=(0, 1), build=lambda c, dt: (_row(c[0], dt), _const(_VECTOR, dt, len(c[0])))),
    _act("step", lambda x: _ONE if x > 0 else _ZERO, lambda x: _ZERO, kink=_at_zero),
    _act("sigmoid", _sig, _dsig),
    _act("tanh", M.tanh, lambda x: M.sech(x) ** 2),
    _act("relu", lambda x: x if x > 0 else _ZERO, lambda x: _ONE if x > 0 else _ZERO,
         kink=_at_zero),
    _act("leaky_relu", lambda x: x if x > 0 else x / 100,
         lambda x: _ONE if x > 0 else M.mpf(1) / 100, kink=_at_zero, slope=0.01),
    Sweep("softmax", "softmax", "activations", ("x",), _softmax, _dsoftmax, **_ROW,
          cotangent=(1, 0, 0)),
    Sweep("log_softmax", "log_softmax", "activations", ("x",), _log_softmax, _dlog_softmax,
          **_ROW, cotangent=(1, 0, 0)),
    _act("softplus", _log1pexp, _sig),
    _act("elu", lambda x: x if x > 0 else M.expm1(x), lambda x: _ONE if x > 0 else M.exp(x),
         alpha=1.0),
    _act("gelu", lambda x: x * _Phi(x), lambda x: _Phi(x) + x * _phi(x), approximate=False),
    _act("gelu", _gelu_tanh, _dgelu_tanh, approximate=True),
    _act("silu", lambda x: x * _sig(x), lambda x: _sig(x) * (1 + x * _sig(-x))),
    Sweep("mse", "mse", "losses", ("y_hat", "t"), _one(lambda y, t: (y - t) ** 2),
          _one(lambda y, t: 2 * (y - t)), {"reduction": "none"}, ({"t": 0.0}, {"t": 0.7})),
    Sweep("mae", "mae", "losses", ("y_hat", "t"), _one(lambda y, t: abs(y - t)),
          _one(lambda y, t: M.sign(y - t)), {"reduction": "none"}, ({"t": 0.0}, {"t": 0.7}),
          kink=lambda y, t: y == t),
    Sweep("huber", "huber", "losses", ("y_hat", "t"), _one(lambda y, t: _huber(y - t)),
          _one(lambda y, t: (y - t) if abs(y - t) <= 1 else M.sign(y - t)),
          {"delta": 1.0, "reduction": "none"}, ({"t": 0.0}, {"t": 0.7})),
    Sweep("binary_cross_entropy", "binary_cross_entropy", "losses", ("p", "t"), _one(_bce),
          _one(lambda p, t: (p - t) / (p * (1 - p))), {"reduction": "none"},
          ({"t": 0.0}, {"t": 1.0}, {"t": 0.25}), domain="open01"),
    Sweep("binary_cross_entropy_with_logits", "binary_cross_entropy_with_logits", "losses",
          ("x", "t"), _one(_bce_logits), _one(_dbce_logits), {"reduction": "none"},
          ({"t": 0.0}, {"t": 1.0})),
    # gaussian_nll(mu, t, var) as a function of mu (var fixed; grad d/dmu = (mu - t)/v) and
    # of var (mu - t fixed; grad d/dvar = (v - (mu - t)^2) / (2 v^2), whose root v = 2.25 sits
    # in the grid). var stays above 1e-5 > eps = 1e-6: the clamp max(var, eps) never acts.
    Sweep("gaussian_nll(mu)", "gaussian_nll", "losses", ("mu", "t", "var"),
          _one(lambda mu, t, v: (M.log(v) + (mu - t) ** 2 / v) / 2),
          _one(lambda mu, t, v: (mu - t) / v), {"reduction": "none"},
          ({"t": 0.0, "var": 1.0}, {"t": 0.7, "var": 2.5}), wrt=(0,)),
    Sweep("gaussian_nll(var)", "gaussian_nll", "losses", ("mu", "t", "var"),
          _one(lambda mu, t, v: (M.log(v) + (mu - t) ** 2 / v) / 2),
          _one(lambda mu, t, v: (v - (mu - t) ** 2) / (2 * v * v)), {"reduction": "none"},
          ({"mu": 0.0, "t": 0.0}, {"mu": 1.5, "t": 0.0}), wrt=(2,)),
    Sweep("cross_entropy(t=0)", "cross_entropy", "losses", forward=_cross_entropy(0)[0],
          grad=_cross_entropy(0)[1], **_CLASSES),
    Sweep("cross_entropy(t=1)", "cross_entropy", "losses", forward=_cross_entropy(1)[0],
          grad=_cross_entropy(1)[1], **{**_CLASSES, "settings": ({"t": 1},)}),
    Sweep("nll(t=0)", "nll", "losses", forward=_nll(0)[0], grad=_nll(0)[1], **_CLASSES),
    Sweep("nll(t=1)", "nll", "losses", forward=_nll(1)[0], grad=_nll(1)[1],
          **{**_CLASSES, "settings": ({"t": 1},)}),
]
SWEEPS = {s.name: s for s in SWEEPS_LIST}


def ops() -> list:
    """The registry names of the ops the sweep knows."""
    return list(dict.fromkeys(s.op for s in SWEEPS_LIST))
