"""Coverage: the report's own draws reach what users compute and where each op breaks.

Every row of the ci report records its job's coverage (comparisons/regions.py); the
committed report's is checked here for every op and dtype, and ``runner.coverage`` (the
very cases a ci report draws, classified, not run) shows it is the code's.
"""

import functools
import json
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from comparisons import registry, regions as R, runner
from comparisons.strategies import Case


REPORT = Path(__file__).parents[1] / "reports" / "parity.json"


@functools.cache
def committed_coverage() -> dict:
    """(op, dtype) -> the coverage the committed ci report recorded."""
    if not REPORT.exists():
        pytest.skip("no committed report yet")
    return R.by_job(json.loads(REPORT.read_text())["results"])


@pytest.mark.parametrize("op", registry.OPS_LIST, ids=lambda op: op.name)
def test_ci_run_visits_every_region_and_is_mostly_ordinary(op):
    """The ci report (every op and dtype): every listed region visited, at least half of
    the finite values ordinary."""
    seen = committed_coverage()
    for dtype in op.dtypes:
        cov = seen[(op.name, dtype)]
        missing = [r for r in op.regions.names(dtype) if not cov.get(r)]
        assert not missing, f"{op.name} {dtype}: no ci draw in {missing}: {cov}"
        assert cov.get("ordinary", 0) >= R.finite(cov) / 2, (
            f"{op.name} {dtype}: {cov.get('ordinary', 0)} of {R.finite(cov)} finite values ordinary")


@pytest.mark.parametrize("op", registry.OPS_LIST, ids=lambda op: op.name)
def test_the_committed_coverage_is_what_the_draws_give(op):
    """The report's coverage is the code's: drawn again here (one dtype per op: the draws
    cost), it must be the committed one exactly (a strategy changed without `make report`
    fails here)."""
    dtype = "float32" if "float32" in op.dtypes else op.dtypes[0]
    assert dict(runner.coverage(op.name, dtype, seed=0, profile="ci")) == committed_coverage()[(op.name, dtype)]


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


def test_shapes_and_keywords_are_counted_per_case():
    r = registry.OPS["sum"].regions
    cov = R.coverage(r, "float64", Case((np.zeros((2, 0, 1, 3)),), {"axis": (0, 2), "keepdims": True}))
    assert cov["rank 4-5"] == 1 and cov["zero-size"] == 1 and cov["zero"] == 0
    assert cov["axis=(0, 2)"] == 1 and cov["keepdims=True"] == 1 and R.finite(cov) == 0


@settings(max_examples=50, database=None, deadline=None)
@given(st.sampled_from(list(registry.OPS)), st.sampled_from(["float16", "bfloat16", "float32", "float64"]))
def test_every_listed_region_can_be_named(name, dtype):
    op = registry.OPS[name]
    if dtype not in op.dtypes:
        return
    known = {"ordinary", "nan", "inf", "zero"} | {b.name for b in op.regions.bands} | set(R.SHAPES)
    assert set(op.regions.names(dtype)) <= known
