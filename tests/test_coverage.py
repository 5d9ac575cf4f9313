"""Coverage: the report's own draws reach what users compute and where each op breaks.

Every row of the ci report records its job's coverage (comparisons/regions.py); the
committed report's is checked here for every op and dtype, and ``runner.coverage`` (the
very cases a ci report draws, classified, not run) shows it is the code's.
"""

import functools
import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from comparisons import DTYPES, registry, regions as R, runner
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
def test_every_structure_of_a_pool_is_visited(op):
    """Every entry of an op's pool of structures (registry.Op.structures) gets its share
    of a job's examples: every keyword value of every entry is in the ci report's
    coverage, in every dtype (one hypothesis run over the whole pool left some out)."""
    seen = committed_coverage()
    for i in range(len(op.structures)):
        cases = []

        @settings(max_examples=1, database=None, deadline=None)
        @given(op.inputs(op.dtypes[0], i))
        def draw(case):
            cases.append(case)
        draw()
        for dtype in op.dtypes:
            missing = [f"{k}={v!r}" for k, v in cases[0].kwargs.items() if not seen[(op.name, dtype)].get(f"{k}={v!r}")]
            assert not missing, f"{op.name} {dtype}: structure {op.structures[i]!r} never drawn ({missing})"


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
        x = R.values(op.regions, dtype).sample(np.random.default_rng(0), (5000,)).astype(np.float64)
        special = np.isnan(x) | np.isinf(x) | (x == 0)
        outside = ~special & ((x < lo) | (x > hi)) | special & (not op.regions.specials)
        assert not outside.any(), (op.name, dtype, x[outside][:5])


def test_values_come_in_the_shares():
    """The mix's own shares (sigmoid float32: 3 bands): ordinary 8 in 12, each band 2 in
    36, specials and extremes 1 in 12; extremes over every binade fall in the other
    regions at times, so those only grow."""
    r = registry.OPS["sigmoid"].regions
    cov = R.classify(r, "float32", R.values(r, "float32").sample(np.random.default_rng(0), (36000,)))
    assert cov["nan"] + cov["inf"] + cov["zero"] == pytest.approx(3000, rel=0.1)
    assert cov["ordinary"] == pytest.approx(24000, rel=0.05)
    bands = ("saturation", "underflow", "subnormal")
    assert sum(cov[b] for b in bands) + cov["extreme"] == pytest.approx(9000, rel=0.05)
    for band in bands:
        assert cov[band] >= 0.9 * 2000, band


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
@given(st.sampled_from(list(registry.OPS)), st.sampled_from(list(DTYPES)))
def test_every_listed_region_can_be_named(name, dtype):
    op = registry.OPS[name]
    if dtype not in op.dtypes:
        return
    known = {"ordinary", "nan", "inf", "zero"} | {b.name for b in op.regions.bands} | set(R.SHAPES)
    assert set(op.regions.names(dtype)) <= known
