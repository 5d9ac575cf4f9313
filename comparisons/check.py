"""`refimpl check IMPL`: judge an implementation that is not built in, op by op.

IMPL is a module path (``mygrad_twins``), a ``.py`` file, a folder with an ``__init__.py``,
or the name of an installed package's entry point in the group ``refimpl.implementations``
(``[project.entry-points."refimpl.implementations"] mygrad = "mygrad_twins"``). A module that keeps the adapter contract (comparisons.adapters.Adapter)
is a framework: its twins are its functions named like refimpl's (``module.sigmoid`` or
``module.activations.sigmoid``). Any other module is a learner's hand-written numpy
(comparisons/learner.py). Every registry op and dtype is drawn as `refimpl report` draws
them, in this process, and judged by the same harness, the implementation one more column;
for each failing op hypothesis then shrinks a failing input, and its repro is printed.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from pathlib import Path

import numpy as np

from comparisons import BAD, DTYPES, FRAMEWORKS, SEVERITY, adapters, harness, learner, registry, runner
from comparisons.adapters import Adapter, Unsupported
from comparisons.classify import Outcome


ENTRY_POINTS = "refimpl.implementations"


def load(spec: str):
    """(name, module) of IMPL: an entry point's name, a .py file, a package folder or a
    module path."""
    from importlib.metadata import entry_points

    installed = {ep.name: ep for ep in entry_points(group=ENTRY_POINTS)}
    if spec in installed:
        return spec, installed[spec].load()
    path = Path(spec)
    if path.suffix == ".py" or path.is_dir():
        init = path / "__init__.py" if path.is_dir() else path
        if not init.is_file():
            raise FileNotFoundError("no such file" if not path.is_dir() else
                                    "a folder needs an __init__.py to be imported")
        name = path.stem if path.suffix == ".py" else path.name
        module_spec = importlib.util.spec_from_file_location(
            name, init, submodule_search_locations=[str(path)] if path.is_dir() else None)
        module = importlib.util.module_from_spec(module_spec)
        sys.modules[name] = module
        module_spec.loader.exec_module(module)
        return name, module
    return spec.rsplit(".", 1)[-1], importlib.import_module(spec)


def plug_in(spec: str) -> str:
    """Load IMPL and register it with the harness; its column's name."""
    name, module = load(spec)
    if name in FRAMEWORKS or name == "refimpl":
        name = f"{name} ({spec})"
    if isinstance(module, Adapter):
        def twin_of(op):
            for where in (getattr(module, op.module, None), module):
                if where is not None and callable(getattr(where, op.name, None)):
                    return getattr(where, op.name)
            raise Unsupported(f"not implemented: no {op.name} in {module.__name__}")
        adapters.register(name, module, twin_of)
    else:
        adapters.register(name, learner, learner.twin_of(module))
    return name


def simplest_case(op, dtype: str = "float64"):
    """The simplest input the op's draws hold (hypothesis's minimal example)."""
    from hypothesis import HealthCheck, find, settings

    return find(op.inputs(dtype), lambda c: True,
                settings=settings(database=None, suppress_health_check=list(HealthCheck)))


def _not_offered(name: str, op) -> str | None:
    """Why the implementation does not run the op at all (its row's detail), or None: an
    op it lacks, or a stub, is not drawn for (a new starter checks in seconds)."""
    (o,) = harness.run_case(op, simplest_case(op), "float64", "forward", (name,))
    return o.detail if o.status == "unsupported" else None


def run(name: str, ops, dtypes, profile: str, against=(), seed: int = 0) -> dict:
    """The rows of every (op, dtype, check), for ``name`` and the frameworks ``against``."""
    rows, jobs = {}, []
    for op in ops:
        why = None if against else _not_offered(name, registry.OPS[op])
        for dtype in (d for d in dtypes if d in registry.OPS[op].dtypes):
            for check in harness.CHECKS:
                if why is None:
                    jobs.append((op, dtype, check))
                    continue
                rows[(op, name, dtype, check)] = row = runner.Row(op, name, dtype, check)
                row.add(Outcome(name, "unsupported", detail=why))
    found, _ = runner.run_jobs(jobs, profile, (name, *against), seed)
    return {**rows, **found}


def read_xfails(path: Path) -> dict:
    """An xfails file, as array-api-tests keeps them: one ``op``, ``op/dtype`` or
    ``op/dtype/check`` per line, its reason after ``#``. (op, ...) -> reason."""
    out = {}
    for n, line in enumerate(path.read_text().splitlines(), 1):
        entry, _, why = line.partition("#")
        parts = tuple(entry.strip().split("/")) if entry.strip() else ()
        if not parts:
            continue
        if (len(parts) > 3 or parts[0] not in registry.OPS
                or len(parts) > 1 and parts[1] not in DTYPES
                or len(parts) > 2 and parts[2] not in harness.CHECKS):
            raise ValueError(f"{path}:{n}: {entry.strip()!r} is not an op, op/dtype or "
                             "op/dtype/check of the registry")
        out[parts] = why.strip()
    return out


def _listed(xfails: dict, row) -> str | None:
    op, _, dtype, check = row.key
    return next((xfails[k] for k in ((op, dtype, check), (op, dtype), (op,)) if k in xfails), None)


def summary(spec: str, name: str, rows: dict, xfails: dict | None = None) -> tuple[list[str], bool]:
    """The lines to print, one per op (its worst row), and whether every row is fine: pass,
    convention, unsupported, or a fail the ``xfails`` list."""
    xfails = xfails or {}
    lines, ok = [], True
    by_op: dict = {}
    for (op, fw, dtype, check), row in rows.items():
        if fw == name:
            by_op.setdefault(op, []).append(row)
    width = max(map(len, by_op), default=0)
    for op, op_rows in by_op.items():
        worst = min(op_rows, key=lambda r: SEVERITY.index(r.worst))
        ulp = max((r.errs["max_ulp"] for r in op_rows if r.worst in ("pass", "fail")), default=None)
        _, _, dtype, check = worst.key
        where = f"{dtype} {check}" if worst.worst in BAD + ("convention",) else ""
        said = (f"worst {ulp:.3g} ULP" if worst.worst == "pass" and ulp is not None
                else "" if worst.worst == "pass" else worst.detail)
        lacking = next((r for r in op_rows if r.worst == "unsupported"), None)
        if lacking is not None and worst.worst != "unsupported":   # a forward without backward
            said += f" ({lacking.key[3]}: {lacking.detail})"
        bad = [r for r in op_rows if r.worst in BAD]
        status = worst.worst
        if bad and all(_listed(xfails, r) is not None for r in bad):
            status, said = "xfail", f"{said} -- listed: {_listed(xfails, worst) or 'no reason given'}"
        elif not bad and any(_listed(xfails, r) is not None for r in op_rows):
            said += " (listed in the xfails, but it does not fail: take it out)"
        lines.append(f"{op:<{width}}  {status:<11} {where:<17} {said}".rstrip())
        if status in BAD:
            ok = False
            case = shrunk(registry.OPS[op], name, dtype, check)
            if case is not None:
                lines.append(f"{'':<{width}}  shrunk input: "
                             + ", ".join(repr(a.tolist()) for a in case.arrays)
                             + (f", {case.kwargs}" if case.kwargs else ""))
                script = (f"from comparisons.check import plug_in\nplug_in({spec!r})\n"
                          + harness.repro(registry.OPS[op], case, dtype, check, name))
                lines.append("    " + script.replace("\n", "\n    ").rstrip())
    return lines, ok


def shrunk(op, name: str, dtype: str, check: str, max_examples: int = 200):
    """The smallest failing input hypothesis finds in the op's own draws (None: none in
    ``max_examples``)."""
    from comparisons.known_failures import find

    return find(op, name, dtype, check, max_examples)


def main(args) -> int:
    try:
        name = plug_in(args.impl)
    except Exception as e:     # importing the implementation ran its code, not refimpl's
        what = str(e) if isinstance(e, (FileNotFoundError, TypeError)) else f"{type(e).__name__}: {e}"
        sys.stderr.write(f"refimpl: error: check {args.impl}: {what}\n")
        return 2
    ops = args.ops or list(registry.OPS)
    dtypes = args.dtypes or list(DTYPES)
    # the implementation's own overflow warnings: its values are what is judged
    with np.errstate(all="ignore"):
        rows = run(name, ops, dtypes, args.profile, tuple(args.against or ()), args.seed)
        lines, ok = summary(args.impl, name, rows, args.xfails)
    print(f"refimpl check {args.impl}: {name}, {len(ops)} ops, {', '.join(dtypes)}, "
          f"profile {args.profile}")
    print("\n".join(lines))
    return 0 if ok else 1
