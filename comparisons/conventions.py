"""Conventions: differences between the frameworks that are choices, not bugs.

Every fact here is *measured* from the installed frameworks when asked for, never typed
in, so the report states what the versions in front of it do. The harness uses two of
them to classify mismatches as ``convention`` rather than ``fail``:

- ``flushes_subnormals``: TensorFlow and XLA (JAX) set flush-to-zero on CPU, so a result
  below the smallest normal number comes back as 0 where numpy keeps the subnormal.
- ``zero_sum``: the sign an exact zero takes when it comes out of a sum, which hangs on
  the value a reduction starts from and on the order of the additions.
"""

from __future__ import annotations

import functools

import numpy as np

from comparisons import FRAMEWORKS

_FMT = {True: "yes", False: "no", None: "n/a"}


def _zero(v: float) -> str:
    return "-0.0" if np.signbit(v) else "+0.0"


# Each probe takes the framework's adapter-free module and returns a printable fact.

def _torch():
    import torch

    tiny = {dt: np.finfo(dt).tiny for dt in ("float32", "float64")}
    out = {
        "default_float": str(torch.tensor(1.0).dtype).removeprefix("torch."),
        "int32+float32": _try(lambda: str((torch.tensor([1], dtype=torch.int32)
                                           + torch.tensor([1.0])).dtype).removeprefix("torch.")),
        "float16+float32": _try(lambda: str((torch.tensor([1.0], dtype=torch.float16)
                                             + torch.tensor([1.0])).dtype).removeprefix("torch.")),
        "zero_sum": _zero(torch.matmul(-torch.zeros(1, 1, dtype=torch.float64),
                                       torch.ones(1, 1, dtype=torch.float64)).item()),
        "sum_axis_empty_tuple": _try(lambda: str(tuple(torch.sum(torch.ones(2, 3), dim=()).shape))),
    }
    for dt, t in tiny.items():
        x = torch.tensor([t], dtype=getattr(torch, dt))
        out[f"flushes_subnormals.{dt}"] = bool((x * 0.5).item() == 0.0)
    return out


def _tensorflow():
    from comparisons import tensorflow as _  # noqa: F401  (sets TF's log level first)
    import tensorflow as tf

    out = {
        "default_float": tf.constant(1.0).dtype.name,
        "int32+float32": _try(lambda: (tf.constant([1], tf.int32) + tf.constant([1.0])).dtype.name),
        "float16+float32": _try(lambda: (tf.constant([1.0], tf.float16)
                                         + tf.constant([1.0])).dtype.name),
        "zero_sum": _zero(float(tf.matmul(-tf.zeros([1, 1], tf.float64),
                                          tf.ones([1, 1], tf.float64))[0, 0])),
        "sum_axis_empty_tuple": _try(lambda: str(tuple(tf.reduce_sum(tf.ones([2, 3]), axis=[]).shape))),
    }
    for dt in ("float32", "float64"):
        x = tf.constant([np.finfo(dt).tiny], dtype=dt)
        out[f"flushes_subnormals.{dt}"] = bool(float((x * 0.5).numpy()[0]) == 0.0)
    return out


def _jax():
    from comparisons import jax as _  # noqa: F401  (enables float64 first)
    import jax.numpy as jnp

    out = {
        "default_float": str(jnp.asarray(1.0).dtype) + " (x64 enabled; float32 by default)",
        "int32+float32": _try(lambda: str((jnp.asarray([1], jnp.int32)
                                           + jnp.asarray([1.0], jnp.float32)).dtype)),
        "float16+float32": _try(lambda: str((jnp.asarray([1.0], jnp.float16)
                                             + jnp.asarray([1.0], jnp.float32)).dtype)),
        "zero_sum": _zero(float(jnp.matmul(-jnp.zeros((1, 1)), jnp.ones((1, 1)))[0, 0])),
        "sum_axis_empty_tuple": _try(lambda: str(jnp.sum(jnp.ones((2, 3)), axis=()).shape)),
    }
    for dt in ("float32", "float64"):
        x = jnp.asarray([np.finfo(dt).tiny], dtype=dt)
        out[f"flushes_subnormals.{dt}"] = bool(float((x * 0.5)[0]) == 0.0)
    return out


def _numpy():
    return {
        "default_float": np.array(1.0).dtype.name,
        "int32+float32": (np.array([1], np.int32) + np.array([1.0], np.float32)).dtype.name,
        "float16+float32": (np.array([1.0], np.float16) + np.array([1.0], np.float32)).dtype.name,
        "zero_sum": _zero(float(np.matmul(-np.zeros((1, 1)), np.ones((1, 1)))[0, 0])),
        "sum_axis_empty_tuple": str(np.sum(np.ones((2, 3)), axis=()).shape),
        "flushes_subnormals.float32": bool(np.float32(np.finfo(np.float32).tiny) * np.float32(0.5) == 0),
        "flushes_subnormals.float64": bool(np.finfo(np.float64).tiny * 0.5 == 0),
    }


def _try(f):
    try:
        return f()
    except Exception as e:  # a refusal is itself the measured behaviour
        return f"error ({type(e).__name__})"


_PROBES = {"numpy": _numpy, "torch": _torch, "tensorflow": _tensorflow, "jax": _jax}


@functools.lru_cache(maxsize=None)
def measure(framework: str) -> dict | None:
    """Measured facts for one framework (or numpy); None when it is not installed."""
    try:
        return _PROBES[framework]()
    except ImportError:
        return None


def flushes_subnormals(framework: str, dtype: str) -> bool:
    m = measure(framework) or {}
    # bfloat16 shares float32's exponent range and is computed in float32 on CPU.
    return bool(m.get(f"flushes_subnormals.{'float32' if dtype in ('float16', 'bfloat16') else dtype}"))


TOPICS = {
    "default_float": ("default float dtype of a Python float literal",
                      "code ported from numpy may silently compute in half the precision"),
    "int32+float32": ("int32 tensor + float32 tensor",
                      "the same expression may widen, keep float32 or raise, depending on the framework"),
    "float16+float32": ("float16 tensor + float32 tensor",
                        "mixed-precision code that runs in one framework may raise in another"),
    "zero_sum": ("[[-0.0]] @ [[1.0]]: the sign of a sum whose terms are all -0.0",
                 "+0.0 when the reduction starts from +0.0, -0.0 when it starts from the first "
                 "term (-0.0 is the true IEEE identity); exact zeros from sums differ in sign"),
    "sum_axis_empty_tuple": ("sum over axis=() of a (2, 3) tensor: result shape",
                             "an empty axis tuple means 'no axis' or 'every axis' depending on the framework"),
    "flushes_subnormals.float32": ("float32 results below the smallest normal (1.2e-38)",
                                   "'yes' means flushed to 0 (flush-to-zero on CPU); gradients of "
                                   "tiny values vanish"),
    "flushes_subnormals.float64": ("float64 results below the smallest normal (2.2e-308)",
                                   "as float32"),
}


def table(frameworks=FRAMEWORKS) -> list[dict]:
    """The conventions section of parity.json: one row per topic, one column per framework."""
    facts = {fw: measure(fw) for fw in ("numpy",) + tuple(frameworks)}
    rows = []
    for key, (topic, note) in TOPICS.items():
        row = {"topic": topic, "key": key, "note": note}
        for fw in ("numpy",) + tuple(FRAMEWORKS):
            v = (facts.get(fw) or {}).get(key) if facts.get(fw) is not None else None
            row[fw] = _FMT[v] if isinstance(v, bool) or v is None else str(v)
            if facts.get(fw) is None and fw in frameworks:
                row[fw] = "missing"
        rows.append(row)
    return rows
