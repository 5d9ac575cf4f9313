"""The backprop engine (refimpl.autodiff) on small graphs worked by hand.

Each graph is chosen so that one engine duty shows in the numbers: a node must run once,
after all its consumers (topological order); a value used twice must receive both
contributions (the branch node); leaves accumulate across calls; intermediates keep a
gradient only when asked; ``no_grad`` records nothing. Custom ``Function``s count calls
or misbehave on purpose, so the engine's side of the contract is what is tested.
"""

from __future__ import annotations


import ml_dtypes
import numpy as np
import pytest

from _messages import exactly
import refimpl
from refimpl import Function, Variable, grad, no_grad


class Double(Function):
    """y = 2x, counting how often backward runs."""

    def __init__(self):
        self.calls = 0

    def forward(self, x):
        return 2 * x

    def backward(self, dy):
        self.calls += 1
        return 2 * dy


class TwoOutputs(Function):
    """(2x, 3x), recording the cotangents backward receives."""

    def forward(self, x):
        return 2 * x, 3 * x

    def backward(self, dy2, dy3):
        self.received = (dy2, dy3)
        return 2 * dy2 + 3 * dy3


class OnlySecond(Function):
    """a + b whose backward declines a gradient for a (returns None for it)."""

    def forward(self, a, b):
        return a + b

    def backward(self, dy):
        return None, dy


# ===================================================================== graph traversal

def test_a_node_feeding_two_paths_runs_once_after_both():
    """Diamond x -> a = 2x -> (a + a): a's backward waits for both uses, then runs once."""
    x = Variable(np.array([1.0, -2.0]))
    f = Double()
    a = f(x)
    y = refimpl.add(a, a)                  # dy/dx = 2 * 2 = 4
    y.backward(np.ones(2))
    assert f.calls == 1
    np.testing.assert_array_equal(x.grad, [4.0, 4.0])


def test_a_value_used_twice_gets_both_contributions():
    """y = x*x + x at x = 3: dy/dx = 2x + 1 = 7 (three uses of x, one branch node)."""
    x = Variable(np.array(3.0))
    y = x * x + x
    y.backward()
    assert x.grad == 7.0


def test_generation_is_the_longest_path_from_a_leaf():
    """Leaves are generation 0, an op's outputs one more than its deepest input: the
    numbers that order the backward pass (DeZero's convention)."""
    x = Variable(np.array(2.0))
    assert x.generation == 0
    y = x * x                        # depth 1
    z = y + x                        # depth 2: its inputs are at depths 1 and 0
    assert (y.generation, z.generation) == (1, 2)


def test_leaf_gradients_accumulate_across_backward_calls():
    """As in torch: two backward passes add; zero_grad forgets."""
    x = Variable(np.array(3.0))
    (x * x).backward()
    (x * x).backward()
    assert x.grad == 12.0
    x.zero_grad()
    assert x.grad is None


def test_backward_on_a_leaf_gives_it_the_upstream_gradient():
    x = Variable(np.array([1.0, 2.0]))
    x.backward(np.array([3.0, -1.0]))
    np.testing.assert_array_equal(x.grad, [3.0, -1.0])


@pytest.mark.parametrize("shape", [(), (1,), (1, 1)])
def test_backward_of_one_element_defaults_to_ones(shape):
    x = Variable(np.full(shape, 3.0))
    (x * x).backward()
    np.testing.assert_array_equal(x.grad, np.full(shape, 6.0))


def test_intermediates_keep_their_gradient_only_with_retain_grad():
    """y = x*x, z = 3y at x = 2: dz/dy = 3, dz/dx = 3 * 2x = 12."""
    x = Variable(np.array(2.0))
    y = x * x
    z = y * 3.0
    z.backward()
    assert (x.grad, y.grad, z.grad) == (12.0, None, None)
    x.zero_grad()
    z.backward(retain_grad=True)
    assert (x.grad, y.grad, z.grad) == (12.0, 3.0, 1.0)


def test_an_unused_output_receives_a_zero_gradient_of_its_shape():
    """Only the first of (2x, 3x) is used: backward gets zeros (not None) for the second."""
    x = Variable(np.array([1.0, 2.0]))
    f = TwoOutputs()
    y2, y3 = f(x)
    y2.backward(np.ones(2), retain_grad=True)
    dy3 = f.received[1]
    assert (dy3.shape, dy3.dtype) == ((2,), np.float64)
    np.testing.assert_array_equal(dy3, [0.0, 0.0])
    np.testing.assert_array_equal(y3.grad, [0.0, 0.0])
    np.testing.assert_array_equal(x.grad, [2.0, 2.0])


def test_a_none_gradient_skips_only_that_input():
    a, b = Variable(np.array(1.0)), Variable(np.array(2.0))
    OnlySecond()(a, b).backward()
    assert a.grad is None and b.grad == 1.0


def test_no_grad_records_nothing_and_recording_resumes_after():
    x = Variable(np.array(2.0))
    with no_grad():
        y = x * x
    assert isinstance(y, Variable) and y.creator is None and y.data == 4.0
    y.backward()                          # a leaf now: nothing flows back to x
    assert x.grad is None
    z = x * x
    assert z.creator is not None


# ================================================================ dtypes of the cotangent

def test_upstream_gradient_is_cast_to_the_variables_dtype():
    x = Variable(np.array([1.0, 2.0], dtype=np.float32))
    x.backward(np.array([0.5, 0.25], dtype=np.float64))
    assert x.grad.dtype == np.float32
    np.testing.assert_array_equal(x.grad, [0.5, 0.25])


@pytest.mark.parametrize("dtype", [np.float16, ml_dtypes.bfloat16, np.float32])
def test_a_python_number_takes_the_arrays_dtype(dtype):
    """Python scalars are weak (NEP 50, torch, jax): float32 * 2.0 stays float32."""
    x = Variable(np.array([1.5], dtype=dtype))
    assert refimpl.mul(x, 2.0).dtype == dtype
    assert refimpl.add(np.array([1.5], dtype=dtype), 2.0).dtype == dtype


def test_a_python_int_beyond_int64_is_a_float_next_to_an_int_array():
    """Integer arrays become float64, so the Python number does too, however large:
    2**70 + 1 rounds to 2**70 in float64 (its spacing there is 2**18)."""
    y = refimpl.add(np.array([1, 2]), 2**70)
    assert y.dtype == np.float64
    np.testing.assert_array_equal(y, [2.0**70, 2.0**70])


@pytest.mark.parametrize("path", ["leaf", "through reshape"])
def test_grad_does_not_alias_the_cotangent_passed_to_backward(path):
    """torch clones the cotangent: editing g after backward(g) must not change x.grad."""
    x = Variable(np.array([1.0, 2.0]))
    g = np.array([1.0, 1.0])
    y = x if path == "leaf" else refimpl.reshape(x, (2, 1))
    y.backward(g.reshape(y.shape))
    assert not np.shares_memory(x.grad, g)


# ====================================================================== what users see

def test_variable_keeps_its_name():
    assert Variable(np.array(1.0), name="x").name == "x"


def test_repr_aligns_continuation_lines_under_the_first_row():
    """'Variable(' is 9 characters, so row 2 starts under row 1's inner bracket."""
    v = Variable(np.array([[1.0, 2.0], [3.0, 4.0]]))
    assert repr(v) == "Variable([[1. 2.]\n          [3. 4.]])"


def test_grad_of_a_two_argument_function_by_hand():
    """f = x*x + x*y + y: df/dx = 2x + y = 8, df/dy = x + 1 = 4 at (3, 2)."""
    dx, dy = grad(lambda x, y: x * x + x * y + y, argnums=(0, 1))(3.0, 2.0)
    assert (dx, dy) == (8.0, 4.0)


# ------------------------------------------------ numpy functions on a Variable (NEP 13/18)

@pytest.mark.parametrize("call, want", [
    (lambda v: np.sum(v), lambda x: np.sum(x)),
    (lambda v: np.sum(v, axis=0, keepdims=True), lambda x: np.sum(x, axis=0, keepdims=True)),
    (lambda v: np.exp(v), np.exp),
    (lambda v: np.tanh(v), np.tanh),
    (lambda v: np.multiply(v, 2.0), lambda x: x * 2.0),
    (lambda v: np.ones(3) - v, lambda x: np.ones(3) - x),
    (lambda v: np.ones(3) / v, lambda x: np.ones(3) / x),
    (lambda v: -v.data + np.negative(v), lambda x: -2 * x),
    (lambda v: np.power(v, 3), lambda x: x ** 3),
    (lambda v: np.ones((2, 3)) @ v, lambda x: np.ones((2, 3)) @ x),
    (lambda v: np.reshape(v, (3, 1)), lambda x: x.reshape(3, 1)),
    (lambda v: np.transpose(np.reshape(v, (3, 1))), lambda x: x.reshape(1, 3)),
])
def test_numpy_functions_on_a_variable_run_refimpl_ops_and_record_the_graph(call, want):
    x = np.array([0.5, -1.0, 2.0])
    v = Variable(x)
    y = call(v)
    assert isinstance(y, Variable) and y.creator is not None
    assert y.shape == np.shape(want(x))          # keepdims and axis reach refimpl's op
    np.testing.assert_array_equal(y.data, want(x))


def test_a_numpy_function_on_a_variable_passes_the_gradient():
    v = Variable(np.array([1.0, 2.0]))
    np.sum(np.exp(v)).backward()
    np.testing.assert_array_equal(v.grad, np.exp([1.0, 2.0]))


def test_shape_questions_about_a_variable_are_answered():
    v = Variable(np.ones((2, 3)))
    assert (np.shape(v), np.ndim(v), np.size(v), np.size(v, axis=1)) == ((2, 3), 2, 6, 3)


# ------------------------------------------------ grad's argnums

def test_grad_takes_a_list_of_argnums_as_a_tuple():
    assert grad(lambda x, y: x * y, argnums=[1, 0])(3.0, 2.0) == (3.0, 2.0)


# ------------------------------------------------ in-place changes after the forward

def test_an_input_changed_in_place_after_the_forward_stops_backward():
    """loss = sum(w * w); an optimizer step writes w; loss.backward() would read the new w
    (gradient 2 w_new, silently wrong): as torch, an error naming the input and the op."""
    w = Variable(np.array([1.0, 2.0]), name="w")
    loss = refimpl.sum(w * w)
    w.data[...] = [0.5, 1.5]
    w.version += 1                              # what an in-place writer does
    with pytest.raises(RuntimeError, match=exactly(
            "backward(): w of Mul (shape (2,)) was changed in place after the forward "
            "(version 0, now 1, e.g. by an optimizer step); compute the forward again "
            "before backward")):
        loss.backward()
    assert w.grad is None


def test_a_changed_input_deep_in_the_graph_stops_backward_before_any_grad_changes():
    """The whole graph is checked first: the leaf x, reached before w's node, keeps None."""
    x, w = Variable(np.array(3.0)), Variable(np.array(2.0))
    loss = x * (w * w)
    w.version += 1
    with pytest.raises(RuntimeError, match="^backward\\(\\): input 0 of Mul"):
        loss.backward()
    assert x.grad is None and w.grad is None


def test_an_unnamed_input_is_named_by_its_position():
    a, b = Variable(np.array(1.0)), Variable(np.array(2.0))
    y = a * b
    b.version += 1
    with pytest.raises(RuntimeError, match="^backward\\(\\): input 1 of Mul \\(shape \\(\\)\\)"):
        y.backward()


def test_a_forward_after_the_change_backpropagates_the_new_value():
    w = Variable(np.array([1.0, 2.0]))
    w.version += 1
    refimpl.sum(w * w).backward()
    np.testing.assert_array_equal(w.grad, [2.0, 4.0])


# ------------------------------------------------ float16 with bfloat16

@pytest.mark.parametrize("op", [refimpl.add, refimpl.mul, refimpl.div, refimpl.matmul])
def test_float16_with_bfloat16_computes_in_float32_as_torch_and_jax(op):
    """numpy has no common type for the two halves; torch and jax promote to float32. The
    value is the float32 op on the exactly widened inputs; each gradient has its input's dtype."""
    a = np.array([[1.5, -2.0], [0.1, 3.0]], np.float16)
    b = np.array([[3.0, 0.1], [-7.0, 0.5]], ml_dtypes.bfloat16)
    va, vb = Variable(a), Variable(b)
    y = op(va, vb)
    assert y.dtype == np.float32
    np.testing.assert_array_equal(y.data, op(a.astype(np.float32), b.astype(np.float32)))
    refimpl.sum(y).backward()
    assert (va.grad.dtype, vb.grad.dtype) == (np.float16, ml_dtypes.bfloat16)


def test_backward_after_an_optimizer_step_is_refused():
    """The issue's case: loss = sum(w * w); opt.step(); loss.backward() gave [1, 3] (2 w of
    the updated w) for w = [1, 2] instead of [2, 4]."""
    w = Variable(np.array([1.0, 2.0]), name="w")
    loss = refimpl.sum(w * w)
    opt = refimpl.SGD([w], lr=0.25)
    opt.step([np.array([2.0, 2.0])])
    np.testing.assert_array_equal(w.data, [0.5, 1.5])
    with pytest.raises(RuntimeError, match="^backward\\(\\): w of Mul \\(shape \\(2,\\)\\) was "
                       "changed in place after the forward \\(version 0, now 1"):
        loss.backward()
    refimpl.sum(w * w).backward()                  # a new forward sees the new w
    np.testing.assert_array_equal(w.grad, [1.0, 3.0])


def test_halves_mixed_with_a_third_input_keep_its_value():
    """gaussian_nll(x float16, t bfloat16, var float64): only the two halves go to float32,
    var stays float64. loss = (log var + (x - t)^2 / var) / 2 with x - t = 1."""
    x, t = np.array([1.5], np.float16), np.array([0.5], ml_dtypes.bfloat16)
    var = Variable(np.array([0.1]))
    got = refimpl.gaussian_nll(x, t, var)
    assert got.dtype == np.float32
    assert got.data == np.float32(0.5 * (np.log(0.1) + 1.0 / 0.1))
    got.backward()
    # d/dvar = (1/var - (x - t)^2 / var^2) / 2 = (10 - 100) / 2, from var's float64 value
    # (float32(0.1) would be 1.5e-8 off)
    np.testing.assert_allclose(var.grad, [-45.0], rtol=1e-14)


def test_a_graph_of_shared_nodes_is_checked_once_per_node():
    """y = y + y, 200 times: 2^200 paths but 200 nodes; the in-place check must walk
    nodes, not paths (as backward does), or it would never end."""
    x = Variable(np.array(1.0))
    y = x
    for _ in range(200):
        y = y + y
    y.backward()
    assert x.grad == 2.0 ** 200


def test_a_second_optimizer_step_is_seen_too():
    """The version counts every step: a forward between two steps is stale after the second."""
    w = Variable(np.array([1.0, 2.0]), name="w")
    opt = refimpl.SGD([w], lr=0.25)
    opt.step([np.ones(2)])
    loss = refimpl.sum(w * w)
    opt.step([np.ones(2)])
    with pytest.raises(RuntimeError, match="version 1, now 2"):
        loss.backward()
