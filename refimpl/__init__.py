"""refimpl: the basics of deep learning in plain numpy, written to be read.

Every op takes plain arrays (and returns plain arrays) or ``Variable``s (and returns a
``Variable`` recorded for backprop). This package imports numpy and nothing else: no
deep-learning framework, ever.
"""

from refimpl._arrays import ShapeError
from refimpl.autodiff import Function, Variable, as_variable, grad, no_grad, sum_to
from refimpl.derivatives import numerical_derivative, numerical_gradient
from refimpl.graph import (
    add, branch, broadcast_to, div, exp, log, mul, neg, pow, repeat, reshape, sub, sum,
    transpose,
)
from refimpl.activations import (
    elu, gelu, leaky_relu, log_softmax, relu, sigmoid, sigmoid_naive, silu, softmax, softplus,
    step, tanh,
)
from refimpl.losses import (
    binary_cross_entropy, binary_cross_entropy_with_logits, cross_entropy, gaussian_nll, huber,
    mae, mse, nll,
)
from refimpl.tensors import EXAMPLES, cosine_similarity, describe, dot, matmul, matmul_shape
from refimpl.optim import SGD, AdaGrad, Adam, AdamW, Optimizer, RMSProp
from refimpl.models import Linear, Perceptron, Sequential, least_squares, mlp
from refimpl.training import History, Schedule, fit, iteration, minibatches, schedule

__version__ = "0.1.0"

__all__ = [
    "ShapeError", "Function", "Variable", "as_variable", "grad", "no_grad", "sum_to",
    "numerical_derivative", "numerical_gradient",
    "add", "sub", "mul", "div", "neg", "pow", "exp", "log",
    "branch", "repeat", "broadcast_to", "sum", "reshape", "transpose",
    "step", "sigmoid", "sigmoid_naive", "tanh", "relu", "leaky_relu", "softmax", "log_softmax",
    "softplus", "elu", "gelu", "silu",
    "mse", "mae", "huber", "binary_cross_entropy", "binary_cross_entropy_with_logits",
    "cross_entropy", "nll", "gaussian_nll",
    "describe", "dot", "cosine_similarity", "matmul", "matmul_shape", "EXAMPLES",
    "Optimizer", "SGD", "AdaGrad", "RMSProp", "Adam", "AdamW",
    "Linear", "Sequential", "mlp", "least_squares", "Perceptron",
    "Schedule", "schedule", "minibatches", "History", "iteration", "fit",
]
