"""Activations in JAX: jax.nn and jax.numpy, with refimpl's defaults passed explicitly."""

import jax
import jax.numpy as jnp


def step(x):
    # heaviside(x, 0) returns 0 at x == 0; it is built from jnp.where, so its gradient is 0.
    return jnp.heaviside(x, 0.0)


def sigmoid(x):
    return jax.nn.sigmoid(x)


def tanh(x):
    return jnp.tanh(x)


def relu(x):
    return jax.nn.relu(x)


def leaky_relu(x, slope=0.01):
    return jax.nn.leaky_relu(x, negative_slope=slope)


def softmax(x, axis=-1):
    return jax.nn.softmax(x, axis=axis)


def log_softmax(x, axis=-1):
    return jax.nn.log_softmax(x, axis=axis)


def softplus(x):
    return jax.nn.softplus(x)


def elu(x, alpha=1.0):
    return jax.nn.elu(x, alpha=alpha)


def gelu(x, approximate=False):
    # jax.nn.gelu's own default is approximate=True (the tanh form).
    return jax.nn.gelu(x, approximate=approximate)


def silu(x):
    return jax.nn.silu(x)
