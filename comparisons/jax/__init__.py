"""JAX twins of refimpl, and the adapter the harness drives them through.

float64 is enabled (``jax_enable_x64``) so float64 compares at float64. Gradients come
from ``jax.vjp``.

Every call runs compiled whole (``jax.jit``), as jax code usually runs. Compiling is what
costs (about 30-70 ms per program on a CPU, against 0.01 ms for a call), so the adapter
never compiles the same program twice:
- one ``jax.jit`` is kept per (twin, kwargs, wrt, forward or vjp), and jax keeps its
  compilations per input shape and dtype;
- an elementwise op (the registry says which) runs on its inputs flattened and padded to
  one bucket size: one program serves every shape, and cutting the padding off gives
  exactly what the same program gives on the original shape (each output element depends
  on its own input element only; ``tests/test_jax_engine.py`` checks it bit for bit);
- XLA's programs are kept on disk (jax's persistent compilation cache, in
  ``comparisons.cache_dir("jax")``), so a second run, the other test worker and the
  tests after a report load them instead of compiling.
"""

import functools
import math

import jax
import numpy as np

from comparisons import cache_dir

jax.config.update("jax_enable_x64", True)
jax.config.update("jax_compilation_cache_dir", str(cache_dir("jax")))
# Every program is worth keeping: ours compile in 30-70 ms, below jax's 1 s default.
jax.config.update("jax_persistent_cache_min_compile_time_secs", 0.0)
# No size limit (jax's default): a limit makes every write list the whole folder, which
# costs more than compiling once there are thousands of entries. Two processes share the
# folder (xdist and report workers); an entry read while another writes it fails to
# decompress, and jax warns and compiles instead (tried with an entry cut in half).

VERSION = jax.__version__

# Elementwise inputs are padded to a multiple of this (at least one bucket): the drawn
# arrays have at most 3**5 = 243 elements, so each (op, kwargs, dtype) compiles once.
BUCKET = 256


# Compilations and persistent-cache hits in this process, for benchmarks/suite_speed.py
# and the tests (jax reports both through its monitoring events).
STATS = {"compiles": 0, "compile_s": 0.0, "cache_hits": 0}


def _on_duration(event, seconds, **_):
    if event == "/jax/core/compile/backend_compile_duration":
        STATS["compiles"] += 1
        STATS["compile_s"] += seconds


def _on_event(event, **_):
    if event == "/jax/compilation_cache/cache_hits":
        STATS["cache_hits"] += 1


jax.monitoring.register_event_duration_secs_listener(_on_duration)
jax.monitoring.register_event_listener(_on_event)


def to_native(a: np.ndarray):
    # What a jitted program takes: a numpy array as it is. jax copies it in its C++ call
    # path, 9 us a call, against 85 us through jax.device_put (and jnp.asarray would
    # compile a small conversion program for each new shape).
    return np.asarray(a)


def to_numpy(t, dtype) -> np.ndarray:
    return np.asarray(t)


def forward(fn, arrays, kwargs, elementwise=False):
    """fn's outputs. ``elementwise``: each output element depends on the same element of
    every input, and all inputs have one shape (a hint the registry gives)."""
    f = _jitted(fn, kwargs, None)
    if elementwise:
        return _flat(lambda xs, _: f(*xs), arrays, ())
    return f(*[to_native(a) for a in arrays])


def vjp(fn, arrays, kwargs, cotangents, wrt=None, elementwise=False):
    wrt = tuple(range(len(arrays))) if wrt is None else tuple(wrt)
    both = _jitted(fn, kwargs, wrt)
    if elementwise:
        return _flat(both, arrays, cotangents)
    return both([to_native(a) for a in arrays], tuple(to_native(g) for g in cotangents))


def _jitted(fn, kwargs, wrt):
    items = tuple(sorted(kwargs.items()))
    try:   # repr tells 1, 1.0 and True apart, which are one key to a dict
        return _kept(fn, repr(items), items, wrt)
    except TypeError:   # an unhashable argument: compile for this call only
        return _kept.__wrapped__(fn, repr(items), items, wrt)


@functools.cache
def _kept(fn, key, items, wrt):
    """One compiled function per twin, kwargs (``key``) and wrt: the forward when wrt is
    None, else (outputs, vjp of the arrays in wrt)."""
    kwargs = dict(items)
    if wrt is None:
        return jax.jit(lambda *xs: fn(*xs, **kwargs))

    def both(xs, cts):
        def f(*diff):   # fn with the arrays in wrt as variables, the others held fixed
            full = list(xs)
            for i, d in zip(wrt, diff):
                full[i] = d
            return fn(*full, **kwargs)

        ys, pullback = jax.vjp(f, *[xs[i] for i in wrt])
        return ys, pullback(cts if isinstance(ys, tuple) else cts[0])

    return jax.jit(both)


def _flat(call, arrays, cotangents):
    """``call`` on the arrays and cotangents flattened and zero-padded to a bucket size;
    every array it returns with the padding cut off and the inputs' shape given back.
    Every array and cotangent of an elementwise op has the same shape."""
    shape = np.shape(arrays[0])
    size = math.prod(shape)
    n = BUCKET * max(1, -(-size // BUCKET))

    def pad(a):
        a = np.asarray(a).reshape(-1)
        return to_native(np.concatenate([a, np.zeros(n - size, a.dtype)]))

    def cut(t):   # in numpy: a jax slice would compile a program per shape
        return np.asarray(t)[:size].reshape(shape)

    out = call([pad(a) for a in arrays], tuple(pad(g) for g in cotangents))
    return jax.tree_util.tree_map(cut, out)
