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
from refimpl.tensors import EXAMPLES, cosine_similarity, describe, dot, matmul, matmul_shape

__version__ = "0.1.0"

__all__ = [
    "ShapeError", "Function", "Variable", "as_variable", "grad", "no_grad", "sum_to",
    "numerical_derivative", "numerical_gradient",
    "add", "sub", "mul", "div", "neg", "pow", "exp", "log",
    "branch", "repeat", "broadcast_to", "sum", "reshape", "transpose",
    "describe", "dot", "cosine_similarity", "matmul", "matmul_shape", "EXAMPLES",
]
