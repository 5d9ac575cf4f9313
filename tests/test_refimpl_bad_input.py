"""Nothing wrong in silence: every bad argument gets a clear error at the public boundary.

One parametrised matrix per area: each case is a call, the exception type and the whole
message ("<function>: <argument> must be <expectation>, got <value>"). The rules live
once, in refimpl/_checks.py; what numpy and torch answer with NaN/inf stays an answer.
"""

from __future__ import annotations

import copy
import math

import ml_dtypes
import numpy as np
import pytest
from _messages import exactly

import refimpl
from refimpl import activations as A
from refimpl import losses as L
from refimpl._arrays import ShapeError
from refimpl.autodiff import Function, Variable, grad, sum_to
from refimpl.models import Linear, Perceptron, least_squares, mlp
from refimpl.optim import SGD, AdaGrad, Adam, AdamW, RMSProp
from refimpl.training import fit, minibatches, schedule

INF, NAN = math.inf, math.nan
X = np.array([-1.0, 0.0, 2.0])
HALF, ONE = np.full(2, 0.5), np.ones(2)


def _case(call, error, message, id):
    return pytest.param(call, error, message, id=id)


# ========================================================================== activations

ACTIVATIONS = [
    _case(lambda: A.gelu(X, approximate="exact"), ValueError,
          "gelu: approximate must be one of (False, True, 'none', 'tanh'), got 'exact'", "gelu-str"),
    _case(lambda: A.gelu(X, approximate="Tanh"), ValueError,
          "gelu: approximate must be one of (False, True, 'none', 'tanh'), got 'Tanh'", "gelu-case"),
    _case(lambda: A.gelu(X, approximate=1), ValueError,
          "gelu: approximate must be one of (False, True, 'none', 'tanh'), got 1", "gelu-1"),
    _case(lambda: A.gelu(X, approximate=None), ValueError,
          "gelu: approximate must be one of (False, True, 'none', 'tanh'), got None", "gelu-None"),
    _case(lambda: A.leaky_relu(X, slope=NAN), ValueError,
          "leaky_relu: slope must be a finite number, got nan", "leaky-nan"),
    _case(lambda: A.leaky_relu(X, slope=np.float64(INF)), ValueError,
          "leaky_relu: slope must be a finite number, got inf", "leaky-np-inf"),
    _case(lambda: A.leaky_relu(X, slope="0.1"), ValueError,
          "leaky_relu: slope must be a finite number, got '0.1'", "leaky-str"),
    _case(lambda: A.elu(X, alpha=-INF), ValueError,
          "elu: alpha must be a finite number, got -inf", "elu-inf"),
    _case(lambda: A.elu(X, alpha=True), ValueError,
          "elu: alpha must be a finite number, got True", "elu-bool"),
    _case(lambda: A.softmax(X, axis=None), ValueError,
          "softmax: axis must be an int, got None", "softmax-None"),
    _case(lambda: A.softmax(X, axis=0.0), ValueError,
          "softmax: axis must be an int, got 0.0", "softmax-float"),
    _case(lambda: A.log_softmax(X, axis=None), ValueError,
          "log_softmax: axis must be an int, got None", "log_softmax-None"),
    _case(lambda: A.log_softmax(X, axis=1), ShapeError,
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
    _case(lambda: refimpl.add(np.ones(2), Variable(np.ones(3))), ShapeError,
          f"add: shapes (2,) and (3,) do not broadcast; {BROADCAST}", "add"),
    _case(lambda: refimpl.matmul(np.ones((2, 3)), np.ones((2, 3))), ShapeError,
          f"matmul: shapes (2, 3) and (2, 3) do not fit; {MATMUL}, and here k = 3 on the left "
          "but 2 on the right", "matmul-k"),
    _case(lambda: refimpl.matmul(np.ones(()), np.ones(3)), ShapeError,
          f"matmul: shapes () and (3,) do not fit; {MATMUL}, and a scalar (rank 0) has no axis "
          "to contract: use mul", "matmul-scalar"),
    _case(lambda: refimpl.matmul(np.ones((2, 3, 4)), np.ones((5, 4, 2))), ShapeError,
          f"matmul: shapes (2, 3, 4) and (5, 4, 2) do not fit; {MATMUL}, and the batch axes "
          "(2,) and (5,) do not broadcast", "matmul-batch"),
    _case(lambda: refimpl.dot(np.ones((2, 2)), np.ones((2, 2))), ShapeError,
          "dot: shapes (2, 2) and (2, 2) do not fit; the rule is two rank-1 vectors of the same "
          "length: (n,) . (n,) -> ()", "dot-matrices"),
    _case(lambda: refimpl.cosine_similarity(np.ones(()), np.ones(())), ShapeError,
          "cosine_similarity: needs at least one axis to reduce, got two scalars", "cosine-scalars"),
    _case(lambda: refimpl.broadcast_to(np.ones(3), (2, 4)), ShapeError,
          "broadcast_to: shape (3,) cannot be broadcast to (2, 4); the rule is that, aligned from "
          "the right, each size of x is 1 or equals the target's", "broadcast_to"),
    _case(lambda: refimpl.reshape(np.ones((2, 3)), (4,)), ShapeError,
          "reshape: cannot reshape (2, 3) (size 6) to (4,); the rule is that the number of "
          "elements stays the same", "reshape"),
    _case(lambda: refimpl.reshape(np.ones(4), (2.0, 2)), ValueError,
          "reshape: shape must be an int or a tuple of ints, got (2.0, 2)", "reshape-float"),
    _case(lambda: refimpl.sum(np.ones((2, 3)), axis=2), ShapeError,
          "sum: axis 2 is out of range for a rank-2 tensor", "sum-axis-range"),
    _case(lambda: refimpl.sum(np.ones((2, 3)), axis=(0, -2)), ShapeError,
          "sum: axis (0, -2) names an axis twice", "sum-axis-twice"),
    _case(lambda: refimpl.sum(np.ones(2), axis=1.0), ValueError,
          "sum: axis must be an int or a tuple of ints, got 1.0", "sum-axis-float"),
    # axis 2 == ndim, with the others a permutation once 2 wraps to 0: still out of range
    _case(lambda: refimpl.transpose(np.ones((2, 3)), (2, 1)), ShapeError,
          "transpose: axes (2, 1) are not a permutation of the 2 axes of (2, 3)",
          "transpose-axis-ndim"),
    _case(lambda: refimpl.transpose(np.ones((2, 3)), "ab"), ValueError,
          "transpose: axes must be an int or a tuple of ints, got 'ab'", "transpose-str"),
    _case(lambda: refimpl.repeat(np.ones((2, 3)), 2, axis=2), ShapeError,
          "repeat: axis 2 is out of range for shape (2, 3)", "repeat-axis"),
    _case(lambda: refimpl.repeat(np.ones(2), -1, axis=0), ValueError,
          "repeat: n must be an int >= 0, got -1", "repeat-negative"),
    _case(lambda: refimpl.repeat(np.ones(2), 2.0, axis=0), ValueError,
          "repeat: n must be an int >= 0, got 2.0", "repeat-float"),
    _case(lambda: refimpl.branch(np.ones(2), 0), ValueError,
          "branch: n must be an int >= 1, got 0", "branch-n0"),
    _case(lambda: refimpl.repeat(np.ones(2), 2, axis=1.5), ValueError,
          "repeat: axis must be an int, got 1.5", "repeat-axis-float"),
    _case(lambda: refimpl.broadcast_to(np.ones(2), None), ValueError,
          "broadcast_to: shape must be an int or a tuple of ints, got None", "broadcast_to-None"),
    _case(lambda: refimpl.sum(np.ones(2), keepdims=1), ValueError,
          "sum: keepdims must be True or False, got 1", "sum-keepdims-int"),
    _case(lambda: refimpl.cosine_similarity(np.ones(2), np.ones(2), axis=None), ValueError,
          "cosine_similarity: axis must be an int, got None", "cosine-axis-None"),
    _case(lambda: sum_to(np.ones(3), (2, 3)), ShapeError,
          "sum_to: cannot sum shape (3,) to the larger rank of (2, 3)", "sum_to-rank"),
    _case(lambda: sum_to(np.ones((2, 3)), (2,)), ShapeError,
          "sum_to: shape (2, 3) does not broadcast from (2,)", "sum_to-broadcast"),
    _case(lambda: A.softmax(np.float64(1.0)), ShapeError,
          "softmax: axis -1 is out of range for an input of shape (); the input needs at least "
          "one axis", "softmax-scalar"),
    _case(lambda: L.cross_entropy(np.ones((2, 3)), np.array([0, 1, 2])), ShapeError,
          "cross_entropy: class-index targets have shape (3,), expected (2,) (the input's shape "
          "(2, 3) without its class axis)", "ce-labels"),
    _case(lambda: Linear(2, 3, rng=np.random.default_rng(0))(np.ones((4, 3))), ShapeError,
          f"Linear: input has shape (4, 3), expected (..., 2): {FEATURES}", "linear-input"),
    _case(lambda: Linear(2, 3, W=np.ones((3, 2))), ShapeError,
          "Linear(2, 3): W must have shape (2, 3) and b (3,), got (3, 2) and (3,)", "linear-W"),
    _case(lambda: Perceptron(2).predict(np.ones(3)), ShapeError,
          f"Perceptron: input has shape (3,), expected (..., 2): {FEATURES}", "perceptron-input"),
    _case(lambda: Perceptron(2).fit(np.ones(4), np.ones(4)), ShapeError,
          "Perceptron.fit: x must be (N, 2) and t (N,), got (4,) and (4,)", "perceptron-1d"),
    _case(lambda: Perceptron(2).fit(np.ones((4, 3)), np.ones(4)), ShapeError,
          f"Perceptron.fit: input has shape (4, 3), expected (..., 2): {FEATURES}",
          "perceptron-features"),
    _case(lambda: least_squares(np.ones((3, 1)), np.ones((2, 1))), ShapeError,
          "least_squares: x must be (N, n) and t (N, m), got (3, 1) and (2, 1)", "lstsq-N"),
    _case(lambda: least_squares(np.ones(3), np.ones((3, 1))), ShapeError,
          "least_squares: x must be (N, n) and t (N, m), got (3,) and (3, 1)", "lstsq-rank"),
    _case(lambda: Variable(np.ones(2)).backward(np.ones(3)), ShapeError,
          "backward(grad): grad has shape (3,) but the variable has shape (2,); the upstream "
          "gradient must have the variable's shape", "backward-grad"),
    _case(lambda: SGD([np.ones(2)]).step([np.ones(3)]), ShapeError,
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
    _case(lambda: A.sigmoid(np.ones(2, complex)), TypeError,
          f"sigmoid: x {REAL} complex128", "sigmoid-complex"),
    _case(lambda: A.relu(np.array(["a"])), TypeError, f"relu: x {REAL} <U1", "relu-str"),
    _case(lambda: A.leaky_relu(np.array([1, None])), TypeError,
          f"leaky_relu: x {REAL} object", "leaky-object"),
    _case(lambda: refimpl.add(np.ones(2), np.ones(2, np.longdouble)), TypeError,
          f"add: b {REAL} {np.dtype(np.longdouble)}", "add-longdouble"),
    _case(lambda: refimpl.matmul(np.array(["2020-01-01"], "datetime64[D]"), np.ones(1)),
          TypeError, f"matmul: a {REAL} datetime64[D]", "matmul-datetime"),
    _case(lambda: refimpl.add([[1.0], [1.0, 2.0]], 1.0), TypeError,
          "add: a must be a real floating-point array, got a list numpy cannot make one of "
          "(setting an array element with a sequence. The requested array has an inhomogeneous "
          "shape after 1 dimensions. The detected shape was (2,) + inhomogeneous part.)",
          "add-ragged"),
    _case(lambda: refimpl.cosine_similarity(np.ones(2), np.ones(2, complex)), TypeError,
          f"cosine_similarity: b {REAL} complex128", "cosine-complex"),
    _case(lambda: L.mse(np.ones(2), np.array(["a", "b"])), TypeError,
          f"mse: input 1 {REAL} <U1", "mse-str"),
    _case(lambda: L.cross_entropy(np.zeros((2, 3)), np.array([0.0, 1.0])), TypeError,
          "cross_entropy: class-index targets must be integers, got dtype float64", "ce-float-labels"),
    _case(lambda: Variable(np.ones(2, np.complex64)), TypeError,
          f"Variable: data {REAL} complex64", "variable-complex"),
    _case(lambda: Linear(2, 1, W=np.ones((2, 1), complex)), TypeError,
          f"Linear: W {REAL} complex128", "linear-W-complex"),
    _case(lambda: least_squares(np.ones((2, 1), complex), np.ones((2, 1))), TypeError,
          f"least_squares: x {REAL} complex128", "lstsq-complex"),
    _case(lambda: least_squares(np.ones((2, 1)), np.ones((2, 1), complex)), TypeError,
          f"least_squares: t {REAL} complex128", "lstsq-t-complex"),
    _case(lambda: Linear(2, 1, b=np.array(["0"])), TypeError,
          f"Linear: b {REAL} <U1", "linear-b-str"),
    _case(lambda: (Variable(np.ones(2)) * 2.0).backward(np.array([1 + 2j, 1])), TypeError,
          "backward(grad): grad must be a real array, got dtype complex128", "backward-complex"),
    _case(lambda: (Variable(np.ones(2)) * 2.0).backward(np.array(["1", "2"])), TypeError,
          "backward(grad): grad must be a real array, got dtype <U1", "backward-str"),
    _case(lambda: (Variable(np.ones(2)) * 2.0).backward(np.array([None, None])), TypeError,
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
    _case(lambda: L.binary_cross_entropy(HALF, np.array([0, 2])), ValueError,
          "binary_cross_entropy: targets t must lie in [0, 1]; found 2.0 at index (1,)",
          "bce-int-target"),    # shown as the float the check compared
    _case(lambda: L.cross_entropy(np.array(1.0), np.array(1.0)), ShapeError,
          "cross_entropy: the input needs a class axis (last); got a scalar", "ce-soft-scalar"),
    _case(lambda: L.binary_cross_entropy(HALF, np.array([0.0, NAN])), ValueError,
          "binary_cross_entropy: targets t must lie in [0, 1]; found nan at index (1,)",
          "bce-nan-target"),
    _case(lambda: L.binary_cross_entropy(np.array([NAN, 0.5]), ONE), ValueError,
          "binary_cross_entropy: probabilities p must lie in [0, 1]; found nan at index (0,)",
          "bce-nan-p"),
    _case(lambda: L.binary_cross_entropy_with_logits(HALF, np.array([NAN, 1.0])), ValueError,
          "binary_cross_entropy_with_logits: targets t must lie in [0, 1]; found nan at "
          "index (0,)", "bcel-nan-target"),
    _case(lambda: L.binary_cross_entropy(np.array([0.5, 1.5]), ONE), ValueError,
          "binary_cross_entropy: probabilities p must lie in [0, 1]; found 1.5 at index (1,)",
          "bce-p-1.5-printed-plain"),
    _case(lambda: L.cross_entropy(np.zeros((1, 2)), np.array([[-1.0, 2.0]])), ValueError,
          "cross_entropy: soft targets t must be >= 0; found -1.0 at index (0, 0)",
          "ce-negative-soft"),
    _case(lambda: L.cross_entropy(np.zeros((2, 2)), np.array([[0.5, 0.5], [NAN, 1.0]])),
          ValueError, "cross_entropy: soft targets t must be >= 0; found nan at index (1, 0)",
          "ce-nan-soft"),
    _case(lambda: L.gaussian_nll(HALF, ONE, ONE, eps=-1), ValueError,
          "gaussian_nll: eps must be a finite number > 0, got -1", "gnll-eps-neg"),
    _case(lambda: L.gaussian_nll(HALF, ONE, ONE, eps=0), ValueError,
          "gaussian_nll: eps must be a finite number > 0, got 0", "gnll-eps-0"),
    _case(lambda: L.gaussian_nll(HALF, ONE, ONE, eps=NAN), ValueError,
          "gaussian_nll: eps must be a finite number > 0, got nan", "gnll-eps-nan"),
    _case(lambda: L.gaussian_nll(HALF, ONE, ONE, eps=INF), ValueError,
          "gaussian_nll: eps must be a finite number > 0, got inf", "gnll-eps-inf"),
    _case(lambda: L.gaussian_nll(HALF, ONE, ONE, full="yes"), ValueError,
          "gaussian_nll: full must be True or False, got 'yes'", "gnll-full-str"),
    _case(lambda: L.huber(HALF, ONE, delta=0), ValueError,
          "huber: delta must be a number > 0 (or inf), got 0", "huber-0"),
    _case(lambda: L.huber(HALF, ONE, delta=NAN), ValueError,
          "huber: delta must be a number > 0 (or inf), got nan", "huber-nan"),
    _case(lambda: L.huber(HALF, ONE, delta=-INF), ValueError,
          "huber: delta must be a number > 0 (or inf), got -inf", "huber-neg-inf"),
    _case(lambda: L.mse(HALF, ONE, reduction="avg"), ValueError,
          "mse: reduction must be one of ('mean', 'sum', 'none'), got 'avg'", "reduction-typo"),
    _case(lambda: L.mae(HALF, ONE, reduction=None), ValueError,
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


# ============================================================================= autodiff

class WrongShape(Function):
    """sum(x) whose backward wrongly returns the scalar upstream gradient for x."""

    def forward(self, x):
        return x.sum()

    def backward(self, dy):
        return dy


def _on_v(f):
    return lambda: f(Variable(np.array([0.5, -1.0, 2.0])))


def _non_scalar(shape):
    return _case(lambda: (Variable(np.ones(shape)) * 2.0).backward(), ValueError,
                 f"backward(): the variable has shape {shape}, not one element; pass "
                 "grad=dL/dself of that shape (or reduce it first, e.g. refimpl.sum)",
                 f"backward-shape{shape}")


def _argnums_type(argnums):
    return _case(lambda: grad(lambda x, y: x * y, argnums=argnums), TypeError,
                 f"grad: argnums must be an int or a non-empty tuple of ints, got {argnums!r}",
                 f"argnums-{argnums!r}")


def _argnums_range(argnums, bad):
    return _case(lambda: grad(lambda x, y: x * y, argnums=argnums)(1.0, 2.0), ValueError,
                 f"grad(f): argnums {bad} is out of range for 2 argument(s); expected "
                 "0 <= argnums < 2", f"argnums-range-{argnums!r}")


NO_GRAPH = "on a Variable does not record the graph; use"
AUTODIFF = [
    _case(lambda: Variable(Variable(np.array(1.0))), TypeError,
          "Variable(...) got a Variable; pass its .data instead", "variable-of-variable"),
    _case(lambda: grad(lambda x: 1.5)(np.array(2.0)), TypeError,
          "grad(f): f must return a Variable computed from its arguments, got float",
          "grad-f-float"),
    _case(lambda: grad(lambda x: x * x)(np.array([1.0, 2.0])), ValueError,
          "grad(f): f must return a scalar, got shape (2,); reduce it (e.g. with refimpl.sum) "
          "or call .backward(grad) yourself", "grad-f-vector"),
    _case(lambda: WrongShape()(Variable(np.ones(2))).backward(), AssertionError,
          "WrongShape.backward returned a gradient of shape () for an input of shape (2,)",
          "function-wrong-shape"),
    # as torch: ones would silently mean d(sum y)/dx, a guess at what was meant
    *[_non_scalar(shape) for shape in [(2,), (2, 3), (0,)]],
    *[_argnums_type(a) for a in [True, 1.0, "0", (), [0, None], (0, False)]],
    *[_argnums_range(a, bad) for a, bad in [(2, 2), ((0, 2), 2), (-1, -1)]],
    _case(_on_v(np.sin), TypeError,
          f"numpy.sin {NO_GRAPH} v.data for the plain array (no gradient flows through it)",
          "numpy-sin"),
    _case(_on_v(np.mean), TypeError,
          f"numpy.mean {NO_GRAPH} v.data for the plain array (no gradient flows through it)",
          "numpy-mean"),
    _case(_on_v(np.add.reduce), TypeError, f"numpy.add.reduce {NO_GRAPH} v.data for the plain "
          "array (no gradient flows through it)", "numpy-add-reduce"),
    _case(_on_v(lambda v: np.sum(v, out=np.empty(()))), TypeError,
          f"numpy.sum {NO_GRAPH} refimpl.sum(...), which returns a new Variable", "numpy-sum-out"),
    _case(_on_v(lambda v: np.exp(v, out=np.empty(3))), TypeError,
          f"numpy.exp {NO_GRAPH} refimpl.exp(...), which returns a new Variable", "numpy-exp-out"),
    _case(_on_v(lambda v: np.sum(v, dtype=np.float32)), TypeError,
          "numpy.sum on a Variable runs refimpl.sum(x, axis, keepdims), which has no argument "
          "'dtype'", "numpy-sum-dtype"),
    _case(_on_v(lambda v: np.exp(v, where=True)), TypeError,
          "numpy.exp on a Variable runs refimpl.exp(x), which has no argument 'where'",
          "numpy-exp-where"),
]


@pytest.mark.parametrize("call, error, message", AUTODIFF)
def test_autodiff_misuse_gets_a_message_saying_what_to_do(call, error, message):
    with pytest.raises(error, match=exactly(message)):
        call()


# =========================================================================== optimizers

def _p():
    return np.zeros(2)


W = np.zeros(2)
OPTIMIZERS = [
    _case(lambda: AdaGrad([_p()], eps_inside_sqrt=1), ValueError,
          "AdaGrad: eps_inside_sqrt must be True or False, got 1", "adagrad-flag"),
    _case(lambda: AdaGrad([_p()], eps=0.0), ValueError,
          "AdaGrad: eps must be a finite number > 0, got 0.0", "adagrad-eps-0"),
    _case(lambda: RMSProp([_p()], eps=0), ValueError,
          "RMSProp: eps must be a finite number > 0, got 0", "rmsprop-eps-0"),
    _case(lambda: Adam([_p()], eps=0.0), ValueError,
          "Adam: eps must be a finite number > 0, got 0.0", "adam-eps-0"),
    _case(lambda: Adam([_p()], betas=0.9), ValueError,
          "Adam: betas must be a pair (b1, b2), each in [0, 1), got 0.9", "betas-scalar"),
    _case(lambda: Adam([_p()], betas=(0.9, 0.99, 0.9)), ValueError,
          "Adam: betas must be a pair (b1, b2), each in [0, 1), got (0.9, 0.99, 0.9)",
          "betas-three"),
    _case(lambda: AdamW([_p()], betas=(NAN, 0.999)), ValueError,
          "AdamW: betas[0] must be in [0, 1), got nan", "betas-nan"),
    _case(lambda: SGD([_p()], lr=True), ValueError,
          "SGD: lr must be a finite number > 0, got True", "lr-bool"),
    _case(lambda: SGD([_p()], lr=np.float64(-1.5)), ValueError,
          "SGD: lr must be a finite number > 0, got -1.5", "lr-np-printed-plain"),
    _case(lambda: SGD([_p()], maximize="yes"), ValueError,
          "SGD: maximize must be True or False, got 'yes'", "maximize-str"),
    _case(lambda: SGD([_p()], momentum=0.9, nesterov=1), ValueError,
          "SGD: nesterov must be True or False, got 1", "nesterov-int"),
    _case(lambda: SGD([_p()], momentum=0.9, dampening=0.5, nesterov=True), ValueError,
          "SGD: nesterov=True needs momentum > 0 and dampening 0, got momentum=0.9 and "
          "dampening=0.5", "nesterov-dampening"),
    _case(lambda: SGD(np.ones(2)), TypeError,
          "SGD: params must be a list of parameters (ndarrays or Variables), got ndarray; "
          "wrap one in a list: [W]", "params-ndarray"),
    _case(lambda: Adam(Variable(np.ones(2))), TypeError,
          "Adam: params must be a list of parameters (ndarrays or Variables), got Variable; "
          "wrap one in a list: [W]", "params-Variable"),
    _case(lambda: SGD(3), TypeError,
          "SGD: params must be a list of parameters (ndarrays or Variables), got int; "
          "wrap one in a list: [W]", "params-int"),
    _case(lambda: Adam([_p()], eps_hat=None), ValueError,
          "Adam: eps_hat must be True or False, got None", "eps_hat-None"),
    _case(lambda: RMSProp([_p()], eps_inside_sqrt="no"), ValueError,
          "RMSProp: eps_inside_sqrt must be True or False, got 'no'", "eps_inside-str"),
    _case(lambda: SGD([W, W]), ValueError,
          "SGD: parameter 1 is parameter 0 again; list each parameter once", "twice"),
    _case(lambda: SGD([np.zeros(2, dtype=np.int64)]), TypeError,
          "SGD: parameter 0 must be a floating-point ndarray or a Variable (updated in "
          "place), got int64", "int64-param"),
    _case(lambda: SGD([np.broadcast_to(np.zeros(1), (2,))]), ValueError,
          "SGD: parameter 0 is read-only; the optimizer updates it in place", "read-only"),
    _case(lambda: SGD([_p()]).step([np.zeros(2, dtype=complex)]), TypeError,
          "SGD.step(): the gradient of parameter 0 must be a real array, got dtype complex128",
          "complex-grad"),
    _case(lambda: Adam([Variable(np.zeros(2)), Variable(np.zeros(2))]).step(), ValueError,
          "Adam.step(): parameter 0 has no .grad; call backward() first or pass the "
          "gradients: step(grads)", "no-grad"),
]


@pytest.mark.parametrize("call, error, message", OPTIMIZERS)
def test_optimizers_refuse_bad_arguments(call, error, message):
    with pytest.raises(error, match=exactly(message)):
        call()


def _snapshot(opt, params):
    return [p.copy() for p in params], copy.deepcopy(opt.state), opt.t


def _read_only(b, grads):
    b.setflags(write=False)
    return grads


@pytest.mark.parametrize("spoil, error, message", [
    (_read_only, ValueError,
     "Adam.step(): parameter 1 is read-only; the optimizer updates it in place"),
    (lambda b, g: [g[0], g[1].astype(complex)], TypeError,
     "Adam.step(): the gradient of parameter 1 must be a real array, got dtype complex128"),
    (lambda b, g: [g[0], np.ones(2)], ShapeError,
     "Adam.step(): the gradient of parameter 1 has shape (2,), the parameter (3,); a "
     "gradient has its parameter's shape"),
], ids=["read-only", "complex", "shape"])
def test_a_step_failing_on_the_second_parameter_changes_nothing(spoil, error, message):
    """All or nothing: parameter 0, every state array and t are as before the failed step."""
    a, b = np.ones(2), np.ones(3)
    opt = Adam([a, b], lr=0.1)
    grads = [np.full(2, 0.5), np.full(3, 0.5)]
    opt.step(grads)                                    # some state to keep
    before = _snapshot(opt, [a, b])
    bad_grads = spoil(b, grads)
    with pytest.raises(error, match=exactly(message)):
        opt.step(bad_grads)
    after = _snapshot(opt, [a, b])
    for x, y in zip(before[0], after[0]):
        np.testing.assert_array_equal(x, y)
    for s0, s1 in zip(before[1], after[1]):
        assert s0.keys() == s1.keys()
        for k in s0:
            np.testing.assert_array_equal(s0[k], s1[k])
    assert after[2] == before[2] == 1


def test_a_missing_grad_on_the_second_variable_changes_nothing():
    a, b = Variable(np.ones(2)), Variable(np.ones(2))
    opt = SGD([a, b], lr=0.1)
    a.grad = np.ones(2)
    with pytest.raises(ValueError, match=exactly(
            "SGD.step(): parameter 1 has no .grad; call backward() first or pass the "
            "gradients: step(grads)")):
        opt.step()
    np.testing.assert_array_equal(a.data, np.ones(2))
    assert opt.t == 0


def test_a_zero_gradient_moves_nothing_with_eps_above_zero():
    """Why eps > 0 is required: with eps = 0 this step would be 0 / 0 = NaN."""
    p = np.ones(2)
    Adam([p], eps=1e-8).step([np.zeros(2)])
    np.testing.assert_array_equal(p, np.ones(2))


# ===================================================================== training, models

def _fit(**kw):
    model = Linear(2, 1, rng=np.random.default_rng(0))
    args = dict(batch_size=2, epochs=1)
    args.update(kw)
    return fit(model, L.mse, SGD(model.parameters()), np.zeros((3, 2)), np.zeros((3, 1)), **args)


TRAINING = [
    _case(lambda: Perceptron(2).fit(np.zeros((4, 2)), np.zeros(3)), ValueError,
          "Perceptron.fit: x has 4 samples but t has 3", "perceptron-lengths"),
    _case(lambda: Perceptron(2).fit(np.zeros((4, 2)), np.zeros(4), max_epochs=0), ValueError,
          "Perceptron.fit: max_epochs must be an int >= 1, got 0", "perceptron-epochs"),
    _case(lambda: Perceptron(2).fit(np.zeros((2, 2)), np.array([0, 2])), ValueError,
          "Perceptron.fit: targets t must be 0 or 1; found 2.0 at index (1,)", "perceptron-t"),
    _case(lambda: Perceptron(2, lr=0), ValueError,
          "Perceptron: lr must be a finite number > 0, got 0", "perceptron-lr"),
    _case(lambda: Perceptron(2.0), ValueError,
          "Perceptron: n_in must be an int >= 1, got 2.0", "perceptron-n_in"),
    _case(lambda: mlp([2, 0, 1]), ValueError,
          "mlp: sizes[1] must be an int >= 1, got 0", "mlp-zero-width"),
    _case(lambda: mlp([2, 2.5, 1]), ValueError,
          "mlp: sizes[1] must be an int >= 1, got 2.5", "mlp-float-width"),
    _case(lambda: Linear(0, 1), ValueError,
          "Linear: n_in must be an int >= 1, got 0", "linear-n_in"),
    _case(lambda: Linear(2, 0), ValueError,
          "Linear: n_out must be an int >= 1, got 0", "linear-n_out"),
    _case(lambda: list(minibatches(3, 5, drop_last=True)), ValueError,
          "minibatches: 3 samples make no full batch of 5; with drop_last=True an epoch "
          "would make no update", "minibatches-no-full-batch"),
    _case(lambda: schedule(3, 5, drop_last=True), ValueError,
          "schedule: 3 samples make no full batch of 5; with drop_last=True an epoch would "
          "make no update", "schedule-no-full-batch"),
    _case(lambda: _fit(batch_size=5, drop_last=True), ValueError,
          "fit: 3 samples make no full batch of 5; with drop_last=True an epoch would make "
          "no update", "fit-no-full-batch"),
    _case(lambda: schedule(10, 3, drop_last="yes"), ValueError,
          "schedule: drop_last must be True or False, got 'yes'", "schedule-drop_last"),
    _case(lambda: list(minibatches(10, 3, shuffle=None)), ValueError,
          "minibatches: shuffle must be True or False, got None", "minibatches-shuffle"),
    _case(lambda: schedule(10, True), ValueError,
          "schedule: batch_size must be an int >= 1, got True", "schedule-bool-batch"),
    _case(lambda: schedule(10, 3, np.int64(-1)), ValueError,
          "schedule: epochs must be an int >= 0, got -1", "schedule-np-epochs"),
    _case(lambda: _fit(epochs=1.0), ValueError,
          "fit: epochs must be an int >= 0, got 1.0", "fit-float-epochs"),
    _case(lambda: _fit(shuffle=1), ValueError,
          "fit: shuffle must be True or False, got 1", "fit-shuffle"),
    _case(lambda: _fit(tol=NAN), ValueError,
          "fit: tol must be a finite number, got nan", "fit-tol-nan"),
    _case(lambda: _fit(batch_size=0), ValueError,
          "fit: batch_size must be an int >= 1, got 0", "fit-batch-0"),
]


def test_minibatches_refuses_at_the_call_not_at_the_first_batch():
    with pytest.raises(ValueError, match=exactly(
            "minibatches: batch_size must be an int >= 1, got 0")):
        minibatches(10, 0)                       # no list(): nothing iterated yet


@pytest.mark.parametrize("call, error, message", TRAINING)
def test_training_refuses_bad_arguments(call, error, message):
    with pytest.raises(error, match=exactly(message)):
        call()


def test_perceptron_refuses_before_changing_its_weights():
    p = Perceptron(2)
    with pytest.raises(ValueError):
        p.fit(np.ones((4, 2)), np.ones(3))
    assert p.w.tolist() == [0.0, 0.0] and p.b == 0.0


# ============================================================== values and derivatives

import refimpl  # noqa: E402  (for the two functions below only)

VALUES = [
    _case(lambda: refimpl.pow(np.ones(2), "2"), ValueError,
          "pow: c must be a finite number, got '2'", "pow-str"),
    _case(lambda: refimpl.pow(np.ones(2), np.ones(2)), ValueError,
          "pow: c must be a finite number, got array([1., 1.])", "pow-array"),
    _case(lambda: refimpl.cosine_similarity(np.ones(2), np.ones(2), eps=-1.0), ValueError,
          "cosine_similarity: eps must be a finite number > 0, got -1.0", "cosine-eps"),
    _case(lambda: refimpl.least_squares(np.array([[1.0], [NAN]]), np.ones((2, 1))), ValueError,
          "least_squares: x must be finite; found nan at index (1, 0)", "lstsq-nan-x"),
    _case(lambda: refimpl.least_squares(np.ones((2, 1)), np.array([[1.0], [-INF]])), ValueError,
          "least_squares: t must be finite; found -inf at index (1, 0)", "lstsq-inf-t"),
    _case(lambda: refimpl.numerical_gradient(lambda v: v * 2, np.ones(2)), ValueError,
          "numerical_gradient: f must return one number (a scalar), got shape (2,); take the "
          "gradient of one output at a time", "numgrad-vector-f"),
    _case(lambda: refimpl.numerical_gradient(lambda v: np.zeros((1, 2)), np.ones(1)), ValueError,
          "numerical_gradient: f must return one number (a scalar), got shape (1, 2); take the "
          "gradient of one output at a time", "numgrad-matrix-f"),
]


@pytest.mark.parametrize("call, error, message", VALUES)
def test_values_refimpl_cannot_answer_are_refused(call, error, message, capfd):
    with pytest.raises(error, match=exactly(message)):
        call()
    assert capfd.readouterr().out == ""        # nothing from LAPACK on stdout


def test_numerical_gradient_takes_a_one_element_array_as_its_number():
    g = refimpl.numerical_gradient(lambda v: np.array([v[0] * v[1]]), np.array([3.0, 4.0]))
    np.testing.assert_allclose(g, [4.0, 3.0], rtol=1e-9)


def test_a_parameter_whose_data_was_replaced_by_a_list_is_refused_at_the_step():
    w = Variable(np.ones(2))
    opt = SGD([w], lr=0.1)
    w.data = [1.0, 2.0]                         # no longer an array the step can write into
    with pytest.raises(TypeError, match=exactly(
            "SGD.step(): parameter 0 must be a floating-point ndarray or a Variable (updated "
            "in place), got list")):
        opt.step([np.ones(2)])
    assert opt.t == 0


def test_an_integer_gradient_is_a_real_gradient():
    """ints and bools are real numbers: a step takes them as it takes floats."""
    w = np.array([1.0, 2.0])
    SGD([w], lr=0.5).step([np.array([2, -2])])
    np.testing.assert_array_equal(w, [0.0, 3.0])
