"""Numpy-only tests of refimpl's core: the worked examples of the source material, the
autodiff engine (branching, accumulation, ``grad``), shape errors, ``sum_to`` and
``numerical_gradient``. (``describe``: test_refimpl_tensors.py; the operators on a Variable:
test_refimpl_graph.py; that refimpl imports no framework: test_layout.py.)

Expected values come from the maths (or an independent numpy computation), never from refimpl.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import refimpl
from refimpl import ShapeError, Variable

SHAPES = hnp.array_shapes(min_dims=0, max_dims=5, min_side=0, max_side=3)
MATMUL_RULE = "(..., n, k) @ (..., k, m) -> (..., n, m)"


def floats(lo, hi):
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False)


def arrays(shape, elements=None):
    return hnp.arrays(np.float64, shape, elements=floats(-10, 10) if elements is None else elements)


def broadcasts_to(s, t) -> bool:
    """Whether shape s broadcasts to exactly t (numpy's rule, written out independently)."""
    return len(s) <= len(t) and all(a in (1, b) for a, b in zip(reversed(s), reversed(t)))


@st.composite
def shape_and_target(draw):
    """(s, t) with s broadcasting to t: each side of s is t's or 1; leading axes may be missing."""
    t = draw(SHAPES)
    lead = draw(st.integers(0, len(t)))
    s = tuple(draw(st.sampled_from([1, side])) for side in t[lead:])
    return s, t


# ====================================================== worked examples (source material)

def test_worked_example_f_is_W_x_plus_b():
    W, x, b = Variable(-2.0), Variable(5.0), Variable(3.0)
    f = W * x + b
    assert isinstance(f, Variable)
    assert float(f.data) == -7.0                     # -2 * 5 + 3
    f.backward()
    # df/dW = x, df/dx = W, df/db = 1
    assert (float(W.grad), float(x.grad), float(b.grad)) == (5.0, -2.0, 1.0)
    # Nudging W by +1 moves f by df/dW (f is linear in W): -7 + 5 = -2.
    f2 = Variable(-2.0 + 1) * Variable(5.0) + Variable(3.0)
    assert float(f2.data) == -2.0
    assert float(f2.data) - float(f.data) == float(W.grad)


def test_worked_example_with_named_ops_and_grad():
    dW, dx, db = refimpl.grad(
        lambda W, x, b: refimpl.add(refimpl.mul(W, x), b), argnums=(0, 1, 2)
    )(-2.0, 5.0, 3.0)
    assert (float(dW), float(dx), float(db)) == (5.0, -2.0, 1.0)
    assert float(refimpl.add(refimpl.mul(-2.0, 5.0), 3.0)) == -7.0


@given(x=floats(-1e3, 1e3), y=floats(-1e3, 1e3))
def test_partial_derivatives_of_x2_plus_xy_plus_y(x, y):
    # z = x^2 + x y + y: dz/dx = 2x + y, dz/dy = x + 1. Each gradient is the sum of two exactly
    # computed terms (2x and y; x and 1), so it is that sum rounded once: equality is exact.
    vx, vy = Variable(x), Variable(y)
    z = vx ** 2 + vx * vy + vy
    np.testing.assert_allclose(float(z.data), x * x + x * y + y, rtol=1e-14, atol=1e-9)
    z.backward()
    assert float(vx.grad) == 2 * x + y
    assert float(vy.grad) == x + 1
    gx, gy = refimpl.grad(lambda a, b: a ** 2 + a * b + b, argnums=(0, 1))(x, y)
    assert (float(gx), float(gy)) == (2 * x + y, x + 1)


@given(x=arrays(SHAPES, floats(-1e6, 1e6)))
def test_value_used_twice_gets_both_contributions(x):
    v = Variable(x)
    y = v * v                         # d(x*x)/dx = x + x = 2x (exact: doubling)
    y.backward(np.ones_like(x))
    np.testing.assert_array_equal(v.grad, 2 * x)


@given(data=st.data())
def test_value_used_three_times_accumulates_three_contributions(data):
    shape = data.draw(SHAPES)
    x, a, b, c = (data.draw(arrays(shape), label=n) for n in "xabc")
    tol = dict(rtol=1e-14, atol=1e-14 * (np.abs(a) + np.abs(b) + np.abs(c)).max(initial=0))

    v = Variable(x)                   # implicit fan-out: x appears in three products
    loss = refimpl.sum(v * a + v * b + v * c)
    loss.backward()
    np.testing.assert_allclose(v.grad, a + b + c, **tol)

    v = Variable(x)                   # explicit copy node: branch(x, 3)
    x1, x2, x3 = refimpl.branch(v, 3)
    loss = refimpl.sum(x1 * a + x2 * b + x3 * c)
    loss.backward()
    np.testing.assert_allclose(v.grad, a + b + c, **tol)


def test_three_uses_of_a_scalar():
    x = Variable(1.5)
    (x + x + x).backward()
    assert float(x.grad) == 3.0
    x = Variable(1.5)
    (x * x * x).backward()            # 3 x^2
    assert float(x.grad) == 3 * 1.5 ** 2


def test_diamond_graph_runs_in_reverse_topological_order():
    # x -> a = 2x -> (b = a^2, c = 3a) -> d = b + c: dd/dx = (2a + 3) * 2 = 8x + 6.
    # A wrong order (a node run before all its consumers reported) loses a path.
    x = Variable(np.array([1.0, -2.0, 0.5]))
    a = x * 2.0
    d = a ** 2 + a * 3.0
    d.backward(np.ones(3))
    np.testing.assert_allclose(x.grad, 8 * x.data + 6, rtol=1e-15)


@given(data=st.data())
def test_grad_with_argnums_tuple_returns_a_tuple_of_arrays(data):
    # f = sum(x * y) with y broadcast along x's leading axes: df/dx = y broadcast,
    # df/dy = x summed over the broadcast axes.
    shape = data.draw(hnp.array_shapes(min_dims=1, max_dims=4, min_side=0, max_side=3))
    x = data.draw(arrays(shape), label="x")
    y = data.draw(arrays(shape[1:]), label="y")

    def f(x, y):
        return refimpl.sum(x * y)

    gs = refimpl.grad(f, argnums=(0, 1))(x, y)
    assert isinstance(gs, tuple) and len(gs) == 2
    assert all(type(g) is np.ndarray for g in gs)
    gx, gy = gs
    assert gx.shape == x.shape and gy.shape == y.shape
    np.testing.assert_allclose(gx, np.broadcast_to(y, x.shape), rtol=0, atol=0)
    np.testing.assert_allclose(gy, np.einsum("i...->...", x), rtol=1e-14, atol=1e-12)

    g1 = refimpl.grad(f, argnums=1)(x, y)   # a single int: one array, not a tuple
    assert type(g1) is np.ndarray and g1.shape == y.shape


def test_grad_of_unused_argument_is_zeros_of_its_shape():
    gx, gy = refimpl.grad(lambda x, y: refimpl.sum(x), argnums=(0, 1))(np.ones(2), np.ones((3, 2)))
    np.testing.assert_array_equal(gx, np.ones(2))
    assert type(gy) is np.ndarray and gy.shape == (3, 2) and not gy.any()


@pytest.mark.parametrize("shape", [(3,), (2, 2), (0,)])
def test_grad_of_non_scalar_function_raises_clear_value_error(shape):
    with pytest.raises(ValueError, match="scalar") as info:
        refimpl.grad(lambda x: x * 2.0)(np.ones(shape))
    assert str(shape) in str(info.value)


def test_grad_of_function_not_returning_variable_raises_type_error():
    with pytest.raises(TypeError, match="Variable"):
        refimpl.grad(lambda x: 3.0)(np.ones(2))


def test_backward_with_wrong_cotangent_shape_raises_shape_error():
    y = Variable(np.ones((2, 3))) * 2.0
    with pytest.raises(ShapeError, match=r"\(3, 2\).*\(2, 3\)"):
        y.backward(np.ones((3, 2)))


# ------------------------------------------------ backward called more than once

def test_two_backward_calls_accumulate_one_contribution_each():
    x = Variable(3.0)
    y = x * x
    y.backward()
    y.backward()
    assert float(x.grad) == 2 * (2 * 3.0)     # torch/DeZero: each call adds dy/dx = 6 once


def test_backward_from_each_output_of_branch_adds_each_cotangent_once():
    x = Variable(np.array([1.0, 2.0]))
    y1, y2 = refimpl.branch(x, 2)
    g1, g2 = np.array([1.0, -1.0]), np.array([10.0, 20.0])
    y1.backward(g1)
    y2.backward(g2)
    np.testing.assert_array_equal(x.grad, g1 + g2)


def test_no_grad_keeps_variables_but_records_nothing():
    x = Variable(np.ones(2))
    with refimpl.no_grad():
        y = x * 2.0
    assert type(y) is Variable and y.creator is None


def test_no_grad_records_nothing_and_restores_recording():
    x = Variable(np.ones(2))
    with refimpl.no_grad():
        y = x * 2.0
    assert getattr(y, "creator", None) is None
    z = x * 2.0                                   # recording is back on after the block
    assert isinstance(z, Variable) and z.creator is not None


# ==================================================================================== errors

@given(data=st.data())
def test_matmul_inner_mismatch_names_both_shapes_and_the_rule(data):
    batch = data.draw(hnp.array_shapes(min_dims=0, max_dims=2, min_side=1, max_side=3))
    n, m = data.draw(st.integers(0, 3)), data.draw(st.integers(0, 3))
    k1, k2 = data.draw(st.lists(st.integers(0, 4), min_size=2, max_size=2, unique=True))
    a_shape = data.draw(st.sampled_from([batch + (n, k1), (k1,)]))
    b_shape = data.draw(st.sampled_from([batch + (k2, m), (k2,)]))
    a, b = np.ones(a_shape), np.ones(b_shape)
    for args in ((a, b), (Variable(a), Variable(b))):
        with pytest.raises(ShapeError) as info:
            refimpl.matmul(*args)
        msg = str(info.value)
        assert isinstance(info.value, ValueError)
        assert str(a_shape) in msg and str(b_shape) in msg and MATMUL_RULE in msg


def test_matmul_batch_axes_that_do_not_broadcast_and_scalars_raise():
    with pytest.raises(ShapeError) as info:
        refimpl.matmul(np.ones((2, 3, 4)), np.ones((5, 4, 2)))
    assert "(2, 3, 4)" in str(info.value) and "(5, 4, 2)" in str(info.value)
    with pytest.raises(ShapeError, match=r"\(\)"):
        refimpl.matmul(np.array(2.0), np.ones((2, 2)))


@st.composite
def non_broadcastable_pair(draw):
    """Two shapes that do not broadcast: aligned from the right, one pair of sides is
    unequal and neither is 1."""
    a = draw(hnp.array_shapes(min_dims=1, max_dims=5, min_side=0, max_side=3))
    i = draw(st.integers(1, len(a)))                     # the offending axis, from the right
    side = draw(st.integers(0, 4).filter(lambda d: d not in (1, a[-i])))
    if a[-i] == 1:                                       # pick an offending side for a too
        a = a[:-i] + (draw(st.integers(0, 4).filter(lambda d: d not in (1, side))),) + a[len(a) - i + 1:]
    b = list(draw(hnp.broadcastable_shapes(a, min_dims=i, max_dims=len(a), min_side=0, max_side=3)))
    b[-i] = side
    return a, tuple(b)


@pytest.mark.parametrize("op", ["add", "sub", "mul", "div"])
@given(shapes=non_broadcastable_pair())
def test_non_broadcastable_shapes_raise_naming_both(op, shapes):
    a_shape, b_shape = shapes
    assert not broadcasts_to(b_shape, a_shape) and not broadcasts_to(a_shape, b_shape)
    with pytest.raises(ShapeError) as info:
        getattr(refimpl, op)(np.ones(a_shape), Variable(np.ones(b_shape)))
    assert str(a_shape) in str(info.value) and str(b_shape) in str(info.value)
    assert op in str(info.value)


@given(data=st.data())
def test_reshape_to_a_wrong_size_raises(data):
    shape = data.draw(SHAPES)
    target = data.draw(SHAPES.filter(lambda t: math.prod(t) != math.prod(shape)))
    with pytest.raises(ShapeError) as info:
        refimpl.reshape(np.zeros(shape), target)
    assert str(shape) in str(info.value) and str(target) in str(info.value)


@given(data=st.data())
def test_sum_with_out_of_range_axis_raises(data):
    x = data.draw(arrays(SHAPES))
    bad = data.draw(st.integers(x.ndim, x.ndim + 3) | st.integers(-x.ndim - 3, -x.ndim - 1))
    for axis in (bad, (bad,)):
        with pytest.raises(ShapeError, match="out of range"):
            refimpl.sum(x, axis=axis)


def test_sum_naming_an_axis_twice_raises():
    with pytest.raises(ShapeError):
        refimpl.sum(np.ones((2, 3)), axis=(0, -2))


@pytest.mark.parametrize("shape, axes", [
    ((2, 3), (0,)),           # too few
    ((2, 3), (0, 1, 2)),      # too many
    ((2, 3), (0, 0)),         # repeated
    ((2, 3), (1, -1)),        # repeated through a negative alias
    ((2, 3), (0, 2)),         # out of range
    ((2, 3, 4), (0, 1, -4)),  # out of range, negative
])
def test_transpose_with_a_bad_permutation_raises(shape, axes):
    with pytest.raises(ShapeError) as info:
        refimpl.transpose(np.zeros(shape), axes)
    assert str(shape) in str(info.value)


@given(n=st.integers(0, 5), m=st.integers(0, 5))
def test_dot_of_different_lengths_raises(n, m):
    if n == m:
        refimpl.dot(np.ones(n), np.ones(m))     # same length: fine
        return
    with pytest.raises(ShapeError) as info:
        refimpl.dot(np.ones(n), Variable(np.ones(m)))
    assert f"({n},)" in str(info.value) and f"({m},)" in str(info.value)


def test_dot_of_matrices_raises():
    with pytest.raises(ShapeError, match=r"\(2, 2\)"):
        refimpl.dot(np.ones((2, 2)), np.ones((2, 2)))


def test_broadcast_to_and_repeat_errors():
    with pytest.raises(ShapeError, match=r"\(3,\).*\(2, 4\)"):
        refimpl.broadcast_to(np.ones(3), (2, 4))
    with pytest.raises(ShapeError, match=r"axis 2"):
        refimpl.repeat(np.ones((2, 3)), 2, axis=2)


# ================================================================================== sum_to

def _expansion_factor(s, t) -> int:
    """How many copies of each element of s broadcasting to t makes."""
    lead = len(t) - len(s)
    return math.prod(t[:lead]) * math.prod(b for a, b in zip(s, t[lead:]) if a == 1)


@given(pair=shape_and_target())
def test_sum_to_undoes_broadcasting(pair):
    s, t = pair
    y = refimpl.sum_to(np.broadcast_to(np.ones(s), t), s)
    assert y.shape == s
    np.testing.assert_array_equal(y, np.full(s, float(_expansion_factor(s, t))))


@given(data=st.data())
def test_sum_to_is_the_adjoint_of_broadcast_to(data):
    # <sum_to(x, s), y> == <x, broadcast_to(y, t)> for all x of shape t and y of shape s
    s, t = data.draw(shape_and_target())
    x, y = data.draw(arrays(t), label="x"), data.draw(arrays(s), label="y")
    lhs = np.sum(refimpl.sum_to(x, s) * y)
    rhs = np.sum(x * np.broadcast_to(y, t))
    np.testing.assert_allclose(lhs, rhs, rtol=1e-12, atol=1e-12 * np.sum(np.abs(x)) * 10)


@given(data=st.data())
def test_sum_to_an_impossible_target_raises(data):
    t = data.draw(SHAPES, label="t")
    s = data.draw(SHAPES.filter(lambda s: not broadcasts_to(s, t)), label="s")
    with pytest.raises(ShapeError):
        refimpl.sum_to(np.ones(t), s)


# ====================================================================== numerical_gradient

@given(data=st.data())
def test_numerical_gradient_shape_dtype_no_mutation_and_cost(data):
    dtype = data.draw(st.sampled_from([np.float16, np.float32, np.float64]), label="dtype")
    x = data.draw(arrays(SHAPES), label="x").astype(dtype)
    c = data.draw(arrays(x.shape, floats(-1, 1)), label="c")
    before = x.copy()
    calls = []

    def f(v):
        calls.append(1)
        assert v.dtype == np.float64 and v.shape == x.shape
        return float(np.sum(np.sin(v) * c))

    g = refimpl.numerical_gradient(f, x)
    assert type(g) is np.ndarray and g.shape == x.shape and g.dtype == np.float64
    assert x.dtype == before.dtype and x.tobytes() == before.tobytes()   # untouched, bitwise
    assert len(calls) == 2 * x.size
    # d/dx sum(sin(x) c) = cos(x) c. Central differences, h = cbrt(eps) max(1, |x|) <= 6.1e-5:
    # truncation h^2/6 |c| <= 6.2e-10 |c|; rounding ~ eps sum|c| / h <= 4e-11 sum|c|.
    np.testing.assert_allclose(g, np.cos(x.astype(np.float64)) * c,
                               rtol=1e-7, atol=1e-8 * (1 + np.sum(np.abs(c))))


@given(x=floats(-10, 10))
def test_numerical_derivative_of_a_cubic(x):
    # d(x^3)/dx = 3x^2; the central difference of a cubic is exact up to h^2 (f''' = 6):
    # error h^2 = (cbrt(eps) max(1,|x|))^2 <= 3.7e-9, plus rounding ~ eps |x|^3 / h.
    np.testing.assert_allclose(refimpl.numerical_derivative(lambda t: t ** 3, x), 3 * x * x,
                               rtol=1e-8, atol=1e-8)
