"""Numpy-only: refimpl's elementwise ops against the 200-bit truth, on the registry's draws.

The accuracy sweep measures every op on a fixed grid; this draws where users compute --
ranks 0 to 5, every region of the op's domain (tiny, huge, subnormal, near the edges of
saturation), all four dtypes -- and judges each element, forward and gradient, against
the truth of comparisons/sweeps.py with a tolerance per dtype taken from the accuracy target:

- float32, float64: ``TARGET_ULP`` (4) units in the last place;
- float16, bfloat16: the float32 result rounded once (tests/test_half_precision.py), so half
  a unit of the half dtype plus the float32 result's 4 float32 units, measured in it.

No central differences, no absolute floor: a derivative of 1 - tanh^2 (0 where the truth is
1e-30) or an ELU' that stops at x = -15 misses by every unit there is.
"""

from __future__ import annotations

import dataclasses
import inspect

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from comparisons import registry
from refimpl._arrays import FLOAT_DTYPES
from comparisons.reference import reference_forward, reference_vjp
from comparisons.sweeps import M, SWEEPS_LIST
from comparisons.truth import TARGET_ULP, Truth
from comparisons.ulp import finfo

# The ops with a one-argument elementwise sweep: a truth for each element on its own.
SWEPT = {}
for s in SWEEPS_LIST:
    if len(s.args) == 1 and s.build is None and s.out == ((),):
        SWEPT.setdefault(s.op, []).append(s)


DOMAINS = {"real": lambda x: np.ones(x.shape, bool), "positive": lambda x: x > 0,
           "nonzero": lambda x: x != 0}


def tolerance(dtype: str) -> float:
    if dtype in ("float32", "float64"):
        return TARGET_ULP
    return 0.5 + TARGET_ULP * 2.0 ** (finfo(dtype).nmant - 23)


# The sweeps fix leaky_relu's slope at 0.01 and elu's alpha at 1; the draws also take
# other values: the same truth with the drawn constant (as the float refimpl is given).
OTHER_CONSTANTS = {
    "leaky_relu": lambda s, slope: dataclasses.replace(
        s, forward=lambda x: (x if x > 0 else M.mpf(slope) * x,),
        grad=lambda x: (M.mpf(1) if x > 0 else M.mpf(slope),)),
    "elu": lambda s, alpha: dataclasses.replace(
        s, forward=lambda x: (x if x > 0 else M.mpf(alpha) * M.expm1(x),),
        grad=lambda x: (M.mpf(1) if x > 0 else M.mpf(alpha) * M.exp(x),)),
}


def _sweep_of(op, kwargs):
    """The sweep with the case's keyword arguments (the op's defaults filling in), or None."""
    defaults = {k: p.default for k, p in inspect.signature(op.reference).parameters.items()
                if p.default is not inspect.Parameter.empty}
    given_ = {**defaults, **kwargs}
    for s in SWEPT[op.name]:
        if all(given_.get(k) == v for k, v in s.kwargs.items()) and set(kwargs) <= set(s.kwargs):
            return s
    if op.name in OTHER_CONSTANTS and len(kwargs) == 1:
        return OTHER_CONSTANTS[op.name](SWEPT[op.name][0], *kwargs.values())
    return None


def _ulp_errors(truth_fn, x, got, dtype):
    """ULP errors of got at the finite inputs x, against the truth (non-finite results
    where the truth is finite count infinite)."""
    t = Truth.encode([(truth_fn(M.mpf(v)),) for v in x], dtype)
    return t.errors(np.asarray(got, np.float64).reshape(-1, 1))


@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@pytest.mark.parametrize("name", sorted(SWEPT))
@given(data=st.data())
def test_forward_and_gradient_are_within_the_target_of_the_truth(name, dtype, data):
    op = registry.OPS[name]
    case = data.draw(op.inputs(dtype), label="case")
    sweep = _sweep_of(op, case.kwargs)
    assume(sweep is not None)                  # a keyword value the sweep has no truth for
    x = case.arrays[0]
    with np.errstate(all="ignore"):
        (y,) = reference_forward(op.reference, case)
        (g,) = reference_vjp(op.reference, case, [np.ones(y.shape, y.dtype)], (0,))
    flat = np.asarray(x, np.float64).ravel()
    # the sweep's domain: log's 0 and negatives (-inf, NaN) are the NaN/inf rules' business
    finite = np.isfinite(flat) & DOMAINS[sweep.domain](flat)
    points = [float(v) for v in flat[finite]]
    err = _ulp_errors(lambda v: sweep.forward(v)[0], points, np.asarray(y, np.float64).ravel()[finite], dtype)
    worst = int(np.argmax(err)) if err.size else 0
    assert not err.size or err.max() <= tolerance(dtype), (
        f"{sweep.name} {dtype} forward at x = {points[worst]!r}: {err.max():.3g} ULP")
    keep = [i for i, v in enumerate(points) if sweep.kink is None or not sweep.kink(M.mpf(v))]
    err = _ulp_errors(lambda v: sweep.grad(v)[0], [points[i] for i in keep],
                      np.asarray(g, np.float64).ravel()[finite][keep], dtype)
    worst = int(np.argmax(err)) if err.size else 0
    assert not err.size or err.max() <= tolerance(dtype), (
        f"{sweep.name} {dtype} gradient at x = {points[keep[worst]]!r}: {err.max():.3g} ULP")
