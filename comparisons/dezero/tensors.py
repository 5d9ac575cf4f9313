"""Vectors and matrices in DeZero: dezero.functions.matmul (``x.dot(W)`` forward,
dX = dY Wᵀ and dW = Xᵀ dY backward)."""

import dezero.functions as F


def matmul(a, b):
    return F.matmul(a, b)


def dot(a, b):
    # DeZero has no dot: matmul's forward is ndarray.dot, the dot of two vectors.
    return F.matmul(a, b)
