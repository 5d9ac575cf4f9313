"""Tensors (텐서), vectors and matrices (벡터와 행렬).

A tensor is an n-dimensional array. Its *rank* (``ndim``) is how many axes it has,
its *shape* how long each axis is, its *dtype* what each number is stored as.

====  ====================  ==========================================
rank  name                  example shape
====  ====================  ==========================================
0     scalar (스칼라)        ``()``
1     vector (벡터)          ``(5,)`` -- a "5-dimensional vector"
2     matrix (행렬)          ``(samples, features)``
3     3D tensor             ``(samples, timesteps, features)``
4     4D tensor (images)    ``(samples, height, width, channels)``
5     5D tensor (video)     ``(samples, frames, height, width, channels)``
====  ====================  ==========================================

"Dimension" means two things: a vector with 5 entries is 5-*dimensional*, yet it is a
rank-1 tensor (one axis, of length 5).

>>> describe(np.zeros(5))
{'rank': 1, 'shape': (5,), 'dtype': 'float64', 'size': 5}
>>> describe(np.zeros((128, 4, 256, 256, 3), dtype=np.float32))['rank']
5
"""

from __future__ import annotations

import numpy as np

from refimpl._accurate import accurate_dot, accurate_matmul, dot_of_others, hi, rounded, two_prod
from refimpl._arrays import ShapeError, up, upcast
from refimpl._checks import integer, positive
from refimpl.autodiff import Function, Variable, sum_to, unbroadcast

__all__ = [
    "ShapeError", "describe", "dot", "cosine_similarity", "matmul", "matmul_shape", "EXAMPLES",
]


def describe(x) -> dict:
    """Rank, shape, dtype and size of a tensor.

    >>> describe(3.0)
    {'rank': 0, 'shape': (), 'dtype': 'float64', 'size': 1}
    >>> describe(np.zeros((20, 3)))   # a mini-batch of 20 samples with 3 features
    {'rank': 2, 'shape': (20, 3), 'dtype': 'float64', 'size': 60}
    """
    a = x.data if isinstance(x, Variable) else np.asarray(x)
    return {"rank": a.ndim, "shape": a.shape, "dtype": a.dtype.name, "size": int(a.size)}


# One example of each rank, from the scalar to a batch of videos.
EXAMPLES = {
    "scalar": np.float32(3.5),
    "vector": np.arange(5, dtype=np.float32),  # 5-dimensional vector, rank 1
    "matrix": np.zeros((3, 5), dtype=np.float32),  # 3 samples x 5 features
    "3d (sequences)": np.zeros((2, 7, 5), dtype=np.float32),  # samples, timesteps, features
    "4d (images)": np.zeros((2, 28, 28, 1), dtype=np.uint8),  # samples, height, width, channels
    "5d (video)": np.zeros((2, 4, 16, 16, 3), dtype=np.uint8),  # samples, frames, h, w, channels
}


# ---------------------------------------------------------------- dot product (내적)

class Dot(Function):
    """y = sum_i a_i b_i for two vectors of the same length."""

    def forward(self, a, b):
        if a.ndim != 1 or b.ndim != 1 or a.shape != b.shape:
            raise ShapeError(
                f"dot: shapes {a.shape} and {b.shape} do not fit; "
                "the rule is two rank-1 vectors of the same length: (n,) . (n,) -> ()"
            )
        return np.asarray(accurate_dot(a, b)).astype(np.result_type(a, b))

    def backward(self, dout):
        a, b = (x.data for x in self.inputs)
        a32, b32 = upcast(a, b)
        g = up(dout)
        return (g * b32).astype(a.dtype), (g * a32).astype(b.dtype)   # da = dout b, db = dout a


def dot(a, b):
    """Dot product of two vectors: ``sum_i a_i b_i``; shapes ``(n,), (n,) -> ()``.

    d(a.b)/da = b and d(a.b)/db = a.

    >>> dot(np.array([1., 2., 3.]), np.array([4., 5., 6.]))
    array(32.)
    """
    return Dot()(a, b)


# ------------------------------------------------------- cosine similarity (코사인 유사도)

class CosineSimilarity(Function):
    name = "cosine_similarity"

    def __init__(self, axis=-1, eps=1e-8):
        self.axis = integer("cosine_similarity", "axis", axis)
        self.eps = positive("cosine_similarity", "eps", eps)

    def forward(self, a, b):
        try:
            shape = np.broadcast_shapes(a.shape, b.shape)
        except ValueError:
            raise ShapeError(
                f"cosine_similarity: shapes {a.shape} and {b.shape} do not broadcast; "
                "the rule is numpy broadcasting, then a reduction over `axis`"
            ) from None
        if len(shape) == 0:
            raise ShapeError("cosine_similarity: needs at least one axis to reduce, got two scalars")
        a64, b64 = np.broadcast_to(hi(a), shape), np.broadcast_to(hi(b), shape)
        (sa, ea), (sb, eb) = self.scaled = _scaled(a64, self.axis), _scaled(b64, self.axis)
        self.na = np.maximum(np.ldexp(_norm(sa, self.axis), ea), self.eps)
        self.nb = np.maximum(np.ldexp(_norm(sb, self.axis), eb), self.eps)
        self.u, self.v = a64 / self.na, b64 / self.nb
        # a.b / (|a| |b|) from the scaled vectors (exact powers of two): the dot product
        # of the rounded u and v would carry their roundings into a cancelling sum. Clipped,
        # it stays within [-1, 1], as normalising first keeps it in the frameworks.
        cos = accurate_dot(sa, sb, self.axis, keepdims=True) / (
            np.ldexp(self.na, -ea) * np.ldexp(self.nb, -eb))
        self.cos = np.clip(cos, -1.0, 1.0)
        return rounded(np.squeeze(self.cos, axis=self.axis), np.result_type(a, b))

    def backward(self, dout):
        a, b = (x.data for x in self.inputs)
        g = np.expand_dims(hi(dout), self.axis)
        (sa, ea), (sb, eb) = self.scaled
        # d cos/da = (v - cos u) / |a| where |a| > eps; below eps the norm is the constant
        # eps and only v / eps remains. "+ 0.0" makes an exact cancellation +0, as
        # g v - g cos u gives it in the frameworks. np.where computes both branches: the
        # one not taken divides 0 by 0 for a zero vector; v / eps overflows to inf for a
        # subnormal eps, as the true gradient does (numpy warns, the frameworks do not).
        with np.errstate(all="ignore"):
            da = np.where(self.na > self.eps, g * _across(sa, ea, self.na, sb, eb, self.nb, self.axis)
                          + 0.0, g * self.v / self.na)
            db = np.where(self.nb > self.eps, g * _across(sb, eb, self.nb, sa, ea, self.na, self.axis)
                          + 0.0, g * self.u / self.nb)
        return unbroadcast(da, a, dout.dtype), unbroadcast(db, b, dout.dtype)


def _scaled(x, axis):
    """(x / 2^e, e) with 2^e near the largest |x_i| along ``axis``: the squares of
    [1e200, 1] or [1e-200, 0] then neither overflow nor underflow. A zero (or non-finite)
    vector gets e = 0 from frexp, so that eps / 2^e cannot underflow a subnormal eps."""
    m = np.max(np.abs(x), axis=axis, keepdims=True, initial=0.0)
    _, e = np.frexp(m)
    return np.ldexp(x, -e), e


def _norm(s, axis):
    return np.sqrt(accurate_dot(s, s, axis, keepdims=True))


def _across(sa, ea, na, sb, eb, nb, axis):
    """(v - cos u) / |a|, the part of v across u, from a = sa 2^ea and b = sb 2^eb with
    norms na, nb (nb may be eps): with |u| = 1 it is v_i sum_{j!=i} u_j^2 - u_i sum_{j!=i}
    u_j v_j, i.e. (b_i sum_{j!=i} a_j^2 - a_i sum_{j!=i} a_j b_j) / (|a|^3 nb), with no
    1 - u_i^2 that rounds to 0 where a lies along one axis (a = [1e16, 0.1, -0.3]). The
    numerator is the two products of (hi, lo) sums, subtracted once (two_prod)."""
    aa, aa_lo = dot_of_others(sa, sa, axis)
    ab, ab_lo = dot_of_others(sa, sb, axis)
    p1, e1 = two_prod(sb, aa)
    p2, e2 = two_prod(sa, ab)
    num = (p1 - p2) + ((e1 - e2) + (sb * aa_lo - sa * ab_lo))
    scale = accurate_dot(sa, sa, axis, keepdims=True) * np.ldexp(na, -ea) * np.ldexp(nb, -eb)
    return np.ldexp(num / scale, -ea)


def cosine_similarity(a, b, axis: int = -1, eps: float = 1e-8):
    """Cosine of the angle between ``a`` and ``b`` along ``axis``.

    ``cos = sum(u * v)`` with ``u = a / max(|a|, eps)`` and ``v = b / max(|b|, eps)``:
    each vector is normalised first (as ``torch.nn.functional.cosine_similarity``
    does), so the result stays in [-1, 1]. ``a`` and ``b`` broadcast; ``axis`` is
    reduced away.

    Derivative, where |a| > eps: ``d cos / da = (v - cos * u) / |a|``.

    >>> cosine_similarity(np.array([1., 0.]), np.array([1., 1.]))   # 45 degrees
    array(0.70710678)
    """
    return CosineSimilarity(axis, eps)(a, b)


# -------------------------------------------------------------- matrix product (행렬 곱)

def matmul_shape(a_shape, b_shape):
    """The shape rule of the matrix product: ``(..., n, k) @ (..., k, m) -> (..., n, m)``.

    The inner sizes ``k`` must match; the leading (batch) axes broadcast. A rank-1
    operand is a row (on the left) or a column (on the right), and that axis is dropped
    from the result, as in ``np.matmul``.

    >>> matmul_shape((20, 3), (3, 4))       # a mini-batch of 20 through a 3 -> 4 layer
    (20, 4)
    >>> matmul_shape((8, 20, 3), (3, 4))    # 8 mini-batches at once: W is shared
    (8, 20, 4)
    >>> matmul_shape((2, 3), (2, 3))
    Traceback (most recent call last):
    ...
    refimpl._arrays.ShapeError: matmul: shapes (2, 3) and (2, 3) do not fit; the rule is (..., n, k) @ (..., k, m) -> (..., n, m), and here k = 3 on the left but 2 on the right
    """
    a_shape, b_shape = tuple(a_shape), tuple(b_shape)
    rule = "the rule is (..., n, k) @ (..., k, m) -> (..., n, m)"
    if len(a_shape) == 0 or len(b_shape) == 0:
        raise ShapeError(
            f"matmul: shapes {a_shape} and {b_shape} do not fit; {rule}, "
            "and a scalar (rank 0) has no axis to contract: use mul"
        )
    a2 = (1,) + a_shape if len(a_shape) == 1 else a_shape
    b2 = b_shape + (1,) if len(b_shape) == 1 else b_shape
    if a2[-1] != b2[-2]:
        raise ShapeError(
            f"matmul: shapes {a_shape} and {b_shape} do not fit; {rule}, "
            f"and here k = {a2[-1]} on the left but {b2[-2]} on the right"
        )
    try:
        batch = np.broadcast_shapes(a2[:-2], b2[:-2])
    except ValueError:
        raise ShapeError(
            f"matmul: shapes {a_shape} and {b_shape} do not fit; {rule}, "
            f"and the batch axes {a2[:-2]} and {b2[:-2]} do not broadcast"
        ) from None
    out = batch + (a2[-2], b2[-1])
    if len(a_shape) == 1:
        out = out[:-2] + out[-1:]
    if len(b_shape) == 1:
        out = out[:-1]
    return out


def _as_matrices(a, b):
    """Rank >= 2 views: a vector is a (1, k) row on the left, a (k, 1) column on the right."""
    return a[None, :] if a.ndim == 1 else a, b[:, None] if b.ndim == 1 else b


class MatMul(Function):
    def forward(self, a, b):
        shape = matmul_shape(a.shape, b.shape)
        return accurate_matmul(*_as_matrices(a, b)).astype(np.result_type(a, b)).reshape(shape)

    def backward(self, dout):
        a, b = (x.data for x in self.inputs)
        a32, b32 = upcast(a, b)
        g = up(dout)
        # Work with rank >= 2 views; the dropped axis comes back as size 1 in g.
        a2, b2 = _as_matrices(a32, b32)
        g2 = np.expand_dims(g, -1) if b.ndim == 1 else g
        g2 = np.expand_dims(g2, -2) if a.ndim == 1 else g2
        da = accurate_matmul(g2, np.swapaxes(b2, -1, -2))   # dA = dY B^T
        db = accurate_matmul(np.swapaxes(a2, -1, -2), g2)   # dB = A^T dY
        da = sum_to(da, a2.shape).reshape(a.shape)
        db = sum_to(db, b2.shape).reshape(b.shape)
        return da.astype(a.dtype), db.astype(b.dtype)


def matmul(a, b):
    """Matrix product ``a @ b`` (``matmul_shape`` gives the shape rule).

    With Y = A B: dA = dY B^T and dB = A^T dY, each summed over broadcast batch axes,
    so every gradient has its input's shape -- the gradient of W has W's shape.

    >>> x = np.array([[1., 2.]])                      # one sample with 2 features
    >>> W = np.array([[1., 0., -1.], [2., 1., 0.]])   # a 2 -> 3 layer
    >>> matmul(x, W)
    array([[ 5.,  2., -1.]])
    """
    return MatMul()(a, b)
