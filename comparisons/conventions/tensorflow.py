"""TensorFlow's conventions, measured: its defaults and behaviours where frameworks differ
by choice (dtype promotion, subnormals, kinks, reductions, optimizer defaults), with
Keras's beside tf.nn's where both exist.

``probe()`` returns the facts comparisons/conventions/__init__.py tabulates, each computed from
TensorFlow itself when asked for, formatted by the shared helpers there. Importing this
module runs comparisons/tensorflow/__init__.py first, which sets TF's log level.
"""

import comparisons.tensorflow  # noqa: F401  (sets TensorFlow's log level before it loads)
import keras
import numpy as np
import tensorflow as tf

from comparisons import DTYPES
from comparisons.conventions import (_activation_facts, _gelu_form, _num,
                                     _optimizer_facts, _reduction, _soft_ce_args, _tiny, _try,
                                     _zero)


def probe() -> dict:
    out = {
        "default_float": tf.constant(1.0).dtype.name,
        "int32+float32": _try(lambda: (tf.constant([1], tf.int32) + tf.constant([1.0])).dtype.name),
        "float16+float32": _try(lambda: (tf.constant([1.0], tf.float16)
                                         + tf.constant([1.0])).dtype.name),
        "zero_sum": _zero(float(tf.matmul(-tf.zeros([1, 1], tf.float64),
                                          tf.ones([1, 1], tf.float64))[0, 0])),
        "sum_axis_empty_tuple": _try(lambda: str(tuple(tf.reduce_sum(tf.ones([2, 3]), axis=[]).shape))),
    }
    for dt in DTYPES:
        x = tf.constant([_tiny(dt)], dtype=dt)
        out[f"flushes_subnormals.{dt}"] = bool(float((x * tf.constant([0.5], dt)).numpy()[0]) == 0.0)
        half = tf.constant(np.asarray([_tiny(dt) / 2], DTYPES[dt]))
        out[f"reads_subnormals_as_zero.{dt}"] = bool(float((half * tf.constant([4.0], dt)).numpy()[0]) == 0.0)

    # tf.keras, not the keras package: its losses module has keras.losses.mse, keras's has not
    tfk = tf.keras
    out |= _activation_facts(_at, _grad_at, leaky_relu=tf.nn.leaky_relu, gelu=tf.nn.gelu,
                             gelu_exact=lambda x: tf.nn.gelu(x, approximate=False),
                             relu=tf.nn.relu,
                             step=lambda x: tf.experimental.numpy.heaviside(x, tf.zeros_like(x)),
                             abs_=tf.abs, elu=tfk.activations.elu, sigmoid=tf.math.sigmoid,
                             softplus=tf.math.softplus, tanh=tf.math.tanh)
    two = tf.constant([[1.0, 3.0]])
    out |= {
        "softmax_nan_row": _num(tf.nn.softmax(tf.constant([np.nan, 0.0, 0.0]))[1]),
        # keras's own defaults, beside tf.nn's
        "leaky_relu.default_slope": (
            f"{out['leaky_relu.default_slope']} (tf.nn.leaky_relu); "
            f"{_num(-_at(tfk.activations.leaky_relu, -1.0))} (keras.activations.leaky_relu); "
            f"{_num(-_at(tfk.layers.LeakyReLU(), -1.0, 'float32'))} (keras.layers.LeakyReLU)"),
        "gelu.default": (f"{out['gelu.default']} (tf.nn.gelu); "
                         f"{_gelu_form(_at(tfk.activations.gelu, 1.0))} (keras.activations.gelu)"),
        "huber_grad_small": _num(_grad_at(lambda y: tfk.losses.Huber(reduction=None)(
            tf.zeros_like(y)[None, None], y[None, None])[0], 1e-20)),
        "gelu_inf": _num(tf.nn.gelu(tf.fill([16], np.float32(np.inf)))[0]),
        "reduction.mse": (f"{tfk.losses.MeanSquaredError().reduction} (keras.losses.MeanSquaredError); "
                          f"{_reduction(tfk.losses.mse(tf.zeros_like(two), two))} "
                          "over the last axis only (keras.losses.mse)"),
        "reduction.cross_entropy": (
            f"{tfk.losses.CategoricalCrossentropy().reduction} "
            "(keras.losses.CategoricalCrossentropy); "
            + _reduction(tf.nn.softmax_cross_entropy_with_logits(tf.eye(2), tf.zeros((2, 2))),
                         per_sample=np.log(2)) + " (tf.nn.softmax_cross_entropy_with_logits)"),
        "bce_p0_t1": _num(tfk.losses.binary_crossentropy(tf.ones((1, 1)), tf.zeros((1, 1)))[0]),
        "soft_ce_minus_inf": _num(tf.nn.softmax_cross_entropy_with_logits(
            *reversed(_soft_ce_args(tf.constant)))[0]),
    }
    return out | _optimizer_facts(_step, _default)


def _at(f, x, dtype="float64"):
    return float(f(tf.constant(x, dtype)))


def _grad_at(f, x, dtype="float64"):
    t = tf.constant(x, dtype)
    with tf.GradientTape() as tape:
        tape.watch(t)
        y = f(t)
    return tape.gradient(y, t)


_OPTIMIZERS = {"sgd": keras.optimizers.SGD, "adagrad": keras.optimizers.Adagrad,
               "rmsprop": keras.optimizers.RMSprop, "adam": keras.optimizers.Adam,
               "adamw": keras.optimizers.AdamW}


def _step(name, g, p0=0.0, **kw):
    kw = {{"lr": "learning_rate", "eps": "epsilon"}.get(k, k): v for k, v in kw.items()}
    if "betas" in kw:
        kw["beta_1"], kw["beta_2"] = kw.pop("betas")
    v = keras.Variable(np.array([p0]), dtype="float64")
    _OPTIMIZERS[name](**kw).apply_gradients([(tf.constant([g], tf.float64), v)])
    return float(v.numpy()[0])


def _default(name, arg):
    arg = {"lr": "learning_rate", "eps": "epsilon"}.get(arg, arg)
    opt = _OPTIMIZERS[name]()
    return float(opt.learning_rate.numpy()) if arg == "learning_rate" else getattr(opt, arg, None)
