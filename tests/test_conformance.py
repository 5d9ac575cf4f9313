"""Conformance: every registry op x dtype x check against every installed framework.

One line per op, tinygrad-style: the registry drives the parametrisation, so a new
``Op(...)`` in comparisons/registry.py is tested with no change here. The forward and
the gradient checks judge the same drawn case (as a report's job does: drawn once).
"""

import pytest
from hypothesis import given, strategies as st

from _required import left_out
from comparisons import harness, registry

ALLOWED = {"pass", "convention", "unsupported"}

CASES = [pytest.param(op, dtype, id=f"{op.name}-{dtype}")
         for op in registry.OPS_LIST for dtype in op.dtypes]


@pytest.mark.parametrize("op,dtype", CASES)
@given(data=st.data())
def test_conformance(op, dtype, data):
    case = data.draw(op.inputs(dtype), label="case")
    for check in harness.CHECKS:
        for o in harness.run_case(op, case, dtype, check):
            if (o.framework, dtype, check) in op.known_failures and o.status == "fail":
                continue   # a listed defect, reported with its reason; test_known_failures.py
                           # checks that it still reproduces
            if left_out(o):
                continue
            assert o.status in ALLOWED, f"{check}: {o.framework}: {o.status}: {o.detail}\n{o.repro or ''}"
            if o.status == "unsupported":
                assert o.detail, "an unsupported case must say why"
