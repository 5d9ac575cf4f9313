"""Numpy-only: refimpl keeps its own rules on every registry op's draws.

Before a framework is judged, the harness checks refimpl alone (``classify.reference_broken``):
NaN in gives NaN out and a NaN gradient, the documented derivative at each kink (relu' =
0 at 0, leaky_relu' = slope, ...), and the independent float64 truth of every convention
the op has. Here the same check runs without any framework, so a refimpl bug there fails a
numpy-only test instead of only turning every framework's row into `fail`.
"""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from comparisons import classify, compare, harness, reference, registry
from refimpl._arrays import FLOAT_DTYPES


@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@pytest.mark.parametrize("name", list(registry.OPS))
@given(data=st.data())
def test_refimpl_keeps_its_rules_at_nan_the_kinks_and_the_conventions_truths(name, dtype, data):
    op = registry.OPS[name]
    case = data.draw(op.inputs(dtype), label="case")
    for check in harness.CHECKS:
        with np.errstate(all="ignore"):
            ref = reference.reference_of(op, op.reference, case, dtype, check)
            rtol, atol = compare.tolerance(op.name, dtype, check)
            broken = classify.reference_broken(op, case, dtype, check, ref, rtol, atol)
        assert broken is None, f"{name} {dtype} {check}: {broken}"
