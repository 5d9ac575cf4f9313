"""Run one case on every implementation, compare each framework with the reference, classify.

One case = one op, one drawn input, one dtype, one check (``forward`` or ``grad``).
Each framework gets a status (DESIGN.md): pass, fail, convention, unsupported, missing,
error. A framework that is not installed or that raises never stops the run.
"""

from __future__ import annotations

import importlib
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

import refimpl
from comparisons import DTYPES, FRAMEWORKS, conventions, first_line, rules
from comparisons.strategies import Case
from comparisons.ulp import finfo, ulp, ulps_off

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

CHECKS = ("forward", "grad")
# The most terms any sum here adds (a rank-5 array of sides 3): each subnormal term a
# flushing framework loses is below the dtype's smallest normal, so a sum's flush costs
# at most MAX_TERMS of them.
MAX_TERMS = 3 ** 5
TOLERANCES_FILE = Path(__file__).with_name("tolerances.toml")


# ------------------------------------------------------------------------ tolerances

def load_tolerances(path: Path = TOLERANCES_FILE) -> dict:
    with open(path, "rb") as f:
        return tomllib.load(f)


_TOL = load_tolerances()


def tolerance(op: str, dtype: str, check: str, table: dict | None = None) -> tuple[float, float]:
    """(rtol, atol) for an op, dtype and check: the per-op override if any, else the default."""
    table = table or _TOL
    for o in table.get("override", []):
        if o["op"] == op and o["dtype"] == dtype and o["check"] == check:
            return float(o["rtol"]), float(o["atol"])
    t = table[check][dtype]
    return float(t["rtol"]), float(t["atol"])


# ------------------------------------------------------------------------ frameworks

_adapters: dict = {}
_import_errors: dict = {}   # framework -> why its import failed (not an ImportError)
# Where a framework's version is read without importing it (one not in the run).
_DISTRIBUTIONS = {"torch": ("torch",), "tensorflow": ("tensorflow", "tensorflow-cpu"),
                  "jax": ("jax",)}


def adapter(framework: str):
    """The framework's adapter module, or None when it did not import: not installed (an
    ImportError: its rows are ``missing``) or broken (anything else, a jaxlib that does
    not match jax, a protobuf clash in TensorFlow: its rows are ``error``, see
    ``unavailable``). Either way the run goes on."""
    if framework not in _adapters:
        _import_errors.pop(framework, None)
        try:
            _adapters[framework] = importlib.import_module(f"comparisons.{framework}")
        except ImportError:
            _adapters[framework] = None
        except Exception as e:   # installed but broken: the reason goes into its rows
            _adapters[framework] = None
            _import_errors[framework] = f"{framework} failed to import: {first_line(e)}"
    return _adapters[framework]


def unavailable(framework: str) -> tuple[str, str] | None:
    """(status, detail) of a framework that did not import: ("missing", "... is not
    installed") or ("error", "... failed to import: TypeError: ..."); None when it did."""
    if adapter(framework) is not None:
        return None
    if framework in _import_errors:
        return "error", _import_errors[framework]
    return "missing", f"{framework} is not installed"


def versions(frameworks=FRAMEWORKS) -> dict:
    """Each framework's version; None where it is not installed or does not import.
    Those of ``frameworks`` come from their imported modules; the others' from the
    installed package's metadata, so a run never imports a framework it was not asked for."""
    from importlib import metadata

    out = {}
    for fw in FRAMEWORKS:
        if fw in frameworks:
            a = adapter(fw)
            out[fw] = a.VERSION if a else None
            continue
        out[fw] = None
        for dist in _DISTRIBUTIONS[fw]:
            try:
                out[fw] = metadata.version(dist)
                break
            except metadata.PackageNotFoundError:
                continue
    return out


# ------------------------------------------------------------------------- comparing

@dataclass
class Comparison:
    ok: bool
    max_abs_err: float = 0.0
    max_rel_err: float = 0.0
    max_ulp: float = 0.0
    tol_ratio: float = 0.0     # max |err| / (atol + rtol * scale): <= 1 passes
    why: str = ""
    # What kind of mismatch: "" (none), "shape", "dtype", "nan", "inf", "value";
    # "subnormal" when every bad element is below the smallest normal in both (a flush
    # to zero), "zero_sign" when the only difference is the sign of exact zeros.
    kind: str = ""


_INF = dict(max_abs_err=math.inf, max_rel_err=math.inf, max_ulp=math.inf, tol_ratio=math.inf)


def compare(ref, got, dtype: str, rtol: float, atol: float, scale=None,
            kink=None) -> Comparison:
    """Compare one array with the reference (see ``_compare``). ``kink`` marks elements
    where the derivative is undefined (a kink, a NaN input): a gradient that differs
    only there is a choice, reported as kind "kink"."""
    c = _compare(ref, got, dtype, rtol, atol, scale)
    if c.ok or kink is None or c.kind in ("shape", "dtype"):
        return c
    kink = np.broadcast_to(np.asarray(kink, bool), np.shape(ref))
    if not kink.any():
        return c
    masked = np.where(kink, ref, got).astype(np.asarray(got).dtype)
    rest = _compare(ref, masked, dtype, rtol, atol, scale)
    if rest.ok:
        c.kind = "kink"
        return c
    return rest   # a mismatch away from the kinks is the one to report


def _compare(ref, got, dtype: str, rtol: float, atol: float, scale=None) -> Comparison:
    """Compare one array with the reference.

    Shapes and dtypes must match exactly; NaN, +-inf and signed zeros must sit at the
    same positions; finite values pass when |got - ref| <= atol + rtol * scale, with
    scale = |ref| unless the op gives a larger yardstick (sums of many terms).
    """
    ref, got = np.asarray(ref), np.asarray(got)
    if got.shape != ref.shape:
        return Comparison(False, **_INF, why=f"shape {got.shape} != reference shape {ref.shape}",
                          kind="shape")
    if got.dtype != ref.dtype:
        return Comparison(False, **_INF, why=f"dtype {got.dtype} != reference dtype {ref.dtype}",
                          kind="dtype")
    if ref.size == 0:
        return Comparison(True)
    r, g = ref.astype(np.float64), got.astype(np.float64)

    def at(mask, what, kind, **errs):
        i = tuple(int(k) for k in np.argwhere(mask)[0])
        return Comparison(False, **(errs or _INF), kind=kind,
                          why=f"{what} at {i}: reference {r[i]!r}, got {g[i]!r}")

    nan_r = np.isnan(r)
    if (nan_r != np.isnan(g)).any():
        return at(nan_r != np.isnan(g), "NaN mismatch", "nan")
    inf = ~nan_r & (np.isinf(r) | np.isinf(g))
    if (inf & (r != g)).any():
        return at(inf & (r != g), "inf mismatch", "inf")
    fin = ~nan_r & ~inf
    s = _yardstick(scale, r)
    # Overflow here only makes a ratio infinite, which is the right verdict: silence it.
    with np.errstate(all="ignore"):
        d = np.where(fin, np.abs(g - np.where(fin, r, 0)), 0.0)
        bound = atol + rtol * s
        ratio = np.where(bound > 0, d / np.where(bound > 0, bound, 1), np.where(d > 0, np.inf, 0))
        rel = np.where(np.abs(r) > 0, d / np.abs(r), np.where(d > 0, np.inf, 0))
        ratio, rel = np.where(fin, ratio, 0), np.where(fin, rel, 0)
        # ULPs of the yardstick: for a sum, a unit of the terms' size, not of a result
        # that cancelled to zero.
        ulps = np.where(fin, ulps_off(g, r, ulp(np.where(fin, s, 0), dtype)), 0)
    errs = dict(max_abs_err=float(d.max()), max_rel_err=float(rel.max()),
                max_ulp=float(ulps.max()), tol_ratio=float(ratio.max()))
    bad = fin & (ratio > 1.0)
    if bad.any():
        tiny = float(finfo(dtype).tiny)
        # A flush to zero of the result itself ("subnormal"), or possibly of subnormal terms
        # of a sum ("flushed_terms": each term lost is below `tiny`, and no sum here has
        # more than 3**5 = 243 terms); convention_for accepts the latter for sums only.
        flushed = bad & (np.abs(r) < tiny) & (np.abs(g) < tiny)
        terms = bad & (d <= MAX_TERMS * tiny)
        if (flushed == bad).all():
            kind = "subnormal"
        elif (terms == bad).all():
            kind = "flushed_terms"
        else:
            kind = "value"
        # shown: the worst element a flush does not explain, where there is one
        shown = bad & ~(flushed | terms) if kind == "value" else bad
        i = tuple(int(k) for k in np.argwhere(shown)[np.argmax(ratio[shown])])
        return Comparison(False, **errs, kind=kind, why=(
            f"at {i}: reference {r[i]!r}, got {g[i]!r}, |err| {d[i]:.3g} > "
            f"atol {atol:g} + rtol {rtol:g} * scale {s[i]:.3g}"))
    zs = (r == 0) & (g == 0) & (np.signbit(r) != np.signbit(g))
    if zs.any():
        return at(zs, "signed-zero mismatch", "zero_sign", **errs)
    return Comparison(True, **errs)


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
        m, sc = np.asarray(e).copy(), _yardstick(op_scales[i], e)
        taken = _close(e, g, rtol, atol, sc, signed)
        for conv, alt, scales in usable:
            s = _yardstick(scales[i], alt[i])
            here = _close(alt[i], g, rtol, atol, s, signed) & ~taken
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
                    f"(registry: {conv.truth.__name__}) beyond rtol {rtol:g}")
    return None


def _yardstick(scale, ref):
    """An element's error yardstick as an array: the op's scale, or |ref|."""
    r = np.abs(np.asarray(ref).astype(np.float64))
    return r if scale is None else np.broadcast_to(np.abs(np.asarray(scale, np.float64)), r.shape)


def _close(ref, got, rtol, atol, scale, signed=True):
    """Per element: got meets ref within atol + rtol * scale (NaN meets NaN, inf itself,
    and, if ``signed``, a zero only the zero of its sign)."""
    r, g = np.asarray(ref).astype(np.float64), np.asarray(got).astype(np.float64)
    with np.errstate(all="ignore"):
        near = (np.isnan(r) & np.isnan(g)) | (r == g) | (np.abs(g - r) <= atol + rtol * scale)
    if not signed:
        return near
    return near & ~((r == 0) & (g == 0) & (np.signbit(r) != np.signbit(g)))


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
        c = _compare(t, e, dtype, rtol, slack, s)
        if not (c.ok or c.kind == "zero_sign"):
            return False
    return True


# -------------------------------------------------------------------------- one case

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


def as_tuple(ys):
    return tuple(ys) if isinstance(ys, (tuple, list)) else (ys,)


def reference_forward(fn, case: Case):
    return tuple(np.asarray(y) for y in as_tuple(fn(*case.arrays, **case.kwargs)))


def vjp_loss(ys, cotangents):
    """sum_i sum(y_i * g_i) for the outputs ``ys`` (one array or several) and their
    cotangents g_i, built from refimpl ops: one scalar whose gradient with respect to the
    inputs is the vector-Jacobian product. Every vjp of refimpl here is taken through it."""
    total = None
    for y, g in zip(as_tuple(ys), cotangents):
        term = refimpl.sum(refimpl.mul(y, g))
        total = term if total is None else refimpl.add(total, term)
    return total


def reference_vjp(fn, case: Case, cotangents, wrt=None):
    """Gradients of sum_i <y_i, g_i> with respect to the arrays in ``wrt`` (default all),
    by refimpl's own autodiff (refimpl.grad)."""
    def loss(*xs):
        return vjp_loss(fn(*xs, **case.kwargs), cotangents)

    with np.errstate(all="ignore"):
        wrt = tuple(range(len(case.arrays))) if wrt is None else tuple(wrt)
        return refimpl.grad(loss, argnums=wrt)(*case.arrays)


def _scales(op, case, dtype, check, outputs, cotangents):
    """The per-element error yardstick of each compared array (None means |ref|)."""
    how = op.forward_scale if check == "forward" else op.grad_scale
    n = len(outputs) if check == "forward" else len(op.wrt_of(case))
    if how == "value":
        return [None] * n
    if callable(how):
        return how(case, dtype, outputs, cotangents if check == "grad" else None)
    # "abs": the same computation on |inputs| (and |cotangents|), in float64.
    absed = Case(tuple(np.abs(x.astype(np.float64)) if x.dtype.kind == "f" or x.dtype.name == "bfloat16"
                       else x for x in case.arrays), case.kwargs, case.seed)
    with np.errstate(all="ignore"):
        if check == "forward":
            return list(reference_forward(op.reference, absed))
        return [np.abs(g) for g in reference_vjp(
            op.reference, absed, [np.abs(c.astype(np.float64)) for c in cotangents], op.wrt_of(case))]


@dataclass
class _Reference:
    """What refimpl says on a case: the arrays a framework is compared with, their
    yardsticks, the kinks, and the cotangents the gradients were taken with."""
    expected: tuple
    scales: list
    kinks: list
    cotangents: list


def _reference(op, fn, case: Case, dtype: str, check: str, cotangents=None) -> _Reference:
    with np.errstate(all="ignore"):
        outputs = reference_forward(fn, case)
    cotangents = case.cotangents(outputs) if cotangents is None else cotangents
    expected = outputs if check == "forward" else reference_vjp(fn, case, cotangents, op.wrt_of(case))
    expected = tuple(np.asarray(e) for e in expected)
    kinks = op.kinks(case) if check == "grad" and op.kinks else [None] * len(expected)
    return _Reference(expected, _scales(op, case, dtype, check, outputs, cotangents), kinks,
                      cotangents)


def _judge(op, fn, case, dtype, check, fw, got, ref: _Reference, rtol, atol) -> Outcome:
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


def _judge_flushed(op, fn, case, dtype, check, fw, got, ref, rtol, atol) -> Outcome | None:
    """A `fail` of a framework that reads subnormal inputs as 0 (measured), judged again
    against refimpl on those zeros: a convention when that explains it, else None."""
    flushed = _flushed(case, dtype) if conventions.reads_subnormals_as_zero(fw, dtype) else None
    if flushed is None:
        return None
    cot = _flushed(Case(tuple(ref.cotangents)), dtype)      # the upstream gradients, too
    alt = _reference(op, fn, flushed, dtype, check, list(cot.arrays) if cot else ref.cotangents)
    out = _judge(op, fn, flushed, dtype, check, fw, got, alt, rtol, atol)
    if out.status == "fail":
        return None
    out.status = "convention"
    out.detail = (f"{fw} reads subnormal {dtype} inputs as 0 on CPU, and matches refimpl on "
                  "those zeros (measured: conventions 'reads_subnormals_as_zero')"
                  + (f"; {out.detail}" if out.detail else ""))
    return out


def run_case(op, case: Case, dtype: str, check: str, frameworks=FRAMEWORKS, reference=None,
             tolerances: dict | None = None) -> list[Outcome]:
    """Run one case on the reference and every framework; one Outcome per framework.

    ``reference`` replaces the op's numpy reference (the canaries use it to push a
    deliberately wrong implementation through the very same comparison).
    """
    fn = reference or op.reference
    ref = _reference(op, fn, case, dtype, check)
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
        if broken_rule:
            results.append(Outcome(fw, "fail", detail=broken_rule,
                                   repro=repro(op, case, dtype, check, fw)))
            continue
        try:
            if check == "forward":
                got = as_tuple(ad.forward(twin, case.arrays, case.kwargs, elementwise=op.elementwise))
            else:
                _, got = ad.vjp(twin, case.arrays, case.kwargs, ref.cotangents, op.wrt_of(case),
                                elementwise=op.elementwise)
            got = [ad.to_numpy(t, DTYPES[dtype]) for t in as_tuple(got)]
        except Exception as e:  # the framework raised: record it and go on
            # Always `error`, whatever the message says ("unsupported operand type(s)" is a
            # broken twin): `unsupported` comes only from the registry's measured facts.
            msg = f"{type(e).__name__}: {str(e).strip().splitlines()[0] if str(e).strip() else ''}"
            results.append(Outcome(fw, "error", detail=msg[:300],
                                   repro=repro(op, case, dtype, check, fw)))
            continue
        if len(got) != len(ref.expected):
            results.append(Outcome(fw, "fail", rtol=rtol, atol=atol,
                                   detail=f"{len(got)} arrays returned, reference has {len(ref.expected)}",
                                   repro=repro(op, case, dtype, check, fw)))
            continue
        out = _judge(op, fn, case, dtype, check, fw, got, ref, rtol, atol)
        if out.status == "fail":
            out = _judge_flushed(op, fn, case, dtype, check, fw, got, ref, rtol, atol) or out
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
    """A self-contained script: the inputs, the refimpl call and the framework's call."""
    ad = adapter(framework)
    xs = ",\n      ".join(_literal(x, dtype) for x in case.arrays)
    lines = [
        f"# refimpl repro: op={op.name} framework={framework} dtype={dtype} check={check}",
        "import ml_dtypes, numpy as np",
        "import refimpl",
        "from comparisons.strategies import Case",
        "from comparisons.harness import reference_forward, reference_vjp",
        f"xs = [{xs}]",
        f"kwargs = {case.kwargs!r}",
        f"check = {check!r}",
        f"wrt = {op.wrt_of(case)!r}   # the arrays differentiated (targets are constants)",
        f"case = Case(tuple(xs), kwargs, seed={case.seed})",
        f"ref = reference_forward(refimpl.{op.name}, case)",
        "gs = case.cotangents(ref)   # the upstream gradients, one per output",
        f"if check == 'grad':\n    ref = reference_vjp(refimpl.{op.name}, case, gs, wrt)",
    ]
    if ad is not None:
        lines.append(ad.REPRO.format(module=op.module, op=op.name).rstrip())
    lines.append("print('refimpl:', ref)\nprint('" + framework + ":', got)")
    return "\n".join(lines) + "\n"
