"""Numpy-only tests of the graph nodes' contracts (refimpl/graph.py, refimpl/derivatives.py):
the exact error messages of bad shapes and arguments, the defaults of the wrappers and of the
Variable methods and operators, each node's gradient dtype (and how a gradient is rounded to
its input's), and the central-difference step.

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


def _ties(wide):
    """How many entries of a float64 array round to float16 differently once than
    twice (through float32)."""
    return int((wide.astype(np.float16) != wide.astype(np.float32).astype(np.float16)).sum())


# (the other input's dtype, the ops): a float32 op rounds through float32 anyway, except
# where refimpl computes in float64 (div's and cosine_similarity's gradients)
MIXED = [(np.float64, op) for op in ("add", "sub", "mul", "div", "cosine_similarity")] + [
    (np.float32, op) for op in ("div", "cosine_similarity")]


@pytest.mark.parametrize("other, op", MIXED)
@pytest.mark.parametrize("half", [0, 1])
def test_a_half_input_of_a_wider_op_gets_that_ops_gradient_rounded_once(other, op, half):
    """A float16 input with a float64 (float32) one is a float64 (float32) op: the float16
    input's gradient is the gradient it would get as a float64 (float32) input, rounded
    once more (``unbroadcast``), as torch casts the gradient of an op to a float16 input;
    a float64 gradient is not rounded twice, through float32."""
    rng = np.random.default_rng(0)
    x = [rng.normal(size=(50000, 2)), rng.uniform(0.5, 2, size=(50000, 2))]
    w = rng.normal(size=(50000,) if op == "cosine_similarity" else (50000, 2))

    def f(a, b):
        return refimpl.sum(refimpl.mul(getattr(refimpl, op)(a, b), w.astype(other)))

    x = [v.astype(np.float16 if i == half else other) for i, v in enumerate(x)]
    exact = refimpl.grad(f, argnums=(0, 1))(*[v.astype(np.float64) for v in x])[half]
    assert _ties(exact) > 0                      # the draws hold cases the rule decides
    wide = refimpl.grad(f, argnums=(0, 1))(*[v.astype(other) for v in x])[half]
    got = refimpl.grad(f, argnums=(0, 1))(*x)[half]
    assert got.dtype == np.float16
    np.testing.assert_array_equal(got, wide.astype(np.float16))


# a and b (float16) where -(a / b) / b, the gradient of b, rounds differently to float16
# once and twice (found among 200000 normal draws; 10 such pairs)
HALF_TIES = [(0.1407470703125, -0.476318359375), (-1.9228515625, 0.9541015625),
             (-0.39306640625, 0.6044921875)]


@pytest.mark.parametrize("a, b", HALF_TIES)
def test_a_half_op_rounds_its_gradient_through_float32(a, b):
    """The op contract for a float16 op: the float32 result rounded once more. Div
    computes d(a/b)/db in float64; it is rounded to float32 first, as the forward is."""
    wide = -(a / b) / b
    assert _ties(np.array(wide)) == 1           # a case the rule decides
    _, db = refimpl.grad(refimpl.div, argnums=(0, 1))(np.float16(a), np.float16(b))
    assert db == np.float16(np.float32(wide))


# ==================================================== operators on Variables

def test_every_operator_on_a_variable_is_its_named_op():
    """a + b, 2 - a, a @ b, a.T, ... are add, sub, matmul, transpose: the same values, a
    recorded Variable. The operators are installed at import; installed again here, so
    that this test also reaches that code when it changes (mutation testing runs tests)."""
    from refimpl import graph

    graph._install_operators()
    a = refimpl.Variable(np.array([[1.5, -2.0], [0.25, 3.0]]))
    b = refimpl.Variable(np.array([[0.5, 4.0], [-1.0, 2.0]]))
    x = a.data
    cases = {
        "a + b": (a + b, x + b.data), "2 + a": (2.0 + a, 2.0 + x),
        "a - b": (a - b, x - b.data), "2 - a": (2.0 - a, 2.0 - x),
        "a * b": (a * b, x * b.data), "2 * a": (2.0 * a, 2.0 * x),
        "a / b": (a / b, x / b.data), "2 / a": (2.0 / a, 2.0 / x),
        "-a": (-a, -x), "a ** 3": (a ** 3, x ** 3),
        "a @ b": (a @ b, x @ b.data), "x @ b": (x @ b, x @ b.data),
        "list @ b": (x.tolist() @ b, x @ b.data),     # no numpy left of @: __rmatmul__
        "a.sum()": (a.sum(), np.sum(x)), "a.sum(0)": (a.sum(0), x.sum(0)),
        "a.sum(0, True)": (a.sum(0, True), x.sum(0, keepdims=True)),
        "a.reshape(4)": (a.reshape(4), x.reshape(4)), "a.reshape(1, 4)": (a.reshape(1, 4), x.reshape(1, 4)),
        "a.reshape((1, 4))": (a.reshape((1, 4)), x.reshape((1, 4))),
        "a.T": (a.T, x.T),
    }
    for what, (y, want) in cases.items():
        assert isinstance(y, refimpl.Variable) and y.creator is not None, what
        np.testing.assert_array_equal(y.data, want, err_msg=what)


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
