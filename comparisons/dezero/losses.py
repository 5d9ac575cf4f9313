"""Losses in DeZero: dezero.functions. Its losses have no ``reduction``: each divides the
sum by the batch size N = len(x), the first axis, so the mean of refimpl's only."""

import dezero.functions as F

from comparisons.adapters import Unsupported


def _mean_only(reduction, name):
    if reduction != "mean":
        raise Unsupported(f"DeZero's {name} has no reduction argument: its sum over the "
                          "batch is divided by N")


def mse(y_hat, t, reduction="mean"):
    _mean_only(reduction, "mean_squared_error")
    return F.mean_squared_error(y_hat, t)


def binary_cross_entropy(p, t, reduction="mean"):
    # DeZero clips p to [1e-15, 0.999] before the logs.
    _mean_only(reduction, "binary_cross_entropy")
    return F.binary_cross_entropy(p, t)


def cross_entropy(x, t, reduction="mean"):
    _mean_only(reduction, "softmax_cross_entropy")
    if x.ndim != 2 or t.dtype.kind not in "iu":
        raise Unsupported("DeZero's softmax_cross_entropy takes (N, C) logits and N class "
                          "indices only")
    return F.softmax_cross_entropy(x, t)
