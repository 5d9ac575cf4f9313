"""The adapter contract (comparisons/adapters.py): every framework's package keeps it, and
what it runs through the contract is what the harness runs.

A framework that is not installed is skipped here; test_required.py says which must be.
"""

from __future__ import annotations

import inspect
import types

import numpy as np
import pytest

from comparisons import FRAMEWORKS, adapters, harness, registry
from comparisons.adapters import Adapter
from comparisons.strategies import Case

INSTALLED = [fw for fw in FRAMEWORKS if adapters.adapter(fw) is not None]


def _parameters(f):
    return [p.name for p in inspect.signature(f).parameters.values()]


@pytest.mark.parametrize("framework", INSTALLED)
def test_each_framework_package_is_an_adapter(framework):
    ad = adapters.adapter(framework)
    assert isinstance(ad, Adapter)
    assert isinstance(ad.VERSION, str) and ad.VERSION
    # the contract's arguments, by name and in order (a twin may take more, optional, after)
    for name in adapters.MEMBERS[1:]:                             # the functions, after VERSION
        want = _parameters(getattr(Adapter, name))[1:]          # without self
        assert _parameters(getattr(ad, name))[:len(want)] == want, (framework, name)


def test_a_module_without_vjp_is_not_an_adapter():
    m = types.ModuleType("half_an_adapter")
    m.VERSION, m.to_native, m.to_numpy = "0", np.asarray, lambda t, dtype: np.asarray(t, dtype)
    m.forward = lambda fn, arrays, kwargs, elementwise=False: fn(*arrays, **kwargs)
    assert not isinstance(m, Adapter)
    m.vjp = lambda fn, arrays, kwargs, cotangents, wrt=None, elementwise=False: ((), ())
    assert isinstance(m, Adapter)


@pytest.mark.parametrize("framework", INSTALLED)
@pytest.mark.parametrize("check", harness.CHECKS)
def test_a_repro_runs_the_twin_through_the_adapter_as_the_harness_does(framework, check):
    """The repro script calls the adapter, not a template of the framework's own: run, it
    gives the arrays the harness compared (here on a case every framework passes)."""
    op = registry.OPS["mul"]
    case = Case((np.array([[1.5, -2.0]], np.float32), np.array([3.0, 0.25], np.float32)), {}, 7)
    script = harness.repro(op, case, "float32", check, framework)
    assert f"adapter({framework!r})" in script and "import torch" not in script
    scope: dict = {}
    exec(compile(script, "<repro>", "exec"), scope)                  # noqa: S102
    expected = (np.array([[4.5, -0.5]], np.float32),) if check == "forward" else None
    if check == "grad":
        g = scope["gs"][0]
        expected = (g * case.arrays[1], (g * case.arrays[0]).sum(axis=0))
    assert len(scope["got"]) == len(expected)
    for got, want in zip(scope["got"], expected):
        assert got.dtype == np.float32
        np.testing.assert_allclose(got, want, rtol=1e-6)


def test_members_lists_what_the_protocol_declares():
    declared = set(Adapter.__annotations__) | {
        n for n, v in vars(Adapter).items() if callable(v) and not n.startswith("_")}
    assert set(adapters.MEMBERS) == declared
