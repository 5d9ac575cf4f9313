"""refimpl.tensors (describe, dot, cosine similarity, matmul) and refimpl._arrays (the dtype
rules).

Expected values are worked by hand, exact in small integers, or from mpmath (cosine
similarity's gradient, where it nearly cancels).
"""

import math
import re

import ml_dtypes
import mpmath
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import refimpl
from refimpl._arrays import ShapeError, as_float_array, up
from refimpl.autodiff import Variable, grad
from refimpl.tensors import (CosineSimilarity, Dot, MatMul, cosine_similarity, dot, matmul,
                             matmul_shape)

MP = mpmath.MPContext()
MP.prec = 300
RULE = re.escape("the rule is (..., n, k) @ (..., k, m) -> (..., n, m)")


def grads(f, *args, dout=None):
    """The gradients of f's output (cotangent dout, default ones) for each argument."""
    xs = [Variable(a) for a in args]
    y = f(*xs)
    y.backward(np.ones(y.shape, y.dtype) if dout is None else dout)
    return [x.grad for x in xs]


# ----------------------------------------------------------------------- dot

@pytest.mark.parametrize("op, b", [(Dot, np.array([4.0, -5.0, 6.0], np.float16)),
                                   (MatMul, np.array([[4.0], [-5.0], [6.0]], np.float16)),
                                   (CosineSimilarity, np.array([4.0, -5.0, 6.0], np.float16))])
def test_backward_itself_returns_each_gradient_in_its_inputs_dtype(op, b):
    """The op contract holds in each Function's backward, not only after the engine's cast."""
    f = op()
    a = np.array([1.0, 2.0, 3.0], np.float32)
    y = f(Variable(a), Variable(b))
    da, db = f.backward(np.ones(y.shape, np.float32))
    assert da.dtype == np.float32 and db.dtype == np.float16


def test_dot_gradients_keep_the_float32_dtype():
    """d(a.b)/da = b and d(a.b)/db = a, each in its input's dtype."""
    a, b = np.array([1.0, 2.0, 3.0], np.float32), np.array([4.0, -5.0, 6.0], np.float32)
    da, db = grads(dot, a, b, dout=np.float32(2.0))
    assert da.dtype == db.dtype == np.float32
    assert da.tolist() == [8.0, -10.0, 12.0] and db.tolist() == [2.0, 4.0, 6.0]


def test_dot_names_the_shapes_and_the_rule():
    with pytest.raises(ShapeError, match="^" + re.escape(
            "dot: shapes (2, 2) and (2, 2) do not fit; the rule is two rank-1 vectors of the "
            "same length: (n,) . (n,) -> ()") + "$"):
        dot(np.ones((2, 2)), np.ones((2, 2)))


# --------------------------------------------------------------------- matmul

A = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])         # (3, 2)
B = np.array([[1.0, 0.0, -1.0], [2.0, 1.0, 0.0]])          # (2, 3)
V2, V3 = np.array([1.0, -2.0]), np.array([3.0, 0.5, -1.0])


@pytest.mark.parametrize("a, b, y", [
    (A, B, [[5.0, 2.0, -1.0], [11.0, 4.0, -3.0], [17.0, 6.0, -5.0]]),
    (V3, A, [-0.5, 2.0]),                      # a vector on the left is a row
    (A, V2, [-3.0, -5.0, -7.0]),              # a vector on the right is a column
    (V2, V2, 5.0),
    (np.stack([A, -A]), B, [[[5.0, 2.0, -1.0], [11.0, 4.0, -3.0], [17.0, 6.0, -5.0]],
                            [[-5.0, -2.0, 1.0], [-11.0, -4.0, 3.0], [-17.0, -6.0, 5.0]]]),
])
def test_matmul_of_matrices_and_vectors_and_its_gradients(a, b, y):
    """Worked by hand. Gradients (dY = ones): dA = dY B^T and dB = A^T dY, with a vector
    as a row (left) or column (right) and batch axes summed away, by np.matmul on these
    small integers (exact)."""
    assert np.array_equal(matmul(a, b), np.array(y))
    da, db = grads(matmul, a, b)
    a2 = a[None, :] if a.ndim == 1 else a
    b2 = b[:, None] if b.ndim == 1 else b
    dy = np.ones(np.broadcast_shapes(a2.shape[:-2], b2.shape[:-2]) + (a2.shape[-2], b2.shape[-1]))
    want_da, want_db = dy @ np.swapaxes(b2, -1, -2), np.swapaxes(a2, -1, -2) @ dy
    want_da = want_da.reshape(-1, *a2.shape[-2:]).sum(axis=0) if a2.ndim == 2 else want_da
    want_db = want_db.reshape(-1, *b2.shape[-2:]).sum(axis=0) if b2.ndim == 2 else want_db
    assert np.array_equal(da, want_da.reshape(a.shape))
    assert np.array_equal(db, want_db.reshape(b.shape))


def test_matmul_gradients_keep_the_float32_dtype():
    a, b = A.astype(np.float32), B.astype(np.float32)
    da, db = grads(matmul, a, b)
    assert da.dtype == db.dtype == np.float32


@pytest.mark.parametrize("a_shape, b_shape, why", [
    ((), (3,), "and a scalar (rank 0) has no axis to contract: use mul"),
    ((2, 3, 4), (5, 6), "and here k = 4 on the left but 5 on the right"),
    ((2, 3, 4), (5, 4, 6), "and the batch axes (2,) and (5,) do not broadcast"),
    ((7, 2, 3, 4), (5, 4, 6), "and the batch axes (7, 2) and (5,) do not broadcast"),
])
def test_matmul_shape_names_both_shapes_the_rule_and_what_is_wrong(a_shape, b_shape, why):
    with pytest.raises(ShapeError, match=(
            "^" + re.escape(f"matmul: shapes {a_shape} and {b_shape} do not fit; ") + RULE
            + re.escape(", " + why) + "$")):
        matmul_shape(a_shape, b_shape)


# ----------------------------------------------------------- cosine similarity

def _cos_grads(a, b):
    """mpmath: d cos/da = (b |a|^2 - a (a.b)) / (|a|^3 |b|), and the same with a, b swapped."""
    a, b = [MP.mpf(float(x)) for x in a], [MP.mpf(float(x)) for x in b]
    aa, bb, ab = (sum(x * y for x, y in zip(u, v)) for u, v in ((a, a), (b, b), (a, b)))
    na, nb = MP.sqrt(aa), MP.sqrt(bb)
    return (np.array([float((y * aa - x * ab) / (na ** 3 * nb)) for x, y in zip(a, b)]),
            np.array([float((x * bb - y * ab) / (nb ** 3 * na)) for x, y in zip(a, b)]))


@pytest.mark.parametrize("a, b", [
    ([1.0, 2.0, 3.0], [1.0 + 2.0 ** -50, 2.0, 3.0]),
    ([0.1, 0.2, 0.3], [0.1, 0.2, 0.30000000000000004]),
    ([1e16, 0.1, -0.3], [1.0, 2.0, 3.0]),
])
def test_cosine_gradient_of_nearly_parallel_vectors_is_within_a_few_ulps(a, b):
    """Near a || b the gradient is a tiny difference of large terms: every rounding error
    must be carried, or the result is off by orders of magnitude."""
    a, b = np.array(a), np.array(b)
    da, db = grad(cosine_similarity, argnums=(0, 1))(a, b)
    for got, want in zip((da, db), _cos_grads(a, b)):
        assert np.all(np.abs(got - want) <= 4 * np.spacing(np.abs(want))), (got, want)


@pytest.mark.parametrize("a, b", [
    ([[1e200, 1e200], [1e-200, 0.0]], [[1e200, 0.0], [1e-200, 1e-200]]),
    ([[1e-200, 0.0], [1e200, 1e200]], [[1e-200, 1e-200], [1e200, 0.0]]),
])
def test_cosine_of_huge_and_tiny_vectors_neither_overflows_nor_underflows(a, b):
    """Each row is scaled by its own power of two: 45 degrees is 1/sqrt(2) at any scale."""
    cos = cosine_similarity(np.array(a), np.array(b), eps=1e-300)
    assert np.allclose(cos, 1 / math.sqrt(2), rtol=1e-15, atol=0)


def test_cosine_of_a_vector_with_itself_is_exactly_one():
    """|a|^2 / (|a| |a|) rounds above 1 for [1, 1, 1]: clipped to [-1, 1] as in the frameworks."""
    x = np.array([1.0, 1.0, 1.0])
    assert cosine_similarity(x, x) == 1.0 and cosine_similarity(x, -x) == -1.0


def test_eps_bounds_each_norm_from_below():
    """cos = a.b / (max(|a|, eps) max(|b|, eps)): 0.25 / (1 * 1) with eps = 1; the class
    default eps is 1e-8, which leaves these norms alone."""
    a = np.array([0.5, 0.0])
    assert cosine_similarity(a, a, eps=1.0) == 0.25
    assert CosineSimilarity()(a, a) == 1.0


def test_below_eps_the_gradient_is_the_other_unit_vector_over_eps():
    """With |b| <= eps the norm is the constant eps: d cos/db = u / eps, u = a / |a|; and
    d cos/da = (v - cos u) / |a| = 0, since v = b / eps and cos are 0. At |b| = eps exactly
    ("where |b| > eps" fails) the constant side holds too."""
    a = np.array([3.0, 4.0])
    for b, eps in [(np.zeros(2), 1e-8), (np.array([0.5, 0.0]), 0.5)]:
        da, db = grad(lambda x, y: cosine_similarity(x, y, eps=eps), argnums=(0, 1))(a, b)
        cos = float(b @ a) / (5.0 * eps)
        assert np.allclose(db, a / 5.0 / eps, rtol=1e-15)
        assert np.allclose(da, (b / eps - cos * a / 5.0) / 5.0, rtol=1e-15, atol=1e-15)


@pytest.mark.filterwarnings("error")      # and no "invalid value" warning on the way
@pytest.mark.parametrize("eps", [1e-8, 1e-323, 5e-324])   # 5e-324 = 2^-1074 was 0/0 = nan
def test_a_zero_vector_has_cosine_zero_and_gradient_zero_for_the_other(eps):
    """cos(0, b) = 0 / (eps |b|) = 0 for every b: so d cos/db = 0, even for a subnormal eps."""
    a, b = np.zeros(16), np.full(16, 0.75)
    cos = cosine_similarity(a, b, eps=eps)
    _, db = grad(lambda x, y: cosine_similarity(x, y, eps=eps), argnums=(0, 1))(a, b)
    assert cos == 0.0 and np.array_equal(db, np.zeros(16))


def test_an_exactly_cancelling_cosine_gradient_is_plus_zero():
    """a || b gives d cos/da = 0 exactly; with dout < 0, dout * 0 = -0, and the frameworks
    (g v - g cos u) give +0."""
    a, b = np.array([1.0, 2.0]), np.array([2.0, 4.0])
    da, db = grads(cosine_similarity, a, b, dout=np.array(-1.0))
    assert np.array_equal(da, [0.0, 0.0]) and not np.signbit(da).any()
    assert np.array_equal(db, [0.0, 0.0]) and not np.signbit(db).any()


def test_cosine_gradients_keep_the_float32_dtype():
    a, b = np.array([1.0, 2.0], np.float32), np.array([2.0, -1.0], np.float32)
    da, db = grads(cosine_similarity, a, b)
    assert da.dtype == db.dtype == np.float32
    assert np.allclose(da, [0.4, -0.2], rtol=1e-6) and np.allclose(db, [0.2, 0.4], rtol=1e-6)


def test_cosine_similarity_names_the_shapes_and_the_rule():
    with pytest.raises(ShapeError, match="^" + re.escape(
            "cosine_similarity: shapes (2,) and (3,) do not broadcast; the rule is numpy "
            "broadcasting, then a reduction over `axis`") + "$"):
        cosine_similarity(np.ones(2), np.ones(3))
    with pytest.raises(ShapeError, match="^" + re.escape(
            "cosine_similarity: needs at least one axis to reduce, got two scalars") + "$"):
        cosine_similarity(np.float64(1.0), np.float64(2.0))


# ---------------------------------------------------------------- dtype rules

def test_as_float_array_turns_integers_and_bools_into_float64():
    for x in ([1, 2], np.array([1, 2], np.uint8), [True, False]):
        y = as_float_array(x, "f", "x")
        assert y.dtype == np.float64 and y.tolist() == [float(v) for v in np.asarray(x)]


@pytest.mark.parametrize("dtype, compute", [(np.float16, np.float32), (np.float32, np.float32),
                                            (np.float64, np.float64)])
def test_up_computes_half_precision_as_float32_and_keeps_the_rest(dtype, compute):
    assert up(np.array([0.5, 1.5], dtype)).dtype == compute


def test_dot_of_float64_and_float32_is_computed_in_float64():
    """The promoted dtype of (a, b), not b's alone: 0.1 + 0.2 + 0.3 in float64, correctly
    rounded (math.fsum), not the float32 sum of float32 values."""
    a, b = np.array([0.1, 0.2, 0.3]), np.ones(3, np.float32)
    y = dot(a, b)
    assert y.dtype == np.float64 and y == math.fsum([0.1, 0.2, 0.3])


# ================================================================================ describe

SHAPES = hnp.array_shapes(min_dims=0, max_dims=5, min_side=0, max_side=3)

EXPECTED_RANKS = {"scalar": 0, "vector": 1, "matrix": 2, "3d (sequences)": 3,
                  "4d (images)": 4, "5d (video)": 5}


def test_examples_cover_ranks_0_to_5():
    assert sorted(refimpl.describe(x)["rank"] for x in refimpl.EXAMPLES.values()) == list(range(6))


@pytest.mark.parametrize("name", list(EXPECTED_RANKS))
def test_describe_examples(name):
    x = refimpl.EXAMPLES[name]
    d = refimpl.describe(x)
    assert d["rank"] == EXPECTED_RANKS[name] == np.ndim(x)
    assert d["shape"] == np.shape(x) and len(d["shape"]) == d["rank"]
    assert d["size"] == math.prod(d["shape"])
    assert d["dtype"] == np.asarray(x).dtype.name


def test_a_5_dimensional_vector_is_a_rank_1_tensor():
    v = refimpl.EXAMPLES["vector"]
    d = refimpl.describe(v)
    assert d["rank"] == 1 and d["shape"] == (5,) and d["size"] == 5
    assert refimpl.describe(np.zeros(5)) == {"rank": 1, "shape": (5,), "dtype": "float64", "size": 5}


@given(shape=SHAPES, dtype=st.sampled_from([np.float16, np.float32, np.float64, np.uint8,
                                             np.int64, np.bool_]),
       transposed=st.booleans())
def test_describe_any_array(shape, dtype, transposed):
    x = np.zeros(shape, dtype)
    if transposed:                       # a non-contiguous view
        x, shape = x.T, shape[::-1]
    d = refimpl.describe(x)
    want = {"rank": len(shape), "shape": shape, "dtype": np.dtype(dtype).name,
            "size": math.prod(shape)}
    assert d == want
    if x.dtype.kind == "f":
        assert refimpl.describe(Variable(x)) == want


def test_describe_bfloat16_variable():
    x = np.zeros((2, 3), ml_dtypes.bfloat16)
    assert refimpl.describe(Variable(x)) == {"rank": 2, "shape": (2, 3), "dtype": "bfloat16",
                                             "size": 6}


def test_describe_bfloat16_array():
    x = np.zeros((2, 3), ml_dtypes.bfloat16)
    assert refimpl.describe(x) == {"rank": 2, "shape": (2, 3), "dtype": "bfloat16", "size": 6}


def test_describe_python_scalar_is_rank_0():
    assert refimpl.describe(3.0) == {"rank": 0, "shape": (), "dtype": "float64", "size": 1}
