"""Where a conformance run spends its time: prints figures, asserts nothing.

    .venv/bin/python benchmarks/suite_speed.py [--profile ci] [--ops sigmoid,sum]
        [--frameworks torch,tensorflow,jax] [--no-accuracy] [--no-training]

Runs the report's jobs (every op x dtype x check of the registry, the training runs and
the accuracy sweep, as ``refimpl report`` does) in this one process, so that each second
is counted once, and prints:
- cases per second, for refimpl and for each framework (cases / seconds spent in it);
- the time split between drawing (hypothesis), refimpl (its forward, its backward and
  the error yardsticks), each framework (jax: compiling apart from calling; tracing and
  lowering count as calling), comparing (including the conventions' recomputations),
  the training runs, the accuracy sweep and rendering the report's files;
- the number of JAX compilations and of persistent-cache hits.
Each time is exclusive: a refimpl call made while comparing counts as refimpl.

The compilation cache is whatever $REFIMPL_CACHE_DIR (or ~/.cache/refimpl) holds: point it
at an empty folder for a first run, e.g.
``REFIMPL_CACHE_DIR=$(mktemp -d) .venv/bin/python benchmarks/suite_speed.py``.
"""

from __future__ import annotations

import argparse
import collections
import functools
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from comparisons import (FRAMEWORKS, adapters, classify, framework_ways, harness, import_everything,  # noqa: E402
                         reference, registry, runner, trajectory)  # noqa: E402

SPENT = collections.Counter()       # seconds, exclusive, per part
_stack: list = []                   # the parts being timed, innermost last


def timed(part, fn):
    """``fn`` whose time (less that of the timed calls it makes) goes to ``part``."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        t0 = time.perf_counter()
        _stack.append(0.0)
        try:
            return fn(*args, **kwargs)
        finally:
            inner = _stack.pop()
            total = time.perf_counter() - t0
            SPENT[part] += total - inner
            if _stack:
                _stack[-1] += total
    return wrapper


def instrument(frameworks):
    # each function is wrapped in the modules that call it by name
    for module, names, part in (
            (reference, ("reference_forward", "reference_vjp", "_scales"), "refimpl"),
            (framework_ways, ("reference_forward", "reference_vjp"), "refimpl"),
            (classify, ("compare", "_followed_convention", "convention_for"), "comparing")):
        for name in names:
            setattr(module, name, timed(part, getattr(module, name)))
    for fw in frameworks:
        ad = adapters.adapter(fw)
        if ad is not None:
            for name in ("forward", "vjp", "to_numpy"):
                setattr(ad, name, timed(fw, getattr(ad, name)))
    trajectory.run_case = timed("training runs", trajectory.run_case)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--profile", default="ci", choices=list(runner.PROFILES))
    p.add_argument("--ops", default=None, help="comma-separated ops (default: all)")
    p.add_argument("--frameworks", default=",".join(FRAMEWORKS))
    p.add_argument("--no-accuracy", action="store_true")
    p.add_argument("--no-training", action="store_true")
    a = p.parse_args(argv)
    frameworks = tuple(f for f in a.frameworks.split(",") if f)
    ops = a.ops.split(",") if a.ops else None
    import_everything()
    instrument(frameworks)
    jax = adapters.adapter("jax") if "jax" in frameworks else None
    checks = harness.CHECKS + (() if a.no_training else (trajectory.CHECK,))

    t0 = time.perf_counter()
    doc = runner.run(profile=a.profile, frameworks=frameworks, ops=ops, checks=checks,
                     workers=1, accuracy=False)
    measured = time.perf_counter() - t0
    if not a.no_accuracy:
        t1 = time.perf_counter()
        doc["accuracy"] = runner._accuracy(ops and [o for o in ops if o in registry.OPS],
                                           frameworks, None, checks, "full")
        SPENT["accuracy sweep"] += time.perf_counter() - t1
    t2 = time.perf_counter()
    from comparisons import report
    with tempfile.TemporaryDirectory() as out:
        report.write(doc, Path(out))
    SPENT["rendering"] += time.perf_counter() - t2
    total = time.perf_counter() - t0

    # what is left of the jobs' time is hypothesis drawing (and running its engine)
    SPENT["drawing"] = measured - sum(v for k, v in SPENT.items()
                                      if k not in ("accuracy sweep", "rendering"))
    if jax is not None:
        SPENT["jax compile"] = jax.STATS["compile_s"]
        SPENT["jax"] -= jax.STATS["compile_s"]
    cases = sum(r["examples"] for r in doc["results"]
                if r["framework"] == frameworks[0] and r["check"] != trajectory.CHECK)

    print(f"profile {a.profile}: {len(doc['results'])} rows, {cases} drawn cases per framework, "
          f"{total:.1f} s in one process")
    print("\ncases per second (cases / seconds spent in it)")
    for part in ("refimpl",) + frameworks:
        secs = SPENT[part] + (SPENT["jax compile"] if part == "jax" else 0)
        print(f"  {part:<12}{cases / secs if secs else float('inf'):>10.0f}")
    print("\ntime split")
    for part, secs in sorted(SPENT.items(), key=lambda kv: -kv[1]):
        label = "jax (calls)" if part == "jax" and jax is not None else part
        print(f"  {label:<16}{secs:>8.1f} s {secs / total:>6.1%}")
    if jax is not None:
        print(f"\njax compilations: {jax.STATS['compiles']} "
              f"({jax.STATS['compile_s']:.1f} s, "
              f"{1e3 * jax.STATS['compile_s'] / max(jax.STATS['compiles'], 1):.1f} ms each); "
              f"persistent-cache hits: {jax.STATS['cache_hits']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
