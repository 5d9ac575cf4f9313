"""Run one case on every implementation, compare each framework with the reference, classify.

One case = one op, one drawn input, one dtype, one check (``forward`` or ``grad``).
Each framework gets a status (DESIGN.md): pass, fail, convention, unsupported, missing,
error. A framework that is not installed or that raises never stops the run.

What refimpl says is reference.py's, how an array is compared compare.py's, how a
mismatch is classified classify.py's; this module runs them in order.
"""

from __future__ import annotations

import math

import numpy as np

from comparisons import DTYPES, FRAMEWORKS
from comparisons.adapters import Unsupported, adapter, unavailable
from comparisons.classify import Outcome, judge, judge_flushed, reference_broken
from comparisons.compare import tolerance
from comparisons.reference import as_tuple, reference_of
from comparisons.strategies import Case

CHECKS = ("forward", "grad")


def run_case(op, case: Case, dtype: str, check: str, frameworks=FRAMEWORKS, reference=None,
             tolerances: dict | None = None) -> list[Outcome]:
    """Run one case on the reference and every framework; one Outcome per framework.

    ``reference`` replaces the op's numpy reference (the canaries use it to push a
    deliberately wrong implementation through the very same comparison).
    """
    fn = reference or op.reference
    ref = reference_of(op, fn, case, dtype, check)
    rtol, atol = tolerance(op.name, dtype, check, tolerances)
    broken_rule = reference_broken(op, case, dtype, check, ref, rtol, atol)
    results = []
    for fw in frameworks:
        ad = adapter(fw)
        if ad is None:   # not installed (missing) or broken on import (error)
            status, detail = unavailable(fw)
            results.append(Outcome(fw, status, detail=detail))
            continue
        known = op.unsupported.get(fw, {})
        reason = known.get((dtype, check)) or known.get(dtype)
        if reason:
            results.append(Outcome(fw, "unsupported", detail=reason))
            continue
        try:
            twin = op.twin(fw)
        except AttributeError:
            results.append(Outcome(fw, "unsupported", detail=f"{fw} has no twin of {op.name}"))
            continue
        except Unsupported as e:
            results.append(Outcome(fw, "unsupported", detail=str(e)))
            continue
        if broken_rule:
            results.append(Outcome(fw, "fail", detail=broken_rule,
                                   repro=repro(op, case, dtype, check, fw)))
            continue
        try:
            # a numpy-based implementation's overflow and invalid-value warnings: its
            # values are what is judged, and thousands of warnings would bury the output
            with np.errstate(all="ignore"):
                if check == "forward":
                    got = as_tuple(ad.forward(twin, case.arrays, case.kwargs,
                                              elementwise=op.elementwise))
                else:
                    _, got = ad.vjp(twin, case.arrays, case.kwargs, ref.cotangents,
                                    op.wrt_of(case), elementwise=op.elementwise)
                got = [ad.to_numpy(t, DTYPES[dtype]) for t in as_tuple(got)]
        except Unsupported as e:   # a plugged-in implementation's stub, not a broken twin
            results.append(Outcome(fw, "unsupported", detail=str(e)))
            continue
        except Exception as e:  # the framework raised: record it and go on
            # Always `error`, whatever the message says ("unsupported operand type(s)" is a
            # broken twin): `unsupported` comes only from the registry's measured facts and
            # from an adapter that raises Unsupported on purpose (a plug-in's missing op).
            msg = f"{type(e).__name__}: {str(e).strip().splitlines()[0] if str(e).strip() else ''}"
            results.append(Outcome(fw, "error", detail=msg[:300],
                                   repro=repro(op, case, dtype, check, fw)))
            continue
        if len(got) != len(ref.expected):
            results.append(Outcome(fw, "fail", rtol=rtol, atol=atol,
                                   detail=f"{len(got)} arrays returned, reference has {len(ref.expected)}",
                                   repro=repro(op, case, dtype, check, fw)))
            continue
        out = judge(op, fn, case, dtype, check, fw, got, ref, rtol, atol)
        if out.status == "fail":
            out = judge_flushed(op, fn, case, dtype, check, fw, got, ref, rtol, atol) or out
        if out.status == "fail":
            out.repro = repro(op, case, dtype, check, fw)
        results.append(out)
    return results


# ----------------------------------------------------------------------------- repro

def _literal(a: np.ndarray, dtype: str) -> str:
    if a.dtype.kind in "iu":   # class indices
        return f"np.array({a.ravel().tolist()!r}, dtype=np.{a.dtype}).reshape({a.shape!r})"
    vals = a.astype(np.float64).ravel().tolist()
    body = ", ".join("np.nan" if math.isnan(v) else ("np.inf" if v == math.inf else
                     "-np.inf" if v == -math.inf else repr(v)) for v in vals)
    cast = ".astype(ml_dtypes.bfloat16)" if dtype == "bfloat16" else ""
    base = "np.float32" if dtype == "bfloat16" else f"np.{dtype}"
    return f"np.array([{body}], dtype={base}).reshape({a.shape!r}){cast}"


def repro(op, case: Case, dtype: str, check: str, framework: str) -> str:
    """A self-contained script: the inputs, the refimpl call, and the framework's twin
    called through its adapter, as the harness calls it (``got``: numpy arrays)."""
    xs = ",\n      ".join(_literal(x, dtype) for x in case.arrays)
    where = (f"comparisons/{framework}/__init__.py" if framework in FRAMEWORKS
             else "comparisons.adapters.register")
    return "\n".join([
        f"# refimpl repro: op={op.name} framework={framework} dtype={dtype} check={check}",
        "import ml_dtypes, numpy as np",
        "import refimpl",
        "from comparisons import DTYPES",
        "from comparisons.adapters import adapter",
        "from comparisons.reference import as_tuple, reference_forward, reference_vjp",
        "from comparisons.registry import OPS",
        "from comparisons.strategies import Case",
        f"xs = [{xs}]",
        f"kwargs = {case.kwargs!r}",
        f"check = {check!r}",
        f"wrt = {op.wrt_of(case)!r}   # the arrays differentiated (targets are constants)",
        f"case = Case(tuple(xs), kwargs, seed={case.seed})",
        f"ref = reference_forward(refimpl.{op.name}, case)",
        "gs = case.cotangents(ref)   # the upstream gradients, one per output",
        f"if check == 'grad':\n    ref = reference_vjp(refimpl.{op.name}, case, gs, wrt)",
        f"op, ad = OPS[{op.name!r}], adapter({framework!r})   # the adapter: {where}",
        f"twin = op.twin({framework!r})   # {framework}'s {op.name}",
        "if check == 'forward':",
        "    got = ad.forward(twin, xs, kwargs, elementwise=op.elementwise)",
        "else:",
        "    _, got = ad.vjp(twin, xs, kwargs, gs, wrt, elementwise=op.elementwise)",
        f"got = [ad.to_numpy(t, DTYPES[{dtype!r}]) for t in as_tuple(got)]",
        f"print('refimpl:', ref)\nprint('{framework}:', got)",
    ]) + "\n"
