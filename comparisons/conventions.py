"""Conventions: differences between the frameworks that are choices, not bugs.

Every fact here is *measured* from the installed frameworks when asked for, never typed
in, so the report states what the versions in front of it do. The harness uses two of
them to classify mismatches as ``convention`` rather than ``fail``:

- ``flushes_subnormals``: TensorFlow and XLA (JAX) set flush-to-zero on CPU, so a result
  below the smallest normal number comes back as 0 where numpy keeps the subnormal.
- ``zero_sum``: the sign an exact zero takes when it comes out of a sum, which hangs on
  the value a reduction starts from and on the order of the additions.

The "numpy" column is the reference the frameworks are compared with (``differs``): numpy's
own behaviour, and for activations, losses and optimizers the true value or the rule
refimpl documents, derived in reference_facts.py, never refimpl's output, so that a bug
in refimpl cannot excuse itself as a convention. refimpl's own facts are measured like a
framework's (``measure("refimpl")``) and held to that column by the tests.
"""

from __future__ import annotations

import functools
import math

import numpy as np

from comparisons import DTYPES, FRAMEWORKS

_FMT = {True: "yes", False: "no", None: "n/a"}
_FLUSH_DTYPES = ("float16", "bfloat16", "float32", "float64")


def _tiny(dtype: str) -> float:
    from comparisons.ulp import finfo
    return float(finfo(dtype).tiny)


def _zero(v: float) -> str:
    return "-0.0" if np.signbit(v) else "+0.0"


# Each probe takes the framework's adapter-free module and returns a printable fact.

def _torch():
    import torch

    out = {
        "default_float": str(torch.tensor(1.0).dtype).removeprefix("torch."),
        "int32+float32": _try(lambda: str((torch.tensor([1], dtype=torch.int32)
                                           + torch.tensor([1.0])).dtype).removeprefix("torch.")),
        "float16+float32": _try(lambda: str((torch.tensor([1.0], dtype=torch.float16)
                                             + torch.tensor([1.0])).dtype).removeprefix("torch.")),
        "zero_sum": _zero(torch.matmul(-torch.zeros(1, 1, dtype=torch.float64),
                                       torch.ones(1, 1, dtype=torch.float64)).item()),
        "sum_axis_empty_tuple": _try(lambda: str(tuple(torch.sum(torch.ones(2, 3), dim=()).shape))),
    }
    for dt in _FLUSH_DTYPES:
        x = torch.tensor([_tiny(dt)], dtype=getattr(torch, dt))
        out[f"flushes_subnormals.{dt}"] = bool((x * 0.5).item() == 0.0)
        out[f"reads_subnormals_as_zero.{dt}"] = bool(
            (torch.tensor([_tiny(dt) / 2], dtype=getattr(torch, dt)) * 4).item() == 0.0)

    import torch.nn.functional as F

    def at(f, x, dtype="float64"):
        return f(torch.tensor(x, dtype=getattr(torch, dtype))).item()

    def grad_at(f, x, dtype="float64"):
        t = torch.tensor(x, dtype=getattr(torch, dtype), requires_grad=True)
        return torch.autograd.grad(f(t), t)[0].item()

    out |= _activation_facts(at, grad_at, leaky_relu=F.leaky_relu, gelu=F.gelu, relu=F.relu,
                             gelu_exact=lambda x: F.gelu(x, approximate="none"),
                             step=lambda x: torch.heaviside(x, torch.zeros_like(x)),
                             abs_=torch.abs, elu=F.elu, sigmoid=torch.sigmoid,
                             softplus=F.softplus, tanh=torch.tanh)
    out |= {
        "softmax_nan_row": _num(torch.softmax(torch.tensor([np.nan, 0.0, 0.0]), -1)[1]),
        "reduction.mse": _reduction(F.mse_loss(torch.tensor([1.0, 3.0]), torch.zeros(2))),
        "huber_grad_small": _num(grad_at(lambda y: F.huber_loss(y, torch.zeros_like(y)), 1e-20)),
        "gelu_inf": _num(F.gelu(torch.full((16,), np.inf))[0]),
        "reduction.cross_entropy": _reduction(F.cross_entropy(torch.zeros(2, 2), torch.tensor([0, 1])),
                                              per_sample=np.log(2)),
        "bce_p0_t1": _num(F.binary_cross_entropy(torch.tensor(0.0), torch.tensor(1.0))),
        "soft_ce_minus_inf": _num(F.cross_entropy(*_soft_ce_args(torch.tensor))),
    }

    def step(name, g, p0=0.0, **kw):
        cls = {"sgd": torch.optim.SGD, "adagrad": torch.optim.Adagrad,
               "rmsprop": torch.optim.RMSprop, "adam": torch.optim.Adam}[name]
        kw = {"alpha" if k == "rho" else k: v for k, v in kw.items()}
        p = torch.tensor([p0], dtype=torch.float64, requires_grad=True)
        opt = cls([p], **kw)
        p.grad = torch.tensor([g], dtype=torch.float64)
        opt.step()
        return p.item()

    def default(name, arg):
        cls = {"sgd": torch.optim.SGD, "adagrad": torch.optim.Adagrad, "rmsprop": torch.optim.RMSprop,
               "adam": torch.optim.Adam, "adamw": torch.optim.AdamW}[name]
        arg = {"rho": "alpha"}.get(arg, arg)
        return cls([torch.zeros(1, requires_grad=True)]).defaults[arg]

    return out | _optimizer_facts(step, default)


def _tensorflow():
    from comparisons import tensorflow as _  # noqa: F401  (sets TF's log level first)
    import tensorflow as tf

    out = {
        "default_float": tf.constant(1.0).dtype.name,
        "int32+float32": _try(lambda: (tf.constant([1], tf.int32) + tf.constant([1.0])).dtype.name),
        "float16+float32": _try(lambda: (tf.constant([1.0], tf.float16)
                                         + tf.constant([1.0])).dtype.name),
        "zero_sum": _zero(float(tf.matmul(-tf.zeros([1, 1], tf.float64),
                                          tf.ones([1, 1], tf.float64))[0, 0])),
        "sum_axis_empty_tuple": _try(lambda: str(tuple(tf.reduce_sum(tf.ones([2, 3]), axis=[]).shape))),
    }
    for dt in _FLUSH_DTYPES:
        x = tf.constant([_tiny(dt)], dtype=dt)
        out[f"flushes_subnormals.{dt}"] = bool(float((x * tf.constant([0.5], dt)).numpy()[0]) == 0.0)
        half = tf.constant(np.asarray([_tiny(dt) / 2], DTYPES[dt]))
        out[f"reads_subnormals_as_zero.{dt}"] = bool(float((half * tf.constant([4.0], dt)).numpy()[0]) == 0.0)

    keras = tf.keras

    def at(f, x, dtype="float64"):
        return float(f(tf.constant(x, dtype)))

    def grad_at(f, x, dtype="float64"):
        t = tf.constant(x, dtype)
        with tf.GradientTape() as tape:
            tape.watch(t)
            y = f(t)
        return tape.gradient(y, t)

    out |= _activation_facts(at, grad_at, leaky_relu=tf.nn.leaky_relu, gelu=tf.nn.gelu,
                             gelu_exact=lambda x: tf.nn.gelu(x, approximate=False),
                             relu=tf.nn.relu,
                             step=lambda x: tf.experimental.numpy.heaviside(x, tf.zeros_like(x)),
                             abs_=tf.abs, elu=keras.activations.elu, sigmoid=tf.math.sigmoid,
                             softplus=tf.math.softplus, tanh=tf.math.tanh)
    two = tf.constant([[1.0, 3.0]])
    out |= {
        "softmax_nan_row": _num(tf.nn.softmax(tf.constant([np.nan, 0.0, 0.0]))[1]),
        # keras's own defaults, beside tf.nn's
        "leaky_relu.default_slope": (
            f"{out['leaky_relu.default_slope']} (tf.nn.leaky_relu); "
            f"{_num(-at(keras.activations.leaky_relu, -1.0))} (keras.activations.leaky_relu); "
            f"{_num(-at(keras.layers.LeakyReLU(), -1.0, 'float32'))} (keras.layers.LeakyReLU)"),
        "gelu.default": (f"{out['gelu.default']} (tf.nn.gelu); "
                         f"{_gelu_form(at(keras.activations.gelu, 1.0))} (keras.activations.gelu)"),
        "huber_grad_small": _num(grad_at(lambda y: keras.losses.Huber(reduction=None)(
            tf.zeros_like(y)[None, None], y[None, None])[0], 1e-20)),
        "gelu_inf": _num(tf.nn.gelu(tf.fill([16], np.float32(np.inf)))[0]),
        "reduction.mse": (f"{keras.losses.MeanSquaredError().reduction} (keras.losses.MeanSquaredError); "
                          f"{_reduction(keras.losses.mse(tf.zeros_like(two), two))} "
                          "over the last axis only (keras.losses.mse)"),
        "reduction.cross_entropy": (
            f"{keras.losses.CategoricalCrossentropy().reduction} "
            "(keras.losses.CategoricalCrossentropy); "
            + _reduction(tf.nn.softmax_cross_entropy_with_logits(tf.eye(2), tf.zeros((2, 2))),
                         per_sample=np.log(2)) + " (tf.nn.softmax_cross_entropy_with_logits)"),
        "bce_p0_t1": _num(keras.losses.binary_crossentropy(tf.ones((1, 1)), tf.zeros((1, 1)))[0]),
        "soft_ce_minus_inf": _num(tf.nn.softmax_cross_entropy_with_logits(
            *reversed(_soft_ce_args(tf.constant)))[0]),
    }
    import keras

    def step(name, g, p0=0.0, **kw):
        cls = {"sgd": keras.optimizers.SGD, "adagrad": keras.optimizers.Adagrad,
               "rmsprop": keras.optimizers.RMSprop, "adam": keras.optimizers.Adam}[name]
        kw = {{"lr": "learning_rate", "eps": "epsilon"}.get(k, k): v for k, v in kw.items()}
        if "betas" in kw:
            kw["beta_1"], kw["beta_2"] = kw.pop("betas")
        v = keras.Variable(np.array([p0]), dtype="float64")
        cls(**kw).apply_gradients([(tf.constant([g], tf.float64), v)])
        return float(v.numpy()[0])

    def default(name, arg):
        cls = {"sgd": keras.optimizers.SGD, "adagrad": keras.optimizers.Adagrad,
               "rmsprop": keras.optimizers.RMSprop, "adam": keras.optimizers.Adam,
               "adamw": keras.optimizers.AdamW}[name]
        arg = {"lr": "learning_rate", "eps": "epsilon"}.get(arg, arg)
        opt = cls()
        return float(opt.learning_rate.numpy()) if arg == "learning_rate" else getattr(opt, arg, None)

    return out | _optimizer_facts(step, default)


def _jax():
    from comparisons import jax as _  # noqa: F401  (enables float64 first)
    import jax.numpy as jnp

    out = {
        "default_float": str(jnp.asarray(1.0).dtype) + " (x64 enabled; float32 by default)",
        "int32+float32": _try(lambda: str((jnp.asarray([1], jnp.int32)
                                           + jnp.asarray([1.0], jnp.float32)).dtype)),
        "float16+float32": _try(lambda: str((jnp.asarray([1.0], jnp.float16)
                                             + jnp.asarray([1.0], jnp.float32)).dtype)),
        "zero_sum": _zero(float(jnp.matmul(-jnp.zeros((1, 1)), jnp.ones((1, 1)))[0, 0])),
        "sum_axis_empty_tuple": _try(lambda: str(jnp.sum(jnp.ones((2, 3)), axis=()).shape)),
    }
    for dt in _FLUSH_DTYPES:
        x = jnp.asarray([_tiny(dt)], dtype=dt)
        out[f"flushes_subnormals.{dt}"] = bool(float((x * jnp.asarray([0.5], dt))[0]) == 0.0)
        half = jnp.asarray(np.asarray([_tiny(dt) / 2], DTYPES[dt]))
        out[f"reads_subnormals_as_zero.{dt}"] = bool(float((half * jnp.asarray([4.0], dt))[0]) == 0.0)

    import jax
    import optax

    def at(f, x, dtype="float64"):
        return float(f(jnp.asarray(x, dtype)))

    def grad_at(f, x, dtype="float64"):
        return float(jax.grad(f)(jnp.asarray(x, dtype)))

    out |= _activation_facts(at, grad_at, leaky_relu=jax.nn.leaky_relu, gelu=jax.nn.gelu,
                             gelu_exact=lambda x: jax.nn.gelu(x, approximate=False),
                             relu=jax.nn.relu, step=lambda x: jnp.heaviside(x, 0.0),
                             abs_=jnp.abs, elu=jax.nn.elu, sigmoid=jax.nn.sigmoid,
                             softplus=jax.nn.softplus, tanh=jnp.tanh)
    out["softmax_nan_row"] = _num(jax.nn.softmax(jnp.asarray([np.nan, 0.0, 0.0]))[1])
    soft_ce = optax.losses.softmax_cross_entropy(*_soft_ce_args(jnp.asarray))[0]
    safe_ce = optax.losses.safe_softmax_cross_entropy(*_soft_ce_args(jnp.asarray))[0]
    out |= {
        "huber_grad_small": _num(grad_at(lambda y: optax.losses.huber_loss(y, jnp.zeros_like(y)), 1e-20)),
        "gelu_inf": _num(jax.nn.gelu(jnp.full(16, np.inf, jnp.float32), approximate=False)[0]),
        "reduction.mse": _reduction(optax.losses.squared_error(jnp.asarray([1.0, 3.0]), jnp.zeros(2)))
                         + " (optax.losses.squared_error)",
        "reduction.cross_entropy": _reduction(optax.losses.softmax_cross_entropy_with_integer_labels(
            jnp.zeros((2, 2)), jnp.asarray([0, 1])), per_sample=np.log(2)) + " (optax.losses)",
        "bce_p0_t1": "n/a: optax has only the logits form",
        "soft_ce_minus_inf": (f"{_num(soft_ce)} (optax.losses.softmax_cross_entropy); "
                              f"{_num(safe_ce)} (optax.losses.safe_softmax_cross_entropy)"),
    }

    def step(name, g, p0=0.0, **kw):
        kw = {{"rho": "decay", "betas": "b"}.get(k, k): v for k, v in kw.items()}
        if "b" in kw:
            kw["b1"], kw["b2"] = kw.pop("b")
        if "weight_decay" in kw:
            return None   # optax.adam has no weight decay; optax.adamw is decoupled
        tx = {"sgd": optax.sgd, "adagrad": optax.adagrad, "rmsprop": optax.rmsprop,
              "adam": optax.adam}[name](kw.pop("lr"), **kw)
        p = jnp.asarray([p0], jnp.float64)
        updates, _ = tx.update(jnp.asarray([g], jnp.float64), tx.init(p), p)
        return float(optax.apply_updates(p, updates)[0])

    def default(name, arg):
        import inspect

        fn = {"sgd": optax.sgd, "adagrad": optax.adagrad, "rmsprop": optax.rmsprop,
              "adam": optax.adam, "adamw": optax.adamw}[name]
        arg = {"lr": "learning_rate", "rho": "decay"}.get(arg, arg)
        p = inspect.signature(fn).parameters.get(arg)
        return None if p is None else p.default

    return out | _optimizer_facts(step, default)


def _numpy():
    """numpy's own facts, and the reference for the rest (reference_facts.py)."""
    from comparisons import reference_facts   # it imports this module's helpers

    return {
        "default_float": np.array(1.0).dtype.name,
        "int32+float32": (np.array([1], np.int32) + np.array([1.0], np.float32)).dtype.name,
        "float16+float32": (np.array([1.0], np.float16) + np.array([1.0], np.float32)).dtype.name,
        "zero_sum": _zero(float(np.matmul(-np.zeros((1, 1)), np.ones((1, 1)))[0, 0])),
        "sum_axis_empty_tuple": str(np.sum(np.ones((2, 3)), axis=()).shape),
        **{f"flushes_subnormals.{dt}": bool(_np(dt, _tiny(dt)) * _np(dt, 0.5) == 0) for dt in _FLUSH_DTYPES},
        **{f"reads_subnormals_as_zero.{dt}": bool(_np(dt, _tiny(dt) / 2) * _np(dt, 4) == 0)
           for dt in _FLUSH_DTYPES},
    } | reference_facts.facts()


def _np(dtype, v):
    return np.asarray([v], DTYPES[dtype])


def _refimpl():
    """refimpl's own activation, loss and optimizer facts, measured as a framework's are:
    tests/test_conventions_reference.py holds them to the reference column."""
    import refimpl as r

    def at(f, x, dtype="float64"):
        return float(f(np.asarray(x, dtype)))

    def grad_at(f, x, dtype="float64"):
        return float(r.grad(f)(np.asarray(x, dtype)))

    def abs_(x):  # refimpl has no abs op: |x| is mae against 0
        return r.mae(x, np.zeros(x.shape), reduction="sum")

    return _activation_facts(at, grad_at, leaky_relu=r.leaky_relu, gelu=r.gelu, relu=r.relu, gelu_exact=r.gelu,
                             step=r.step, abs_=abs_, elu=r.elu, sigmoid=r.sigmoid,
                             softplus=r.softplus, tanh=r.tanh) | {
        "softmax_nan_row": _num(r.softmax(np.array([np.nan, 0.0, 0.0]))[1]),
        "huber_grad_small": _num(grad_at(lambda y: r.huber(y, np.zeros(np.shape(y))), 1e-20)),
        "gelu_inf": _num(r.gelu(np.full(16, np.inf, np.float32))[0]),
        "reduction.mse": _reduction(r.mse(np.array([1.0, 3.0]), np.zeros(2))),
        "reduction.cross_entropy": _reduction(r.cross_entropy(np.zeros((2, 2)), np.array([0, 1])),
                                              per_sample=np.log(2)),
        "bce_p0_t1": _num(r.binary_cross_entropy(np.zeros(1), np.ones(1))),
        "soft_ce_minus_inf": _num(r.cross_entropy(*_soft_ce_args(np.asarray))),
    } | _optimizer_facts(_refimpl_step, _refimpl_default)


def _refimpl_step(name, g, p0=0.0, **kw):
    import refimpl as r

    cls = {"sgd": r.SGD, "adagrad": r.AdaGrad, "rmsprop": r.RMSProp, "adam": r.Adam}[name]
    p = np.array([p0])
    cls([p], **kw).step([np.array([g])])
    return float(p[0])


def _refimpl_default(name, arg):
    import inspect

    import refimpl as r

    cls = {"sgd": r.SGD, "adagrad": r.AdaGrad, "rmsprop": r.RMSProp, "adam": r.Adam,
           "adamw": r.AdamW}[name]
    p = inspect.signature(cls).parameters.get(arg)
    return None if p is None else p.default


def _optimizer_facts(step, default):
    """The optimizer rows, from one framework: ``step(name, g, p0, **hyper)`` is a float64
    parameter p0 after one step with gradient g (refimpl's hyperparameter names; None
    when the framework has no such option), ``default(name, arg)`` a default (None: none)."""
    def placement(p, inside, outside):
        return inside if abs(p + 2 ** -0.5) < abs(p + 0.5) else outside

    adam = step("adam", 1.0, lr=1.0, eps=1.0, betas=(0.9, 0.999))
    decayed = step("adam", 0.0, 1.0, lr=0.1, weight_decay=0.5)
    lr = step("sgd", 1.0, lr=0.1)

    def shown(v):
        return "none (required)" if v is _empty() else "n/a" if v is None else _num(v)

    return {
        # one step from 0 with g = 1, lr = 1, eps = 1: g / (sqrt(v_hat) + eps) = 1/2, while
        # Keras's eps on sqrt(v) before the bias correction gives 1 / (1 + 1/sqrt(0.001))
        "adam.eps_placement": "sqrt(v_hat) + eps" if abs(adam + 0.5) < 1e-6 else
                              "sqrt(v) + eps (epsilon hat)" if abs(adam + 1 / (1 + 1000 ** 0.5)) < 1e-6
                              else _num(-adam),
        "rmsprop.eps_placement": placement(step("rmsprop", 1.0, lr=1.0, rho=0.0, eps=1.0),
                                           "sqrt(v + eps)", "sqrt(v) + eps"),
        "adagrad.eps_placement": placement(step("adagrad", 1.0, lr=1.0, eps=1.0,
                                                initial_accumulator_value=0.0),
                                           "sqrt(G + eps)", "sqrt(G) + eps"),
        # p = 1, g = 0, lr 0.1, weight decay 0.5: coupled, Adam steps by lr against 0.5 p;
        # decoupled, p shrinks by lr wd p and Adam sees g = 0
        "adam.weight_decay": "n/a (no weight_decay; adamw)" if decayed is None else
                             "coupled (L2 in the gradient)" if abs(decayed - 0.9) < 1e-6 else
                             "decoupled (as AdamW)" if abs(decayed - 0.95) < 1e-6 else _num(decayed),
        "hyper.float64": repr(-lr),
        "sgd.lr_default": shown(default("sgd", "lr")),
        "sgd.dampening": shown(default("sgd", "dampening")),
        "adagrad.initial_accumulator": shown(default("adagrad", "initial_accumulator_value")),
        "adagrad.eps_default": shown(default("adagrad", "eps")),
        "rmsprop.rho_default": shown(default("rmsprop", "rho")),
        "rmsprop.eps_default": shown(default("rmsprop", "eps")),
        "adam.eps_default": shown(default("adam", "eps")),
        "adamw.weight_decay_default": shown(default("adamw", "weight_decay")),
    }


def _empty():
    import inspect

    return inspect.Parameter.empty


def _activation_facts(at, grad_at, *, leaky_relu, gelu, gelu_exact, relu, step, abs_, elu, sigmoid, softplus,
                      tanh):
    """The activation rows, from one framework's functions. ``at(f, x, dtype)`` is f's value
    at the scalar x, ``grad_at(f, x, dtype)`` its derivative there (dtype defaults to float64)."""
    return {
        "leaky_relu.default_slope": _num(-at(leaky_relu, -1.0)),
        "relu_neg_zero": _zero(at(relu, -0.0)),
        "zero_grad_sign": _zero(grad_at(lambda x: -relu(x), -1.0)),
        "leaky_relu.float64_slope": _num(at(lambda x: leaky_relu(x, 0.01), -1.0) + 0.01),
        "gelu.default": _gelu_form(at(gelu, 1.0)),
        "gelu.float64_constants": _precision_of(at(gelu_exact, 1.0) - _GELU_1),
        "grad_at_0.relu": _num(grad_at(relu, 0.0)),
        "grad_at_0.leaky_relu": _num(grad_at(lambda x: leaky_relu(x, 0.01), 0.0)),
        "grad_at_0.step": _try(lambda: _num(grad_at(step, 0.0)), "no derivative"),
        "grad_at_0.abs": _num(grad_at(abs_, 0.0)),
        "grad_at_0.elu": _num(grad_at(lambda x: elu(x, 0.5), 0.0)),
        "sigmoid_grad_20": _num(grad_at(sigmoid, 20.0, "float32")),
        "tanh_grad_10": _num(grad_at(tanh, 10.0, "float32")),
        "elu_tiny": _num(at(elu, -1e-30)),
        "elu_grad_20": _num(grad_at(elu, -20.0, "float32")),
        "step_nan": _num(at(step, np.nan)),
        "softplus_30": _num(at(softplus, 30.0) - _SOFTPLUS_30),
        "sigmoid_underflow": _num(at(sigmoid, -100.0, "float32")),
        "sigmoid_underflow.float16": _num(at(sigmoid, -12.0, "float16")),
    }


def _try(f, refusal="error"):
    try:
        return f()
    except Exception as e:  # a refusal is itself the measured behaviour
        return f"{refusal} ({type(e).__name__})"


def _num(v) -> str:
    """A measured number, short; None is TensorFlow's gradient when x has no path to y."""
    return "None (no gradient path)" if v is None else f"{float(v):.3g}"


def _precision_of(err: float) -> str:
    """A float64 result's error, read as the precision its constants were kept in."""
    return f"float32 constants ({err:.2g})" if abs(err) > 1e-12 else "float64"


# gelu(1) = Phi(1) = (1 + erf(1/sqrt 2)) / 2, rounded to float64.
_GELU_1 = 0.5 * math.erfc(-1 / math.sqrt(2))

# softplus(30) = 30 + log1p(e^-30), rounded to float64: a threshold that returns x is off by 9e-14.
_SOFTPLUS_30 = 30 + float(np.log1p(np.exp(-30.0)))


def _gelu_form(y1: float) -> str:
    """Which GELU a function computes, from its value at 1: x Phi(x) or the tanh form."""
    exact = 0.5 * (1 + math.erf(1 / math.sqrt(2)))
    tanh = 0.5 * (1 + math.tanh(math.sqrt(2 / math.pi) * (1 + 0.044715)))
    return "exact (erf)" if abs(y1 - exact) < abs(y1 - tanh) else "tanh approximation"


def _reduction(y, per_sample=5.0) -> str:
    """The reduction a loss applied, from its output on two samples whose losses average
    to ``per_sample``: mse of [1, 3] against 0 (1 and 9), cross_entropy of two uniform rows."""
    y = np.asarray(y, dtype=np.float64)   # a tensor of any framework
    if y.size > 1:
        return "none: one value per sample"
    v = float(y.reshape(()))
    return "mean" if np.isclose(v, per_sample) else "sum" if np.isclose(v, 2 * per_sample) else _num(v)


def _soft_ce_args(array):
    """(logits, probabilities): a -inf logit on a class whose target probability is 0."""
    return array([[-np.inf, 0.0, 1.0]]), array([[0.0, 1.0, 0.0]])


_PROBES = {"numpy": _numpy, "refimpl": _refimpl, "torch": _torch, "tensorflow": _tensorflow,
           "jax": _jax}


@functools.lru_cache(maxsize=None)
def measure(framework: str) -> dict | None:
    """Facts for one framework, "refimpl", or "numpy" (the reference); None when it is
    not installed."""
    try:
        return _PROBES[framework]()
    except ImportError:
        return None


def value(framework: str, key: str) -> str:
    """The fact ``key`` for a framework ("numpy": the reference), as printed."""
    v = (measure(framework) or {}).get(key)
    return _FMT[v] if isinstance(v, bool) or v is None else str(v)


def differs(framework: str, key: str) -> bool:
    """Whether the framework's measured ``key`` differs from the reference (the numpy
    column, never refimpl's output): only then can a mismatch be put down to that convention."""
    m, ref = measure(framework), measure("numpy")
    return bool(m and ref and key in m and key in ref and m[key] != ref[key])


def reads_subnormals_as_zero(framework: str, dtype: str) -> bool:
    """Whether the framework reads ``dtype`` inputs below the smallest normal as 0
    (denormals-are-zero on CPU): step(1e-40) is 0 there, and inf * 1e-40 is NaN."""
    return bool((measure(framework) or {}).get(f"reads_subnormals_as_zero.{dtype}"))


def flushes_subnormals(framework: str, dtype: str) -> bool:
    """Whether the framework flushes ``dtype`` results below its smallest normal to 0:
    measured per dtype (float16 is computed in float32 on CPU, where its subnormals are
    normal numbers: none flushes them; bfloat16's are float32's, which tf and XLA flush)."""
    return bool((measure(framework) or {}).get(f"flushes_subnormals.{dtype}"))


TOPICS = {
    "default_float": ("default float dtype of a Python float literal",
                      "code ported from numpy may silently compute in half the precision"),
    "int32+float32": ("int32 tensor + float32 tensor",
                      "the same expression may widen, keep float32 or raise, depending on the framework"),
    "float16+float32": ("float16 tensor + float32 tensor",
                        "mixed-precision code that runs in one framework may raise in another"),
    "zero_sum": ("[[-0.0]] @ [[1.0]]: the sign of a sum whose terms are all -0.0",
                 "+0.0 when the reduction starts from +0.0, -0.0 when it starts from the first "
                 "term (-0.0 is the true IEEE identity); exact zeros from sums differ in sign"),
    "sum_axis_empty_tuple": ("sum over axis=() of a (2, 3) tensor: result shape",
                             "an empty axis tuple means 'no axis' or 'every axis' depending on the framework"),
    **{f"reads_subnormals_as_zero.{dt}": (f"{dt} inputs below the smallest normal ({tiny}): read as 0",
                                          "'yes' means denormals-are-zero on CPU: step(1e-40) is 0 and "
                                          "inf * 1e-40 is NaN there")
       for dt, tiny in (("float16", "6.1e-5"), ("bfloat16", "1.2e-38"), ("float32", "1.2e-38"),
                        ("float64", "2.2e-308"))},
    "flushes_subnormals.float16": ("float16 results below the smallest normal (6.1e-5)",
                                   "as float32"),
    "flushes_subnormals.bfloat16": ("bfloat16 results below the smallest normal (1.2e-38)",
                                    "as float32"),
    "flushes_subnormals.float32": ("float32 results below the smallest normal (1.2e-38)",
                                   "'yes' means flushed to 0 (flush-to-zero on CPU); gradients of "
                                   "tiny values vanish"),
    "flushes_subnormals.float64": ("float64 results below the smallest normal (2.2e-308)",
                                   "as float32"),
    "relu_neg_zero": ("relu(-0.0): the sign of the zero",
                      "max(-0.0, 0) is +0.0 under IEEE 754-2019 maximum; a clamp that keeps x "
                      "when x is not below 0 returns -0.0"),
    "zero_grad_sign": ("d(-relu(x))/dx at x = -1: the sign of a zero gradient",
                       "-0.0 when the backward multiplies the upstream -1 by a zero derivative, "
                       "+0.0 when it selects 0; harmless, but bitwise comparisons see it"),
    "leaky_relu.default_slope": ("Leaky ReLU: default negative slope",
                                 "a call or layer that leaves the slope out changes the model when ported"),
    "leaky_relu.float64_slope": ("leaky_relu(-1.0, slope=0.01) + 0.01 in float64",
                                 "nonzero: the slope is kept in float32 (tf.nn.leaky_relu's alpha is a "
                                 "float attribute), so float64 results are off by about 2e-8 relative"),
    "gelu.default": ("GELU: the form the plain call computes",
                     "the exact x Phi(x) and the tanh approximation differ by up to 4.7e-4 (at |x| "
                     "near 2.7), so models trained with one and run with the other drift"),
    "grad_at_0.relu": ("d relu/dx at x = 0",
                       "relu has no derivative at 0; the subgradient picked there moves training "
                       "that sits on the kink"),
    "grad_at_0.leaky_relu": ("d leaky_relu/dx at x = 0 (slope 0.01)",
                             "1 when the kink is assigned to the positive side (x >= 0), the slope "
                             "when to the negative side (x > 0)"),
    "grad_at_0.step": ("d step/dx at x = 0 (heaviside)",
                       "a step passes no gradient; a framework may also refuse to differentiate it"),
    "grad_at_0.abs": ("d|x|/dx at x = 0 (numpy column: sign(0), as refimpl's mae)",
                      "the subgradient of |x| at 0 (mae, L1 penalties): 0 (sign(0)) or 1"),
    "grad_at_0.elu": ("d elu/dx at x = 0 with alpha = 0.5",
                      "elu's derivative jumps at 0 unless alpha = 1: 1 from the right, alpha from the left"),
    "sigmoid_grad_20": ("d sigmoid/dx at x = 20 in float32 (exact 2.06e-9)",
                        "computed as s(1 - s) from the rounded output it cancels to 0 once s rounds "
                        "to 1 (x > 17 in float32): saturated units get no gradient"),
    "tanh_grad_10": ("d tanh/dx at x = 10 in float32 (exact 8.24e-9)",
                     "computed as 1 - y^2 from the rounded output it cancels to 0 once tanh rounds "
                     "to 1 (|x| > 9 in float32), and loses digits well before"),
    "elu_tiny": ("elu(-1e-30), float64 (exact -1e-30)",
                 "alpha (e^x - 1) rounds e^x to 1 and returns 0 for tiny x; expm1 keeps x"),
    "elu_grad_20": ("d elu/dx at x = -20 in float32 (exact 2.06e-9)",
                    "computed as y + alpha from the rounded output it cancels to 0 for x < -17"),
    "gelu.float64_constants": ("gelu(1.0) in float64: the precision of its constants (exact form)",
                               "the constant 1/sqrt 2 kept in float32 (tf.nn.gelu, both forms) "
                               "leaves float64 results good to 8 digits only"),
    "gelu_inf": ("gelu(+inf) on a float32 array of 16",
                 "+inf is the limit; NaN comes from inf * 0 inside the formula"),
    "huber_grad_small": ("d huber/dy_hat at y_hat - t = 1e-20, delta 1, float64",
                         "exact 1e-20; an implementation adding delta s - delta s after q s "
                         "cancels the small term (optax), an absolute error of ulp(delta)"),
    "softmax_nan_row": ("softmax([NaN, 0, 0])[1]",
                        "a NaN logit may poison its whole row (NaN) or only itself (0 for the "
                        "others): a NaN loss may or may not show up"),
    "step_nan": ("step(NaN) (heaviside)",
                 "a NaN input may come out as 0 and hide the bad value downstream"),
    "sigmoid_underflow": ("sigmoid(-100.0) in float32 (exact 3.7e-44, a subnormal)",
                          "computed as 1 / (1 + e^-x), e^100 overflows float32 and the result is "
                          "0: below x = -88.7 sigmoid, silu and their gradients come out 0"),
    "sigmoid_underflow.float16": ("sigmoid(-12.0) in float16 (exact 6.1e-6, a subnormal)",
                                  "0 where float16 is computed in float16: e^12 overflows it"),
    "softplus_30": ("softplus(30.0) minus its exact value, float64",
                    "a linear threshold (torch: x itself above 20) trades about 1e-13 for speed; "
                    "the torch twin passes threshold=40 to get the exact function"),
    "reduction.mse": ("mean squared error: the default reduction",
                      "torch averages over every element; Keras losses average over the last axis, "
                      "then over the batch; optax returns per-element values for the caller to reduce"),
    "reduction.cross_entropy": ("cross-entropy: the default reduction",
                                "a summed loss scales the gradient (and the effective learning rate) "
                                "by the batch size"),
    "bce_p0_t1": ("binary cross-entropy of p = 0 with target 1 (true value inf)",
                  "torch clamps each log at -100, Keras clips p to [1e-7, 1 - 1e-7] (-log 1e-7 = "
                  "16.1): both hide a saturated prediction; refimpl returns inf"),
    "adam.eps_placement": ("Adam: where eps enters the denominator",
                           "Keras adds eps to sqrt(v) before the bias correction (Kingma and Ba's "
                           "epsilon hat): the same eps is effectively eps / sqrt(1 - b2^t), up to "
                           "30x larger in the first steps"),
    "rmsprop.eps_placement": ("RMSProp: where eps enters the denominator (the default)",
                              "inside the square root eps acts like eps^2 outside: 1e-8 inside is "
                              "1e-4 outside, which dominates small gradients (optax: eps_in_sqrt)"),
    "adagrad.eps_placement": ("AdaGrad: where eps enters the denominator",
                              "as RMSProp's; with a zero initial accumulator the first step is "
                              "lr sign(g) outside, lr g / sqrt(g^2 + eps) inside"),
    "adam.weight_decay": ("Adam(weight_decay=...): coupled or decoupled",
                          "the same argument is L2 regularisation in torch (it goes through m and v) "
                          "and AdamW's decay in Keras: a ported model trains differently"),
    "hyper.float64": ("SGD(lr=0.1): the step a float64 parameter takes with gradient 1",
                      "Keras keeps the learning rate in a float32 variable and casts momentum and "
                      "the betas through float32, so a float64 run is off by 1e-8 relative; the "
                      "parity runs use hyperparameters exact in float32 (2^-k, 0.875)"),
    "sgd.lr_default": ("SGD: the default learning rate", "optax has none: it must be given"),
    "sgd.dampening": ("SGD momentum: dampening (the default)",
                      "torch can scale the gradient by 1 - dampening in the velocity; the others cannot"),
    "adagrad.initial_accumulator": ("AdaGrad: the initial accumulator (the default)",
                                    "0 makes the first step lr sign(g) whatever the gradient's size; "
                                    "0.1 damps it"),
    "adagrad.eps_default": ("AdaGrad: eps (the default)", "see where it enters"),
    "rmsprop.rho_default": ("RMSProp: the decay rho of the running mean of g^2 (the default)",
                            "0.99 remembers about 100 steps, 0.9 about 10"),
    "rmsprop.eps_default": ("RMSProp: eps (the default)", "see where it enters"),
    "adam.eps_default": ("Adam: eps (the default)",
                         "1e-7 vs 1e-8 changes steps where sqrt(v_hat) is small"),
    "adamw.weight_decay_default": ("AdamW: the default weight decay",
                                   "a factor 100 between optax and torch"),
    "soft_ce_minus_inf": ("cross-entropy with probability targets, a -inf logit on a class of "
                          "target 0 (true value 1.31)",
                          "0 * log 0 computed as 0 * -inf is NaN; masked logits (-inf) need "
                          "integer targets or a safe variant"),
}


def table(frameworks=FRAMEWORKS) -> list[dict]:
    """The conventions section of parity.json: one row per topic, one column per framework."""
    facts = {fw: measure(fw) for fw in ("numpy",) + tuple(frameworks)}
    rows = []
    for key, (topic, note) in TOPICS.items():
        row = {"topic": topic, "key": key, "note": note}
        for fw in ("numpy",) + tuple(FRAMEWORKS):
            v = (facts.get(fw) or {}).get(key) if facts.get(fw) is not None else None
            row[fw] = _FMT[v] if isinstance(v, bool) or v is None else str(v)
            if facts.get(fw) is None and fw in frameworks:
                row[fw] = "missing"
        rows.append(row)
    return rows
