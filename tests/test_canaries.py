"""Canaries: deliberately wrong implementations pushed through the real harness.

A suite that cannot fail proves nothing. Each canary replaces the numpy reference of
one op with a broken one; every installed framework must then come out `fail`, with a
repro. Hypothesis searches for an input that exposes the canary; finding none fails.
"""

import numpy as np
import pytest
from hypothesis import find, settings

import refimpl
from comparisons import adapters, harness, registry
from comparisons.strategies import Case
from refimpl.activations import LeakyReLU, LogSoftmax, Sigmoid
from refimpl.graph import Add, Mul


class MulForgetsB(Mul):
    """da = dout (the factor b dropped), db correct."""

    def backward(self, dout):
        a, b = (x.data for x in self.inputs)
        return refimpl.sum_to(dout, a.shape), refimpl.sum_to(dout * a, b.shape)


def first_copy(g, shape):
    """A sum_to that does not reduce: it keeps one copy instead of adding them up (and,
    where an input of size 1 was broadcast along an empty axis, there being no copy to
    keep, zeros: the sum of no copies, so that case is not a bug of this canary)."""
    if 0 in g.shape:
        return np.zeros(shape, g.dtype)
    lead = g.ndim - len(shape)
    g = g[(0,) * lead] if lead else g
    idx = tuple(slice(0, 1) if n == 1 else slice(None) for n in shape)
    return g[idx]


class AddNoReduce(Add):
    def backward(self, dout):
        a, b = (x.data for x in self.inputs)
        return first_copy(dout, a.shape), first_copy(dout, b.shape)


class SigmoidOnePlus(Sigmoid):
    """s (1 + s) instead of s (1 - s): a sign slip in the derivative."""

    def df(self, x):
        s = self.f(x)
        return s * (1 + s)


class LogSoftmaxNoShift(LogSoftmax):
    """x - log(sum(e^x)) without subtracting the max first: e^x overflows."""

    def forward(self, x):
        with np.errstate(all="ignore"):
            y = x - np.log(np.sum(np.exp(x), axis=self.axis, keepdims=True))
        self.y, self.p = y, np.exp(y)   # what LogSoftmax keeps for backward and the losses
        return y


GRAPH_CANARIES = {
    # name: (registry op it impersonates, broken reference, check)
    "mul backward drops a term": ("mul", lambda a, b: MulForgetsB()(a, b), "grad"),
    "sum_to that does not reduce": ("add", lambda a, b: AddNoReduce()(a, b), "grad"),
}
CANARIES = {
    **GRAPH_CANARIES,
    "sigmoid backward s * (1 + s)": ("sigmoid", lambda x: SigmoidOnePlus()(x), "grad"),
    "log_softmax without the max shift": (
        "log_softmax", lambda x, axis=-1: LogSoftmaxNoShift(axis)(x), "forward"),
    "leaky_relu with the wrong default slope": (
        "leaky_relu", lambda x, slope=0.2: LeakyReLU(slope)(x), "forward"),
}

INSTALLED = [fw for fw in registry.FRAMEWORKS if adapters.adapter(fw) is not None]


def caught_by_all(outs):
    """Every framework says `fail` (with a repro), except one declared unsupported there."""
    return all(o.status == "fail" and o.repro or o.status == "unsupported" for o in outs) \
        and any(o.status == "fail" for o in outs)


def all_fail(op, ref, check, dtype):
    def caught(case):
        return caught_by_all(harness.run_case(op, case, dtype, check, INSTALLED, reference=ref))
    return caught


@pytest.mark.skipif(not INSTALLED, reason="no framework installed")
@pytest.mark.parametrize("name", list(CANARIES))
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_canary_is_caught(name, dtype):
    op_name, ref, check = CANARIES[name]
    op = registry.OPS[op_name]
    case = find(op.inputs(dtype), all_fail(op, ref, check, dtype),
                settings=settings(max_examples=500, database=None, derandomize=True))
    outs = harness.run_case(op, case, dtype, check, INSTALLED, reference=ref)
    assert caught_by_all(outs), (name, outs)
    for o in outs:
        if o.status == "fail":
            assert f"op={op_name}" in o.repro and "xs = [" in o.repro


@pytest.mark.skipif(not INSTALLED, reason="no framework installed")
def test_canaries_on_a_fixed_broadcasting_case():
    a = np.array([[1.0, 2.0, 3.0]])          # (1, 3)
    b = np.array([[2.0], [-1.0]])            # (2, 1): both inputs are broadcast
    case = Case((a, b), {}, seed=7)
    for name, (op_name, ref, check) in GRAPH_CANARIES.items():
        outs = harness.run_case(registry.OPS[op_name], case, "float64", check, INSTALLED,
                                reference=ref)
        assert [o.status for o in outs] == ["fail"] * len(INSTALLED), name
    # ... and the real references pass on the same case.
    for op_name in ("mul", "add"):
        outs = harness.run_case(registry.OPS[op_name], case, "float64", "grad", INSTALLED)
        assert {o.status for o in outs} == {"pass"}


@pytest.mark.skipif(not INSTALLED, reason="no framework installed")
def test_an_exception_is_an_error_whatever_its_message(monkeypatch):
    """`unsupported` comes only from the registry, never from an error message: a twin that
    raises "unsupported operand type(s)" is broken, an `error` with a repro."""
    def broken(*xs, **kwargs):
        raise TypeError("unsupported operand type(s) for +: 'Tensor' and 'str'")

    monkeypatch.setattr(registry.Op, "twin", lambda self, fw: broken)
    case = Case((np.ones(2), np.ones(2)), {}, seed=1)
    for check in harness.CHECKS:
        outs = harness.run_case(registry.OPS["add"], case, "float64", check, INSTALLED)
        assert [o.status for o in outs] == ["error"] * len(INSTALLED)
        assert all(o.repro and "unsupported operand" in o.detail for o in outs)


def test_the_gradient_contract_rejects_an_unreduced_gradient():
    class AddKeepsBroadcastShape(Add):
        def backward(self, dout):
            return dout, dout          # no sum_to at all

    x = refimpl.Variable(np.ones(3))
    y = AddKeepsBroadcastShape()(x, np.ones((2, 3)))
    with pytest.raises(AssertionError, match=r"shape \(2, 3\) for an input of shape \(3,\)"):
        refimpl.sum(y).backward()


@pytest.mark.skipif(adapters.adapter("jax") is None, reason="jax not installed")
def test_known_failure_is_real_and_its_repro_runs():
    """The registry's known jax float16 div failure happens, and its repro script runs."""
    op = registry.OPS["div"]
    a = np.array([0.0], np.float16)
    b = np.array([0.002], np.float16)        # b**-2 = 250000 > float16's max 65504
    case = Case((a, b), {}, seed=1)
    (o,) = harness.run_case(op, case, "float16", "grad", ["jax"])
    assert o.status == "fail" and "NaN" in o.detail
    scope = {}
    exec(compile(o.repro, "<repro>", "exec"), scope)
    assert np.isnan(np.asarray(scope["got"][1])).any() and not np.isnan(scope["ref"][1]).any()


# ------------------------------------------------------------------ training canaries

class AdamNoBiasCorrection(refimpl.Adam):
    """m and v used as they are: the first steps are far too small (m starts at 0)."""

    def update(self, p, g, s):
        b1, b2 = self.betas
        s["m"] = b1 * s.get("m", 0.0) + (1 - b1) * g
        s["v"] = b2 * s.get("v", 0.0) + (1 - b2) * g * g
        return p - self.lr * s["m"] / (np.sqrt(s["v"]) + self.eps)


class MomentumAfterUpdate(refimpl.SGD):
    """Steps with the previous velocity, then updates it: every step one gradient late."""

    def update(self, p, g, s):
        v_old = s.get("velocity", np.zeros_like(g))
        s["velocity"] = self.momentum * v_old + g
        return p - self.lr * v_old


def batches_without_the_last(n_samples, batch_size, *, order=None, drop_last=False, **kw):
    """Drops the partial last batch although drop_last is False."""
    yield from refimpl.minibatches(n_samples, batch_size, order=order, drop_last=True, **kw)


TRAINING_CANARIES = {
    # name: (run it impersonates, what replaces the right piece in refimpl)
    "Adam without bias correction": ("adam", {"optimizer": ("adam", AdamNoBiasCorrection)}),
    "momentum applied after the update": ("momentum", {"optimizer": ("momentum", MomentumAfterUpdate)}),
    "iterator drops the last partial batch": ("sgd", {"minibatches": batches_without_the_last}),
}


@pytest.mark.skipif(not INSTALLED, reason="no framework installed")
@pytest.mark.parametrize("name", list(TRAINING_CANARIES))
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("task", ["xor", "linear_regression"])
def test_training_canary_is_caught(name, dtype, task, monkeypatch):
    from comparisons import trajectory
    from refimpl import optim, training

    run_name, broken = TRAINING_CANARIES[name]
    if "optimizer" in broken:
        key, cls = broken["optimizer"]
        monkeypatch.setitem(optim.OPTIMIZERS, key, (cls, optim.OPTIMIZERS[key][1]))
    if "minibatches" in broken:
        monkeypatch.setattr(training, "minibatches", broken["minibatches"])
    run = trajectory.RUNS_BY_NAME[run_name]
    outs = trajectory.run_case(run, trajectory.TrainCase(task, 0), dtype, INSTALLED)
    assert caught_by_all(outs), [(o.framework, o.status, o.detail) for o in outs]
    assert all(f"op={run_name}" in o.repro for o in outs)
