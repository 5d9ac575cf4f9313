"""Nothing wrong in silence, part two: the bad-input matrices of autodiff, optimizers,
training and models, as test_refimpl_bad_input.py has them for the rest.
"""

from __future__ import annotations

import copy
import math

import numpy as np
import pytest
from _messages import case, exactly

import refimpl
from refimpl import losses as L
from refimpl._arrays import ShapeError
from refimpl.autodiff import Function, Variable, grad
from refimpl.models import Linear, Perceptron, mlp
from refimpl.optim import SGD, AdaGrad, Adam, AdamW, RMSProp
from refimpl.training import fit, minibatches, schedule

INF, NAN = math.inf, math.nan


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
    return case(lambda: (Variable(np.ones(shape)) * 2.0).backward(), ValueError,
                 f"backward(): the variable has shape {shape}, not one element; pass "
                 "grad=dL/dself of that shape (or reduce it first, e.g. refimpl.sum)",
                 f"backward-shape{shape}")


def _argnums_type(argnums):
    return case(lambda: grad(lambda x, y: x * y, argnums=argnums), TypeError,
                 f"grad: argnums must be an int or a non-empty tuple of ints, got {argnums!r}",
                 f"argnums-{argnums!r}")


def _argnums_range(argnums, bad):
    return case(lambda: grad(lambda x, y: x * y, argnums=argnums)(1.0, 2.0), ValueError,
                 f"grad(f): argnums {bad} is out of range for 2 argument(s); expected "
                 "0 <= argnums < 2", f"argnums-range-{argnums!r}")


NO_GRAPH = "on a Variable does not record the graph; use"
AUTODIFF = [
    case(lambda: Variable(Variable(np.array(1.0))), TypeError,
          "Variable(...) got a Variable; pass its .data instead", "variable-of-variable"),
    case(lambda: grad(lambda x: 1.5)(np.array(2.0)), TypeError,
          "grad(f): f must return a Variable computed from its arguments, got float",
          "grad-f-float"),
    case(lambda: grad(lambda x: x * x)(np.array([1.0, 2.0])), ValueError,
          "grad(f): f must return a scalar, got shape (2,); reduce it (e.g. with refimpl.sum) "
          "or call .backward(grad) yourself", "grad-f-vector"),
    case(lambda: WrongShape()(Variable(np.ones(2))).backward(), AssertionError,
          "WrongShape.backward returned a gradient of shape () for an input of shape (2,)",
          "function-wrong-shape"),
    # as torch: ones would silently mean d(sum y)/dx, a guess at what was meant
    *[_non_scalar(shape) for shape in [(2,), (2, 3), (0,)]],
    *[_argnums_type(a) for a in [True, 1.0, "0", (), [0, None], (0, False)]],
    *[_argnums_range(a, bad) for a, bad in [(2, 2), ((0, 2), 2), (-1, -1)]],
    case(_on_v(np.sin), TypeError,
          f"numpy.sin {NO_GRAPH} v.data for the plain array (no gradient flows through it)",
          "numpy-sin"),
    case(_on_v(np.mean), TypeError,
          f"numpy.mean {NO_GRAPH} v.data for the plain array (no gradient flows through it)",
          "numpy-mean"),
    case(_on_v(np.add.reduce), TypeError, f"numpy.add.reduce {NO_GRAPH} v.data for the plain "
          "array (no gradient flows through it)", "numpy-add-reduce"),
    case(_on_v(lambda v: np.sum(v, out=np.empty(()))), TypeError,
          f"numpy.sum {NO_GRAPH} refimpl.sum(...), which returns a new Variable", "numpy-sum-out"),
    case(_on_v(lambda v: np.exp(v, out=np.empty(3))), TypeError,
          f"numpy.exp {NO_GRAPH} refimpl.exp(...), which returns a new Variable", "numpy-exp-out"),
    case(_on_v(lambda v: np.sum(v, dtype=np.float32)), TypeError,
          "numpy.sum on a Variable runs refimpl.sum(x, axis, keepdims), which has no argument "
          "'dtype'", "numpy-sum-dtype"),
    case(_on_v(lambda v: np.exp(v, where=True)), TypeError,
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
    case(lambda: AdaGrad([_p()], eps_inside_sqrt=1), ValueError,
          "AdaGrad: eps_inside_sqrt must be True or False, got 1", "adagrad-flag"),
    case(lambda: AdaGrad([_p()], eps=0.0), ValueError,
          "AdaGrad: eps must be a finite number > 0, got 0.0", "adagrad-eps-0"),
    case(lambda: RMSProp([_p()], eps=0), ValueError,
          "RMSProp: eps must be a finite number > 0, got 0", "rmsprop-eps-0"),
    case(lambda: Adam([_p()], eps=0.0), ValueError,
          "Adam: eps must be a finite number > 0, got 0.0", "adam-eps-0"),
    case(lambda: Adam([_p()], betas=0.9), ValueError,
          "Adam: betas must be a pair (b1, b2), each in [0, 1), got 0.9", "betas-scalar"),
    case(lambda: Adam([_p()], betas=(0.9, 0.99, 0.9)), ValueError,
          "Adam: betas must be a pair (b1, b2), each in [0, 1), got (0.9, 0.99, 0.9)",
          "betas-three"),
    case(lambda: AdamW([_p()], betas=(NAN, 0.999)), ValueError,
          "AdamW: betas[0] must be in [0, 1), got nan", "betas-nan"),
    case(lambda: SGD([_p()], lr=True), ValueError,
          "SGD: lr must be a finite number > 0, got True", "lr-bool"),
    case(lambda: SGD([_p()], lr=np.float64(-1.5)), ValueError,
          "SGD: lr must be a finite number > 0, got -1.5", "lr-np-printed-plain"),
    case(lambda: SGD([_p()], maximize="yes"), ValueError,
          "SGD: maximize must be True or False, got 'yes'", "maximize-str"),
    case(lambda: SGD([_p()], momentum=0.9, nesterov=1), ValueError,
          "SGD: nesterov must be True or False, got 1", "nesterov-int"),
    case(lambda: SGD([_p()], momentum=0.9, dampening=0.5, nesterov=True), ValueError,
          "SGD: nesterov=True needs momentum > 0 and dampening 0, got momentum=0.9 and "
          "dampening=0.5", "nesterov-dampening"),
    case(lambda: SGD(np.ones(2)), TypeError,
          "SGD: params must be a list of parameters (ndarrays or Variables), got ndarray; "
          "wrap one in a list: [W]", "params-ndarray"),
    case(lambda: Adam(Variable(np.ones(2))), TypeError,
          "Adam: params must be a list of parameters (ndarrays or Variables), got Variable; "
          "wrap one in a list: [W]", "params-Variable"),
    case(lambda: SGD(3), TypeError,
          "SGD: params must be a list of parameters (ndarrays or Variables), got int; "
          "wrap one in a list: [W]", "params-int"),
    case(lambda: Adam([_p()], eps_hat=None), ValueError,
          "Adam: eps_hat must be True or False, got None", "eps_hat-None"),
    case(lambda: RMSProp([_p()], eps_inside_sqrt="no"), ValueError,
          "RMSProp: eps_inside_sqrt must be True or False, got 'no'", "eps_inside-str"),
    case(lambda: SGD([W, W]), ValueError,
          "SGD: parameter 1 is parameter 0 again; list each parameter once", "twice"),
    case(lambda: SGD([np.zeros(2, dtype=np.int64)]), TypeError,
          "SGD: parameter 0 must be a floating-point ndarray or a Variable (updated in "
          "place), got int64", "int64-param"),
    case(lambda: SGD([np.broadcast_to(np.zeros(1), (2,))]), ValueError,
          "SGD: parameter 0 is read-only; the optimizer updates it in place", "read-only"),
    case(lambda: SGD([_p()]).step([np.zeros(2, dtype=complex)]), TypeError,
          "SGD.step(): the gradient of parameter 0 must be a real array, got dtype complex128",
          "complex-grad"),
    case(lambda: Adam([Variable(np.zeros(2)), Variable(np.zeros(2))]).step(), ValueError,
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
    case(lambda: Perceptron(2).fit(np.zeros((4, 2)), np.zeros(3)), ValueError,
          "Perceptron.fit: x has 4 samples but t has 3", "perceptron-lengths"),
    case(lambda: Perceptron(2).fit(np.zeros((4, 2)), np.zeros(4), max_epochs=0), ValueError,
          "Perceptron.fit: max_epochs must be an int >= 1, got 0", "perceptron-epochs"),
    case(lambda: Perceptron(2).fit(np.zeros((2, 2)), np.array([0, 2])), ValueError,
          "Perceptron.fit: targets t must be 0 or 1; found 2.0 at index (1,)", "perceptron-t"),
    case(lambda: Perceptron(2, lr=0), ValueError,
          "Perceptron: lr must be a finite number > 0, got 0", "perceptron-lr"),
    case(lambda: Perceptron(2.0), ValueError,
          "Perceptron: n_in must be an int >= 1, got 2.0", "perceptron-n_in"),
    case(lambda: mlp([2, 0, 1]), ValueError,
          "mlp: sizes[1] must be an int >= 1, got 0", "mlp-zero-width"),
    case(lambda: mlp([2, 2.5, 1]), ValueError,
          "mlp: sizes[1] must be an int >= 1, got 2.5", "mlp-float-width"),
    case(lambda: Linear(0, 1), ValueError,
          "Linear: n_in must be an int >= 1, got 0", "linear-n_in"),
    case(lambda: Linear(2, 0), ValueError,
          "Linear: n_out must be an int >= 1, got 0", "linear-n_out"),
    case(lambda: list(minibatches(3, 5, drop_last=True)), ValueError,
          "minibatches: 3 samples make no full batch of 5; with drop_last=True an epoch "
          "would make no update", "minibatches-no-full-batch"),
    case(lambda: schedule(3, 5, drop_last=True), ValueError,
          "schedule: 3 samples make no full batch of 5; with drop_last=True an epoch would "
          "make no update", "schedule-no-full-batch"),
    case(lambda: _fit(batch_size=5, drop_last=True), ValueError,
          "fit: 3 samples make no full batch of 5; with drop_last=True an epoch would make "
          "no update", "fit-no-full-batch"),
    case(lambda: schedule(10, 3, drop_last="yes"), ValueError,
          "schedule: drop_last must be True or False, got 'yes'", "schedule-drop_last"),
    case(lambda: list(minibatches(10, 3, shuffle=None)), ValueError,
          "minibatches: shuffle must be True or False, got None", "minibatches-shuffle"),
    case(lambda: schedule(10, True), ValueError,
          "schedule: batch_size must be an int >= 1, got True", "schedule-bool-batch"),
    case(lambda: schedule(10, 3, np.int64(-1)), ValueError,
          "schedule: epochs must be an int >= 0, got -1", "schedule-np-epochs"),
    case(lambda: _fit(epochs=1.0), ValueError,
          "fit: epochs must be an int >= 0, got 1.0", "fit-float-epochs"),
    case(lambda: _fit(shuffle=1), ValueError,
          "fit: shuffle must be True or False, got 1", "fit-shuffle"),
    case(lambda: _fit(tol=NAN), ValueError,
          "fit: tol must be a finite number, got nan", "fit-tol-nan"),
    case(lambda: _fit(batch_size=0), ValueError,
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
    case(lambda: refimpl.pow(np.ones(2), "2"), ValueError,
          "pow: c must be a finite number, got '2'", "pow-str"),
    case(lambda: refimpl.pow(np.ones(2), np.ones(2)), ValueError,
          "pow: c must be a finite number, got array([1., 1.])", "pow-array"),
    case(lambda: refimpl.cosine_similarity(np.ones(2), np.ones(2), eps=-1.0), ValueError,
          "cosine_similarity: eps must be a finite number > 0, got -1.0", "cosine-eps"),
    case(lambda: refimpl.least_squares(np.array([[1.0], [NAN]]), np.ones((2, 1))), ValueError,
          "least_squares: x must be finite; found nan at index (1, 0)", "lstsq-nan-x"),
    case(lambda: refimpl.least_squares(np.ones((2, 1)), np.array([[1.0], [-INF]])), ValueError,
          "least_squares: t must be finite; found -inf at index (1, 0)", "lstsq-inf-t"),
    case(lambda: refimpl.numerical_gradient(lambda v: v * 2, np.ones(2)), ValueError,
          "numerical_gradient: f must return one number (a scalar), got shape (2,); take the "
          "gradient of one output at a time", "numgrad-vector-f"),
    case(lambda: refimpl.numerical_gradient(lambda v: np.zeros((1, 2)), np.ones(1)), ValueError,
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
