"""HIPS autograd's conventions, measured with autograd's own numpy and grad, as the
built-in frameworks' probes measure theirs: the facts autograd's numpy answers (it has no
activation, loss or optimizer of its own beyond scipy's expit and numpy's functions; those
rows stay unknown). Its arrays are numpy's, so its promotion and subnormals are numpy's.
"""

import autograd.numpy as anp
import numpy as np
from autograd import grad
from autograd.scipy.special import expit

import comparisons.autograd  # noqa: F401
from comparisons import DTYPES
from comparisons.conventions import _num, _zero, measured, subnormal_facts


def _grad_at(f, x, dtype="float64"):
    return float(grad(lambda v: anp.sum(f(v)))(np.asarray([x], dtype))[0])


def probe() -> dict:
    facts = {
        "default_float": lambda: anp.array(1.0).dtype.name,
        "int32+float32": lambda: (anp.array([1], np.int32) + anp.array([1.0], np.float32)).dtype.name,
        "float16+float32": lambda: (anp.array([1.0], np.float16) + anp.array([1.0], np.float32)).dtype.name,
        "zero_sum": lambda: _zero(float(anp.matmul(-anp.zeros((1, 1)), anp.ones((1, 1)))[0, 0])),
        "sum_axis_empty_tuple": lambda: str(anp.sum(anp.ones((2, 3)), axis=()).shape),
        # relu as autograd's examples write it, maximum(0, x)
        "relu_neg_zero": lambda: _zero(float(anp.maximum(0, np.float64(-0.0)))),
        "zero_grad_sign": lambda: _zero(_grad_at(lambda x: -anp.maximum(0, x), -1.0)),
        "grad_at_0.relu": lambda: _num(_grad_at(lambda x: anp.maximum(0, x), 0.0)),
        "grad_at_0.abs": lambda: _num(_grad_at(anp.abs, 0.0)),
        "sigmoid_grad_20": lambda: _num(_grad_at(expit, 20.0, "float32")),
        "tanh_grad_10": lambda: _num(_grad_at(anp.tanh, 10.0, "float32")),
        "sigmoid_underflow": lambda: _num(float(expit(np.float32(-100.0)))),
        "sigmoid_underflow.float16": lambda: _num(float(expit(np.float16(-12.0)))),
    }
    return measured(facts | subnormal_facts(
        lambda dt, x, y: float((anp.asarray([x], DTYPES[dt]) * anp.asarray([y], DTYPES[dt]))[0])))
