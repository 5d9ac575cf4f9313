"""Activations in autograd: it has none built in beyond numpy's tanh and scipy's expit, so
each is the numpy an autograd user writes (as autograd's own examples do: relu is
``np.maximum(0, x)``, log-softmax ``x - logsumexp(x)``), with autograd.scipy.special
where it has the function (expit, logsumexp, erf)."""

import math

import autograd.numpy as anp
from autograd.scipy.special import erf, expit, logsumexp


def step(x):
    # heaviside(x, 0) is 0 at x == 0. autograd defines no vjp for heaviside (it is neither
    # in numpy_vjps.py's defvjp calls nor its nograd_functions): its gradient raises.
    return anp.heaviside(x, 0)


def sigmoid(x):
    # scipy.special.expit, which autograd wraps with the vjp g * ans * (1 - ans)
    return expit(x)


def tanh(x):
    return anp.tanh(x)


def relu(x):
    # autograd's examples (variational_autoencoder.py); maximum's vjp splits a tie evenly
    return anp.maximum(0, x)


def leaky_relu(x, slope=0.01):
    return anp.where(x > 0, x, slope * x)


def softmax(x, axis=-1):
    # autograd has no softmax: exp of the log-softmax below
    return anp.exp(x - logsumexp(x, axis=axis, keepdims=True))


def log_softmax(x, axis=-1):
    # as autograd's examples/neural_net.py normalises its log-probabilities
    return x - logsumexp(x, axis=axis, keepdims=True)


def softplus(x):
    # log(1 + e^x) = logaddexp(0, x), as autograd's variational_autoencoder.py writes it
    return anp.logaddexp(0, x)


def elu(x, alpha=1.0):
    # expm1 of the negative part only: where() sends a zero cotangent to the branch it does
    # not take, and 0 * expm1'(x) = 0 * inf is NaN for a large x (jax.nn.elu does the same)
    return anp.where(x > 0, x, alpha * anp.expm1(anp.where(x > 0, 0, x)))


def gelu(x, approximate=False):
    # autograd has no gelu: x Phi(x) with scipy's erf, or the tanh approximation
    if approximate:
        return 0.5 * x * (1 + anp.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3)))
    return 0.5 * x * (1 + erf(x / math.sqrt(2)))


def silu(x):
    # autograd has no silu: x sigmoid(x)
    return x * expit(x)
