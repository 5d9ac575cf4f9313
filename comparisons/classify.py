"""Judge one framework's arrays against refimpl's: pass, convention or fail.

A mismatch is a ``convention`` only when a measured fact explains every element of it
(comparisons/conventions/): a flush of subnormals, the sign of an exact zero, a kink, or
refimpl itself computed the framework's way (the op's registered Conventions). Before any
framework is judged, refimpl is held to its own rules and to each convention's independent
truth (``reference_broken``): a framework is excused only where refimpl is right.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from comparisons import conventions, rules
from comparisons.compare import close, compare, yardstick
from comparisons.reference import Reference, reference_of
from comparisons.strategies import Case
from comparisons.ulp import finfo

@dataclass
class Outcome:
    framework: str
    status: str
    max_abs_err: float | None = None
    max_rel_err: float | None = None
    max_ulp: float | None = None
    tol_ratio: float | None = None
    rtol: float | None = None
    atol: float | None = None
    detail: str = ""
    repro: str | None = None
    trace: dict | None = None    # trajectory runs: per-step divergence and losses



def convention_for(op, framework: str, dtype: str, check: str, kind: str) -> str | None:
    """The measured convention that explains a mismatch, or None (then it is a fail)."""
    how = op.forward_scale if check == "forward" else op.grad_scale
    if kind == "flushed_terms" and how != "value" and conventions.flushes_subnormals(framework, dtype):
        return (f"{framework} flushes subnormal {dtype} terms of a sum to zero on CPU "
                "(measured: conventions 'flushes_subnormals')")
    if kind == "subnormal" and conventions.flushes_subnormals(framework, dtype):
        return (f"{framework} flushes subnormal {dtype} results to zero on CPU "
                "(measured: conventions 'flushes_subnormals')")
    if kind == "kink" and check == "grad":
        return (f"{op.name} has no derivative at {op.kink_points}; frameworks return "
                "different values there (measured: conventions)")
    if kind == "zero_sign" and check == "grad":
        return ("the sign of a zero gradient hangs on whether a backward multiplies by a zero "
                "derivative or selects 0 (measured: conventions 'zero_grad_sign')")
    if kind == "zero_sign" and (how != "value" or op.concept == "losses"):
        return ("the sign of an exact zero that comes out of a sum hangs on the value the "
                "reduction starts from and the order of the additions (measured: conventions "
                "'zero_sum')")
    return None


def _followed_convention(op, fn, case, dtype, check, framework, got, expected, cotangents,
                         rtol, atol, kinks, op_scales) -> str | None:
    """The note of the op's registered Conventions (registry.Convention) that explain the
    framework's output, or None. Each element must match refimpl, or refimpl computed the
    way of a convention the framework follows (one case may need two: sigmoid' from a
    rounded 1 at x = 98 and an underflowed sigmoid at x = -716). Without yardsticks of its
    own, a convention is judged with the op's. (refimpl has met every convention's truth
    before this is asked: ``run_case``.)"""
    usable = []
    for conv in op.conventions:
        if check not in conv.checks or not conventions.differs(framework, conv.key):
            continue
        with np.errstate(all="ignore"):
            alt, scales = conv.expected(op, fn, case, dtype, check, cotangents, framework)
        alt = [np.asarray(a).astype(np.asarray(e).dtype) for a, e in zip(alt, expected)]
        scales = scales or op_scales
        # a different formula for the same value must agree with refimpl's own
        if conv.consistent and not all(
                c.ok or convention_for(op, framework, dtype, check, c.kind)
                for c in (compare(a, e, dtype, rtol, atol, s, k)
                          for a, e, s, k in zip(alt, expected, scales, kinks))):
            continue
        usable.append((conv, alt, scales))
    used, mixed, mixed_scales = set(), [], []
    # the sign of a zero counts where no convention forgives it (relu's forward)
    signed = convention_for(op, framework, dtype, check, "zero_sign") is None
    for i, (e, g) in enumerate(zip(expected, got)):
        m, sc = np.asarray(e).copy(), yardstick(op_scales[i], e)
        taken = close(e, g, rtol, atol, sc, signed)
        for conv, alt, scales in usable:
            s = yardstick(scales[i], alt[i])
            here = close(alt[i], g, rtol, atol, s, signed) & ~taken
            if here.any():
                used.add(conv.key)
                m, sc, taken = np.where(here, alt[i], m), np.where(here, s, sc), taken | here
        mixed.append(m.astype(np.asarray(g).dtype))
        mixed_scales.append(sc)
    if not used:
        return None
    cmps = [compare(m, g, dtype, rtol, atol, s, k) for m, g, s, k in zip(mixed, got, mixed_scales, kinks)]
    # still allowed: the mismatches every op forgives (flushed subnormals, zero signs, kinks)
    if not all(c.ok or convention_for(op, framework, dtype, check, c.kind) for c in cmps):
        return None
    return "; ".join(
        f"{conventions.TOPICS[k][0]}: {conventions.value(framework, k)} in {framework}, "
        f"{conventions.value('numpy', k)} in the reference; the output matches refimpl "
        f"computed {framework}'s way (measured: conventions '{k}')" for k in sorted(used))


def reference_broken(op, case, dtype, check, ref, rtol, atol) -> str | None:
    """refimpl judged alone, before any framework: its rules at NaN and the kinks, and the
    independent truth of every convention the op has (a framework is excused only where
    refimpl is right). What it breaks, in words, or None."""
    return (rules.broken(op, case, dtype, check, ref.expected, ref.cotangents)
            or _missed_truth(op, case, dtype, check, ref, rtol, atol))


def _missed_truth(op, case, dtype, check, ref, rtol, atol) -> str | None:
    """Where refimpl misses the independent truth of one of the op's conventions, in words."""
    for conv in op.conventions:
        if check in conv.checks and not _meets_truth(conv, op, case, dtype, check, ref.expected,
                                                     ref.cotangents, rtol, atol, ref.scales, ref.kinks):
            return (f"refimpl misses the independent truth of convention '{conv.key}' "
                    f"({conv.truth.__module__}.{conv.truth.__qualname__}) beyond rtol {rtol:g}")
    return None


def _meets_truth(conv, op, case, dtype, check, expected, cotangents, rtol, atol, scales,
                 kinks) -> bool:
    """Whether refimpl's ``expected`` agrees with the convention's independent truth, away
    from the kinks (the sign of an exact zero aside: rules.py decides those, and the
    values at the kinks). The truth is a float64 formula, a few units off itself where a
    result is subnormal: 16 units of the smallest subnormal are allowed there beyond atol."""
    with np.errstate(all="ignore"):
        truth = conv.truth(op, case, dtype, check, cotangents)
    slack = atol + 16 * float(finfo(dtype).smallest_subnormal)
    for t, e, s, k in zip(truth, expected, scales, kinks):
        t = np.asarray(t).astype(np.asarray(e).dtype)
        if k is not None:
            t = np.where(np.broadcast_to(np.asarray(k, bool), np.shape(e)), e, t)
        c = compare(t, e, dtype, rtol, slack, s)
        if not (c.ok or c.kind == "zero_sign"):
            return False
    return True


def judge(op, fn, case, dtype, check, fw, got, ref: Reference, rtol, atol) -> Outcome:
    """One framework's arrays against refimpl's: pass, convention (every mismatch explained
    by a measured convention) or fail."""
    cmps = [compare(e, g, dtype, rtol, atol, s, k)
            for e, g, s, k in zip(ref.expected, got, ref.scales, ref.kinks)]
    bad = [(i, c) for i, c in enumerate(cmps) if not c.ok]
    notes = [convention_for(op, fw, dtype, check, c.kind) for _, c in bad]
    # (a wrong shape or dtype is never a convention)
    if bad and not all(notes) and not any(c.kind in ("shape", "dtype") for _, c in bad):
        note = _followed_convention(op, fn, case, dtype, check, fw, got, ref.expected,
                                    ref.cotangents, rtol, atol, ref.kinks, ref.scales)
        if note:
            notes = [note] * len(notes)
    status = "pass" if not bad else "convention" if all(notes) else "fail"
    out = Outcome(
        fw, status,
        max_abs_err=max((c.max_abs_err for c in cmps), default=0.0),
        max_rel_err=max((c.max_rel_err for c in cmps), default=0.0),
        max_ulp=max((c.max_ulp for c in cmps), default=0.0),
        tol_ratio=max((c.tol_ratio for c in cmps), default=0.0),
        rtol=rtol, atol=atol)
    if bad:
        k = next((j for j, n in enumerate(notes) if not n), 0)
        i, c = bad[k]
        what = f"output {i}" if check == "forward" else f"gradient of input {i}"
        out.detail = f"{what}: {c.why}" + (f" -- {notes[k]}" if notes[k] else "")
    return out


def _flushed(case: Case, dtype: str) -> Case | None:
    """The case with every subnormal input read as a zero of its sign, as a framework that
    flushes subnormal inputs reads it (None when it has none)."""
    tiny = float(finfo(dtype).tiny)

    def flush(x):
        x = np.asarray(x)
        if x.dtype.kind in "iu":
            return x
        with np.errstate(all="ignore"):
            sub = (np.abs(x.astype(np.float64)) < tiny) & (x.astype(np.float64) != 0)
        return np.where(sub, np.copysign(np.zeros_like(x), x), x) if sub.any() else x
    arrays = tuple(flush(x) for x in case.arrays)
    if all(a is b for a, b in zip(arrays, case.arrays)):
        return None
    return Case(arrays, case.kwargs, case.seed)


def judge_flushed(op, fn, case, dtype, check, fw, got, ref, rtol, atol) -> Outcome | None:
    """A `fail` of a framework that reads subnormal inputs as 0 (measured), judged again
    against refimpl on those zeros: a convention when that explains it, else None."""
    flushed = _flushed(case, dtype) if conventions.reads_subnormals_as_zero(fw, dtype) else None
    if flushed is None:
        return None
    cot = _flushed(Case(tuple(ref.cotangents)), dtype)      # the upstream gradients, too
    alt = reference_of(op, fn, flushed, dtype, check, list(cot.arrays) if cot else ref.cotangents)
    out = judge(op, fn, flushed, dtype, check, fw, got, alt, rtol, atol)
    if out.status == "fail":
        return None
    out.status = "convention"
    out.detail = (f"{fw} reads subnormal {dtype} inputs as 0 on CPU, and matches refimpl on "
                  "those zeros (measured: conventions 'reads_subnormals_as_zero')"
                  + (f"; {out.detail}" if out.detail else ""))
    return out
