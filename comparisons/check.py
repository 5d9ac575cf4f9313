"""`refimpl check IMPL`: judge an implementation that is not built in, op by op.

IMPL is a module path (``mygrad_twins``), a ``.py`` file, a folder with an ``__init__.py``,
or the name of an installed package's entry point in the group ``refimpl.implementations``.
A module that keeps the adapter contract (comparisons.adapters.Adapter) is a framework:
its twins are its functions named like refimpl's (``module.sigmoid`` or
``module.activations.sigmoid``). Any other module is a learner's hand-written numpy
(comparisons/learner.py). Every registry op and dtype is drawn as `refimpl report` draws
them, in this process, and judged by the same harness, the implementation one more column;
for each failing op hypothesis then shrinks a failing input, and its repro is printed.
"""

from __future__ import annotations

import importlib
import importlib.util
import shlex
import sys
from pathlib import Path

from comparisons import (BAD, DTYPES, FRAMEWORKS, SEVERITY, adapters, harness, registry, runner,
                         trajectory)
from comparisons.adapters import Unsupported
from comparisons.classify import Outcome
from comparisons.known_failures import find
from comparisons.xfails import listed as xfails_listed


def load(spec: str):
    """(name, module) of IMPL: an entry point's name, a .py file, a package folder or a
    module path."""
    installed = adapters.installed()
    if spec in installed:
        return spec, installed[spec].load()
    path = Path(spec)
    if path.suffix == ".py" or path.is_dir():
        init = path / "__init__.py" if path.is_dir() else path
        if not init.is_file():
            raise FileNotFoundError("no such file" if not path.is_dir() else
                                    "a folder needs an __init__.py to be imported")
        name = path.stem if path.suffix == ".py" else path.name
        if name in sys.modules:        # ./numpy.py would take numpy's place for everyone
            raise ImportError(f"its name {name!r} is taken by a module already imported "
                              f"({sys.modules[name].__name__}); rename it")
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
    adapters.plug_in(name, module)
    return name


def not_offered(name: str, op) -> str | None:
    """Why the implementation does not run the op at all (its row's detail), or None: an
    op it lacks, or a stub, is not drawn for (a new starter checks in seconds)."""
    (o,) = harness.run_case(op, op.smallest("float64"), "float64", "forward", (name,))
    return o.detail if o.status == "unsupported" else None


def _training_step(name: str) -> str | None:
    """Why the implementation has no training step, or None when it has one."""
    try:
        trajectory.twin(name)
    except Unsupported as e:
        return str(e)
    return None


def run(name: str, ops, dtypes, profile: str, against=(), seed: int = 0) -> dict:
    """The rows of every (op, dtype, check), for ``name`` and the frameworks ``against``:
    the registry's ops, and the training runs (``ops``' optimizer names) where the
    implementation has a training step."""
    rows, jobs = {}, []
    for op in ops:
        entry = runner.entry_of(op)
        if op in registry.OPS:
            why = None if against else not_offered(name, entry)
        else:
            why = None if against else _training_step(name)
        checks = harness.CHECKS if op in registry.OPS else (trajectory.CHECK,)
        for dtype in (d for d in dtypes if d in entry.dtypes):
            for check in checks:
                if why is None:
                    jobs.append((op, dtype, check))
                    continue
                rows[(op, name, dtype, check)] = row = runner.Row(op, name, dtype, check)
                row.add(Outcome(name, "unsupported", detail=why))
    found, _ = runner.run_jobs(jobs, profile, (name, *against), seed)
    return {**rows, **found}


def document(rows: dict, profile: str, seed: int, names, command: str | None = None) -> dict:
    """The parity document of a check: parity.json as `refimpl report` writes it, with the
    rows of ``names`` (the implementation and the frameworks it is judged against); no
    accuracy sweep, no training curves."""
    versions, table = runner.facts(tuple(names))
    entries = list(registry.OPS) + list(trajectory.RUNS_BY_NAME)
    order = sorted(rows, key=lambda k: (entries.index(k[0]), list(DTYPES).index(k[2]),
                                        runner.CHECKS.index(k[3]), list(names).index(k[1])))
    environment = runner.environment(profile, seed, versions)
    if command:
        environment["command"] = command
    return {"schema_version": 1, "environment": environment,
            "results": [rows[k].as_dict(runner.entry_of(k[0])) for k in order],
            "conventions": table, "accuracy": [], "training": []}


def _listed(xfails: dict, row) -> str | None:
    op, _, dtype, check = row.key
    return xfails_listed(xfails, op, dtype, check)


def _line(op: str, op_rows: list, width: int, xfails: dict) -> tuple[str, str, object]:
    """An op's line, its status (worst row's; ``xfail`` when every failing row is listed),
    and its worst row."""
    worst = min(op_rows, key=lambda r: SEVERITY.index(r.worst))
    status, (_, _, dtype, check) = worst.worst, worst.key
    # a training run's error is the parameters' relative divergence; ULPs mean nothing there
    unit, how = ("max_ulp", "worst {:.3g} ULP") if op in registry.OPS else (
        "max_rel_err", "largest divergence {:.3g} (relative)")
    err = max((r.errs[unit] for r in op_rows if r.worst in ("pass", "fail")), default=None)
    where = f"{dtype} {check}" if status in BAD + ("convention",) else ""
    said = (worst.detail if status != "pass" else how.format(err) if err is not None else "")
    lacking = next((r for r in op_rows if r.worst == "unsupported"), None)
    if lacking is not None and status != "unsupported":      # a forward without its backward
        said += f" ({lacking.key[3]}: {lacking.detail})"
    bad = [r for r in op_rows if r.worst in BAD]
    if bad and all(_listed(xfails, r) is not None for r in bad):
        status, said = "xfail", f"{said} -- listed: {_listed(xfails, worst) or 'no reason given'}"
    elif not bad and any(_listed(xfails, r) is not None for r in op_rows):
        said += " (listed in the xfails, but it does not fail: take it out)"
    return f"{op:<{width}}  {status:<11} {where:<17} {said}".rstrip(), status, worst


def summary(spec: str, name: str, rows: dict, xfails: dict | None = None) -> tuple[list[str], bool]:
    """The lines to print, one per op, and whether every op is fine (pass, convention,
    unsupported, or failing only where ``xfails`` lists it). Under a failing op: the input
    hypothesis shrinks its failure to, and a repro script that plugs IMPL in first. The
    frameworks judged beside it (``--against``) get their status at the end of the line."""
    by_op: dict = {}
    for (op, fw, _, _), row in rows.items():
        by_op.setdefault(op, {}).setdefault(fw, []).append(row)
    width = max(map(len, by_op), default=0)
    lines, ok = [], True
    for op, by_fw in by_op.items():
        line, status, worst = _line(op, by_fw.pop(name), width, xfails or {})
        others = [f"{fw}: {min((r.worst for r in fw_rows), key=SEVERITY.index)}"
                  for fw, fw_rows in by_fw.items()]
        lines.append(line + (f"  [{', '.join(others)}]" if others else ""))
        if status not in BAD:
            continue
        ok = False
        _, _, dtype, check = worst.key
        if op not in registry.OPS:    # a training run: its repro trains the failing case again
            script = (f"from comparisons.check import plug_in\nplug_in({spec!r})\n"
                      + (worst.repro or ""))
            lines.append("    " + script.replace("\n", "\n    ").rstrip())
            continue
        case = find(registry.OPS[op], name, dtype, check, max_examples=200)
        if case is not None:
            lines.append(f"{'':<{width}}  shrunk input: "
                         + ", ".join(repr(a.tolist()) for a in case.arrays)
                         + (f", {case.kwargs}" if case.kwargs else ""))
            script = (f"from comparisons.check import plug_in\nplug_in({spec!r})\n"
                      + harness.repro(registry.OPS[op], case, dtype, check, name))
            lines.append("    " + script.replace("\n", "\n    ").rstrip())
    return lines, ok


def _command(args) -> str:
    """The `refimpl check` that measures the same rows again (the report's "Reproduce")."""
    parts = ["refimpl check", shlex.quote(args.impl)]
    parts += [f"{flag} {','.join(v)}" for flag, v in
              (("--ops", args.ops), ("--dtypes", args.dtypes), ("--against", args.against)) if v]
    return " ".join(parts + [f"--profile {args.profile}", f"--seed {args.seed}"])


def main(args) -> int:
    try:
        name = plug_in(args.impl)
    except Exception as e:     # importing the implementation ran its code, not refimpl's
        plain = isinstance(e, (FileNotFoundError, TypeError))
        what = str(e) if plain else f"{type(e).__name__}: {e}"
        sys.stderr.write(f"refimpl: error: check {args.impl}: {what}\n")
        return 2
    ops = args.ops or list(registry.OPS) + list(trajectory.RUNS_BY_NAME)
    dtypes = args.dtypes or list(DTYPES)
    rows = run(name, ops, dtypes, args.profile, tuple(args.against or ()), args.seed)
    lines, ok = summary(args.impl, name, rows, args.xfails)
    print(f"refimpl check {args.impl}: {name}, {len(ops)} ops, {', '.join(dtypes)}, "
          f"profile {args.profile}")
    print("\n".join(lines))
    if args.out is not None:
        from comparisons import report

        doc = document(rows, args.profile, args.seed, (name, *(args.against or ())),
                       command=_command(args))
        files = report.write(doc, args.out, learning_pages=False)
        print("wrote " + ", ".join(str(f) for f in files))
    return 0 if ok else 1
