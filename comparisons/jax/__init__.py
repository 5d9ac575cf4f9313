"""JAX twins of refimpl, and the adapter the harness drives them through.

float64 is enabled (``jax_enable_x64``) so float64 compares at float64. Gradients come
from ``jax.vjp``.
"""

import jax
import numpy as np

jax.config.update("jax_enable_x64", True)

import jax.numpy as jnp  # noqa: E402

NAME = "jax"
VERSION = jax.__version__


def to_native(a: np.ndarray):
    return jnp.asarray(np.asarray(a))  # bfloat16 is native (ml_dtypes)


def to_numpy(t, dtype) -> np.ndarray:
    return np.asarray(t)


def forward(fn, arrays, kwargs):
    # Compiled whole, as jax code usually runs: one XLA compilation per input shape
    # instead of one per primitive (op-by-op dispatch is several times slower here).
    return jax.jit(lambda *xs: fn(*xs, **kwargs))(*[to_native(a) for a in arrays])


def vjp(fn, arrays, kwargs, cotangents, wrt=None):
    wrt = tuple(range(len(arrays))) if wrt is None else tuple(wrt)

    def both(xs, cts):
        def f(*diff):   # fn with the arrays in wrt as variables, the others held fixed
            full = list(xs)
            for i, d in zip(wrt, diff):
                full[i] = d
            return fn(*full, **kwargs)

        ys, pullback = jax.vjp(f, *[xs[i] for i in wrt])
        return ys, pullback(cts if isinstance(ys, tuple) else cts[0])

    return jax.jit(both)([to_native(a) for a in arrays], tuple(to_native(g) for g in cotangents))


REPRO = """\
import jax
jax.config.update("jax_enable_x64", True)
from comparisons.jax import {module} as twin
def both(xs, gs):
    def f(*diff):
        full = list(xs)
        for i, d in zip(wrt, diff):
            full[i] = d
        return twin.{op}(*full, **kwargs)
    ys, pullback = jax.vjp(f, *[xs[i] for i in wrt])
    return ys, pullback(tuple(gs) if isinstance(ys, tuple) else gs[0])
ys, grads = jax.jit(both)(xs, gs)
got = grads if check == "grad" else ys
"""
