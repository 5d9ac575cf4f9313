"""float16 and bfloat16: every registry op's result is refimpl's float32 result, rounded once.

The README's contract, tested bit for bit on the registry's own draws (every structure,
every value region, the specials): for each op, forward and gradient, refimpl on the
half-precision case equals refimpl on the same numbers in float32, rounded to the half
dtype. An op computed natively in float16 (rounded at every step) or in float32 but
rounded twice differs from it in the last bit somewhere; tolerances of two units, as the
conformance tests allow, cannot tell the two apart.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from comparisons import DTYPES, registry
from comparisons.reference import reference_forward, reference_vjp
from comparisons.strategies import Case

HALF = ("float16", "bfloat16")


def _widened(case: Case) -> Case:
    return Case(tuple(x.astype(np.float32) if x.dtype in (DTYPES[d] for d in HALF) else x
                      for x in case.arrays), case.kwargs, case.seed)


def _same_bits(got, want, what):
    """Equal to the last bit: the same NaN positions, and every other value's bits
    (so -0.0 against +0.0 and inf count too)."""
    got, want = np.asarray(got), np.asarray(want).astype(np.asarray(got).dtype)
    assert got.shape == want.shape, what
    nan = np.isnan(got.astype(np.float32))
    np.testing.assert_array_equal(nan, np.isnan(want.astype(np.float32)), err_msg=what)
    np.testing.assert_array_equal(got.view(np.uint16)[~nan], want.view(np.uint16)[~nan],
                                  err_msg=what)


@pytest.mark.parametrize("dtype", HALF)
@pytest.mark.parametrize("name", list(registry.OPS))
@given(data=st.data())
def test_half_precision_is_the_float32_result_rounded_once(name, dtype, data):
    op = registry.OPS[name]
    case = data.draw(op.inputs(dtype), label="case")
    wide = _widened(case)
    with np.errstate(all="ignore"):
        ys = reference_forward(op.reference, case)
        for i, (y, w) in enumerate(zip(ys, reference_forward(op.reference, wide))):
            assert np.asarray(y).dtype == DTYPES[dtype], f"{name} output {i}"
            _same_bits(y, w, f"{name} {dtype} forward, output {i}")
        cts = case.cotangents(ys)
        wrt = op.wrt_of(case)
        gs = reference_vjp(op.reference, case, cts, wrt)
        ws = reference_vjp(op.reference, wide, [g.astype(np.float32) for g in cts], wrt)
        for i, g, w in zip(wrt, gs, ws):
            _same_bits(g, w, f"{name} {dtype} gradient of input {i}")
