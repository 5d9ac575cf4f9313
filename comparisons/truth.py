"""High-precision ground truth (mpmath, 200 bits) and the accuracy sweep.

For every registry op, forward and gradient, the accuracy sweep computes the
exact mathematical answer at the exact floating-point input, then measures how far each
implementation (refimpl and every installed framework) lands from it, in ULPs.

The truth is written from the mathematics, not from refimpl: each formula (in
``comparisons.sweeps``) is chosen
so that it is exact to far more than 53 bits at 200-bit working precision for every input
of the sweep (no subtraction of nearly equal numbers except at a function's own roots,
where 200 bits leave > 140 correct). The constants are the real numbers of the definitions
(1/100 for leaky_relu's slope 0.01, the decimal 0.044715 and sqrt(2/pi) of the tanh GELU),
not their float roundings. ``tests/test_truth.py`` checks the truth against closed forms
and against itself at 400 bits.

The ULP error itself (the binade, subnormals, overflow, NaN) is defined in
``comparisons.exact``, which computes, encodes and caches the truth.

What is swept
-------------
Every registry op (``comparisons.sweeps``: the ops, their truth and how each is swept),
per check (``forward``, ``grad``) and dtype (float32, float64), on one grid:
linear near 0 ([-10, 10], [-120, 120], [-800, 800]), log-spaced magnitudes from the
smallest subnormal to the largest finite value with both signs, and the places where
trouble is known to sit, each with its two neighbours on either side: the exp/sigmoid
saturation and underflow edges of the dtype (sigmoid'(x) near 18.7 in float32 / 37 in
float64; sigmoid(-100) in float32; exp underflow at -87.3/-103.97 and -708.4/-745.1), the
GELU tails (x near -11 and -13 in float32, -37.5 and -38.5 in float64), the roots of the
derivatives of GELU (-0.7518), tanh-GELU (-0.7522) and SiLU (-1.2785), and the edges of
the bands the conformance draws visit (``comparisons.regions``: one list for both). log,
pow's fractional powers and div's divisor take the grid's positive or nonzero part,
probabilities the open interval (0, 1) (log-spaced down to the smallest subnormal and up
to 1 - eps/2), gaussian_nll's variance [1e-5, max], so that its eps clamp never acts.
The losses and binary ops are swept in one argument with the others fixed
(``settings``); the ops on rows, vectors and matrices through the entry x of a fixed
structure (``[x, 0.1, -0.3]``, see ``comparisons.sweeps``). grad is the vjp with the
cotangent 1 for every output (``[1, 0, 0]`` for softmax and log_softmax: the full row of
derivatives of output 0). Kinks (x = 0 for step, relu, leaky_relu; y_hat = t for mae) are
left out of the grad sweep: which subgradient is taken there is a convention, measured
elsewhere.

Where it is: ``comparisons.sweeps`` (the ops and their truth formulas),
``comparisons.grids`` (the grids), ``comparisons.exact`` (the truth at each point and its
cache on disk), ``comparisons.accuracy`` (the runner: ``accuracy()`` returns the report's
rows, ``misses(rows)`` lists the refimpl rows that miss ``TARGET_ULP`` or the best
framework) and ``comparisons.ulp`` (the unit itself). This module gathers their names and
is the command line: ``python -m comparisons.truth`` prints the table and the time it took.
"""

from __future__ import annotations

import time

# The sweep's names, where the report, the runner and the tests have always found them.
from comparisons import FRAMEWORKS, IMPLEMENTATIONS  # noqa: F401
from comparisons.accuracy import (BEST_SLACK_ULP, CHECKS, CURVE_BINS, DTYPES,  # noqa: F401
                                  TARGET_ULP, _ulp_of, accuracy, curve, implementation,
                                  measure, misses)
from comparisons.exact import Truth, compute, truth, ulp, ulp_error  # noqa: F401
from comparisons.grids import GRID_SIZES, columns, inputs  # noqa: F401
from comparisons.sweeps import PREC, SWEEPS, SWEEPS_LIST, M, Sweep, ops  # noqa: F401


# ----------------------------------------------------------------------- the table

def table(rows) -> str:
    """A plain-text table: sweep, check, dtype, ULPs per implementation, refimpl's worst."""
    cells, order = {}, []
    for r in rows:
        k = (r["sweep"], r["check"], r["dtype"])
        if k not in cells:
            cells[k] = {}
            order.append(k)
        cells[k][r["implementation"]] = r
    names = list(dict.fromkeys(r["implementation"] for r in rows))
    lines = [f"{'sweep':<34}{'check':<8}{'dtype':<8}" + "".join(f"{n:>12}" for n in names)
             + "  worst input (refimpl)"]
    for k in order:
        c = cells[k]
        line = f"{k[0]:<34}{k[1]:<8}{k[2]:<8}"
        for n in names:
            r = c.get(n)
            line += f"{'-' if r is None else format(_ulp_of(r), '.3g'):>12}"
        ref = c.get("refimpl")
        lines.append(line + ("  " + str(ref["worst_input"]) if ref else ""))
    return "\n".join(lines)


def main(argv=None) -> int:
    import argparse

    p = argparse.ArgumentParser(prog="python -m comparisons.truth")
    p.add_argument("--ops", default=None, help="comma-separated op names (default: all)")
    p.add_argument("--size", choices=list(GRID_SIZES), default="full")
    p.add_argument("--frameworks", default=",".join(FRAMEWORKS))
    a = p.parse_args(argv)
    t0 = time.perf_counter()
    rows = accuracy(a.ops.split(",") if a.ops else None,
                    tuple(f for f in a.frameworks.split(",") if f), size=a.size)
    print(table(rows))
    print(f"\n{len(rows)} rows in {time.perf_counter() - t0:.1f} s")
    for m in misses(rows):
        print(f"MISS {m['sweep']} {m['check']} {m['dtype']}: {'; '.join(m['reasons'])} "
              f"at {m['worst_input']} (got {m['worst_got']}, truth {m['worst_truth']})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
