"""Tensors, vectors and matrices in JAX."""

import jax.numpy as jnp


def describe(x):
    return {"rank": x.ndim, "shape": tuple(x.shape), "dtype": x.dtype.name, "size": int(x.size)}


def dot(a, b):
    return jnp.dot(a, b)


def cosine_similarity(a, b, axis=-1, eps=1e-8):
    a, b = jnp.broadcast_arrays(a, b)
    u = a / jnp.maximum(jnp.linalg.norm(a, axis=axis, keepdims=True), eps)
    v = b / jnp.maximum(jnp.linalg.norm(b, axis=axis, keepdims=True), eps)
    return jnp.sum(u * v, axis=axis)


def matmul(a, b):
    return jnp.matmul(a, b)
