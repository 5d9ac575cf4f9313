"""The JAX adapter's engine: the shortcuts that make it fast change no result.

An elementwise op runs on its inputs flattened and padded to one bucket size
(comparisons/jax/__init__.py). That is exact only if XLA computes each element the same
way whatever the array around it: in the vectorised loop, in its scalar tail and on a
rank-0 array. Checked here bit for bit (inf and the sign of zero included; NaN by
position, as the harness compares it) for every op the registry calls elementwise, every
dtype and both checks, on values drawn from the op's own input strategy. It is not quite
exact: XLA's scalar and vectorised code differ by a few ULPs for gelu's gradient and
float64 pow (``DIFFERENT_PATHS``); there the difference must stay below what the harness
can see.
"""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import seed as hseed

from comparisons import DTYPES, adapters, compare, reference, registry
from comparisons.strategies import Case

jax_adapter = adapters.adapter("jax")
pytestmark = pytest.mark.skipif(jax_adapter is None, reason="jax not installed")

ELEMENTWISE = [op for op in registry.OPS_LIST if op.elementwise]
FULL = (3, 3, 3, 3, 3)    # the largest drawn shape: 243 elements, a vector body and a tail


def _drawn(op, dtype, n=40):
    """Cases drawn from the op's strategy (fixed seed): its values and its kwargs."""
    cases = []

    @hseed(0)
    @settings(max_examples=n, database=None, deadline=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(op.inputs(dtype))
    def collect(case):
        cases.append(case)

    collect()
    return cases


def _values(cases, dtype):
    """243 values of the op's domain: every drawn element, repeated to fill FULL."""
    flat = [c.arrays[0].reshape(-1) for c in cases if c.arrays[0].size]
    v = np.concatenate(flat) if flat else np.zeros(1, DTYPES[dtype])
    return np.resize(v, np.prod(FULL)).astype(DTYPES[dtype])


def _bits(a):
    """The bytes of each element, every NaN made one NaN: the harness tells NaNs only by
    position (XLA's NaN sign and payload vary with the code path: log(-inf) in float16 is
    -NaN on a rank-0 array and +NaN in a vector)."""
    a = np.atleast_1d(np.asarray(a))
    a = np.where(np.isnan(a.astype(np.float64)), np.array(np.nan, a.dtype), a)
    return a.view(np.uint8).reshape(a.shape + (-1,))


def _same(a, b, bound=None):
    """a and b bit for bit, or, where XLA's own scalar and vectorised code differ (below),
    within ``bound`` (per element: the harness's atol + rtol * yardstick), so that no
    verdict can tell them apart."""
    a, b = np.asarray(a), np.asarray(b)
    assert a.shape == b.shape and a.dtype == b.dtype
    diff = np.atleast_1d((_bits(a) != _bits(b)).any(axis=-1))
    if bound is not None and diff.any():
        err = np.atleast_1d(np.abs(a.astype(np.float64) - b.astype(np.float64)))
        diff &= ~(err <= np.atleast_1d(bound))
    a1, b1 = np.atleast_1d(a), np.atleast_1d(b)
    assert not diff.any(), (f"{diff.sum()} elements differ, first at {np.argwhere(diff)[0].tolist()}: "
                            f"{a1[diff][:3]} vs {b1[diff][:3]}")


# Where XLA's scalar loop and its vectorised body differ (measured on the drawn values): a
# few ULPs of gelu's gradient where its terms cancel (x near -1: 3 ULPs in float64, 5 in
# float16) and of float64 pow. The bucketed engine gives every element the vectorised
# result; the harness's yardstick for these (the sum of the terms' sizes) is far larger.
DIFFERENT_PATHS = {("gelu", "float16"), ("gelu", "float32"), ("gelu", "float64"), ("pow", "float64")}


def _bound(op, dtype, check, xs, kwargs, cts):
    """The harness's allowance per element (atol + rtol * yardstick) on the FULL arrays."""
    case = Case(tuple(xs), kwargs, 0)
    outputs = reference.reference_forward(op.reference, case)
    rtol, atol = compare.tolerance(op.name, dtype, check)
    scales = reference._scales(op, case, dtype, check, outputs, cts)
    return [atol + rtol * compare.yardstick(s, e) for s, e in zip(
        scales, outputs if check == "forward" else reference.reference_vjp(
            op.reference, case, cts, op.wrt_of(case)))]


@pytest.mark.parametrize("op", ELEMENTWISE, ids=lambda op: op.name)
@pytest.mark.parametrize("dtype", registry.ALL_DTYPES)
def test_bucketed_elementwise_is_bit_identical(op, dtype):
    if dtype not in op.dtypes:
        pytest.skip(f"{op.name} is not drawn in {dtype}")
    twin = op.twin("jax")
    cases = _drawn(op, dtype)
    x = _values(cases, dtype)
    rng = np.random.default_rng(0)
    kwargs_seen = {repr(sorted(c.kwargs.items())): c.kwargs for c in cases}
    for kwargs in kwargs_seen.values():
        n_in = len(cases[0].arrays)
        xs = [x.reshape(FULL)] * n_in
        outs = jax_adapter.forward(twin, xs, kwargs)
        n_out = len(outs) if isinstance(outs, tuple) else 1
        cts = [rng.uniform(-1, 1, FULL).astype(DTYPES[dtype]) for _ in range(n_out)]
        for check in ("forward", "grad"):
            def run(arrays, gs, elementwise):
                if check == "forward":
                    ys = jax_adapter.forward(twin, arrays, kwargs, elementwise=elementwise)
                    return [np.asarray(y) for y in (ys if isinstance(ys, tuple) else (ys,))]
                _, grads = jax_adapter.vjp(twin, arrays, kwargs, gs, op.wrt_of(cases[0]),
                                           elementwise=elementwise)
                return [np.asarray(g) for g in grads]

            bounds = (_bound(op, dtype, check, xs, kwargs, cts) if (op.name, dtype) in DIFFERENT_PATHS
                      else [None] * 4)
            # the whole array: a vectorised body and a scalar tail (243 = 30 * 8 + 3)
            for a, b, bound in zip(run(xs, cts, True), run(xs, cts, False), bounds):
                _same(a, b, bound)
            # each element alone on a rank-0 array, the scalar path (every 7th: time)
            bucketed = run(xs, cts, True)
            for i in range(0, x.size, 7):
                j = np.unravel_index(i, FULL)
                alone = run([x.reshape(FULL)[j][()] for _ in range(n_in)], [c[j][()] for c in cts],
                            False)
                for a, b, bound in zip(alone, bucketed, bounds):
                    _same(a, b[j], None if bound is None else bound[j])


def test_one_compilation_serves_every_shape():
    """An elementwise op compiles once per (kwargs, dtype, check), whatever the shapes."""
    op = registry.OPS["sigmoid"]
    twin = op.twin("jax")
    rng = np.random.default_rng(1)
    shapes = [(), (0,), (1,), (3,), (2, 3), (3, 0, 2), (1, 2, 3, 1), (3, 3, 3, 3, 3)]
    jax_adapter.forward(twin, [np.zeros((2,), np.float32)], {}, elementwise=True)   # warm
    before = jax_adapter.STATS["compiles"] + jax_adapter.STATS["cache_hits"]
    for s in shapes:
        y = jax_adapter.forward(twin, [rng.standard_normal(s).astype(np.float32)], {}, elementwise=True)
        assert np.shape(y) == s
    assert jax_adapter.STATS["compiles"] + jax_adapter.STATS["cache_hits"] == before


def test_a_kept_function_is_reused_per_shape():
    """A non-elementwise op compiles once per shape, not once per call."""
    twin = registry.OPS["sum"].twin("jax")
    x = np.arange(6.0).reshape(2, 3)
    jax_adapter.forward(twin, [x], {"axis": 1})
    before = jax_adapter.STATS["compiles"] + jax_adapter.STATS["cache_hits"]
    for _ in range(3):
        np.testing.assert_array_equal(jax_adapter.forward(twin, [x], {"axis": 1}), [3.0, 12.0])
    assert jax_adapter.STATS["compiles"] + jax_adapter.STATS["cache_hits"] == before
    # different kwargs are a different program, never a stale one
    np.testing.assert_array_equal(jax_adapter.forward(twin, [x], {"axis": 0}), [3.0, 5.0, 7.0])
