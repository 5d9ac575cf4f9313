"""refimpl's own facts against the conventions' reference column (comparisons/reference_facts.py).

The harness excuses a framework's difference as a ``convention`` only where the framework
differs from the reference; the reference is never refimpl's output, so a refimpl bug is
caught here instead of excusing itself there.
"""

import math

import numpy as np
import pytest

from comparisons import DTYPES, FRAMEWORKS, conventions

# Keys of the reference column that are numpy's own behaviour (dtype promotion, subnormals,
# the sign of an empty sum), measured from numpy itself: refimpl makes no claim of its own there.
NUMPY_ONLY = {"default_float", "int32+float32", "float16+float32", "zero_sum",
              "sum_axis_empty_tuple", "flushes_subnormals.float16", "flushes_subnormals.bfloat16",
              "flushes_subnormals.float32", "flushes_subnormals.float64"} | {
                  f"reads_subnormals_as_zero.{dt}" for dt in DTYPES}


def departures() -> dict:
    """{key: (refimpl's fact, the reference)} wherever refimpl does not follow the reference."""
    ref, mine = conventions.measure("numpy"), conventions.measure("refimpl")
    return {k: (mine[k], ref.get(k)) for k in mine if mine[k] != ref.get(k)}


def test_refimpl_follows_the_reference_on_every_fact():
    assert departures() == {}


def test_every_reference_fact_is_measured_from_refimpl():
    assert set(conventions.measure("refimpl")) == set(conventions.measure("numpy")) - NUMPY_ONLY
    assert set(conventions.TOPICS) <= set(conventions.measure("numpy"))


@pytest.mark.parametrize("key,true", [
    ("sigmoid_grad_20", "exp(-20) / (1 + exp(-20))**2"),
    ("tanh_grad_10", "sech(10)**2"),
    ("elu_grad_20", "exp(-20)"),
    ("elu_tiny", "expm1(mpf('-1e-30'))"),
    ("soft_ce_minus_inf", "log(1 + e)"),
])
def test_the_reference_agrees_with_mpmath(key, true):
    mpmath = pytest.importorskip("mpmath")
    with mpmath.workdps(50):
        v = float(eval(true, vars(mpmath)))
    assert conventions.value("numpy", key) == conventions._num(v)


def test_a_broken_refimpl_is_caught_not_excused(monkeypatch):
    """refimpl's ELU slope 0 below x = -15: the departure shows, and torch's correct
    2.06e-9 for elu'(-20) does not become a convention."""
    from refimpl.activations import ELU

    df = ELU.df
    try:
        with monkeypatch.context() as m:
            m.setattr(ELU, "df", lambda self, x: np.where(x < -15, 0.0, df(self, x)))
            conventions.measure.cache_clear()
            assert set(departures()) == {"elu_grad_20"}
            assert departures()["elu_grad_20"] == ("0", "2.06e-09")
            if conventions.measure("torch") is not None:
                assert conventions.value("torch", "elu_grad_20") == "2.06e-09"
                assert not conventions.differs("torch", "elu_grad_20")
    finally:
        conventions.measure.cache_clear()   # later tests measure the real refimpl again
    assert departures() == {}
    assert math.isclose(float(conventions.value("numpy", "elu_grad_20")), math.exp(-20), rel_tol=1e-2)


DEFAULTS = ("sgd.lr_default", "sgd.dampening", "adagrad.initial_accumulator",
            "adagrad.eps_default", "rmsprop.rho_default", "rmsprop.eps_default",
            "adam.eps_default", "adamw.weight_decay_default")


def test_refimpl_optimizer_defaults_are_torchs_as_optim_says():
    """refimpl/optim.py: "refimpl's [defaults] are torch's" -- measured from torch itself."""
    mine, torch_facts = conventions.measure("refimpl"), conventions.measure("torch")
    assert {k: mine[k] for k in DEFAULTS} == {k: torch_facts[k] for k in DEFAULTS}


def named_conventions() -> set:
    """Every conventions key a registry op (Convention.key) or a training run names."""
    from comparisons import registry, trajectory

    return ({c.key for op in registry.OPS.values() for c in op.conventions}
            | {key for run in trajectory.RUNS for key, _ in run.conventions})


def test_every_convention_the_registry_names_is_measured():
    """A misspelt key is in no framework's facts, so ``differs`` is never true for it and
    its convention silently never applies; the harness also reads its topic (TOPICS)."""
    keys = named_conventions()
    assert "sigmoid_grad_20" in keys and "adam.eps_placement" in keys   # the walk finds them
    for fw in ("numpy",) + FRAMEWORKS:
        if (facts := conventions.measure(fw)) is not None:
            assert keys - set(facts) == set(), fw
    assert keys - set(conventions.TOPICS) == set()
