"""The reference column of the conventions table: what each fact should be.

comparisons/conventions/ measures the frameworks and compares each fact with the "numpy" column.
That column's activation, loss and optimizer facts are built here from numpy, the math
module and values derived by hand, never from refimpl's output: a bug in refimpl must
not open its own excuse. (Were refimpl's ELU slope 0 below x = -15, torch's correct
2.06e-9 still agrees with the reference, and tests/test_conventions_reference.py, which
holds refimpl's measured facts to these, catches refimpl.)

Two kinds of fact: true values (sigmoid'(20), bce(p = 0, t = 1) = inf), and, where the
mathematics leaves a choice (the subgradient at a kink, a default), the choice refimpl
documents, with the docstring that states it. Formatted by conventions' own helpers, so
a fact reads the same in every column.
"""

from __future__ import annotations

import math

import numpy as np

from comparisons.conventions import (_GELU_1, _gelu_form, _num, _optimizer_facts, _precision_of,
                                     _reduction, _zero)


def facts() -> dict:
    e20 = math.exp(-20.0)
    with np.errstate(invalid="ignore"):
        e = np.exp([np.nan, 0.0, 0.0])
        nan_row = e / e.sum()              # the textbook softmax: the NaN enters the sum
    return {
        # ---- choices refimpl documents (refimpl/activations.py, refimpl/losses.py)
        "leaky_relu.default_slope": _num(0.01),       # leaky_relu: "the default slope 0.01"
        "gelu.default": _gelu_form(_GELU_1),          # gelu: "refimpl's default is the exact form"
        "grad_at_0.relu": _num(0.0),                  # ReLU: "at the kink x = 0 refimpl takes 0"
        "grad_at_0.leaky_relu": _num(0.01),           # LeakyReLU: "at x = 0 the derivative taken is slope"
        "grad_at_0.step": _num(0.0),                  # Step: "its derivative is 0"
        "grad_at_0.abs": _num(np.sign(0.0)),          # mae: sign(d), "at d = 0 the subgradient 0"
        "grad_at_0.elu": _num(0.5 * math.exp(0.0)),   # ELU: "alpha e^x" for x <= 0, alpha 0.5
        "reduction.mse": _reduction(np.mean([1.0, 9.0])),    # losses: "mean" (the default)
        "reduction.cross_entropy": _reduction(np.mean([math.log(2)] * 2), per_sample=np.log(2)),
        # ---- IEEE 754, and NaN in, NaN out (DESIGN.md: refimpl's own rules)
        "relu_neg_zero": _zero(0.0),          # max(-0.0, 0): 754-2019 maximum orders -0 below +0
        "zero_grad_sign": _zero(-1.0 * 0.0),  # the chain rule: upstream -1 times the derivative 0
        "step_nan": _num(math.nan),
        "softmax_nan_row": _num(nan_row[1]),
        # ---- true values
        "leaky_relu.float64_slope": _num(-0.01 + 0.01),     # the slope kept in float64
        "gelu.float64_constants": _precision_of(0.0),       # exact constants carry no error
        "sigmoid_grad_20": _num(np.float32(e20 / (1 + e20) ** 2)),   # s(20) s(-20), rounded once
        "tanh_grad_10": _num(np.float32(1 / math.cosh(10.0) ** 2)),  # 1 / cosh^2, rounded once
        "elu_tiny": _num(math.expm1(-1e-30)),               # e^x - 1 = x + x^2/2: -1e-30
        "elu_grad_20": _num(np.float32(e20)),               # alpha e^x, alpha 1
        "softplus_30": _num(0.0),                           # the exact value minus itself
        "sigmoid_underflow": _num(np.float32(math.exp(-100.0))),   # e^-100 / (1 + e^-100), rounded once
        "sigmoid_underflow.float16": _num(np.float16(math.exp(-12.0) / (1 + math.exp(-12.0)))),
        "gelu_inf": _num(math.inf),                         # x Phi(x) -> +inf
        "huber_grad_small": _num(1e-20),                    # clip(d, -delta, delta) = d here
        "bce_p0_t1": _num(math.inf),                        # -(1 log 0 + 0 log 1) = +inf
        # -log softmax([-inf, 0, 1])[1] = log(1 + e): the target 0 ignores the -inf (0 log 0 = 0)
        "soft_ce_minus_inf": _num(math.log1p(math.e)),
    } | _optimizer_facts(_step, lambda name, arg: _DEFAULTS.get((name, arg)))


# The defaults refimpl/optim.py documents (each class's "Defaults:" line).
_DEFAULTS = {("sgd", "lr"): 1e-3, ("sgd", "dampening"): 0.0, ("adagrad", "eps"): 1e-10,
             ("adagrad", "initial_accumulator_value"): 0.0, ("rmsprop", "rho"): 0.99,
             ("rmsprop", "eps"): 1e-8, ("adam", "eps"): 1e-8, ("adamw", "weight_decay"): 0.01}


def _step(name, g, p0=0.0, *, lr, eps=1e-8, betas=(0.9, 0.999), rho=0.99, weight_decay=0.0,
          initial_accumulator_value=0.0):
    """p0 after one step from fresh state, by the formulas refimpl/optim.py documents:
    eps outside the square root, weight decay coupled (an L2 term added to g)."""
    g = g + weight_decay * p0
    if name == "sgd":
        return p0 - lr * g
    if name == "adagrad":                   # G = G0 + g^2
        return p0 - lr * g / (math.sqrt(initial_accumulator_value + g * g) + eps)
    if name == "rmsprop":                   # v = rho 0 + (1 - rho) g^2
        return p0 - lr * g / (math.sqrt((1 - rho) * g * g) + eps)
    b1, b2 = betas                          # Kingma and Ba, Algorithm 1, at t = 1
    m_hat, v_hat = (1 - b1) * g / (1 - b1), (1 - b2) * g * g / (1 - b2)
    return p0 - lr * m_hat / (math.sqrt(v_hat) + eps)
