"""The conformance suite of a plugged-in implementation: every registry op, dtype and
check, drawn and judged as `refimpl check` does, one pytest test each::

    pytest --pyargs comparisons.conformance --impl IMPL [--impl-xfails FILE]

(the options come from comparisons/pytest_plugin.py). Without an implementation every
test is skipped, saying how to give one. An op the implementation does not offer is
skipped with the reason; a row that fails shows the input and a repro script.
"""

from __future__ import annotations

import functools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from comparisons import harness, import_everything, registry

ALLOWED = ("pass", "convention", "unsupported")
CASES = [pytest.param(op, dtype, check, id=f"{op.name}-{dtype}-{check}")
         for op in registry.OPS_LIST for dtype in op.dtypes for check in harness.CHECKS]


@pytest.fixture(scope="session")
def impl(request) -> tuple[str, str]:
    """(IMPL as given, the name it is judged under)."""
    spec = request.config.getoption("impl", None)
    if not spec:
        pytest.skip("no implementation to judge: give --impl IMPL (or set REFIMPL_IMPL)")
    from comparisons.check import plug_in

    name = plug_in(spec)
    import_everything((name,))   # the draws `refimpl check` makes, whatever ran before
    return spec, name


@functools.cache
def _not_offered(name: str, op_name: str) -> str | None:
    from comparisons.check import not_offered

    return not_offered(name, registry.OPS[op_name])


@pytest.fixture
def offered(impl, op) -> None:
    """Skip an op the implementation does not offer (found on its smallest input, by a
    hypothesis search of its own: here, before the test's examples, not inside them)."""
    why = _not_offered(impl[1], op.name)
    if why is not None:
        pytest.skip(why)


@pytest.mark.parametrize("op,dtype,check", CASES)
# the fixture `offered` runs once per test, before its examples: that is what it is for
@settings(deadline=None, suppress_health_check=[
    HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much,
    HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_conformance(impl, offered, op, dtype, check, data):
    spec, name = impl
    case = data.draw(op.inputs(dtype), label="case")
    (o,) = harness.run_case(op, case, dtype, check, (name,))
    repro = (f"from comparisons.check import plug_in\nplug_in({spec!r})\n{o.repro}"
             if o.repro else "")
    assert o.status in ALLOWED, f"{name}: {o.status}: {o.detail}\n{repro}"
