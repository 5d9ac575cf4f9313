"""`refimpl show NAME`: one op, training run or refimpl symbol, its numpy code and each
framework's twin under its own heading, cut from the source files (source.py)."""

from __future__ import annotations

import difflib
from collections import Counter

from comparisons import FRAMEWORKS, STATUSES, registry, trajectory
from comparisons.learn import source
from comparisons.learn.pages import pages
from refimpl import optim


def counts(rows) -> str:
    """A report's rows as counts by status, in the report's order ("6 pass, 2 convention")."""
    n = Counter(r["status"] for r in rows)
    return ", ".join(f"{n[s]} {s}" for s in STATUSES if n[s]) or "–"


def _views(name: str) -> tuple | None:
    """(page, views) for an op, a training run or a refimpl symbol named ``name``."""
    by_concept = {p.name: p for p in pages()}
    if name in registry.OPS:
        op = registry.OPS[name]
        return by_concept[op.concept], [source.numpy_view(op.reference)] + [
            source.twin_view(fw, op.module, op.name, op.unsupported) for fw in FRAMEWORKS]
    run = next((r for r in trajectory.RUNS if r.name == name), None)
    if run:
        cls = optim.OPTIMIZERS[run.name][0]
        return by_concept[run.concept], [source.numpy_view(cls)] + [
            source.optimizer_branch(fw, run.name) for fw in FRAMEWORKS]
    for p in pages():
        for spec in p.symbols + tuple(s for c in p.code for s in (*c.textbook, c.reference)):
            if spec.split(":")[1] == name:
                return p, [source.numpy_view(source.symbol(spec))]
    return None


def _known() -> list:
    names = [op.name for op in registry.OPS_LIST] + [r.name for r in trajectory.RUNS]
    for p in pages():
        names += [s.split(":")[1] for s in p.symbols + tuple(
            s for c in p.code for s in (*c.textbook, c.reference))]
    return names


def terminal(name: str, doc: dict | None = None, color: bool = False) -> str:
    """An op, training run or refimpl symbol (``fit``, ``Variable.backward``), every
    implementation under its own heading; highlighted with pygments if ``color``."""
    found = _views(name)
    if found is None:
        known = _known()
        close = difflib.get_close_matches(name, known, n=5, cutoff=0.5)
        hint = f"did you mean {', '.join(close)}?" if close else f"known: {', '.join(sorted(known))}"
        raise KeyError(f"no op, training run or refimpl symbol named {name!r}; {hint}")
    page, views = found
    bold = (lambda s: f"\x1b[1m{s}\x1b[0m") if color else (lambda s: s)
    out = [bold(f"{name} — {page.title()}"), ""]
    for label, _, code in views:
        out += [bold(f"── {label}"), ""]
        if code and color:
            from pygments import highlight
            from pygments.formatters import TerminalFormatter
            from pygments.lexers import PythonLexer
            out.append(highlight(code, PythonLexer(), TerminalFormatter()).rstrip("\n"))
        elif code:
            out.append(code)
        out.append("")
    rows = [r for r in (doc or {}).get("results", ()) if r["op"] == name]
    if rows:
        out += [bold("── measured parity")] + [
            f"  {fw}: {counts([r for r in rows if r['framework'] == fw])}" for fw in FRAMEWORKS]
    return "\n".join(out) + "\n"

