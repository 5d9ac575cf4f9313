"""Computational-graph nodes in JAX: plain jax.numpy functions; jax.vjp traces them."""

import jax.numpy as jnp


def add(a, b):
    return jnp.add(a, b)


def sub(a, b):
    return jnp.subtract(a, b)


def neg(x):
    return jnp.negative(x)


def mul(a, b):
    return jnp.multiply(a, b)


def div(a, b):
    return jnp.divide(a, b)


def pow(x, c):
    return jnp.power(x, c)


def exp(x):
    return jnp.exp(x)


def log(x):
    return jnp.log(x)


def branch(x, n=2):
    # A pure function may return the same value n times; jax.vjp adds the n cotangents.
    return (x,) * n


def repeat(x, n, axis):
    return jnp.repeat(x, n, axis=axis)


def broadcast_to(x, shape):
    return jnp.broadcast_to(x, shape)


def sum(x, axis=None, keepdims=False):
    return jnp.sum(x, axis=axis, keepdims=keepdims)


def reshape(x, shape):
    return jnp.reshape(x, shape)


def transpose(x, axes=None):
    return jnp.transpose(x, axes)
