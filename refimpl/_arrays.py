"""Small helpers every concept module shares: the error type and the dtype rules."""

from __future__ import annotations

import numpy as np


class ShapeError(ValueError):
    """Operand shapes break an op's shape rule; the message names the shapes and the rule."""


def as_float_array(x) -> np.ndarray:
    """``x`` as an ndarray of a floating dtype: integers and bools become float64.

    float16, bfloat16, float32 and float64 arrays keep their dtype, without a copy.
    """
    a = np.asarray(x)
    if a.dtype.kind == "f" or a.dtype.name == "bfloat16":
        return a
    if a.dtype.kind in "biu":
        return a.astype(np.float64)
    raise TypeError(f"expected a real floating-point array, got dtype {a.dtype}")


def compute_dtype(dtype) -> np.dtype:
    """The dtype an op works in: float16 and bfloat16 are computed exactly as float32 is
    (as the frameworks do on CPU), and that float32 result is rounded once at the end."""
    dtype = np.dtype(dtype)
    return np.dtype(np.float32) if dtype.itemsize < 4 else dtype


def up(x: np.ndarray) -> np.ndarray:
    """``x`` in its compute dtype (see ``compute_dtype``)."""
    return x.astype(compute_dtype(x.dtype), copy=False)


def upcast(*xs):
    """Each array in its compute dtype."""
    return [up(x) for x in xs]
