"""The argument rules every public function shares, one function per rule.

Bad input is refused at the public boundary, before any state changes, with a message
of one form: ``"<function>: <argument> must be <expectation>, got <value>"``. Each rule
raises ValueError whatever is wrong (the type or the value), so a caller catches one
error type for a bad scalar argument; TypeError stays for arrays of the wrong dtype.

What numpy and torch answer with NaN or inf (log 0, 0/0) in the *data* stays an answer;
these rules are for the arguments that configure an op (a flag, a size, a rate, an eps).

>>> positive("SGD", "lr", 0.1)
0.1
>>> flag("fit", "shuffle", 1)
Traceback (most recent call last):
...
ValueError: fit: shuffle must be True or False, got 1
"""

from __future__ import annotations

import math

import numpy as np

from refimpl._arrays import ShapeError

__all__ = ["shown", "flag", "finite", "positive", "non_negative", "fraction", "size",
           "integer", "ints", "axis_of", "one_of", "every_entry"]


def shown(v) -> str:
    """``v`` as a message shows it: a numpy scalar as the Python number it holds (1.5,
    not np.float64(1.5)), anything else as its repr."""
    return repr(v.item()) if isinstance(v, np.generic) else repr(v)


def _is_number(v) -> bool:
    # True and False are ints to Python, but a flag given for a rate is a mistake
    return (isinstance(v, (int, float, np.integer, np.floating))
            and not isinstance(v, (bool, np.bool_)))


def _is_int(v) -> bool:
    return isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_))


def _is_finite(v) -> bool:
    # an int is always finite (math.isfinite would overflow on 10**400)
    return isinstance(v, (int, np.integer)) or math.isfinite(v)


def _fail(fn, name, expected, v):
    raise ValueError(f"{fn}: {name} must be {expected}, got {shown(v)}")


def flag(fn: str, name: str, v) -> bool:
    """A switch: only True or False (np.bool_ too); not 1, "yes" or None."""
    if not isinstance(v, (bool, np.bool_)):
        _fail(fn, name, "True or False", v)
    return bool(v)


def finite(fn: str, name: str, v):
    """Any finite real number (a slope, a scale), not a bool."""
    if not (_is_number(v) and _is_finite(v)):
        _fail(fn, name, "a finite number", v)
    return v


def positive(fn: str, name: str, v, inf_ok: bool = False):
    """A finite real number > 0: a learning rate, an eps. ``inf_ok`` lets +inf through
    where it is a meaningful limit (huber's delta = inf is the squared error / 2)."""
    if inf_ok and _is_number(v) and v == math.inf:
        return v
    if not (_is_number(v) and _is_finite(v) and v > 0):
        _fail(fn, name, "a number > 0 (or inf)" if inf_ok else "a finite number > 0", v)
    return v


def non_negative(fn: str, name: str, v):
    """A finite real number >= 0: a weight decay, an initial accumulator."""
    if not (_is_number(v) and _is_finite(v) and v >= 0):
        _fail(fn, name, "a finite number >= 0", v)
    return v


def fraction(fn: str, name: str, v):
    """A real number in [0, 1): a momentum, a decay rate (NaN is not in it)."""
    if not (_is_number(v) and 0 <= v < 1):
        _fail(fn, name, "in [0, 1)", v)
    return v


def size(fn: str, name: str, v, minimum: int):
    """A count: an int (numpy's too, not a bool, not 2.0) >= ``minimum``."""
    if not (_is_int(v) and v >= minimum):
        _fail(fn, name, f"an int >= {minimum}", v)
    return int(v)


def integer(fn: str, name: str, v):
    """An int of any sign (an axis), not a bool and not None."""
    if not _is_int(v):
        _fail(fn, name, "an int", v)
    return int(v)


def ints(fn: str, name: str, v) -> tuple:
    """An int or a tuple (or list) of ints, as a tuple: a shape, a list of axes."""
    items = (v,) if _is_int(v) else v
    if not (isinstance(items, (tuple, list)) and all(_is_int(a) for a in items)):
        _fail(fn, name, "an int or a tuple of ints", v)
    return tuple(int(a) for a in items)


def axis_of(fn: str, x, axis: int) -> int:
    """``axis`` as an index into x's axes, which x must have (rank >= 1): a shape error
    otherwise, raised when the input is seen."""
    if not -max(x.ndim, 1) <= axis < max(x.ndim, 1) or x.ndim == 0:
        raise ShapeError(f"{fn}: axis {axis} is out of range for an input of shape {x.shape}; "
                         "the input needs at least one axis")
    return axis % x.ndim


def one_of(fn: str, name: str, v, choices: tuple):
    """One of ``choices``, compared with its type too: 1 is not True, 1.0 is not 1."""
    value = v.item() if isinstance(v, np.generic) else v
    for c in choices:
        if type(value) is type(c) and value == c:
            return c
    _fail(fn, name, f"one of {choices!r}", v)


def every_entry(fn: str, what: str, a, expected: str, ok) -> None:
    """Every entry of the array ``a`` passes ``ok``; else name the first that does not
    (row-major). Write ``ok`` as a comparison NaN fails: a NaN target is no probability."""
    a = np.asarray(a, dtype=np.float64)
    bad = ~ok(a)
    if bad.any():
        i = tuple(int(k) for k in np.argwhere(bad)[0])
        raise ValueError(f"{fn}: {what} must {expected}; found {shown(a[i])} at index {i}")
