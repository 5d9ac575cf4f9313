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

from refimpl._arrays import ShapeError, up, upcast
from refimpl.autodiff import Function, Variable, sum_to

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
        a32, b32 = upcast(a, b)
        return np.asarray(np.dot(a32, b32)).astype(np.result_type(a, b))

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
    def __init__(self, axis=-1, eps=1e-8):
        self.axis, self.eps = axis, eps

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
        a32, b32 = upcast(a, b)
        a32, b32 = np.broadcast_to(a32, shape), np.broadcast_to(b32, shape)
        # Normalise first, then take the dot product: the result stays within [-1, 1].
        self.na = np.maximum(np.sqrt(np.sum(a32 * a32, axis=self.axis, keepdims=True)), self.eps)
        self.nb = np.maximum(np.sqrt(np.sum(b32 * b32, axis=self.axis, keepdims=True)), self.eps)
        self.u, self.v = a32 / self.na, b32 / self.nb
        self.cos = np.sum(self.u * self.v, axis=self.axis, keepdims=True)
        return np.squeeze(self.cos, axis=self.axis).astype(np.result_type(a, b))

    def backward(self, dout):
        a, b = (x.data for x in self.inputs)
        g = np.expand_dims(dout.astype(self.cos.dtype), self.axis)
        # d cos/da = (v - cos u) / |a| where |a| > eps; below eps the norm is the
        # constant eps and only v / eps remains. Written as g v - (g cos) u, the two paths
        # autodiff takes through the normalisation, so that an exact cancellation gives
        # +0 as it does in the frameworks.
        gc = g * self.cos
        da = (g * self.v - np.where(self.na > self.eps, gc * self.u, 0)) / self.na
        db = (g * self.u - np.where(self.nb > self.eps, gc * self.v, 0)) / self.nb
        return sum_to(da, a.shape).astype(a.dtype), sum_to(db, b.shape).astype(b.dtype)


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


class MatMul(Function):
    def forward(self, a, b):
        shape = matmul_shape(a.shape, b.shape)
        a32, b32 = upcast(a, b)
        return np.matmul(a32, b32).astype(np.result_type(a, b)).reshape(shape)

    def backward(self, dout):
        a, b = (x.data for x in self.inputs)
        a32, b32 = upcast(a, b)
        g = up(dout)
        # Work with rank >= 2 views: a vector is a (1, k) row on the left, a (k, 1) column
        # on the right; the dropped axis comes back as size 1 in g.
        a2 = a32[None, :] if a.ndim == 1 else a32
        b2 = b32[:, None] if b.ndim == 1 else b32
        g2 = np.expand_dims(g, -1) if b.ndim == 1 else g
        g2 = np.expand_dims(g2, -2) if a.ndim == 1 else g2
        da = np.matmul(g2, np.swapaxes(b2, -1, -2))   # dA = dY B^T
        db = np.matmul(np.swapaxes(a2, -1, -2), g2)   # dB = A^T dY
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
