"""`refimpl diff OLD.json NEW.json`: what changed between two parity reports.

Rows are matched by (op, framework, dtype, check); accuracy rows by (sweep, check, dtype,
implementation). A *regression* -- the exit code is then 1 -- is

- a row that is now ``fail`` or ``error`` and was not (a new row counts from nothing);
- a refimpl accuracy row above its target (comparisons/truth.py ``TARGET_ULP``) that was
  within it;
- a region of an op's inputs (comparisons/regions.py) that a job visited and no longer
  does: the verdicts now rest on less.

Everything else is listed but does not change the exit code: fixes, other status changes
(pass -> convention), rows added or removed, environment changes (a new framework
version), and accuracy that changed by more than a factor ``ACCURACY_FACTOR`` (the sweep
is deterministic, so any change is real; the factor keeps the list to what matters).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from comparisons import BAD, regions

ACCURACY_FACTOR = 1.5


@dataclass
class Diff:
    environment: list = field(default_factory=list)     # (key, old, new)
    regressions: list = field(default_factory=list)     # (key, old status, new row)
    fixed: list = field(default_factory=list)
    changed: list = field(default_factory=list)
    added: list = field(default_factory=list)            # rows
    removed: list = field(default_factory=list)
    more_accurate: list = field(default_factory=list)    # (key, old ulp, new ulp)
    less_accurate: list = field(default_factory=list)
    accuracy_regressions: list = field(default_factory=list)
    coverage_lost: list = field(default_factory=list)      # ((op, dtype), [regions])
    coverage_gained: list = field(default_factory=list)
    coverage_new: bool = False                              # OLD recorded none

    @property
    def regressed(self) -> bool:
        return bool(self.regressions or self.accuracy_regressions or self.coverage_lost
                    or any(r["status"] in BAD for r in self.added))


def _key(r):
    return (r["op"], r["framework"], r["dtype"], r["check"])


def _acc_key(a):
    return (a.get("sweep", a["op"]), a.get("check", "forward"), a["dtype"], a["implementation"])


def _ulp(v):
    return math.inf if v is None else float(v)   # null is an infinite error (NaN where finite)


def diff(old: dict, new: dict, target_ulp: float | None = None) -> Diff:
    """Compare two parity documents (parsed parity.json)."""
    if target_ulp is None:
        from comparisons.truth import TARGET_ULP as target_ulp
    d = Diff()
    for k in ("numpy", "torch", "tensorflow", "jax", "python", "platform", "profile", "seed"):
        a, b = old["environment"].get(k), new["environment"].get(k)
        if a != b:
            d.environment.append((k, a, b))

    before = {_key(r): r for r in old["results"]}
    after = {_key(r): r for r in new["results"]}
    for k, r in after.items():
        if k not in before:
            d.added.append(r)
            continue
        was = before[k]["status"]
        if was == r["status"]:
            continue
        if r["status"] in BAD and was not in BAD:
            d.regressions.append((k, was, r))
        elif was in BAD and r["status"] not in BAD:
            d.fixed.append((k, was, r))
        else:
            d.changed.append((k, was, r))
    d.removed = [r for k, r in before.items() if k not in after]

    _coverage_diff(d, regions.by_job(old["results"]), regions.by_job(new["results"]))
    acc_before = {_acc_key(a): a for a in old.get("accuracy") or []}
    for a in new.get("accuracy") or []:
        k = _acc_key(a)
        if k not in acc_before:
            continue
        u0, u1 = _ulp(acc_before[k]["max_ulp"]), _ulp(a["max_ulp"])
        if a["implementation"] == "refimpl" and u0 <= target_ulp < u1:
            d.accuracy_regressions.append((k, u0, u1))
        elif u1 > max(u0 * ACCURACY_FACTOR, u0 + 0.5):
            d.less_accurate.append((k, u0, u1))
        elif u0 > max(u1 * ACCURACY_FACTOR, u1 + 0.5):
            d.more_accurate.append((k, u0, u1))
    return d


def _coverage_diff(d: Diff, before: dict, after: dict) -> None:
    if not before:
        d.coverage_new = bool(after)
        return
    for k, cov in after.items():
        if k not in before:
            continue
        was = {n for n, c in before[k].items() if c}
        now = {n for n, c in cov.items() if c}
        if was - now:
            d.coverage_lost.append((k, sorted(was - now)))
        if now - was:
            d.coverage_gained.append((k, sorted(now - was)))


def _name(k):
    return " ".join(str(x) for x in k)


def _u(v):
    return "inf" if math.isinf(v) else f"{v:.3g}"


def render(d: Diff) -> str:
    out = []

    def section(title, lines):
        if lines:
            out.extend([f"{title} ({len(lines)}):", *(f"  {line}" for line in lines), ""])

    section("environment", [f"{k}: {a} -> {b}" for k, a, b in d.environment])
    section("REGRESSIONS", [f"{_name(k)}: {was} -> {r['status']}: {r.get('detail', '')}"
                            for k, was, r in d.regressions]
            + [f"{_name(_key(r))}: new row, {r['status']}: {r.get('detail', '')}"
               for r in d.added if r["status"] in BAD])
    section("ACCURACY REGRESSIONS (refimpl above its target)",
            [f"{_name(k)}: {_u(a)} -> {_u(b)} ULP" for k, a, b in d.accuracy_regressions])
    section("COVERAGE LOST (regions no longer visited)",
            [f"{_name(k)}: {', '.join(names)}" for k, names in d.coverage_lost])
    section("fixed", [f"{_name(k)}: {was} -> {r['status']}" for k, was, r in d.fixed])
    section("other status changes", [f"{_name(k)}: {was} -> {r['status']}" for k, was, r in d.changed])
    section("less accurate", [f"{_name(k)}: {_u(a)} -> {_u(b)} ULP" for k, a, b in d.less_accurate])
    section("more accurate", [f"{_name(k)}: {_u(a)} -> {_u(b)} ULP" for k, a, b in d.more_accurate])
    section("rows added", [f"{_name(_key(r))}: {r['status']}" for r in d.added if r["status"] not in BAD])
    section("rows removed", [f"{_name(_key(r))}: was {r['status']}" for r in d.removed])
    section("coverage gained (regions now visited)",
            [f"{_name(k)}: {', '.join(names)}" for k, names in d.coverage_gained])
    if d.coverage_new:
        out.extend(["coverage: first recorded in the new report (the old one has none)", ""])
    verdict = "regressed" if d.regressed else "no regression"
    return "\n".join(out + [verdict if out else "no changes"]) + "\n"
