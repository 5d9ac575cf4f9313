"""The 200-bit truth (comparisons/truth.py and the modules it gathers): its formulas, its ULP yardstick, its sweep.

The truth is checked three ways: against closed forms and Python's own math library,
its derivatives against mpmath's numerical derivative of its forward, and itself at 400
bits. Then the sweep must catch deliberately wrong implementations (canaries), and
refimpl must meet the issue's target on every swept row.
"""

import math

import numpy as np
import pytest

from comparisons import exact, registry, truth
from comparisons.truth import M, SWEEPS, TARGET_ULP

F32_SUB = 2.0 ** -149
F64_SUB = 2.0 ** -1074


def _f(sweep, check, *args):
    fn = SWEEPS[sweep].forward if check == "forward" else SWEEPS[sweep].grad
    return fn(*[M.mpf(a) for a in args])


# ----------------------------------------------------------------- the ULP yardstick

@pytest.mark.parametrize("v,dtype,expected", [
    (1.0, "float32", 2.0 ** -23), (1.5, "float32", 2.0 ** -23), (2.0, "float32", 2.0 ** -22),
    (-1.0, "float64", 2.0 ** -52), (0.75, "float64", 2.0 ** -53),
    (0.0, "float32", F32_SUB), (3.7e-44, "float32", F32_SUB), (F32_SUB, "float32", F32_SUB),
    (2.0 ** -126, "float32", F32_SUB), (2.0 ** -125, "float32", 2 * F32_SUB),
    (0.0, "float64", F64_SUB), (1e-310, "float64", F64_SUB), (2.0 ** -1022, "float64", F64_SUB),
    (float(np.finfo(np.float32).max), "float32", 2.0 ** 104),
])
def test_ulp_is_the_spacing_in_the_binade_and_the_smallest_subnormal_below_normal(v, dtype, expected):
    assert truth.ulp(v, dtype) == expected


def test_ulp_takes_the_binade_of_the_unrounded_truth():
    just_below_2 = M.mpf(2) - M.ldexp(1, -100)          # rounds to 2.0, lives in [1, 2)
    assert truth.ulp(just_below_2, "float32") == 2.0 ** -23
    assert truth.ulp_error(np.float32(2.0), just_below_2, "float32") == pytest.approx(2.0 ** -77)


def test_ulp_of_reals_outside_float64s_range():
    assert truth.ulp(M.mpf("1e400"), "float64") == 2.0 ** 971          # the top binade
    assert truth.ulp(-M.mpf("1e400"), "float32") == 2.0 ** 104
    assert truth.ulp(M.ldexp(1, 1024) - M.ldexp(1, 900), "float64") == 2.0 ** 971  # float(): inf
    assert truth.ulp(M.ldexp(1, -2000), "float64") == F64_SUB           # float(): 0


def test_ulp_matches_numpy_spacing_on_normal_floats():
    for dtype in ("float32", "float64"):
        xs = np.geomspace(1e-30, 1e30, 50).astype(dtype)
        assert [truth.ulp(float(x), dtype) for x in xs] == [float(np.spacing(x)) for x in xs]


def test_ulp_error_values():
    # the issue's example: sigmoid(-100) flushed to 0 in float32 is ~26 ULP off
    assert truth.ulp_error(0.0, _f("sigmoid", "forward", -100.0)[0], "float32") == pytest.approx(26.55, abs=0.01)
    assert truth.ulp_error(np.float32(1.0), 1, "float32") == 0
    assert truth.ulp_error(np.nextafter(np.float32(1), np.float32(2)), 1, "float32") == 1
    assert truth.ulp_error(np.float64(0.1), "0.1", "float64") == pytest.approx(0.4, abs=0.01)
    assert truth.ulp_error(np.nan, 1, "float64") == math.inf
    assert truth.ulp_error(np.inf, 1, "float64") == math.inf


def test_overflowing_truth_counts_only_a_matching_infinity():
    big = M.mpf("1e39")                                  # beyond float32's max
    assert truth.ulp_error(np.float32(np.inf), big, "float32") == 0
    assert truth.ulp_error(np.float32(-np.inf), big, "float32") == math.inf
    assert truth.ulp_error(np.finfo(np.float32).max, big, "float32") == math.inf
    # the largest finite value plus a third of an ulp still rounds to max: not an overflow
    top = M.mpf(float(np.finfo(np.float32).max)) + M.ldexp(1, 104) / 3
    assert truth.ulp_error(np.finfo(np.float32).max, top, "float32") == pytest.approx(1 / 3)


# ---------------------------------------------------------------- the truth formulas

def test_closed_forms():
    assert _f("sigmoid", "forward", 0.0)[0] == 0.5
    assert _f("sigmoid", "grad", 0.0)[0] == 0.25
    assert _f("softplus", "forward", 0.0)[0] == M.log(2)
    assert _f("tanh", "grad", 0.0)[0] == 1
    assert _f("gelu", "forward", 1.0)[0] == M.mpf(1) / 2 * (1 + M.erf(1 / M.sqrt(2)))
    assert _f("leaky_relu", "forward", -3.0)[0] == M.mpf(-3) / 100
    assert _f("elu", "grad", -2.0)[0] == M.exp(-2)
    assert _f("silu", "grad", 0.0)[0] == 0.5
    s = _f("softmax", "forward", 0.5, 0.1, -0.3)
    assert abs(M.fsum(s) - 1) < M.ldexp(1, -190)
    ls = _f("log_softmax", "forward", 0.5, 0.1, -0.3)
    assert all(abs(M.exp(a) - b) < M.ldexp(1, -190) for a, b in zip(ls, s))
    assert _f("huber", "forward", 3.0, 0.0)[0] == 2.5
    assert _f("binary_cross_entropy", "grad", 0.25, 0.25)[0] == 0
    assert _f("gaussian_nll(var)", "grad", 1.5, 0.0, 2.25)[0] == 0


def test_the_issues_trouble_spots():
    # sigmoid(-100) in float32 is the subnormal 3.7e-44, not 0
    s = np.float32(float(_f("sigmoid", "forward", -100.0)[0]))
    assert s == 27 * F32_SUB and 0 < s < np.finfo(np.float32).tiny       # 3.78e-44
    # sigmoid'(18.7) = s(1 - s) does not cancel in the truth: ~7.6e-9
    d = _f("sigmoid", "grad", float(np.float32(18.7)))[0]
    assert d == pytest.approx(math.exp(-18.7), rel=1e-6)
    # exact GELU near x = -11: x Phi(x) ~ -2.1e-27 (Phi(-11) = 1.9e-28), not 0
    g = _f("gelu", "forward", -11.0)[0]
    assert float(g) == pytest.approx(-11 * math.erfc(11 / math.sqrt(2)) / 2, rel=1e-13)


@pytest.mark.parametrize("x", [-30.0, -3.7, -0.6, 0.3, 2.5, 15.0])
def test_agrees_with_pythons_math_library(x):
    def near(sweep, check, want, *args, rel=1e-14):
        got = float(_f(sweep, check, x, *args)[0])
        assert got == pytest.approx(want, rel=rel, abs=1e-300), (sweep, check, x)

    s = 1 / (1 + math.exp(-x))
    near("sigmoid", "forward", s)
    near("tanh", "forward", math.tanh(x))
    near("tanh", "grad", 1 / math.cosh(x) ** 2)
    near("softplus", "forward", math.log1p(math.exp(x)) if x < 0 else x + math.log1p(math.exp(-x)))
    near("elu", "forward", math.expm1(x) if x < 0 else x)
    # math.erfc's argument -x/sqrt(2) is rounded: erfc amplifies that by 2 z^2 in the tail
    near("gelu", "forward", x * math.erfc(-x / math.sqrt(2)) / 2, rel=1e-14 * (2 + x * x))
    near("silu", "forward", x * s)
    u = math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3)
    near("gelu(approximate=True)", "forward", x / (1 + math.exp(-2 * u)) if x > 0
         else x * math.exp(2 * u) / (1 + math.exp(2 * u)), rel=1e-14 * (2 + abs(u)))
    near("binary_cross_entropy_with_logits", "forward",
         max(x, 0) - 0.0 * x + math.log1p(math.exp(-abs(x))), 0.0)


def _sample_points(sweep):
    """A few points per setting, away from kinks and the huber switch, as the truth sees
    them (every entry of the op's arrays)."""
    vals = {"real": [-3.7, -0.6, 0.3, 2.5, 15.0], "positive": [0.3, 2.5, 15.0],
            "nonzero": [-3.7, 0.3, 2.5], "open01": [0.1, 0.3, 0.9], "var": [0.5, 2.0]}
    for setting in sweep.settings:
        swept = next(a for a in sweep.args if a not in setting)
        domain = "var" if swept == "var" else sweep.domain
        for v in vals[domain]:
            p = {**setting, swept: v}
            cols = tuple(np.array([p[a]], np.float64) for a in sweep.args)
            yield exact._points(sweep, sweep.arrays(cols, "float64"))[0]


def _positions(sweep):
    """The positions in a point of the entries the gradient is taken with respect to."""
    arrays = sweep.arrays(tuple(np.ones(1) for _ in sweep.args), "float64")
    ends = np.cumsum([0] + [a[0].size for a in arrays])
    return [k for i in sweep.wrt for k in range(ends[i], ends[i + 1])]


@pytest.mark.parametrize("name", list(SWEEPS))
def test_derivatives_are_the_derivatives_of_the_forward(name):
    """grad is the vjp of forward with the sweep's cotangent, entry by entry."""
    sweep = SWEEPS[name]
    seed = np.concatenate([g.ravel() for g in sweep.cotangents((), "float64")])
    for p in _sample_points(sweep):
        got = sweep.grad(*p)
        assert len(got) == len(_positions(sweep)), name
        for i, k in enumerate(_positions(sweep)):
            def f(v, k=k):
                q = list(p)
                q[k] = v
                return M.fsum(M.mpf(float(c)) * y for c, y in zip(seed, sweep.forward(*q)))
            want = M.diff(f, p[k])
            assert abs(got[i] - want) <= M.ldexp(1, -120) * (1 + abs(want)), (name, p, i)


@pytest.mark.parametrize("name", list(SWEEPS))
def test_the_truth_is_the_same_at_400_bits(name):
    """No cancellation eats the 200 bits anywhere on the grid (sampled, float64): the
    two agree to 2**-40 float64 ULP (relatively to 2**-150 beyond float64's range). Far below
    the smallest subnormal, e.g. e**(-1e115), they may differ relatively: no dtype sees it."""
    sweep = SWEEPS[name]
    pts = exact._points(sweep, truth.inputs(sweep, "float64", "small"))[::5]
    for check in ("forward", "grad"):
        f = sweep.forward if check == "forward" else sweep.grad
        lo = [f(*p) for p in pts]
        with M.workprec(400):
            hi = [f(*p) for p in pts]
        for p, a, b in zip(pts, lo, hi):
            for x, y in zip(a, b):
                tol = max(M.ldexp(truth.ulp(y, "float64"), -40), M.ldexp(abs(y), -150))
                assert abs(x - y) <= tol, (name, check, p, x, y)


def test_the_grid_holds_the_extremes():
    for dtype in ("float32", "float64"):
        x = truth.inputs(SWEEPS["sigmoid"], dtype, "small")[0]
        fi = np.finfo(dtype)
        for v in (0.0, fi.smallest_subnormal, -fi.smallest_subnormal, fi.tiny, fi.max, -fi.max):
            assert v in x
        assert np.isfinite(x).all() and (np.diff(x) > 0).all()
        assert len(truth.inputs(SWEEPS["sigmoid"], dtype, "full")[0]) > 2500
    assert np.float32(-100.0) in truth.inputs(SWEEPS["sigmoid"], "float32", "small")[0]
    p = truth.inputs(SWEEPS["binary_cross_entropy"], "float32", "small")[0]
    assert ((p > 0) & (p < 1)).all() and np.finfo(np.float32).smallest_subnormal in p


# --------------------------------------------------------------------------- canaries

def _naive_sigmoid(arrays, check, dtype):
    x = arrays[0]
    with np.errstate(all="ignore"):
        s = 1 / (1 + np.exp(-x))                       # overflows to 0 at x = -100 in float32
        return s if check == "forward" else s * (1 - s)   # cancels to 0 near x = 18.7


def test_the_sweep_catches_a_naive_sigmoid():
    fwd = truth.measure("sigmoid", "forward", "float32", _naive_sigmoid, size="small")
    assert fwd["max_ulp"] > TARGET_ULP and fwd["worst_input"] < -87
    grad = truth.measure("sigmoid", "grad", "float32", _naive_sigmoid, size="small")
    assert grad["max_ulp"] > 1e6 and grad["worst_input"] > 15


def test_the_sweep_measures_a_few_ulps_as_a_few_ulps():
    ref = truth.implementation("refimpl", SWEEPS["tanh"])
    if ref is None:
        pytest.skip("refimpl has no tanh yet")

    def off_by_8(arrays, check, dtype):
        y = ref(arrays, check, dtype).astype(dtype)
        return y * (1 + 8 * np.finfo(dtype).eps) if check == "forward" else y

    row = truth.measure("tanh", "forward", "float32", off_by_8, "refimpl", size="small")
    assert 6 < row["max_ulp"] < 17
    assert [m["reasons"] for m in truth.misses([row])] == [[f"{row['max_ulp']:.3g} ULP > target 4"]]


def test_a_nan_where_the_truth_is_finite_is_infinitely_wrong():
    def nans(arrays, check, dtype):
        y = np.tanh(arrays[0])
        y[len(y) // 2] = np.nan
        return y

    row = truth.measure("tanh", "forward", "float64", nans, size="small")
    assert row["max_ulp"] is None and row["nonfinite_points"] == 1


def test_misses_names_the_target_and_the_best_framework():
    base = dict(op="sigmoid", sweep="sigmoid", check="grad", dtype="float32", worst_input=1.0)
    rows = [dict(base, implementation="refimpl", max_ulp=3.0),
            dict(base, implementation="torch", max_ulp=2.0),
            dict(base, implementation="jax", max_ulp=None),
            dict(base, dtype="float64", implementation="refimpl", max_ulp=5.0),
            dict(base, dtype="float64", implementation="jax", max_ulp=9.0)]
    m = truth.misses(rows)
    assert [(r["dtype"], r["reasons"]) for r in m] == [
        ("float32", ["3 ULP > torch's 2"]), ("float64", ["5 ULP > target 4"])]


# ------------------------------------------------------------------- the issue's target

@pytest.fixture(scope="module")
def accuracy_rows():
    """The full grid, every implementation (the best framework is part of the target)."""
    return truth.accuracy(size="full")


def test_every_registry_op_is_swept():
    assert set(truth.ops()) == set(registry.OPS)


def test_refimpl_meets_the_target_on_every_swept_op(accuracy_rows):
    """Issue 3: refimpl <= TARGET_ULP on every row, and never above the best framework."""
    measured = {(r["sweep"], r["check"], r["dtype"]) for r in accuracy_rows
                if r["implementation"] == "refimpl"}
    assert measured, "refimpl has none of the swept ops yet"
    missed = truth.misses(accuracy_rows)
    assert not missed, "\n".join(
        f"{m['sweep']} {m['check']} {m['dtype']}: {'; '.join(m['reasons'])} at "
        f"{m['worst_input']} (got {m['worst_got']}, truth {m['worst_truth']})" for m in missed)
