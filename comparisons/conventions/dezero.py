"""DeZero's conventions, measured with DeZero's own functions, as the built-in frameworks'
probes measure theirs: the facts it can answer (it has no gelu, elu, softplus, step,
RMSProp or AdamW, and no Python-number literal of its own; those rows stay unknown).
"""

import numpy as np

import comparisons.dezero  # noqa: F401  (imports DeZero the plug-in's way, np.int lent)
import dezero.functions as F
from dezero import Variable, optimizers

from comparisons.conventions import (_num, _reduction, _zero, adam_eps_placement, measured,
                                     subnormal_facts)


def _v(x, dtype="float64"):
    return Variable(np.asarray(x, dtype))


def _grad_at(f, x, dtype="float64"):
    v = _v([x], dtype)      # a vector: DeZero's LeakyReLU.backward fails on a 0-d input
    f(v).backward()
    return float(v.grad.data[0])


def _adam_step(**kw):
    """p after one Adam step from 0 with g = 1, lr = 1, eps = 1, betas (0.9, 0.999)."""
    p = Variable(np.zeros(1))
    p.grad = _v([1.0])
    opt = optimizers.Adam(alpha=1.0, beta1=0.9, beta2=0.999, eps=1.0)
    opt.t = 1               # what Adam.update counts before it updates each parameter
    opt.update_one(p)
    return float(p.data[0])


def probe() -> dict:
    facts = {
        "int32+float32": lambda: (_v([1], "int32") + _v([1.0], "float32")).dtype.name,
        "float16+float32": lambda: (_v([1.0], "float16") + _v([1.0], "float32")).dtype.name,
        "zero_sum": lambda: _zero(float(F.matmul(_v(-np.zeros((1, 1))), _v(np.ones((1, 1)))).data[0, 0])),
        "sum_axis_empty_tuple": lambda: str(F.sum(_v(np.ones((2, 3))), axis=()).shape),
        "relu_neg_zero": lambda: _zero(float(F.relu(_v(-0.0)).data)),
        "zero_grad_sign": lambda: _zero(_grad_at(lambda x: -F.relu(x), -1.0)),
        "leaky_relu.default_slope": lambda: _num(-float(F.leaky_relu(_v(-1.0)).data)),
        "leaky_relu.float64_slope": lambda: _num(float(F.leaky_relu(_v(-1.0), 0.01).data) + 0.01),
        "grad_at_0.relu": lambda: _num(_grad_at(F.relu, 0.0)),
        "grad_at_0.leaky_relu": lambda: _num(_grad_at(lambda x: F.leaky_relu(x, 0.01), 0.0)),
        "sigmoid_grad_20": lambda: _num(_grad_at(F.sigmoid, 20.0, "float32")),
        "tanh_grad_10": lambda: _num(_grad_at(F.tanh, 10.0, "float32")),
        "sigmoid_underflow": lambda: _num(float(F.sigmoid(_v(-100.0, "float32")).data)),
        "sigmoid_underflow.float16": lambda: _num(float(F.sigmoid(_v(-12.0, "float16")).data)),
        "softmax_nan_row": lambda: _num(F.softmax(_v([np.nan, 0.0, 0.0]), axis=0).data[1]),
        "reduction.mse": lambda: _reduction(F.mean_squared_error(_v([1.0, 3.0]), _v([0.0, 0.0])).data),
        "reduction.cross_entropy": lambda: _reduction(
            F.softmax_cross_entropy(_v(np.zeros((2, 2))), np.array([0, 1])).data, per_sample=np.log(2)),
        "bce_p0_t1": lambda: _num(F.binary_cross_entropy(_v([0.0]), _v([1.0])).data),
        "adam.eps_placement": lambda: adam_eps_placement(_adam_step()),
        "sgd.lr_default": lambda: _num(optimizers.SGD().lr),
        "adam.eps_default": lambda: _num(optimizers.Adam().eps),
    }
    return measured(facts | subnormal_facts(lambda dt, x, y: float((_v([x], dt) * _v([y], dt)).data[0])))
