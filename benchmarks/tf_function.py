"""TensorFlow: eager against a kept ``tf.function(reduce_retracing=True)``, per op, on the
conformance cases. Prints figures, asserts nothing.

    .venv/bin/python benchmarks/tf_function.py [--ops sigmoid,sum,cross_entropy,matmul]
        [--dtype float32] [--examples 100]

For each op it draws the cases ``refimpl report`` draws (seed 0) and times the forward and
the vjp of all of them, once through the adapter (eager, as comparisons/tensorflow runs
today) and once through one tf.function per (op, kwargs) kept for the whole run. Why eager
won (measured 2026-11-30, float32, 100 cases each, ms per case, eager / tf.function):
sigmoid 1.5 / 4.9, sum 4.8 / 12.3, cross_entropy 13.6 / 53.1, and matmul raised under
tf.function (a relaxed shape reaches the twin's rank test as None): the drawn shapes vary
too much for a trace to be reused, and a trace costs more than the eager ops it replaces.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from comparisons import adapters, import_everything, registry  # noqa: E402


def drawn(op, dtype, n):
    from hypothesis import HealthCheck, given, settings
    from hypothesis import seed as hseed

    out = []

    @hseed(0)
    @settings(max_examples=n, database=None, deadline=None, suppress_health_check=list(HealthCheck))
    @given(op.inputs(dtype))
    def collect(case):
        out.append(case)

    collect()
    return out


def as_tuple(ys):
    return ys if isinstance(ys, (tuple, list)) else (ys,)


def kept_functions(tf, twin, kwargs, wrt):
    def vjp(xs, cts):
        with tf.GradientTape() as tape:
            for i in wrt:
                tape.watch(xs[i])
            ys = twin(*xs, **kwargs)
        return tape.gradient(list(as_tuple(ys)), [xs[i] for i in wrt], output_gradients=cts,
                             unconnected_gradients=tf.UnconnectedGradients.ZERO)

    return (tf.function(lambda *xs: twin(*xs, **kwargs), reduce_retracing=True),
            tf.function(vjp, reduce_retracing=True))


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--ops", default="sigmoid,sum,cross_entropy,matmul")
    p.add_argument("--dtype", default="float32")
    p.add_argument("--examples", type=int, default=100)
    a = p.parse_args(argv)
    import_everything()
    ad = adapters.adapter("tensorflow")
    if ad is None:
        print("tensorflow is not installed")
        return 1
    import tensorflow as tf

    print(f"{'op':<16}{'eager ms/case':>15}{'tf.function ms/case':>22}")
    for name in a.ops.split(","):
        op = registry.OPS[name]
        twin = op.twin("tensorflow")
        cases = drawn(op, a.dtype, a.examples)
        t0 = time.perf_counter()
        for c in cases:
            ys = as_tuple(ad.forward(twin, c.arrays, c.kwargs))
            ad.vjp(twin, c.arrays, c.kwargs, c.cotangents([np.asarray(y) for y in ys]), op.wrt_of(c))
        eager = (time.perf_counter() - t0) / len(cases) * 1e3
        kept, t0 = {}, time.perf_counter()
        try:
            for c in cases:
                key = repr(sorted(c.kwargs.items()))
                if key not in kept:
                    kept[key] = kept_functions(tf, twin, c.kwargs, op.wrt_of(c))
                fwd, vjp = kept[key]
                xs = [ad.to_native(x) for x in c.arrays]
                ys = as_tuple(fwd(*xs))
                vjp(xs, [ad.to_native(g) for g in c.cotangents([np.asarray(y) for y in ys])])
            compiled = f"{(time.perf_counter() - t0) / len(cases) * 1e3:.2f}"
        except Exception as e:   # a trace that generalised a shape the twin needs
            compiled = f"raised {type(e).__name__}"
        print(f"{name:<16}{eager:>15.2f}{compiled:>22}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
