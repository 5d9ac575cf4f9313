"""Vectors and matrices in autograd: autograd.numpy's dot, matmul and linalg.norm."""

import autograd.numpy as anp
import numpy as np


def dot(a, b):
    return anp.dot(a, b)


def cosine_similarity(a, b, axis=-1, eps=1e-8):
    # autograd has no cosine similarity: torch's formula, each vector normalised first (as
    # jax's twin). Both are broadcast first (a norm along a broadcast axis counts it), by a
    # product with ones: autograd's broadcast_to has no gradient when it adds leading axes.
    shape = np.broadcast_shapes(anp.shape(a), anp.shape(b))
    a, b = a * np.ones(shape, a.dtype), b * np.ones(shape, b.dtype)
    u = a / anp.maximum(anp.linalg.norm(a, axis=axis, keepdims=True), eps)
    v = b / anp.maximum(anp.linalg.norm(b, axis=axis, keepdims=True), eps)
    return anp.sum(u * v, axis=axis)


def matmul(a, b):
    return anp.matmul(a, b)
