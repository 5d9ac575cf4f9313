"""Numpy-only tests of the graph nodes' contracts (refimpl/graph.py, refimpl/derivatives.py):
the exact error messages of bad shapes and arguments, the defaults of the wrappers and of the
Variable methods, each node's gradient dtype, and the central-difference step.

Expected values come from the rules as documented (numpy's broadcasting and promotion, the
step formula cbrt(eps) * max(1, |x|)), never from refimpl's own output.
"""

from __future__ import annotations


import numpy as np
import pytest

from _messages import exactly
import refimpl
from refimpl import ShapeError, Variable, graph
from refimpl.derivatives import step_size

BROADCAST_RULE = "the rule is that, aligned from the right, each pair of sizes is equal or one of them is 1"


# ======================================================================= error messages

@pytest.mark.parametrize("op", ["add", "sub", "mul", "div"])
def test_non_broadcastable_shapes_message_names_the_op_both_shapes_and_the_rule(op):
    """The message is the API: it says which op, which shapes, and what would have worked."""
    msg = f"{op}: shapes (2,) and (3,) do not broadcast; {BROADCAST_RULE}"
    with pytest.raises(ShapeError, match=exactly(msg)):
        getattr(refimpl, op)(np.ones(2), Variable(np.ones(3)))


# ================================================================ defaults and methods

def test_branch_makes_two_copies_by_default():
    """``branch(x)`` is the copy node of the textbook: one value, two uses."""
    x = np.array([1.0, 2.0])
    assert len(refimpl.branch(x)) == 2


def test_variable_sum_and_the_sum_node_drop_the_summed_axes_by_default():
    """``v.sum()`` and ``Sum()`` default to keepdims=False, as ``np.sum`` and ``refimpl.sum``."""
    v = Variable(np.ones((2, 3)))
    assert v.sum().shape == ()
    assert v.sum(0).shape == (3,)
    assert graph.Sum(axis=0)(np.ones((2, 3))).shape == (3,)
    assert graph.Sum()(np.ones((2, 3))).shape == ()


@pytest.mark.parametrize("args, shape", [(((3, 2),), (3, 2)), ((3, 2), (3, 2)), ((6,), (6,))])
def test_variable_reshape_takes_a_tuple_or_separate_sizes_as_numpy_does(args, shape):
    """``v.reshape((3, 2))`` and ``v.reshape(3, 2)`` mean the same, as for an ndarray."""
    assert Variable(np.arange(6.0)).reshape(*args).shape == shape


def test_reshape_takes_an_int_shape():
    """``reshape(x, 6)`` flattens, as ``ndarray.reshape(6)`` does."""
    assert refimpl.reshape(np.ones((2, 3)), 6).shape == (6,)


@pytest.mark.parametrize("op", ["add", "sub", "mul", "div"])
@pytest.mark.parametrize("a_dtype, b_dtype", [(np.float64, np.float32), (np.float32, np.float64)])
def test_binary_ops_promote_mixed_dtypes_as_numpy_does(op, a_dtype, b_dtype):
    """float64 with float32 gives float64 whichever side it is on (np.result_type)."""
    y = getattr(refimpl, op)(np.ones(2, a_dtype), np.full(2, 3.0, b_dtype))
    assert y.dtype == np.float64


# ============================================================= gradients keep the dtype

def _node_grads(node, *inputs):
    """Run ``node`` forward on Variables, then its own backward with a cotangent of ones."""
    out = node(*[Variable(x) for x in inputs])
    outs = out if isinstance(out, tuple) else (out,)
    grads = node.backward(*[np.ones(y.shape, y.dtype) for y in outs])
    return grads if isinstance(grads, tuple) else (grads,)


F32 = np.float32
NODES = {
    "add": (graph.Add, (np.ones((2, 3), F32), np.ones(3, F32))),
    "sub": (graph.Sub, (np.ones((2, 3), F32), np.ones(3, F32))),
    "mul": (graph.Mul, (np.ones((2, 3), F32), np.full(3, 2.0, F32))),
    "div": (graph.Div, (np.ones((2, 3), F32), np.full(3, 2.0, F32))),
    "pow": (lambda: graph.Pow(3), (np.full(3, 2.0, F32),)),
    "exp": (graph.Exp, (np.zeros(3, F32),)),
    "log": (graph.Log, (np.full(3, 2.0, F32),)),
    "branch": (lambda: graph.Branch(3), (np.ones(3, F32),)),
    "repeat": (lambda: graph.Repeat(2, 0), (np.ones((2, 3), F32),)),
    "broadcast_to": (lambda: graph.BroadcastTo((2, 3)), (np.ones(3, F32),)),
    "sum": (lambda: graph.Sum(axis=0), (np.ones((2, 3), F32),)),
}


@pytest.mark.parametrize("name", NODES)
@pytest.mark.parametrize("dtype", [np.float32, np.float16])
def test_each_node_backward_returns_gradients_in_its_inputs_dtypes(name, dtype):
    """The op contract: a node's own backward returns each gradient in its input's dtype
    (subclasses that wrap ``backward``, as tests/test_edge_canaries.py does, see it raw)."""
    make, inputs = NODES[name]
    inputs = tuple(x.astype(dtype) for x in inputs)
    grads = _node_grads(make(), *inputs)
    assert [g.dtype for g in grads] == [x.dtype for x in inputs]
    assert [g.shape for g in grads] == [x.shape for x in inputs]


# b such that the float16 of 1 / b rounded once differs from it rounded through float32
# (found among 100000 normal draws; 8 of them are such ties for float16)
DOUBLE_ROUNDING_B = [0.507558865172029, -1.5485822202711759, -0.5548631895873596]


@pytest.mark.parametrize("b", DOUBLE_ROUNDING_B)
def test_a_half_input_of_a_float64_op_gets_its_gradient_rounded_once(b):
    """d(a/b)/da = 1/b: a float16 ``a`` divided by a float64 ``b`` is a float64 op, so the
    gradient is the float64 1/b rounded once to float16 (``unbroadcast``), as torch casts
    a float64 gradient to a float16 input; not twice, through float32."""
    once, twice = np.float16(2 / b), np.float16(np.float32(2 / b))
    assert once != twice                       # the example is a double-rounding case
    # a broadcast to two copies: its gradient is 1/b + 1/b = 2/b, exact in float64
    da, db = refimpl.grad(lambda a, b: refimpl.sum(refimpl.div(a, b)), argnums=(0, 1))(
        np.float16(1.0), np.full(2, b))
    assert da.dtype == np.float16 and db.dtype == np.float64
    assert da == once


def test_a_half_op_rounds_its_gradient_through_float32():
    """The op contract for a float16 op: the float32 result rounded once more (here the
    float64 quotient 1 / b goes through float32, as the forward does)."""
    b = np.float16(DOUBLE_ROUNDING_B[0])
    da, _ = refimpl.grad(refimpl.div, argnums=(0, 1))(np.float16(1.0), b)
    assert da == np.float16(np.float32(1 / np.float64(b)))


# ========================================================= the central-difference step

CBRT_EPS = 2.0 ** (-52 / 3)      # cbrt of float64's machine epsilon 2^-52


@pytest.mark.parametrize("x, scale", [(0.0, 1.0), (0.5, 1.0), (-1.0, 1.0), (10.0, 10.0),
                                      (-1e6, 1e6)])
def test_step_size_is_cbrt_eps_times_max_of_1_and_abs_x(x, scale):
    """h = cbrt(eps) max(1, |x|): absolute near 0, relative to x beyond 1 (balances the
    central difference's h^2 truncation against its eps/h rounding)."""
    assert step_size(x) == pytest.approx(CBRT_EPS * scale, rel=1e-15)


@pytest.mark.parametrize("x, scale", [(np.int8(-128), 128.0), (np.int64(-2**63), 2.0**63)])
def test_step_size_of_an_integer_is_taken_in_float64(x, scale):
    """|x| in float64: int8 -128 (int64 -2^63) has no absolute value in its own type."""
    h = step_size(np.array([x]))
    assert h.dtype == np.float64
    assert h[0] == pytest.approx(CBRT_EPS * scale, rel=1e-15)
