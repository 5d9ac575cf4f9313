"""Small helpers every concept module shares: the error type and the dtype rules."""

from __future__ import annotations

import numpy as np


FLOAT_DTYPES = ("float16", "bfloat16", "float32", "float64")


class ShapeError(ValueError):
    """Operand shapes break an op's shape rule; the message names the shapes and the rule."""


def as_float_array(x, fn: str, name: str) -> np.ndarray:
    """``x`` as an ndarray of a floating dtype: integers and bools become float64.

    float16, bfloat16, float32 and float64 arrays keep their dtype, without a copy.
    Anything else (complex, strings, objects, long double, a ragged list) is refused with
    a TypeError naming the function ``fn`` and its argument ``name``: refimpl's accuracy
    claims hold for those four dtypes only.
    """
    try:
        a = np.asarray(x)
    except ValueError as e:                 # a ragged nested list
        raise TypeError(f"{fn}: {name} must be a real floating-point array, got a "
                        f"{type(x).__name__} numpy cannot make one of ({e})") from None
    if a.dtype.name in FLOAT_DTYPES:
        return a
    if a.dtype.kind in "biu":
        return a.astype(np.float64)
    raise TypeError(f"{fn}: {name} must be a real floating-point array ({', '.join(FLOAT_DTYPES)}; "
                    f"bools and ints become float64), got dtype {a.dtype}")


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
