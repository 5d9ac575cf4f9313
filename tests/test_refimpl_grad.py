"""Numpy-only tests: every refimpl op, forward and backward, on hypothesis-drawn inputs.

One table, ``OPS`` (tests/_grad_ops.py), drives every test here (tinygrad-style): an op is
one line,

    name: Op(case strategy, refimpl callable, independent numpy forward)

where the case strategy draws ``(inputs, params)``. Then

* ``test_forward_matches_numpy``          -- refimpl's forward equals a plain numpy formula;
* ``test_backward_matches_numerical_gradient`` -- ``y.backward(g)`` on Variables gives, for each
  input, ``numerical_gradient(lambda x: sum(op(x) * g))`` in float64, for a random cotangent g;
* ``test_gradient_has_input_shape_and_dtype`` -- the op contract, for float16, bfloat16,
  float32 and float64 inputs (and ``test_mixed_dtypes_...`` for the binary ops);
* ``test_plain_in_plain_out_variables_in_variable_out`` -- the type contract;
* ``test_low_precision_is_computed_in_float32_and_rounded_once`` -- add/mul/exp/log.

Inputs: rank 0 to 5, sides 0 to 3 (so zero-size axes are common), broadcastable pairs from
``hnp.mutually_broadcastable_shapes``, values with |x| <= 10; log, pow and the divisor are kept
in [0.5, 10] (in absolute value), and cosine similarity's vectors have every entry at least
0.5 in absolute value, so every norm is >= 0.5, far from its eps floor.
"""

from __future__ import annotations

import math

import ml_dtypes
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import refimpl
from _grad_ops import OPS, PAIRS, arrays, floats, op_params
from comparisons.reference import vjp_loss


def as_tuple(y):
    return y if isinstance(y, tuple) else (y,)


def backprop(outputs, cotangents):
    """Backpropagate the cotangents g_i of the outputs y_i of one op call.

    One output: ``y.backward(g)``. Several (branch): ``sum_i sum(y_i * g_i)``, built from
    refimpl ops (``reference.vjp_loss``, the comparisons' own), is one scalar whose gradient
    is the same vector-Jacobian product.
    """
    if len(outputs) == 1:
        outputs[0].backward(cotangents[0])
        return
    vjp_loss(outputs, cotangents).backward()


# ============================================================================== forward

@pytest.mark.parametrize("name", op_params())
@given(data=st.data())
def test_forward_matches_numpy(name, data):
    op = OPS[name]
    xs, kw = data.draw(op.case, label="inputs, params")
    got, want = as_tuple(op.fn(*xs, **kw)), as_tuple(op.ref(*xs, **kw))
    assert len(got) == len(want)
    for y, w in zip(got, want):
        assert y.shape == np.shape(w)
        assert y.dtype == np.float64
        # float64 throughout; only reduction order may differ (dot, cosine), a few ulps
        np.testing.assert_allclose(y, w, rtol=1e-13, atol=1e-13 * (1 + np.max(np.abs(w), initial=0)))


# ============================================================================= backward

# Tolerance of the gradient check (numerical_gradient uses central differences with step
# h = cbrt(eps) * max(1, |x|), 6.06e-6 <= h <= 6.06e-5 for |x| <= 10):
#
#  * truncation error ~ h^2/6 * |f'''|. Relative to f' that is at most ~1e-9 on our domains
#    (exp: f'''/f' = 1, h^2/6 <= 6.1e-10; log, pow, div and cosine: |f'''/f'| <= ~80 with
#    h = 6.06e-6 where |x| < 1, i.e. <= ~5e-10); the bilinear ops (add, mul, matmul, dot, sum,
#    the shape ops) have none. Hence rtol = 1e-7, a factor >= 100 above it.
#  * rounding error: F = sum(op(x) * g) is summed exactly (math.fsum), so each evaluation is
#    off by a few ulps of the terms it is made of, S = sum |op(x) * g| (and of matmul's inner
#    products); divided by 2h that is <~ 16 * eps * S / 1.2e-5 ~ 3e-10 * S. Hence
#    atol = 1e-8 * (1 + S), a factor ~30 above it.
#
# Measured: over 1500 examples per op, the largest error was 0.6% of this tolerance (exp).
# Any real backward bug (a forgotten term, a wrong sign, a missing sum_to) is an O(1) relative
# error, many orders of magnitude above both; a backward off by a factor (1 + 1e-5) fails.
GRAD_RTOL, GRAD_ATOL_PER_TERM = 1e-7, 1e-8


def _fsum_of_products(ys, gs) -> float:
    """sum_i sum(y_i * g_i), correctly rounded: the sum adds no rounding error of its own."""
    return math.fsum(t for y, g in zip(ys, gs) for t in (np.asarray(y) * g).ravel().tolist())


@pytest.mark.parametrize("name", op_params())
@given(data=st.data())
def test_backward_matches_numerical_gradient(name, data):
    op = OPS[name]
    xs, kw = data.draw(op.case, label="inputs, params")
    ys = as_tuple(op.fn(*xs, **kw))
    gs = tuple(
        data.draw(arrays(y.shape, floats(-1, 1)), label=f"cotangent {i}") for i, y in enumerate(ys)
    )

    vs = [refimpl.Variable(x) for x in xs]
    backprop(as_tuple(op.fn(*vs, **kw)), gs)

    scale = 1.0 + math.fsum(float(np.sum(np.abs(y * g))) for y, g in zip(ys, gs))
    for i, (x, v) in enumerate(zip(xs, vs)):

        def F(xi, i=i):
            args = list(xs)
            args[i] = xi
            return _fsum_of_products(as_tuple(op.fn(*args, **kw)), gs)

        want = refimpl.numerical_gradient(F, x)
        assert v.grad is not None, f"input {i} got no gradient"
        np.testing.assert_allclose(
            v.grad, want, rtol=GRAD_RTOL, atol=GRAD_ATOL_PER_TERM * scale,
            err_msg=f"{name}: gradient of input {i} (shape {x.shape}), params {kw}",
        )


# =================================================================== the dtype contract



DTYPES = [np.float16, ml_dtypes.bfloat16, np.float32, np.float64]


@pytest.mark.parametrize("name", op_params())
@given(data=st.data())
def test_gradient_has_input_shape_and_dtype(name, data):
    op = OPS[name]
    dtype = np.dtype(data.draw(st.sampled_from(DTYPES), label="dtype"))
    xs, kw = data.draw(op.case, label="inputs, params")
    xs = [x.astype(dtype) for x in xs]
    vs = [refimpl.Variable(x) for x in xs]
    ys = as_tuple(op.fn(*vs, **kw))
    for y in ys:
        assert isinstance(y, refimpl.Variable)
        assert y.dtype == dtype, f"{name} promoted {dtype} to {y.dtype}"
    gs = tuple(np.linspace(-1, 1, y.size).reshape(y.shape).astype(dtype) for y in ys)
    backprop(ys, gs)
    # the values: the same numbers in float64, then rounded, to a few units of the dtype
    wide = [refimpl.Variable(x.astype(np.float64)) for x in xs]
    wide_ys = as_tuple(op.fn(*wide, **kw))
    backprop(wide_ys, tuple(g.astype(np.float64) for g in gs))
    for y, w in zip(ys, wide_ys):
        _close_in(dtype, y.data, w.data, f"{name} forward")
    for i, (x, v, w) in enumerate(zip(xs, vs, wide)):
        assert type(v.grad) is np.ndarray, f"input {i}: grad is {type(v.grad).__name__}"
        assert v.grad.shape == x.shape, f"input {i}: grad shape {v.grad.shape} != {x.shape}"
        assert v.grad.dtype == x.dtype, f"input {i}: grad dtype {v.grad.dtype} != {x.dtype}"
        _close_in(dtype, v.grad, w.grad, f"{name} gradient of input {i}")


def _close_in(dtype, got, want, what):
    """got (in dtype) within 4 units of dtype of the float64 answer (a sum's units are those
    of its largest term: the 1 + max|want| floor)."""
    eps = float(ml_dtypes.finfo(dtype).eps)
    np.testing.assert_allclose(np.asarray(got, np.float64), want, rtol=4 * eps,
                               atol=4 * eps * (1 + np.max(np.abs(want), initial=0)), err_msg=what)


BINARY = ["add", "sub", "mul", "div", "matmul", "dot", "cosine_similarity"]
MIXED = [(np.float32, np.float64), (np.float64, np.float32), (np.float16, np.float32),
         (ml_dtypes.bfloat16, np.float32), (np.float32, np.float16), (np.float16, np.float64)]


@pytest.mark.parametrize("name", BINARY)
@given(data=st.data())
def test_mixed_dtypes_promote_forward_but_not_gradients(name, data):
    op = OPS[name]
    dtypes = data.draw(st.sampled_from(MIXED), label="dtypes")
    (a, b), kw = data.draw(op.case, label="inputs, params")
    a, b = a.astype(dtypes[0]), b.astype(dtypes[1])
    va, vb = refimpl.Variable(a), refimpl.Variable(b)
    y = op.fn(va, vb, **kw)
    promoted = np.promote_types(*dtypes)
    assert y.dtype == promoted
    y.backward(np.ones(y.shape, y.dtype))
    assert (va.grad.shape, va.grad.dtype) == (a.shape, a.dtype)
    assert (vb.grad.shape, vb.grad.dtype) == (b.shape, b.dtype)
    # the values: those of both inputs in the promoted dtype, each gradient then rounded
    # to its input's dtype (float16 and bfloat16 through float32, as every op rounds them)
    wa, wb = refimpl.Variable(a.astype(promoted)), refimpl.Variable(b.astype(promoted))
    wy = op.fn(wa, wb, **kw)
    wy.backward(np.ones(wy.shape, wy.dtype))
    np.testing.assert_array_equal(y.data, wy.data)
    for v, w in ((va, wa), (vb, wb)):
        want = w.grad.astype(np.float32) if v.dtype.itemsize < 4 else w.grad
        np.testing.assert_array_equal(v.grad, want.astype(v.dtype))


# ==================================================================== the type contract

@pytest.mark.parametrize("name", op_params())
@given(data=st.data())
def test_plain_in_plain_out_variables_in_variable_out(name, data):
    op = OPS[name]
    xs, kw = data.draw(op.case, label="inputs, params")
    for y in as_tuple(op.fn(*xs, **kw)):
        # exactly an ndarray: never a numpy scalar (np.float64), even for rank-0 results
        assert type(y) is np.ndarray, f"{name} on arrays returned {type(y).__name__}"
    only_first = [refimpl.Variable(xs[0])] + list(xs[1:])   # one Variable is enough
    for args in ([refimpl.Variable(x) for x in xs], only_first):
        for y in as_tuple(op.fn(*args, **kw)):
            assert type(y) is refimpl.Variable, f"{name} on Variables returned {type(y).__name__}"
            assert type(y.data) is np.ndarray
            assert y.creator is not None


RANK0 = [
    ("add", lambda: refimpl.add(np.array(1.5), np.array(2.0))),
    ("neg", lambda: refimpl.neg(np.array(1.5))),
    ("exp", lambda: refimpl.exp(np.array(0.5))),
    ("log", lambda: refimpl.log(np.array(2.0))),
    ("pow", lambda: refimpl.pow(np.array(2.0), 3)),
    ("sum", lambda: refimpl.sum(np.ones((2, 3)))),
    ("sum_keepdims_rank0", lambda: refimpl.sum(np.array(4.0), keepdims=True)),
    ("reshape", lambda: refimpl.reshape(np.ones((1, 1)), ())),
    ("transpose", lambda: refimpl.transpose(np.array(4.0))),
    ("dot", lambda: refimpl.dot(np.ones(3), np.ones(3))),
    ("matmul", lambda: refimpl.matmul(np.ones(3), np.ones(3))),
    ("cosine_similarity", lambda: refimpl.cosine_similarity(np.ones(3), np.ones(3))),
    ("float32_sum", lambda: refimpl.sum(np.ones(3, np.float32))),
]


@pytest.mark.parametrize("make", [m for _, m in RANK0], ids=[n for n, _ in RANK0])
def test_rank0_results_are_arrays_not_numpy_scalars(make):
    y = make()
    assert type(y) is np.ndarray and y.ndim == 0


# ================================================= float16 / bfloat16: float32, rounded once

def _low_arrays(dtype, shape, lo, hi):
    # hypothesis draws float16 natively; bfloat16 is drawn in float32 and rounded to it
    base = np.float16 if dtype is np.float16 else np.float32
    width = 16 if dtype is np.float16 else 32
    return hnp.arrays(base, shape, elements=st.floats(lo, hi, width=width)).map(
        lambda a: a.astype(dtype)
    )


ELEMENTWISE = {
    "add": (2, -1000, 1000, refimpl.add, np.add),
    "mul": (2, -250, 250, refimpl.mul, np.multiply),
    "exp": (1, -20, 11, refimpl.exp, np.exp),
    "log": (1, 2.0**-10, 6e4, refimpl.log, np.log),
}


@pytest.mark.parametrize("name", list(ELEMENTWISE))
@given(data=st.data())
def test_low_precision_is_computed_in_float32_and_rounded_once(name, data):
    arity, lo, hi, fn, np_fn = ELEMENTWISE[name]
    dtype = data.draw(st.sampled_from([np.float16, ml_dtypes.bfloat16]), label="dtype")
    shapes = data.draw(PAIRS).input_shapes[:arity]
    xs = [data.draw(_low_arrays(dtype, s, lo, hi), label=f"x{i}") for i, s in enumerate(shapes)]
    got = fn(*xs)
    want = np_fn(*(x.astype(np.float32) for x in xs)).astype(dtype)
    assert got.dtype == np.dtype(dtype) and got.shape == want.shape
    # bit for bit (so -0.0 vs +0.0 and inf count too)
    np.testing.assert_array_equal(got.view(np.uint16), want.view(np.uint16),
                                  err_msg=f"{name} on {shapes}")
