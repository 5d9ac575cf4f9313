"""The truth of the accuracy sweep: each op's exact value at each grid point, computed at
``PREC`` bits from the formulas of ``comparisons.sweeps``, encoded so that the ULP error of
any result is one subtraction away (``Truth``), and kept on disk (``truth()``): it is the
same on every run and costs most of a sweep's time, so only the first run computes it.

What "ULP error" means here
---------------------------
For a real truth ``v`` and a result ``got`` in a dtype with ``p`` significand bits
(24 for float32, 53 for float64) and smallest normal exponent ``emin`` (-126, -1022):

    ulp(v) = 2 ** (max(e, emin) - p + 1)   where 2**e <= |v| < 2**(e+1)  (ulp(0) = ulp at emin)
    error  = |got - v| / ulp(v)

so a correctly rounded result has error <= 0.5, and below the smallest normal the unit is
the smallest subnormal (float32 1.4e-45, float64 4.9e-324): subnormal outputs count, and
an implementation that flushes sigmoid(-100) = 3.7e-44 to 0 in float32 is 26 ULP off.
``v`` is the unrounded 200-bit value and ``ulp`` is taken in its binade (the standard
definition, e.g. Muller, "Handbook of Floating-Point Arithmetic", 2.6.1).
Special cases: if ``v`` rounds to +-inf in the dtype (it overflows), the point counts 0 when
``got`` is that same infinity (nothing better exists) and inf otherwise; a NaN or infinite
``got`` where ``v`` is finite is an infinite error. Signs of zeros are not judged here
(the conformance tests do that). Every input of the sweep is finite.
"""

from __future__ import annotations

import functools
import hashlib
import inspect
import os
import re
import sys
import uuid
from dataclasses import dataclass

import mpmath
import numpy as np

from comparisons import cache_dir, sweeps
from comparisons import ulp as ulp_module
from comparisons.grids import inputs
from comparisons.sweeps import PREC, M, Sweep
from comparisons.ulp import finfo, ulp_of_real, ulps_off


# ---------------------------------------------------------------- the ULP yardstick

def ulp(v, dtype: str) -> float:
    """One unit in the last place of ``dtype`` at the real number ``v`` (see the module doc).

    >>> ulp(1.0, "float32"), ulp(0.0, "float32"), ulp(3.7e-44, "float32")
    (1.1920928955078125e-07, 1.401298464324817e-45, 1.401298464324817e-45)
    """
    v = M.mpf(v)
    return float(ulp_of_real([v], [float(v)], dtype)[0])


def _overflow_threshold(dtype):
    """|v| at or above this rounds to inf: the largest finite value plus half an ulp."""
    top = float(finfo(dtype).max)
    return M.mpf(top) + M.mpf(ulp(top, dtype)) / 2


@dataclass
class Truth:
    """The truth at each grid point, one column per output component, ready for ULPs.

    ``hi`` is the truth rounded to float64, ``lo`` the rest in units of ``ulp``:
    truth = hi + lo * ulp exactly enough (to ~2**-50 ULP); ``over`` is +-inf where the
    truth overflows the dtype (and 0 elsewhere).
    """
    hi: np.ndarray
    lo: np.ndarray
    ulp: np.ndarray
    over: np.ndarray
    sub: np.ndarray        # True where 0 < |truth| < the smallest normal of the dtype

    @classmethod
    def encode(cls, values, dtype):
        """values: a list of rows, each a tuple of mpf (one per component)."""
        top = _overflow_threshold(dtype)
        tiny = float(finfo(dtype).tiny)
        shape = (len(values), len(values[0]) if values else 0)
        flat = [v for row in values for v in row]
        h = [float(v) for v in flat]
        big = [abs(v) >= top for v in flat]
        un = np.where(big, 1.0, ulp_of_real(flat, h, dtype))   # every ULP at once
        lo = [0.0 if b else float((v - x) / u) for v, x, u, b in zip(flat, h, un.tolist(), big)]
        sub = [not b and 0 < abs(v) < tiny for v, b in zip(flat, big)]
        big, hi = np.array(big, bool), np.array(h)
        over = np.where(big, np.copysign(np.inf, hi), 0.0)
        return cls(*(np.reshape(a, shape) for a in (np.where(big, 0.0, hi), lo, un, over)),
                   np.reshape(np.array(sub, bool), shape))

    def errors(self, got: np.ndarray) -> np.ndarray:
        """ULP error of ``got`` (same shape as ``hi``) at each point and component."""
        g = np.asarray(got, dtype=np.float64).reshape(self.hi.shape)
        err = ulps_off(g, self.hi, self.ulp, self.lo)
        return np.where(self.over != 0, np.where(g == self.over, 0.0, np.inf), err)


def ulp_error(got, truth, dtype: str) -> float:
    """The ULP error of one value against a truth given as anything mpmath reads.

    >>> round(ulp_error(np.float32(0.0), "3.7200759760208359e-44", "float32"), 2)  # flushed
    26.55
    """
    return float(Truth.encode([(M.mpf(truth),)], dtype).errors(np.array([[float(got)]]))[0, 0])


# ---------------------------------------------------------------- the truth at the grid

def _points(sweep, arrays):
    """The grid points as tuples of exact mpf: every entry of every array at the point."""
    per_point = [np.asarray(a, np.float64).reshape(len(a), -1) for a in arrays]
    return [tuple(M.mpf(v) for v in np.concatenate([a[i] for a in per_point]).tolist())
            for i in range(len(per_point[0]))]


def compute(sweep: Sweep, check: str, dtype: str, arrays: tuple):
    """(mask of points measured, Truth) at the grid ``arrays``, computed at 200 bits."""
    pts = _points(sweep, arrays)
    keep = np.ones(len(pts), bool)
    if check == "grad" and sweep.kink is not None:
        keep = np.array([not sweep.kink(*p) for p in pts], bool)
    f = sweep.forward if check == "forward" else sweep.grad
    return keep, Truth.encode([f(*p) for p, k in zip(pts, keep) if k], dtype)


_cache: dict = {}


def truth(sweep: Sweep, check: str, dtype: str, size: str = "full"):
    """(mask of points measured, Truth) for one sweep, check and dtype; cached per process
    and on disk (``cache_dir("truth")``), where only the first run computes it."""
    key = (sweep.name, check, dtype, size)
    if key not in _cache:
        arrays = inputs(sweep, dtype, size)
        try:
            path = cache_dir("truth") / _file_name(sweep, check, dtype, arrays)
        except OSError:             # no cache folder can be made: compute on every run
            path = None
        found = _load(path, len(arrays[0])) if path else None
        if found is None:
            found = compute(sweep, check, dtype, arrays)
            if path:
                _save(path, *found)
        _cache[key] = found
    return _cache[key]


# -------------------------------------------------------------- the truth on disk
# One .npz per sweep, check, dtype and grid, named by a hash of everything its numbers depend on:
# the grid (the input arrays themselves, so the code of comparisons.grids need not be in it),
# the code (the formulas and settings of comparisons.sweeps, this module's points, encoding
# and file format, and the ULP module), mpmath and PREC. Any change misses the cache; stale
# files are just unused.

_FIELDS = ("hi", "lo", "ulp", "over", "sub")


@functools.cache
def _source() -> str:
    return "".join(inspect.getsource(m) for m in (sys.modules[__name__], sweeps, ulp_module))


def _file_name(sweep, check, dtype, arrays) -> str:
    h = hashlib.sha256()
    for part in (_source(), mpmath.__version__, mpmath.libmp.BACKEND, str(PREC),
                 sweep.name, check, dtype):
        h.update(part.encode() + b"\0")
    for a in arrays:
        h.update(f"{a.dtype.str}{a.shape}".encode() + np.ascontiguousarray(a).tobytes())
    readable = re.sub(r"[^\w.-]+", "_", f"{sweep.name}-{check}-{dtype}")
    return f"{readable}-{h.hexdigest()[:32]}.npz"


def _load(path, points: int):
    """(keep, Truth) from a cache file, or None when it is missing, unreadable or not the
    shape stored (a damaged or edited file): then the truth is computed again."""
    try:
        with np.load(path, allow_pickle=False) as z:
            keep, fields = z["keep"], [z[f] for f in _FIELDS]
    except Exception:   # np.load fails on bad files in many ways (OSError, BadZipFile, ...)
        return None
    ok = (keep.dtype == bool and keep.shape == (points,) and fields[-1].dtype == bool
          and all(f.dtype == np.float64 for f in fields[:-1])
          and all(f.ndim == 2 and f.shape == fields[0].shape for f in fields)
          and fields[0].shape[0] == keep.sum())
    return (keep, Truth(*fields)) if ok else None


def _save(path, keep, t: Truth) -> None:
    """Write through a temporary file in the same folder and os.replace, so that a reader,
    or a second process writing the same truth, never meets half a file."""
    # A name of this writer's own (not mkstemp's, whose files only their owner may read: a
    # cache folder may be shared).
    tmp = path.with_name(f"{path.name}.{uuid.uuid4().hex}.tmp")
    try:
        with open(tmp, "xb") as f:
            np.savez(f, keep=keep, **{name: getattr(t, name) for name in _FIELDS})
        os.replace(tmp, path)
    except OSError:         # a full disk, a read-only folder: the cache only saves time
        pass
    finally:
        if tmp.exists():    # what a failed write left
            tmp.unlink()
