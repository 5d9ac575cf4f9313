"""Conventions: differences between the frameworks that are choices, not bugs.

Every fact here is *measured* from the installed frameworks when asked for, never typed
in, so the report states what the versions in front of it do. The harness uses two of
them to classify mismatches as ``convention`` rather than ``fail``:

- ``flushes_subnormals``: TensorFlow and XLA (JAX) set flush-to-zero on CPU, so a result
  below the smallest normal number comes back as 0 where numpy keeps the subnormal.
- ``zero_sum``: the sign an exact zero takes when it comes out of a sum, which hangs on
  the value a reduction starts from and on the order of the additions.

The "numpy" column is the reference the frameworks are compared with (``differs``): numpy's
own behaviour, and for activations, losses and optimizers the true value or the rule
refimpl documents, derived in reference_facts.py, never refimpl's output, so that a bug
in refimpl cannot excuse itself as a convention. refimpl's own facts are measured like a
framework's (``measure("refimpl")``) and held to that column by the tests.

Each framework's probe is ``probe()`` in comparisons/conventions/<framework>.py, imported
only when that framework is measured; each row's prose is in conventions.toml beside it.
"""

from __future__ import annotations

import functools
import importlib
import math
from pathlib import Path

import numpy as np

from comparisons import DTYPES, FRAMEWORKS

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

_FMT = {True: "yes", False: "no", None: "n/a"}
CONVENTIONS_FILE = Path(__file__).with_name("conventions.toml")


def load_topics(path: Path = CONVENTIONS_FILE) -> dict:
    """key -> (topic, note): the table's rows, in the file's order."""
    with open(path, "rb") as f:
        return {key: (row["topic"], row["note"]) for key, row in tomllib.load(f).items()}


TOPICS = load_topics()


def _tiny(dtype: str) -> float:
    from comparisons.ulp import finfo
    return float(finfo(dtype).tiny)


def _zero(v: float) -> str:
    return "-0.0" if np.signbit(v) else "+0.0"


def _numpy():
    """numpy's own facts, and the reference for the rest (reference_facts.py)."""
    from comparisons import reference_facts   # it imports this module's helpers

    return {
        "default_float": np.array(1.0).dtype.name,
        "int32+float32": (np.array([1], np.int32) + np.array([1.0], np.float32)).dtype.name,
        "float16+float32": (np.array([1.0], np.float16) + np.array([1.0], np.float32)).dtype.name,
        "zero_sum": _zero(float(np.matmul(-np.zeros((1, 1)), np.ones((1, 1)))[0, 0])),
        "sum_axis_empty_tuple": str(np.sum(np.ones((2, 3)), axis=()).shape),
        **{f"flushes_subnormals.{dt}": bool(_np(dt, _tiny(dt)) * _np(dt, 0.5) == 0) for dt in DTYPES},
        **{f"reads_subnormals_as_zero.{dt}": bool(_np(dt, _tiny(dt) / 2) * _np(dt, 4) == 0)
           for dt in DTYPES},
    } | reference_facts.facts()


def _np(dtype, v):
    return np.asarray([v], DTYPES[dtype])


def _refimpl():
    """refimpl's own activation, loss and optimizer facts, measured as a framework's are:
    tests/test_conventions_reference.py holds them to the reference column."""
    import refimpl as r

    def at(f, x, dtype="float64"):
        return float(f(np.asarray(x, dtype)))

    def grad_at(f, x, dtype="float64"):
        return float(r.grad(f)(np.asarray(x, dtype)))

    def abs_(x):  # refimpl has no abs op: |x| is mae against 0
        return r.mae(x, np.zeros(x.shape), reduction="sum")

    return _activation_facts(at, grad_at, leaky_relu=r.leaky_relu, gelu=r.gelu, relu=r.relu, gelu_exact=r.gelu,
                             step=r.step, abs_=abs_, elu=r.elu, sigmoid=r.sigmoid,
                             softplus=r.softplus, tanh=r.tanh) | {
        "softmax_nan_row": _num(r.softmax(np.array([np.nan, 0.0, 0.0]))[1]),
        "huber_grad_small": _num(grad_at(lambda y: r.huber(y, np.zeros(np.shape(y))), 1e-20)),
        "gelu_inf": _num(r.gelu(np.full(16, np.inf, np.float32))[0]),
        "reduction.mse": _reduction(r.mse(np.array([1.0, 3.0]), np.zeros(2))),
        "reduction.cross_entropy": _reduction(r.cross_entropy(np.zeros((2, 2)), np.array([0, 1])),
                                              per_sample=np.log(2)),
        "bce_p0_t1": _num(r.binary_cross_entropy(np.zeros(1), np.ones(1))),
        "soft_ce_minus_inf": _num(r.cross_entropy(*_soft_ce_args(np.asarray))),
    } | _optimizer_facts(_refimpl_step, _refimpl_default)


def _refimpl_step(name, g, p0=0.0, **kw):
    from refimpl.optim import OPTIMIZERS

    cls = OPTIMIZERS[name][0]
    p = np.array([p0])
    cls([p], **kw).step([np.array([g])])
    return float(p[0])


def _refimpl_default(name, arg):
    import inspect

    from refimpl.optim import OPTIMIZERS

    p = inspect.signature(OPTIMIZERS[name][0]).parameters.get(arg)
    return None if p is None else p.default


def _optimizer_facts(step, default):
    """The optimizer rows, from one framework: ``step(name, g, p0, **hyper)`` is a float64
    parameter p0 after one step with gradient g (refimpl's hyperparameter names; None
    when the framework has no such option), ``default(name, arg)`` a default (None: none)."""
    def placement(p, inside, outside):
        return inside if abs(p + 2 ** -0.5) < abs(p + 0.5) else outside

    adam = step("adam", 1.0, lr=1.0, eps=1.0, betas=(0.9, 0.999))
    decayed = step("adam", 0.0, 1.0, lr=0.1, weight_decay=0.5)
    lr = step("sgd", 1.0, lr=0.1)

    def shown(v):
        return "none (required)" if v is _empty() else "n/a" if v is None else _num(v)

    return {
        "adam.eps_placement": adam_eps_placement(adam),
        "rmsprop.eps_placement": placement(step("rmsprop", 1.0, lr=1.0, rho=0.0, eps=1.0),
                                           "sqrt(v + eps)", "sqrt(v) + eps"),
        "adagrad.eps_placement": placement(step("adagrad", 1.0, lr=1.0, eps=1.0,
                                                initial_accumulator_value=0.0),
                                           "sqrt(G + eps)", "sqrt(G) + eps"),
        # p = 1, g = 0, lr 0.1, weight decay 0.5: coupled, Adam steps by lr against 0.5 p;
        # decoupled, p shrinks by lr wd p and Adam sees g = 0
        "adam.weight_decay": "n/a (no weight_decay; adamw)" if decayed is None else
                             "coupled (L2 in the gradient)" if abs(decayed - 0.9) < 1e-6 else
                             "decoupled (as AdamW)" if abs(decayed - 0.95) < 1e-6 else _num(decayed),
        "hyper.float64": repr(-lr),
        "sgd.lr_default": shown(default("sgd", "lr")),
        "sgd.dampening": shown(default("sgd", "dampening")),
        "adagrad.initial_accumulator": shown(default("adagrad", "initial_accumulator_value")),
        "adagrad.eps_default": shown(default("adagrad", "eps")),
        "rmsprop.rho_default": shown(default("rmsprop", "rho")),
        "rmsprop.eps_default": shown(default("rmsprop", "eps")),
        "adam.eps_default": shown(default("adam", "eps")),
        "adamw.weight_decay_default": shown(default("adamw", "weight_decay")),
    }


def adam_eps_placement(p: float) -> str:
    """Where Adam adds eps, read from p after one step from 0 with g = 1, lr = 1, eps = 1 and
    betas (0.9, 0.999): g / (sqrt(v_hat) + eps) = 1/2, while Keras's eps on sqrt(v) before
    the bias correction gives 1 / (1 + 1/sqrt(0.001))."""
    return ("sqrt(v_hat) + eps" if abs(p + 0.5) < 1e-6 else "sqrt(v) + eps (epsilon hat)"
            if abs(p + 1 / (1 + 1000 ** 0.5)) < 1e-6 else _num(-p))


def _empty():
    import inspect

    return inspect.Parameter.empty


def _activation_facts(at, grad_at, *, leaky_relu, gelu, gelu_exact, relu, step, abs_, elu, sigmoid, softplus,
                      tanh):
    """The activation rows, from one framework's functions. ``at(f, x, dtype)`` is f's value
    at the scalar x, ``grad_at(f, x, dtype)`` its derivative there (dtype defaults to float64)."""
    return {
        "leaky_relu.default_slope": _num(-at(leaky_relu, -1.0)),
        "relu_neg_zero": _zero(at(relu, -0.0)),
        "zero_grad_sign": _zero(grad_at(lambda x: -relu(x), -1.0)),
        "leaky_relu.float64_slope": _num(at(lambda x: leaky_relu(x, 0.01), -1.0) + 0.01),
        "gelu.default": _gelu_form(at(gelu, 1.0)),
        "gelu.float64_constants": _precision_of(at(gelu_exact, 1.0) - _GELU_1),
        "grad_at_0.relu": _num(grad_at(relu, 0.0)),
        "grad_at_0.leaky_relu": _num(grad_at(lambda x: leaky_relu(x, 0.01), 0.0)),
        "grad_at_0.step": _try(lambda: _num(grad_at(step, 0.0)), "no derivative"),
        "grad_at_0.abs": _num(grad_at(abs_, 0.0)),
        "grad_at_0.elu": _num(grad_at(lambda x: elu(x, 0.5), 0.0)),
        "sigmoid_grad_20": _num(grad_at(sigmoid, 20.0, "float32")),
        "tanh_grad_10": _num(grad_at(tanh, 10.0, "float32")),
        "elu_tiny": _num(at(elu, -1e-30)),
        "elu_grad_20": _num(grad_at(elu, -20.0, "float32")),
        "step_nan": _num(at(step, np.nan)),
        "softplus_30": _num(at(softplus, 30.0) - _SOFTPLUS_30),
        "sigmoid_underflow": _num(at(sigmoid, -100.0, "float32")),
        "sigmoid_underflow.float16": _num(at(sigmoid, -12.0, "float16")),
    }


def subnormal_facts(times) -> dict:
    """The subnormal rows of a plug-in's probe, as ``measured`` takes them: ``times(dtype,
    x, y)`` is x * y computed by the implementation on one-element ``dtype`` arrays, as a
    float (the smallest normal halved: flushed to 0?; half of it times 4: read as 0?)."""
    facts = {}
    for dt in DTYPES:
        facts[f"flushes_subnormals.{dt}"] = lambda dt=dt: times(dt, _tiny(dt), 0.5) == 0.0
        facts[f"reads_subnormals_as_zero.{dt}"] = lambda dt=dt: times(dt, _tiny(dt) / 2, 4.0) == 0.0
    return facts


def measured(facts: dict) -> dict:
    """A plug-in probe's facts, each given as a function that measures it: those it
    answers. One that raises (an op the implementation lacks) is left out, not known, so
    no convention keyed by it can excuse the implementation."""
    out = {}
    for key, f in facts.items():
        try:
            out[key] = f()
        except Exception:   # noqa: BLE001  not measurable here: the fact stays unknown
            continue
    return out


def _try(f, refusal="error"):
    try:
        return f()
    except Exception as e:  # a refusal is itself the measured behaviour
        return f"{refusal} ({type(e).__name__})"


def _num(v) -> str:
    """A measured number, short; None is TensorFlow's gradient when x has no path to y."""
    return "None (no gradient path)" if v is None else f"{float(v):.3g}"


def _precision_of(err: float) -> str:
    """A float64 result's error, read as the precision its constants were kept in."""
    return f"float32 constants ({err:.2g})" if abs(err) > 1e-12 else "float64"


# gelu(1) = Phi(1) = (1 + erf(1/sqrt 2)) / 2, rounded to float64.
_GELU_1 = 0.5 * math.erfc(-1 / math.sqrt(2))

# softplus(30) = 30 + log1p(e^-30), rounded to float64: a threshold that returns x is off by 9e-14.
_SOFTPLUS_30 = 30 + float(np.log1p(np.exp(-30.0)))


def _gelu_form(y1: float) -> str:
    """Which GELU a function computes, from its value at 1: x Phi(x) or the tanh form."""
    exact = 0.5 * (1 + math.erf(1 / math.sqrt(2)))
    tanh = 0.5 * (1 + math.tanh(math.sqrt(2 / math.pi) * (1 + 0.044715)))
    return "exact (erf)" if abs(y1 - exact) < abs(y1 - tanh) else "tanh approximation"


def _reduction(y, per_sample=5.0) -> str:
    """The reduction a loss applied, from its output on two samples whose losses average
    to ``per_sample``: mse of [1, 3] against 0 (1 and 9), cross_entropy of two uniform rows."""
    y = np.asarray(y, dtype=np.float64)   # a tensor of any framework
    if y.size > 1:
        return "none: one value per sample"
    v = float(y.reshape(()))
    return "mean" if np.isclose(v, per_sample) else "sum" if np.isclose(v, 2 * per_sample) else _num(v)


def _soft_ce_args(array):
    """(logits, probabilities): a -inf logit on a class whose target probability is 0."""
    return array([[-np.inf, 0.0, 1.0]]), array([[0.0, 1.0, 0.0]])


@functools.lru_cache(maxsize=None)
def measure(framework: str) -> dict | None:
    """Facts for one framework, "refimpl", or "numpy" (the reference); None when it is
    not installed, or has no probe. A plugged-in implementation's probe is its adapter's
    optional ``probe()``: the facts it measures of itself (the others are not known, and
    no convention keyed by them excuses it)."""
    try:
        if framework in FRAMEWORKS:
            return importlib.import_module(f"comparisons.conventions.{framework}").probe()
        here = {"numpy": _numpy, "refimpl": _refimpl}
        if framework in here:
            return here[framework]()
        from comparisons import adapters

        probe = getattr(adapters.adapter(framework), "probe", None)
        return probe() if probe is not None else None
    except ImportError:
        return None


def value(framework: str, key: str) -> str:
    """The fact ``key`` for a framework ("numpy": the reference), as printed."""
    v = (measure(framework) or {}).get(key)
    return _FMT[v] if isinstance(v, bool) or v is None else str(v)


def differs(framework: str, key: str) -> bool:
    """Whether the framework's measured ``key`` differs from the reference (the numpy
    column, never refimpl's output): only then can a mismatch be put down to that convention."""
    m, ref = measure(framework), measure("numpy")
    return bool(m and ref and key in m and key in ref and m[key] != ref[key])


def reads_subnormals_as_zero(framework: str, dtype: str) -> bool:
    """Whether the framework reads ``dtype`` inputs below the smallest normal as 0
    (denormals-are-zero on CPU): step(1e-40) is 0 there, and inf * 1e-40 is NaN."""
    return bool((measure(framework) or {}).get(f"reads_subnormals_as_zero.{dtype}"))


def flushes_subnormals(framework: str, dtype: str) -> bool:
    """Whether the framework flushes ``dtype`` results below its smallest normal to 0:
    measured per dtype (float16 is computed in float32 on CPU, where its subnormals are
    normal numbers: none flushes them; bfloat16's are float32's, which tf and XLA flush)."""
    return bool((measure(framework) or {}).get(f"flushes_subnormals.{dtype}"))


def table(frameworks=FRAMEWORKS) -> list[dict]:
    """The conventions section of parity.json: one row per topic, one column per built-in
    framework and per plugged-in implementation of ``frameworks`` with a probe ("–" where
    it measures no such fact)."""
    facts = {fw: measure(fw) for fw in ("numpy",) + tuple(frameworks)}
    plugins = [fw for fw in frameworks if fw not in FRAMEWORKS and facts.get(fw) is not None]
    rows = []
    for key, (topic, note) in TOPICS.items():
        row = {"topic": topic, "key": key, "note": note}
        for fw in ("numpy",) + tuple(FRAMEWORKS):
            v = (facts.get(fw) or {}).get(key) if facts.get(fw) is not None else None
            row[fw] = _FMT[v] if isinstance(v, bool) or v is None else str(v)
            if facts.get(fw) is None and fw in frameworks:
                row[fw] = "missing"
        for fw in plugins:
            v = facts[fw].get(key, "–")
            row[fw] = _FMT[v] if isinstance(v, bool) or v is None else str(v)
        rows.append(row)
    return rows
