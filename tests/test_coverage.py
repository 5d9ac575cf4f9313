"""Coverage: the report's own draws reach what users compute and where each op breaks.

``runner.coverage`` draws exactly the cases a ci report runs (same seed, same count) and
classifies them by the op's regions (comparisons/regions.py), without running them.
"""

import math

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from comparisons import registry, regions as R, runner
from comparisons.strategies import Case


def finite(cov) -> int:
    return sum(c for n, c in cov.items()
               if n not in ("nan", "inf", "zero-size") and not n.startswith("rank"))


@pytest.mark.parametrize("op", registry.OPS_LIST, ids=lambda op: op.name)
def test_ci_draws_visit_every_region_and_are_mostly_ordinary(op):
    for dtype in op.dtypes:
        cov = runner.coverage(op.name, dtype, seed=0, profile="ci")
        missing = [r for r in op.regions.names(dtype) if not cov[r]]
        assert not missing, f"{op.name} {dtype}: no ci draw in {missing}: {dict(cov)}"
        assert cov["ordinary"] >= finite(cov) / 2, (
            f"{op.name} {dtype}: {cov['ordinary']} of {finite(cov)} finite values ordinary")


@pytest.mark.parametrize("op", registry.OPS_LIST, ids=lambda op: op.name)
def test_values_stay_in_the_domain(op):
    for dtype in op.dtypes:
        lo, hi = op.regions.bounds(dtype)

        @settings(max_examples=50, database=None, deadline=None)
        @given(R.values(op.regions, dtype))
        def inside(v):
            special = math.isnan(v) or math.isinf(v) or v == 0
            assert (special and op.regions.specials) or lo <= v <= hi, (op.name, dtype, v)
        inside()


def test_bands_come_from_the_format():
    # sigmoid' from a rounded output cancels from ln(1/eps) on: 15.9 in float32, 36 in float64
    assert R.SATURATION.bounds("float32")[0] == pytest.approx(15.94, abs=0.01)
    assert R.SATURATION.bounds("float64")[0] == pytest.approx(36.04, abs=0.01)
    # e^x is subnormal for x in [ln(smallest subnormal), ln(tiny)]: float32 [-103.3, -87.3]
    assert R.UNDERFLOW.bounds("float32") == pytest.approx((87.34, 103.28), abs=0.01)
    assert R.SUBNORMAL.bounds("float16")[1] < float(np.finfo(np.float16).tiny)


def test_classify_names_every_value_once():
    r = registry.OPS["sigmoid"].regions
    x = np.array([np.nan, np.inf, -0.0, 0.5, 20.0, -95.0, 1e-40, 3e30], np.float32)
    cov = R.classify(r, "float32", x)
    assert cov == {"nan": 1, "inf": 1, "zero": 1, "ordinary": 1, "saturation": 1,
                   "underflow": 1, "subnormal": 1, "extreme": 1}
    assert sum(cov.values()) == x.size


def test_shapes_are_counted_per_case():
    r = registry.OPS["sigmoid"].regions
    cov = R.coverage(r, "float64", Case((np.zeros((2, 0, 1, 3)),)))
    assert cov["rank 4-5"] == 1 and cov["zero-size"] == 1 and cov["zero"] == 0


@settings(max_examples=50, database=None, deadline=None)
@given(st.sampled_from(list(registry.OPS)), st.sampled_from(["float16", "bfloat16", "float32", "float64"]))
def test_every_listed_region_can_be_named(name, dtype):
    op = registry.OPS[name]
    if dtype not in op.dtypes:
        return
    known = {"ordinary", "nan", "inf", "zero"} | {b.name for b in op.regions.bands} | set(R.SHAPES)
    assert set(op.regions.names(dtype)) <= known
