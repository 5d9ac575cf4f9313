"""JAX's conventions, measured: its defaults and behaviours where frameworks differ by
choice (dtype promotion, subnormals, kinks, reductions), with optax's losses and
optimizers.

``probe()`` returns the facts comparisons/conventions/__init__.py tabulates, each computed
from jax and optax themselves when asked for, formatted by the shared helpers there.
"""

import inspect

import comparisons.jax  # noqa: F401  (enables float64 before jax computes anything)
import jax
import jax.numpy as jnp
import numpy as np
import optax

from comparisons import DTYPES
from comparisons.conventions import (_activation_facts, _num, _optimizer_facts,
                                     _reduction, _soft_ce_args, _tiny, _try, _zero)


def probe() -> dict:
    out = {
        "default_float": str(jnp.asarray(1.0).dtype) + " (x64 enabled; float32 by default)",
        "int32+float32": _try(lambda: str((jnp.asarray([1], jnp.int32)
                                           + jnp.asarray([1.0], jnp.float32)).dtype)),
        "float16+float32": _try(lambda: str((jnp.asarray([1.0], jnp.float16)
                                             + jnp.asarray([1.0], jnp.float32)).dtype)),
        "zero_sum": _zero(float(jnp.matmul(-jnp.zeros((1, 1)), jnp.ones((1, 1)))[0, 0])),
        "sum_axis_empty_tuple": _try(lambda: str(jnp.sum(jnp.ones((2, 3)), axis=()).shape)),
    }
    for dt in DTYPES:
        x = jnp.asarray([_tiny(dt)], dtype=dt)
        out[f"flushes_subnormals.{dt}"] = bool(float((x * jnp.asarray([0.5], dt))[0]) == 0.0)
        half = jnp.asarray(np.asarray([_tiny(dt) / 2], DTYPES[dt]))
        out[f"reads_subnormals_as_zero.{dt}"] = bool(float((half * jnp.asarray([4.0], dt))[0]) == 0.0)

    out |= _activation_facts(_at, _grad_at, leaky_relu=jax.nn.leaky_relu, gelu=jax.nn.gelu,
                             gelu_exact=lambda x: jax.nn.gelu(x, approximate=False),
                             relu=jax.nn.relu, step=lambda x: jnp.heaviside(x, 0.0),
                             abs_=jnp.abs, elu=jax.nn.elu, sigmoid=jax.nn.sigmoid,
                             softplus=jax.nn.softplus, tanh=jnp.tanh)
    out["softmax_nan_row"] = _num(jax.nn.softmax(jnp.asarray([np.nan, 0.0, 0.0]))[1])
    soft_ce = optax.losses.softmax_cross_entropy(*_soft_ce_args(jnp.asarray))[0]
    safe_ce = optax.losses.safe_softmax_cross_entropy(*_soft_ce_args(jnp.asarray))[0]
    out |= {
        "huber_grad_small": _num(_grad_at(lambda y: optax.losses.huber_loss(y, jnp.zeros_like(y)), 1e-20)),
        "gelu_inf": _num(jax.nn.gelu(jnp.full(16, np.inf, jnp.float32), approximate=False)[0]),
        "reduction.mse": _reduction(optax.losses.squared_error(jnp.asarray([1.0, 3.0]), jnp.zeros(2)))
                         + " (optax.losses.squared_error)",
        "reduction.cross_entropy": _reduction(optax.losses.softmax_cross_entropy_with_integer_labels(
            jnp.zeros((2, 2)), jnp.asarray([0, 1])), per_sample=np.log(2)) + " (optax.losses)",
        "bce_p0_t1": "n/a: optax has only the logits form",
        "soft_ce_minus_inf": (f"{_num(soft_ce)} (optax.losses.softmax_cross_entropy); "
                              f"{_num(safe_ce)} (optax.losses.safe_softmax_cross_entropy)"),
    }
    return out | _optimizer_facts(_step, _default)


def _at(f, x, dtype="float64"):
    return float(f(jnp.asarray(x, dtype)))


def _grad_at(f, x, dtype="float64"):
    return float(jax.grad(f)(jnp.asarray(x, dtype)))


_OPTIMIZERS = {"sgd": optax.sgd, "adagrad": optax.adagrad, "rmsprop": optax.rmsprop,
               "adam": optax.adam, "adamw": optax.adamw}


def _step(name, g, p0=0.0, **kw):
    kw = {{"rho": "decay", "betas": "b"}.get(k, k): v for k, v in kw.items()}
    if "b" in kw:
        kw["b1"], kw["b2"] = kw.pop("b")
    if "weight_decay" in kw:
        return None   # optax.adam has no weight decay; optax.adamw is decoupled
    tx = _OPTIMIZERS[name](kw.pop("lr"), **kw)
    p = jnp.asarray([p0], jnp.float64)
    updates, _ = tx.update(jnp.asarray([g], jnp.float64), tx.init(p), p)
    return float(optax.apply_updates(p, updates)[0])


def _default(name, arg):
    arg = {"lr": "learning_rate", "rho": "decay"}.get(arg, arg)
    p = inspect.signature(_OPTIMIZERS[name]).parameters.get(arg)
    return None if p is None else p.default
