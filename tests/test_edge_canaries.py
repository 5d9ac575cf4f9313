"""Canaries at the edges: bugs confined to one edge of an op, caught by the report's own draws.

tests/test_canaries.py's canaries are wrong everywhere, and ``hypothesis.find`` searches
until it exposes them: that says the strategies *can* reach a bug. These are wrong only
on one edge (a broadcast at rank >= 4, a rank-0 operand, keepdims, a saturation band,
NaN, subnormal outputs, ...), and each must come out `fail` in the very cases a ci report
draws (``runner.rows_with``: same seed, same count): that says the ci draws *do* reach it.
The last tests break each excuse the harness grants, as issue 12 describes, and watch the
verdict stay `fail`.
"""

import contextlib
import json
from pathlib import Path

import numpy as np
import pytest

import refimpl
from comparisons import adapters, harness, registry, runner, strategies
from refimpl import losses
from refimpl.activations import ELU, GELU, LeakyReLU, ReLU, Sigmoid, Softmax, Softplus, Tanh
from refimpl.graph import Add, Exp, Log, Mul, Sum, Transpose
from test_canaries import LogSoftmaxNoShift, first_copy

INSTALLED = [fw for fw in registry.FRAMEWORKS if adapters.adapter(fw) is not None]
pytestmark = pytest.mark.skipif(not INSTALLED, reason="no framework installed")
REPORT = {(r["op"], r["framework"], r["dtype"], r["check"]): r["status"] for r in json.loads(
    (Path(__file__).parents[1] / "reports" / "parity.json").read_text())["results"]}


class AddRank4(Add):
    """Broadcast copies not added up, only when the gradient has rank 4 or 5."""

    def backward(self, dout):
        if dout.ndim < 4 or dout.size == 0:
            return super().backward(dout)
        a, b = (x.data for x in self.inputs)
        return first_copy(dout, a.shape), first_copy(dout, b.shape)


class MulRank0(Mul):
    """d/db twice too large, only when b is rank 0."""

    def backward(self, dout):
        da, db = super().backward(dout)
        return da, (db * 2 if self.inputs[1].data.ndim == 0 else db)


class SumKeepdims(Sum):
    """keepdims=True forgotten in the forward."""

    def forward(self, x):
        y = super().forward(x)
        return np.squeeze(y, axis=self.axes) if self.keepdims else y


class SumAxisNotLast(Sum):
    """The gradient 1.5 times too large when the last axis is not summed."""

    def backward(self, dout):
        g = super().backward(dout)
        x = self.inputs[0].data
        return g * 1.5 if x.ndim and (x.ndim - 1) not in self.axes else g


class SumEmpty(Sum):
    """A sum over no elements is 1, not 0."""

    def forward(self, x):
        y = super().forward(x)
        return np.ones_like(y) if x.size == 0 else y


class TransposeRank5(Transpose):
    """Explicit axes ignored at rank 5 (the reversed order taken instead)."""

    def __init__(self, axes=None):
        super().__init__(axes)
        self.asked = axes

    def forward(self, x):
        if x.ndim == 5 and self.asked is not None:
            self.axes = None
        return super().forward(x)


class SigmoidNaNIsHalf(Sigmoid):
    def f(self, x):
        return np.where(np.isnan(x), 0.5, super().f(x))


class ReLUNaNGradZero(ReLU):
    def df(self, x):
        return np.where(np.isnan(x), 0.0, super().df(x))


class LeakyKinkOne(LeakyReLU):
    """The derivative at 0 taken as 1, not the slope refimpl's rule says."""

    def df(self, x):
        return np.where(x == 0, 1.0, super().df(x))


class TanhFromOutput(Tanh):
    """tanh' as 1 - y^2 from the output rounded to float32: 0 once tanh rounds to 1."""

    def df(self, x):
        y = np.tanh(x).astype(np.float32).astype(np.float64)
        return 1 - y * y


class ELUFlat(ELU):
    """The issue's example: elu' = 0 below x = -15 (the saturation band)."""

    def df(self, x):
        return np.where(x < -15, 0.0, super().df(x))


class GELUNearRoot(GELU):
    """gelu' 0 near its root -0.7518 (the derivative-root band)."""

    def df(self, x):
        return np.where(np.abs(x + 0.7518) < 0.05, 0.0, super().df(x))


class GELUOff(GELU):
    """gelu' 1e-9 relative off: inside tf's float32-constants excuse, far outside float64's."""

    def df(self, x):
        return super().df(x) * (1 + 1e-9)


class SoftplusFlushes(Softplus):
    """Results below the smallest normal flushed to 0 (the underflow band)."""

    def f(self, x):
        y = super().f(x)
        return np.where(np.abs(y) < np.finfo(np.float64).tiny, 0.0, y)


class ExpFlushes(Exp):
    def forward(self, x):
        y = super().forward(x)
        return np.where(np.abs(y) < np.finfo(y.dtype).tiny, np.zeros_like(y), y)


class LogGradFlushes(Log):
    """d log x / dx = 0 where 1/x is subnormal (the 1/x-subnormal band)."""

    def backward(self, dout):
        g = super().backward(dout)
        return np.where(np.abs(g) < np.finfo(g.dtype).tiny, np.zeros_like(g), g)


class SoftmaxNoShift(Softmax):
    def forward(self, x):
        with np.errstate(all="ignore"):
            e = np.exp(x.astype(np.float64))
            self.y = e / np.sum(e, axis=self.axis, keepdims=True)
            self.first = np.zeros(self.y.shape, bool)
        return self.y.astype(x.dtype)


@contextlib.contextmanager
def patched(module, name, value):
    old = getattr(module, name)
    setattr(module, name, value)
    try:
        yield
    finally:
        setattr(module, name, old)


def ce_no_shift(x, t, reduction="mean"):
    """cross_entropy whose log-softmax skips the max shift: e^x overflows on large logits."""
    with patched(losses, "LogSoftmax", LogSoftmaxNoShift):
        return refimpl.cross_entropy(x, t, reduction)


class BCEGradOffNear0(losses.BinaryCrossEntropy):
    """The gradient 10% off where p < 0.01 (the band near 0)."""

    def elementwise(self, p, t):
        loss, (dp, dt) = super().elementwise(p, t)
        return loss, [np.where(p < 0.01, dp * 1.1, dp), dt]


def bce_off_near_0(p, t, reduction="mean"):
    return BCEGradOffNear0("binary_cross_entropy", reduction)(p, t)


class MAEKinkOne(losses.MAE):
    def elementwise(self, y, t):
        loss, (dy, dt) = super().elementwise(y, t)
        return loss, [np.where(y == t, 1.0, dy), dt]


EDGE_CANARIES = {
    # name: (op, dtype, check, broken reference)
    "broadcast not reduced at rank >= 4": ("add", "float64", "grad", lambda a, b: AddRank4()(a, b)),
    "d/db of a rank-0 operand": ("mul", "float32", "grad", lambda a, b: MulRank0()(a, b)),
    "keepdims forgotten": ("sum", "float64", "forward",
                           lambda x, axis=None, keepdims=False: SumKeepdims(axis, keepdims)(x)),
    "an axis other than the last": ("sum", "float64", "grad",
                                    lambda x, axis=None, keepdims=False: SumAxisNotLast(axis, keepdims)(x)),
    "a sum over a zero-size axis": ("sum", "float32", "forward",
                                    lambda x, axis=None, keepdims=False: SumEmpty(axis, keepdims)(x)),
    "axes ignored at rank 5": ("transpose", "float64", "forward",
                               lambda x, axes=None: TransposeRank5(axes)(x)),
    "NaN not propagated": ("sigmoid", "float32", "forward", lambda x: SigmoidNaNIsHalf()(x)),
    "NaN gradient read as 0": ("relu", "float64", "grad", lambda x: ReLUNaNGradZero()(x)),
    "the subgradient at 0": ("leaky_relu", "float32", "grad",
                             lambda x, slope=0.01: LeakyKinkOne(slope)(x)),
    "mae's subgradient at y_hat = t": ("mae", "float64", "grad",
                                       lambda y, t, reduction="mean": MAEKinkOne("mae", reduction)(y, t)),
    "tanh' cancels in the saturation band": ("tanh", "float64", "grad", lambda x: TanhFromOutput()(x)),
    "elu' flat in the saturation band": ("elu", "float32", "grad", lambda x, alpha=1.0: ELUFlat(alpha)(x)),
    "gelu' wrong at its root": ("gelu", "float64", "grad",
                                lambda x, approximate=False: GELUNearRoot(approximate)(x)),
    "subnormal softplus flushed": ("softplus", "float64", "forward", lambda x: SoftplusFlushes()(x)),
    "subnormal exp flushed": ("exp", "float32", "forward", lambda x: ExpFlushes()(x)),
    "log' flushed where 1/x is subnormal": ("log", "float64", "grad", lambda x: LogGradFlushes()(x)),
    "softmax without the max shift (large logits)": (
        "softmax", "float32", "forward", lambda x, axis=-1: SoftmaxNoShift(axis)(x)),
    "cross_entropy without the max shift (huge logits)": ("cross_entropy", "float64", "forward", ce_no_shift),
    "one reduction mode: sum taken as mean": (
        "mse", "float32", "forward",
        lambda y, t, reduction="mean": refimpl.mse(y, t, "mean" if reduction == "sum" else reduction)),
    "bce's gradient off near p = 0": ("binary_cross_entropy", "float32", "grad", bce_off_near_0),
}


@pytest.mark.parametrize("name", list(EDGE_CANARIES))
def test_edge_canary_fails_in_the_ci_draws(name):
    op_name, dtype, check, ref = EDGE_CANARIES[name]
    rows = runner.rows_with(ref, op_name, dtype, check, INSTALLED)
    failed = [fw for fw, r in rows.items() if r.worst == "fail" and r.repro]
    assert failed, (name, {fw: (r.counts, r.detail[:200]) for fw, r in rows.items()})
    # ... where refimpl's own op, on the same draws, does not fail (the committed ci
    # report: seed 0, regenerated by `make report` with every change)
    assert any(REPORT[(op_name, fw, dtype, check)] != "fail" for fw in failed), name


def test_there_are_at_least_15_edge_canaries():
    assert len(EDGE_CANARIES) >= 15


# ------------------------------------------------------------- excuses, broken on purpose

def test_a_refimpl_bug_at_nan_is_not_a_kink():
    """Issue 12: refimpl's rule at NaN was never checked (NaN is a kink): now it is."""
    x = np.array([np.nan, 1.0, -1.0])
    case = strategies.Case((x,), {}, seed=3)
    outs = harness.run_case(registry.OPS["relu"], case, "float64", "grad", INSTALLED,
                            reference=lambda x: ReLUNaNGradZero()(x))
    assert [o.status for o in outs] == ["fail"] * len(INSTALLED)
    assert all("rules.py" in o.detail for o in outs)


def test_a_refimpl_bug_opens_no_convention():
    """Issue 12: refimpl's elu' = 0 below -15 made torch's correct elu'(-20) a convention
    (the fact was measured on refimpl) and tf's and jax's cancelled 0 too: all `fail` now."""
    x = np.array([-20.0, -1.0, 2.0], np.float32)
    case = strategies.Case((x,), {}, seed=3)
    outs = harness.run_case(registry.OPS["elu"], case, "float32", "grad", INSTALLED,
                            reference=lambda x, alpha=1.0: ELUFlat(alpha)(x))
    assert [o.status for o in outs] == ["fail"] * len(INSTALLED), [(o.framework, o.detail) for o in outs]


@pytest.mark.parametrize("op_name,dtype,ref,case", [
    # tf's float32 GELU constants excuse 1e-8 in float64: a refimpl 1e-9 off is still a fail
    ("gelu", "float64", lambda x, approximate=False: GELUOff(approximate)(x),
     strategies.Case((np.array([0.5, -1.5, 2.0]),), {}, seed=3)),
    # Keras's clipped BCE rebuilt the expected value without refimpl's backward
    ("binary_cross_entropy", "float32", bce_off_near_0,
     strategies.Case((np.array([0.005, 0.5], np.float32), np.array([1.0, 0.0], np.float32)), {}, seed=3)),
])
def test_a_convention_without_refimpls_backward_still_checks_it(op_name, dtype, ref, case):
    outs = harness.run_case(registry.OPS[op_name], case, dtype, "grad", INSTALLED, reference=ref)
    assert [o.status for o in outs] == ["fail"] * len(INSTALLED), [(o.framework, o.detail) for o in outs]


@pytest.mark.skipif(adapters.adapter("jax") is None, reason="jax not installed")
def test_the_flush_excuse_cannot_hide_a_wrong_float16_gradient(monkeypatch):
    """Issue 12: a jax add whose d/db is 1% too large came out `convention` in float16 (the
    flush excuse forgave 256 x float16's smallest normal). float16 is not flushed: fail."""
    import jax

    def add(a, b):
        return a + b + (0.01 * b - jax.lax.stop_gradient(0.01 * b))

    twin = registry.Op.twin
    monkeypatch.setattr(registry.Op, "twin",
                        lambda self, fw: add if (fw, self.name) == ("jax", "add") else twin(self, fw))
    rows = runner.rows_with(None, "add", "float16", "grad", ["jax"])
    assert rows["jax"].worst == "fail", rows["jax"].detail
