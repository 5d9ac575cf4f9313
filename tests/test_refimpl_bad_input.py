"""Nothing wrong in silence: every bad argument gets a clear error at the public boundary.

Part one: activations, shapes, dtypes, losses (part two, autodiff, optimizers, training
and models: test_refimpl_bad_input_training.py). One parametrised matrix per area: each case is a call, the exception type and the whole
message ("<function>: <argument> must be <expectation>, got <value>"). The rules live
once, in refimpl/_checks.py; what numpy and torch answer with NaN/inf stays an answer.
"""

from __future__ import annotations

import math

import ml_dtypes
import numpy as np
import pytest
from _messages import case, exactly

import refimpl
from refimpl import activations as A
from refimpl import losses as L
from refimpl._arrays import ShapeError
from refimpl.autodiff import Variable, sum_to
from refimpl.models import Linear, Perceptron, least_squares
from refimpl.optim import SGD

INF, NAN = math.inf, math.nan
X = np.array([-1.0, 0.0, 2.0])
HALF, ONE = np.full(2, 0.5), np.ones(2)


# ========================================================================== activations

ACTIVATIONS = [
    case(lambda: A.gelu(X, approximate="exact"), ValueError,
          "gelu: approximate must be one of (False, True, 'none', 'tanh'), got 'exact'", "gelu-str"),
    case(lambda: A.gelu(X, approximate="Tanh"), ValueError,
          "gelu: approximate must be one of (False, True, 'none', 'tanh'), got 'Tanh'", "gelu-case"),
    case(lambda: A.gelu(X, approximate=1), ValueError,
          "gelu: approximate must be one of (False, True, 'none', 'tanh'), got 1", "gelu-1"),
    case(lambda: A.gelu(X, approximate=None), ValueError,
          "gelu: approximate must be one of (False, True, 'none', 'tanh'), got None", "gelu-None"),
    case(lambda: A.leaky_relu(X, slope=NAN), ValueError,
          "leaky_relu: slope must be a finite number, got nan", "leaky-nan"),
    case(lambda: A.leaky_relu(X, slope=np.float64(INF)), ValueError,
          "leaky_relu: slope must be a finite number, got inf", "leaky-np-inf"),
    case(lambda: A.leaky_relu(X, slope="0.1"), ValueError,
          "leaky_relu: slope must be a finite number, got '0.1'", "leaky-str"),
    case(lambda: A.elu(X, alpha=-INF), ValueError,
          "elu: alpha must be a finite number, got -inf", "elu-inf"),
    case(lambda: A.elu(X, alpha=True), ValueError,
          "elu: alpha must be a finite number, got True", "elu-bool"),
    case(lambda: A.softmax(X, axis=None), ValueError,
          "softmax: axis must be an int, got None", "softmax-None"),
    case(lambda: A.softmax(X, axis=0.0), ValueError,
          "softmax: axis must be an int, got 0.0", "softmax-float"),
    case(lambda: A.log_softmax(X, axis=None), ValueError,
          "log_softmax: axis must be an int, got None", "log_softmax-None"),
    case(lambda: A.log_softmax(X, axis=1), ShapeError,
          "log_softmax: axis 1 is out of range for an input of shape (3,); the input needs "
          "at least one axis", "log_softmax-range"),
]


@pytest.mark.parametrize("call, error, message", ACTIVATIONS)
def test_activations_refuse_bad_arguments(call, error, message):
    with pytest.raises(error, match=exactly(message)):
        call()


@pytest.mark.parametrize("approximate, tanh_form", [
    (False, False), (True, True), ("none", False), ("tanh", True),
    (np.bool_(True), True), (np.bool_(False), False)])
def test_gelu_reads_torchs_strings_and_bools(approximate, tanh_form):
    """"none" is the exact form (bool("none") would have said tanh)."""
    x = np.array([1.0])
    want = A.gelu(x, approximate=tanh_form)
    np.testing.assert_array_equal(A.gelu(x, approximate=approximate), want)
    assert A.gelu(x, approximate=True)[0] != A.gelu(x, approximate=False)[0]


# =============================================================================== shapes

BROADCAST = "the rule is that, aligned from the right, each pair of sizes is equal or one of them is 1"
MATMUL = "the rule is (..., n, k) @ (..., k, m) -> (..., n, m)"
FEATURES = "the last axis holds the features"

SHAPES = [
    case(lambda: refimpl.add(np.ones(2), Variable(np.ones(3))), ShapeError,
          f"add: shapes (2,) and (3,) do not broadcast; {BROADCAST}", "add"),
    case(lambda: refimpl.matmul(np.ones((2, 3)), np.ones((2, 3))), ShapeError,
          f"matmul: shapes (2, 3) and (2, 3) do not fit; {MATMUL}, and here k = 3 on the left "
          "but 2 on the right", "matmul-k"),
    case(lambda: refimpl.matmul(np.ones(()), np.ones(3)), ShapeError,
          f"matmul: shapes () and (3,) do not fit; {MATMUL}, and a scalar (rank 0) has no axis "
          "to contract: use mul", "matmul-scalar"),
    case(lambda: refimpl.matmul(np.ones((2, 3, 4)), np.ones((5, 4, 2))), ShapeError,
          f"matmul: shapes (2, 3, 4) and (5, 4, 2) do not fit; {MATMUL}, and the batch axes "
          "(2,) and (5,) do not broadcast", "matmul-batch"),
    case(lambda: refimpl.dot(np.ones((2, 2)), np.ones((2, 2))), ShapeError,
          "dot: shapes (2, 2) and (2, 2) do not fit; the rule is two rank-1 vectors of the same "
          "length: (n,) . (n,) -> ()", "dot-matrices"),
    case(lambda: refimpl.cosine_similarity(np.ones(()), np.ones(())), ShapeError,
          "cosine_similarity: needs at least one axis to reduce, got two scalars", "cosine-scalars"),
    case(lambda: refimpl.broadcast_to(np.ones(3), (2, 4)), ShapeError,
          "broadcast_to: shape (3,) cannot be broadcast to (2, 4); the rule is that, aligned from "
          "the right, each size of x is 1 or equals the target's", "broadcast_to"),
    case(lambda: refimpl.reshape(np.ones((2, 3)), (4,)), ShapeError,
          "reshape: cannot reshape (2, 3) (size 6) to (4,); the rule is that the number of "
          "elements stays the same", "reshape"),
    case(lambda: refimpl.reshape(np.ones(4), (2.0, 2)), ValueError,
          "reshape: shape must be an int or a tuple of ints, got (2.0, 2)", "reshape-float"),
    case(lambda: refimpl.sum(np.ones((2, 3)), axis=2), ShapeError,
          "sum: axis 2 is out of range for a rank-2 tensor", "sum-axis-range"),
    case(lambda: refimpl.sum(np.ones((2, 3)), axis=(0, -2)), ShapeError,
          "sum: axis (0, -2) names an axis twice", "sum-axis-twice"),
    case(lambda: refimpl.sum(np.ones(2), axis=1.0), ValueError,
          "sum: axis must be an int or a tuple of ints, got 1.0", "sum-axis-float"),
    # axis 2 == ndim, with the others a permutation once 2 wraps to 0: still out of range
    case(lambda: refimpl.transpose(np.ones((2, 3)), (2, 1)), ShapeError,
          "transpose: axes (2, 1) are not a permutation of the 2 axes of (2, 3)",
          "transpose-axis-ndim"),
    case(lambda: refimpl.transpose(np.ones((2, 3)), "ab"), ValueError,
          "transpose: axes must be an int or a tuple of ints, got 'ab'", "transpose-str"),
    case(lambda: refimpl.repeat(np.ones((2, 3)), 2, axis=2), ShapeError,
          "repeat: axis 2 is out of range for shape (2, 3)", "repeat-axis"),
    case(lambda: refimpl.repeat(np.ones(2), -1, axis=0), ValueError,
          "repeat: n must be an int >= 0, got -1", "repeat-negative"),
    case(lambda: refimpl.repeat(np.ones(2), 2.0, axis=0), ValueError,
          "repeat: n must be an int >= 0, got 2.0", "repeat-float"),
    case(lambda: refimpl.branch(np.ones(2), 0), ValueError,
          "branch: n must be an int >= 1, got 0", "branch-n0"),
    case(lambda: refimpl.repeat(np.ones(2), 2, axis=1.5), ValueError,
          "repeat: axis must be an int, got 1.5", "repeat-axis-float"),
    case(lambda: refimpl.broadcast_to(np.ones(2), None), ValueError,
          "broadcast_to: shape must be an int or a tuple of ints, got None", "broadcast_to-None"),
    case(lambda: refimpl.sum(np.ones(2), keepdims=1), ValueError,
          "sum: keepdims must be True or False, got 1", "sum-keepdims-int"),
    case(lambda: refimpl.cosine_similarity(np.ones(2), np.ones(2), axis=None), ValueError,
          "cosine_similarity: axis must be an int, got None", "cosine-axis-None"),
    case(lambda: sum_to(np.ones(3), (2, 3)), ShapeError,
          "sum_to: cannot sum shape (3,) to the larger rank of (2, 3)", "sum_to-rank"),
    case(lambda: sum_to(np.ones((2, 3)), (2,)), ShapeError,
          "sum_to: shape (2, 3) does not broadcast from (2,)", "sum_to-broadcast"),
    case(lambda: A.softmax(np.float64(1.0)), ShapeError,
          "softmax: axis -1 is out of range for an input of shape (); the input needs at least "
          "one axis", "softmax-scalar"),
    case(lambda: L.cross_entropy(np.ones((2, 3)), np.array([0, 1, 2])), ShapeError,
          "cross_entropy: class-index targets have shape (3,), expected (2,) (the input's shape "
          "(2, 3) without its class axis)", "ce-labels"),
    case(lambda: Linear(2, 3, rng=np.random.default_rng(0))(np.ones((4, 3))), ShapeError,
          f"Linear: input has shape (4, 3), expected (..., 2): {FEATURES}", "linear-input"),
    case(lambda: Linear(2, 3, W=np.ones((3, 2))), ShapeError,
          "Linear(2, 3): W must have shape (2, 3) and b (3,), got (3, 2) and (3,)", "linear-W"),
    case(lambda: Perceptron(2).predict(np.ones(3)), ShapeError,
          f"Perceptron: input has shape (3,), expected (..., 2): {FEATURES}", "perceptron-input"),
    case(lambda: Perceptron(2).fit(np.ones(4), np.ones(4)), ShapeError,
          "Perceptron.fit: x must be (N, 2) and t (N,), got (4,) and (4,)", "perceptron-1d"),
    case(lambda: Perceptron(2).fit(np.ones((4, 3)), np.ones(4)), ShapeError,
          f"Perceptron.fit: input has shape (4, 3), expected (..., 2): {FEATURES}",
          "perceptron-features"),
    case(lambda: least_squares(np.ones((3, 1)), np.ones((2, 1))), ShapeError,
          "least_squares: x must be (N, n) and t (N, m), got (3, 1) and (2, 1)", "lstsq-N"),
    case(lambda: least_squares(np.ones(3), np.ones((3, 1))), ShapeError,
          "least_squares: x must be (N, n) and t (N, m), got (3,) and (3, 1)", "lstsq-rank"),
    case(lambda: Variable(np.ones(2)).backward(np.ones(3)), ShapeError,
          "backward(grad): grad has shape (3,) but the variable has shape (2,); the upstream "
          "gradient must have the variable's shape", "backward-grad"),
    case(lambda: SGD([np.ones(2)]).step([np.ones(3)]), ShapeError,
          "SGD.step(): the gradient of parameter 0 has shape (3,), the parameter (2,); a "
          "gradient has its parameter's shape", "step-grad"),
]


@pytest.mark.parametrize("call, error, message", SHAPES)
def test_shapes_that_break_a_rule_are_refused(call, error, message):
    """Each message names the op, both shapes (or the argument) and the rule."""
    with pytest.raises(error, match=exactly(message)):
        call()


# =============================================================================== dtypes

REAL = "must be a real floating-point array (float16, bfloat16, float32, float64; bools and " \
       "ints become float64), got dtype"

DTYPES = [
    case(lambda: A.sigmoid(np.ones(2, complex)), TypeError,
          f"sigmoid: x {REAL} complex128", "sigmoid-complex"),
    case(lambda: A.relu(np.array(["a"])), TypeError, f"relu: x {REAL} <U1", "relu-str"),
    case(lambda: A.leaky_relu(np.array([1, None])), TypeError,
          f"leaky_relu: x {REAL} object", "leaky-object"),
    case(lambda: refimpl.add(np.ones(2), np.ones(2, np.longdouble)), TypeError,
          f"add: b {REAL} {np.dtype(np.longdouble)}", "add-longdouble"),
    case(lambda: refimpl.matmul(np.array(["2020-01-01"], "datetime64[D]"), np.ones(1)),
          TypeError, f"matmul: a {REAL} datetime64[D]", "matmul-datetime"),
    case(lambda: refimpl.add([[1.0], [1.0, 2.0]], 1.0), TypeError,
          "add: a must be a real floating-point array, got a list numpy cannot make one of "
          "(setting an array element with a sequence. The requested array has an inhomogeneous "
          "shape after 1 dimensions. The detected shape was (2,) + inhomogeneous part.)",
          "add-ragged"),
    case(lambda: refimpl.cosine_similarity(np.ones(2), np.ones(2, complex)), TypeError,
          f"cosine_similarity: b {REAL} complex128", "cosine-complex"),
    case(lambda: L.mse(np.ones(2), np.array(["a", "b"])), TypeError,
          f"mse: input 1 {REAL} <U1", "mse-str"),
    case(lambda: L.cross_entropy(np.zeros((2, 3)), np.array([0.0, 1.0])), TypeError,
          "cross_entropy: class-index targets must be integers, got dtype float64", "ce-float-labels"),
    case(lambda: Variable(np.ones(2, np.complex64)), TypeError,
          f"Variable: data {REAL} complex64", "variable-complex"),
    case(lambda: Linear(2, 1, W=np.ones((2, 1), complex)), TypeError,
          f"Linear: W {REAL} complex128", "linear-W-complex"),
    case(lambda: least_squares(np.ones((2, 1), complex), np.ones((2, 1))), TypeError,
          f"least_squares: x {REAL} complex128", "lstsq-complex"),
    case(lambda: least_squares(np.ones((2, 1)), np.ones((2, 1), complex)), TypeError,
          f"least_squares: t {REAL} complex128", "lstsq-t-complex"),
    case(lambda: Linear(2, 1, b=np.array(["0"])), TypeError,
          f"Linear: b {REAL} <U1", "linear-b-str"),
    case(lambda: (Variable(np.ones(2)) * 2.0).backward(np.array([1 + 2j, 1])), TypeError,
          "backward(grad): grad must be a real array, got dtype complex128", "backward-complex"),
    case(lambda: (Variable(np.ones(2)) * 2.0).backward(np.array(["1", "2"])), TypeError,
          "backward(grad): grad must be a real array, got dtype <U1", "backward-str"),
    case(lambda: (Variable(np.ones(2)) * 2.0).backward(np.array([None, None])), TypeError,
          "backward(grad): grad must be a real array, got dtype object", "backward-object"),
]


@pytest.mark.parametrize("call, error, message", DTYPES)
def test_dtypes_refimpl_does_not_compute_in_are_refused(call, error, message):
    """A complex part would be dropped, a string or object has no arithmetic, and refimpl's
    accuracy claims hold for its four floating dtypes only (not long double)."""
    with pytest.raises(error, match=exactly(message)):
        call()


@pytest.mark.parametrize("a, b, want", [
    (np.ones(2, np.float16), np.ones(2, ml_dtypes.bfloat16), np.float32),
    (np.ones(2, np.float16), np.ones(2, np.int64), np.float16),
    (np.ones(2, ml_dtypes.bfloat16), np.array([True, False]), ml_dtypes.bfloat16),
    (np.ones(2, np.float32), 2.0, np.float32),
    (np.ones(2, np.float32), True, np.float32),
    (np.ones(2, np.int64), np.ones(2, np.int8), np.float64),
], ids=["f16-bf16", "f16-int64", "bf16-bool", "f32-number", "f32-bool", "ints"])
def test_mixed_dtypes_promote_as_torch_and_jax_do(a, b, want):
    """float16 with bfloat16 is float32; an integer or bool operand (array or number) takes
    the floating operand's dtype; integers alone compute in float64 (refimpl's default)."""
    assert refimpl.mul(a, b).dtype == want


# =============================================================================== losses

LOSSES = [
    case(lambda: L.binary_cross_entropy(HALF, np.array([0, 2])), ValueError,
          "binary_cross_entropy: targets t must lie in [0, 1]; found 2.0 at index (1,)",
          "bce-int-target"),    # shown as the float the check compared
    case(lambda: L.cross_entropy(np.array(1.0), np.array(1.0)), ShapeError,
          "cross_entropy: the input needs a class axis (last); got a scalar", "ce-soft-scalar"),
    case(lambda: L.binary_cross_entropy(HALF, np.array([0.0, NAN])), ValueError,
          "binary_cross_entropy: targets t must lie in [0, 1]; found nan at index (1,)",
          "bce-nan-target"),
    case(lambda: L.binary_cross_entropy(np.array([NAN, 0.5]), ONE), ValueError,
          "binary_cross_entropy: probabilities p must lie in [0, 1]; found nan at index (0,)",
          "bce-nan-p"),
    case(lambda: L.binary_cross_entropy_with_logits(HALF, np.array([NAN, 1.0])), ValueError,
          "binary_cross_entropy_with_logits: targets t must lie in [0, 1]; found nan at "
          "index (0,)", "bcel-nan-target"),
    case(lambda: L.binary_cross_entropy(np.array([0.5, 1.5]), ONE), ValueError,
          "binary_cross_entropy: probabilities p must lie in [0, 1]; found 1.5 at index (1,)",
          "bce-p-1.5-printed-plain"),
    case(lambda: L.cross_entropy(np.zeros((1, 2)), np.array([[-1.0, 2.0]])), ValueError,
          "cross_entropy: soft targets t must be >= 0; found -1.0 at index (0, 0)",
          "ce-negative-soft"),
    case(lambda: L.cross_entropy(np.zeros((2, 2)), np.array([[0.5, 0.5], [NAN, 1.0]])),
          ValueError, "cross_entropy: soft targets t must be >= 0; found nan at index (1, 0)",
          "ce-nan-soft"),
    case(lambda: L.gaussian_nll(HALF, ONE, ONE, eps=-1), ValueError,
          "gaussian_nll: eps must be a finite number > 0, got -1", "gnll-eps-neg"),
    case(lambda: L.gaussian_nll(HALF, ONE, ONE, eps=0), ValueError,
          "gaussian_nll: eps must be a finite number > 0, got 0", "gnll-eps-0"),
    case(lambda: L.gaussian_nll(HALF, ONE, ONE, eps=NAN), ValueError,
          "gaussian_nll: eps must be a finite number > 0, got nan", "gnll-eps-nan"),
    case(lambda: L.gaussian_nll(HALF, ONE, ONE, eps=INF), ValueError,
          "gaussian_nll: eps must be a finite number > 0, got inf", "gnll-eps-inf"),
    case(lambda: L.gaussian_nll(HALF, ONE, ONE, full="yes"), ValueError,
          "gaussian_nll: full must be True or False, got 'yes'", "gnll-full-str"),
    case(lambda: L.huber(HALF, ONE, delta=0), ValueError,
          "huber: delta must be a number > 0 (or inf), got 0", "huber-0"),
    case(lambda: L.huber(HALF, ONE, delta=NAN), ValueError,
          "huber: delta must be a number > 0 (or inf), got nan", "huber-nan"),
    case(lambda: L.huber(HALF, ONE, delta=-INF), ValueError,
          "huber: delta must be a number > 0 (or inf), got -inf", "huber-neg-inf"),
    case(lambda: L.mse(HALF, ONE, reduction="avg"), ValueError,
          "mse: reduction must be one of ('mean', 'sum', 'none'), got 'avg'", "reduction-typo"),
    case(lambda: L.mae(HALF, ONE, reduction=None), ValueError,
          "mae: reduction must be one of ('mean', 'sum', 'none'), got None", "reduction-None"),
]


@pytest.mark.parametrize("call, error, message", LOSSES)
def test_losses_refuse_bad_arguments(call, error, message):
    with pytest.raises(error, match=exactly(message)):
        call()


def test_a_nan_logit_is_an_answer_not_an_error():
    """binary_cross_entropy_with_logits(NaN, 1) is NaN, as in torch: NaN in, NaN out.
    (binary_cross_entropy refuses a NaN probability, as torch does: it is no probability.)"""
    assert np.isnan(L.binary_cross_entropy_with_logits(np.array([NAN]), np.array([1.0])))
