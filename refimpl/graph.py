"""The nodes of a computational graph (계산 그래프) and the chain rule (연쇄 법칙).

Each node is a ``Function``: ``forward`` computes the output from plain arrays, and
``backward(dout)`` turns the upstream gradient ``dout`` (dL/dout) into one gradient per
input by multiplying with the node's *local* derivative. Chaining these local steps
from the loss back to the inputs is the chain rule.

The worked example: f = W x + b with W = -2, x = 5, b = 3.

>>> from refimpl import Variable
>>> W, x, b = Variable(-2.0), Variable(5.0), Variable(3.0)
>>> f = W * x + b
>>> f
Variable(-7.)
>>> f.backward()
>>> W.grad, x.grad, b.grad            # df/dW = x, df/dx = W, df/db = 1
(array(5.), array(-2.), array(1.))
>>> Variable(-2.0 + 1) * x + b        # nudging W by +1 moves f by df/dW = 5
Variable(-2.)

Partial derivatives (편미분): z = x^2 + xy + y gives dz/dx = 2x + y and dz/dy = x + 1.

>>> x, y = Variable(3.0), Variable(2.0)
>>> z = x ** 2 + x * y + y
>>> z.backward()
>>> x.grad, y.grad
(array(8.), array(4.))
"""

from __future__ import annotations

import numpy as np

from refimpl._accurate import accurate_sum, hi, rounded
from refimpl._arrays import ShapeError, up, upcast
from refimpl._checks import finite, flag, integer, ints, size
from refimpl.autodiff import Function, Variable, unbroadcast

__all__ = [
    "add", "sub", "mul", "div", "neg", "pow", "exp", "log",
    "branch", "repeat", "broadcast_to", "sum", "reshape", "transpose",
]


class Binary(Function):
    """A node of two inputs, elementwise, with numpy's broadcasting.

    A subclass gives ``f(a, b)`` and ``df(a, b, dout)`` (the gradients of a and b),
    both on the inputs in their compute dtype (float16 and bfloat16 in float32, so a
    result is rounded once). A broadcast input was used once per copy, so its gradient
    is the sum over the copies: ``backward`` brings each back to its input (``unbroadcast``).
    """

    def forward(self, a, b):
        try:
            np.broadcast_shapes(a.shape, b.shape)
        except ValueError:
            raise ShapeError(
                f"{self.called}: shapes {a.shape} and {b.shape} do not "
                "broadcast; the rule is that, aligned from the right, each pair of sizes is "
                "equal or one of them is 1") from None
        a32, b32 = upcast(a, b)
        return self.f(a32, b32).astype(np.result_type(a, b))

    def backward(self, dout):
        a, b = (x.data for x in self.inputs)
        da, db = self.df(*upcast(a, b), up(dout))
        return unbroadcast(da, a, dout.dtype), unbroadcast(db, b, dout.dtype)


# ===================================================================== add, sub, neg

class Add(Binary):
    """y = a + b. The add node passes dout unchanged to both inputs (local derivative 1)."""

    def f(self, a, b):
        return a + b

    def df(self, a, b, dout):
        return dout, dout


def add(a, b):
    """Elementwise ``a + b`` with broadcasting; da = dout, db = dout (summed to shape).

    >>> add(np.array([1., 2.]), 10.0)
    array([11., 12.])
    """
    return Add()(a, b)


class Sub(Binary):
    def f(self, a, b):
        return a - b

    def df(self, a, b, dout):
        return dout, -dout


def sub(a, b):
    """Elementwise ``a - b``; da = dout, db = -dout."""
    return Sub()(a, b)


class Neg(Function):
    def forward(self, x):
        return -x

    def backward(self, dout):
        return -dout


def neg(x):
    """``-x``; dx = -dout."""
    return Neg()(x)


# ========================================================================= mul, div

class Mul(Binary):
    """y = a * b. The mul node swaps its inputs: da = dout * b, db = dout * a."""

    def f(self, a, b):
        return a * b

    def df(self, a, b, dout):
        return dout * b, dout * a


def mul(a, b):
    """Elementwise ``a * b`` with broadcasting; da = dout * b, db = dout * a.

    >>> mul(np.array([1., 2.]), np.array([3., 4.]))
    array([3., 8.])
    """
    return Mul()(a, b)


class Div(Binary):
    def f(self, a, b):
        return a / b

    def df(self, a, b, dout):
        # In float64, rounded once at the end. d(a/b)/db = -a/b^2 is evaluated as (a/b)/b:
        # b*b would overflow for |b| > 1e154 while the quotient is still finite.
        a, b, g = hi(a), hi(b), hi(dout)
        return g / b, -g * ((a / b) / b)


def div(a, b):
    """Elementwise ``a / b``; da = dout / b, db = -dout * a / b^2."""
    return Div()(a, b)


# ===================================================================== pow, exp, log

class Pow(Function):
    def __init__(self, c):
        self.c = float(finite("pow", "c", c))

    def forward(self, x):
        return rounded(hi(x) ** self.c, x.dtype)

    def backward(self, dout):
        x = self.inputs[0].data
        return rounded(hi(dout) * self.c * hi(x) ** (self.c - 1), x.dtype)


def pow(x, c):
    """``x ** c`` for a constant exponent ``c``; dx = dout * c * x^(c-1).

    >>> pow(np.array([2., 3.]), 2)
    array([4., 9.])
    """
    return Pow(c)(x)


class Exp(Function):
    def forward(self, x):
        self.y = np.exp(hi(x))
        return rounded(self.y, x.dtype)

    def backward(self, dout):
        # exp is its own derivative: reuse the forward output, unrounded.
        return rounded(hi(dout) * self.y, self.inputs[0].dtype)


def exp(x):
    """``e ** x``; dx = dout * exp(x)."""
    return Exp()(x)


class Log(Function):
    def forward(self, x):
        return rounded(np.log(hi(x)), x.dtype)

    def backward(self, dout):
        return rounded(hi(dout) / hi(self.inputs[0].data), self.inputs[0].dtype)


def log(x):
    """Natural logarithm; dx = dout / x."""
    return Log()(x)


# ======================================================== branch, repeat, broadcast_to

class Branch(Function):
    """Copy x into n outputs. Backward adds the n upstream gradients: a value used
    in several places receives the sum of the gradients of every use."""

    def __init__(self, n):
        self.n = size("branch", "n", n, 1)

    def forward(self, x):
        return tuple(x.copy() for _ in range(self.n))

    def backward(self, *douts):
        total = up(douts[0])
        for g in douts[1:]:
            total = total + up(g)
        return total.astype(self.inputs[0].dtype)


def branch(x, n: int = 2):
    """``n`` copies of ``x`` (the copy node); dx = dout_1 + ... + dout_n.

    >>> branch(np.array([1., 2.]), 3)
    (array([1., 2.]), array([1., 2.]), array([1., 2.]))
    """
    return Branch(n)(x)


class Repeat(Function):
    def __init__(self, n, axis):
        self.n, self.axis = size("repeat", "n", n, 0), integer("repeat", "axis", axis)

    def forward(self, x):
        if not -x.ndim <= self.axis < x.ndim:
            raise ShapeError(f"repeat: axis {self.axis} is out of range for shape {x.shape}")
        return np.repeat(x, self.n, axis=self.axis)

    def backward(self, dout):
        x = self.inputs[0].data
        ax = self.axis % x.ndim
        # Each input element became n neighbours along axis: fold them out and add them.
        split = x.shape[:ax] + (x.shape[ax], self.n) + x.shape[ax + 1:]
        return accurate_sum(dout.reshape(split), axis=ax + 1).astype(x.dtype)


def repeat(x, n: int, axis: int):
    """Repeat each element ``n`` times along ``axis`` (``np.repeat``); dx sums the copies.

    >>> repeat(np.array([[1., 2.]]), 3, axis=0)     # one row -> a batch of 3
    array([[1., 2.],
           [1., 2.],
           [1., 2.]])
    """
    return Repeat(n, axis)(x)


class BroadcastTo(Function):
    name = "broadcast_to"

    def __init__(self, shape):
        self.shape = ints("broadcast_to", "shape", shape)

    def forward(self, x):
        try:
            return np.broadcast_to(x, self.shape).copy()
        except ValueError:
            raise ShapeError(
                f"broadcast_to: shape {x.shape} cannot be broadcast to {self.shape}; the rule "
                "is that, aligned from the right, each size of x is 1 or equals the target's"
            ) from None

    def backward(self, dout):
        return unbroadcast(up(dout), self.inputs[0].data, dout.dtype)


def broadcast_to(x, shape):
    """Broadcast ``x`` to ``shape`` (a repeat along new and size-1 axes); dx = sum_to(dout).

    >>> broadcast_to(np.array([1., 2.]), (2, 2))
    array([[1., 2.],
           [1., 2.]])
    """
    return BroadcastTo(shape)(x)


# ================================================================ sum, reshape, transpose

def _axes(axis, ndim, op):
    if axis is None:
        return tuple(range(ndim))
    axes = ints(op, "axis", axis)
    for a in axes:
        if not -ndim <= a < ndim:
            raise ShapeError(f"{op}: axis {a} is out of range for a rank-{ndim} tensor")
    if len(set(a % ndim for a in axes)) != len(axes):
        raise ShapeError(f"{op}: axis {axis} names an axis twice")
    return tuple(sorted(a % ndim for a in axes))


class Sum(Function):
    def __init__(self, axis=None, keepdims=False):
        self.axis, self.keepdims = axis, flag("sum", "keepdims", keepdims)

    def forward(self, x):
        self.axes = _axes(self.axis, x.ndim, "sum")
        return accurate_sum(x, axis=self.axes, keepdims=self.keepdims).astype(x.dtype)

    def backward(self, dout):
        x = self.inputs[0].data
        g = dout if self.keepdims else np.expand_dims(dout, self.axes)
        return np.broadcast_to(g, x.shape).astype(x.dtype)


def sum(x, axis=None, keepdims: bool = False):
    """Sum over ``axis`` (all axes when None); dx = dout broadcast back to x's shape.

    >>> sum(np.array([[1., 2.], [3., 4.]]), axis=0)
    array([4., 6.])
    """
    return Sum(axis, keepdims)(x)


class Reshape(Function):
    def __init__(self, shape):
        self.shape = ints("reshape", "shape", shape)

    def forward(self, x):
        try:
            return x.reshape(self.shape)
        except ValueError:
            raise ShapeError(
                f"reshape: cannot reshape {x.shape} (size {x.size}) to {self.shape}; "
                "the rule is that the number of elements stays the same"
            ) from None

    def backward(self, dout):
        return dout.reshape(self.inputs[0].shape)


def reshape(x, shape):
    """Same elements, new shape; dx = dout reshaped back."""
    return Reshape(shape)(x)


class Transpose(Function):
    def __init__(self, axes=None):
        self.axes = None if axes is None else ints("transpose", "axes", axes)

    def forward(self, x):
        axes = tuple(reversed(range(x.ndim))) if self.axes is None else self.axes
        in_range = [a % x.ndim for a in axes if -x.ndim <= a < x.ndim]
        if len(axes) != x.ndim or sorted(in_range) != list(range(x.ndim)):
            raise ShapeError(f"transpose: axes {axes} are not a permutation of the {x.ndim} axes of {x.shape}")
        self.perm = axes
        return np.transpose(x, axes)

    def backward(self, dout):
        return np.transpose(dout, np.argsort([a % self.inputs[0].ndim for a in self.perm]))


def transpose(x, axes=None):
    """Permute the axes (reverse them when None); dx = dout with the inverse permutation.

    >>> transpose(np.zeros((2, 3, 4))).shape
    (4, 3, 2)
    """
    return Transpose(axes)(x)


# ============================================= operators, so that Variables read as maths

def _install_operators():
    from refimpl.tensors import matmul

    def flip(f):
        return lambda self, other: f(other, self)

    Variable.__add__ = Variable.__radd__ = lambda self, other: add(self, other)
    Variable.__sub__ = lambda self, other: sub(self, other)
    Variable.__rsub__ = flip(sub)
    Variable.__mul__ = Variable.__rmul__ = lambda self, other: mul(self, other)
    Variable.__truediv__ = lambda self, other: div(self, other)
    Variable.__rtruediv__ = flip(div)
    Variable.__neg__ = lambda self: neg(self)
    Variable.__pow__ = lambda self, c: pow(self, c)
    Variable.__matmul__ = lambda self, other: matmul(self, other)
    Variable.__rmatmul__ = flip(matmul)
    Variable.sum = lambda self, axis=None, keepdims=False: sum(self, axis, keepdims)
    Variable.reshape = lambda self, *shape: reshape(self, shape[0] if len(shape) == 1 else shape)
    Variable.T = property(lambda self: transpose(self))


_install_operators()
