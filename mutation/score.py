"""The mutation score of refimpl/, with the equivalent mutants set aside.

Run after ``mutmut run`` (``make mutation`` runs both)::

    python -m mutation.score            # the score, then every survivor not shown equivalent
    python -m mutation.score --list     # ... and the equivalent ones with their reasons

mutmut keeps each mutant's verdict in ``mutants/refimpl/<module>.py.meta`` and the mutant
itself as a function ``<name>__mutmut_<n>`` beside ``<name>__mutmut_orig`` in
``mutants/refimpl/<module>.py``. ``equivalent/<module>.toml`` lists the mutants that no test
can kill because they compute the same thing, each with the line it changes and why.

A listed mutant is checked, not trusted: its changed line must still be the one recorded
(mutmut numbers mutants per function, so an edit can renumber them) and it must still
survive; a mismatch is printed and makes the exit status 1, like a survivor not accounted
for. The score is killed / (all - equivalent); a timeout is a kill, as mutmut counts it.
"""
from __future__ import annotations

import argparse
import ast
import difflib
import json
import sys
import tomllib
from collections import Counter
from pathlib import Path

from mutmut.stats import status_by_exit_code

HERE = Path(__file__).parent
TARGET = 0.95


def verdicts(mutants: Path) -> dict[str, str]:
    """Mutant name -> mutmut's status ("killed", "survived", "no tests", "timeout", ...)."""
    out = {}
    for meta in sorted(mutants.glob("refimpl/**/*.py.meta")):
        for name, code in json.loads(meta.read_text())["exit_code_by_key"].items():
            out[name] = status_by_exit_code[code]
    return out


def changed_lines(mutants: Path, name: str) -> str:
    """The mutant's lines that differ from the original, stripped and joined by " / "."""
    module, _, func = name.rpartition(".")
    path = mutants / (module.replace(".", "/") + ".py")
    tree = ast.parse(path.read_text())
    source = path.read_text().splitlines()
    orig = func[: func.rindex("__mutmut_")] + "__mutmut_orig"
    bodies = {n.name: source[n.lineno:n.end_lineno] for n in ast.walk(tree)
              if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.name in (func, orig)}
    diff = difflib.ndiff(bodies[orig], bodies[func])
    return " / ".join(line[2:].strip() for line in diff if line.startswith("+ "))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mutants", type=Path, default=Path("mutants"))
    ap.add_argument("--list", action="store_true", help="also list the equivalent mutants")
    args = ap.parse_args(argv)
    if not args.mutants.is_dir():
        sys.exit(f"mutation.score: no {args.mutants}/ here; run `make mutation` first")

    status = verdicts(args.mutants)
    reasons = [r for path in sorted((HERE / "equivalent").glob("*.toml"))
               for r in tomllib.loads(path.read_text()).get("reason", [])]
    equivalent, problems = {}, []
    for reason in reasons:
        for name, line in reason["mutants"].items():
            if name not in status:
                problems.append(f"{name}: listed as equivalent but mutmut has no such mutant")
            elif status[name] not in ("survived", "no tests"):
                problems.append(f"{name}: listed as equivalent but {status[name]}; remove it")
            elif (now := changed_lines(args.mutants, name)) != line:
                problems.append(f"{name}: listed as equivalent for `{line}`, but now changes `{now}`")
            else:
                equivalent[name] = reason["why"]

    counts = Counter(status.values())
    killed = counts["killed"] + counts["timeout"]
    considered = len(status) - len(equivalent)
    left = sorted(n for n, s in status.items() if s in ("survived", "no tests") and n not in equivalent)
    print(f"{len(status)} mutants: {counts['killed']} killed, {counts['timeout']} timed out, "
          f"{counts['survived']} survived, {counts['no tests']} with no test; "
          f"{len(equivalent)} of the survivors are equivalent")
    print(f"mutation score {killed}/{considered} = {killed / considered:.1%} "
          f"(target {TARGET:.0%}; {len(left)} survivors not shown equivalent)")
    others = {s: c for s, c in counts.items() if s not in ("killed", "timeout", "survived", "no tests")}
    if others:
        problems.append(f"mutants neither killed nor survived: {others}")
    for name in left:
        print(f"  survived: {name}: {changed_lines(args.mutants, name)}")
    if args.list:
        for name, why in sorted(equivalent.items()):
            print(f"  equivalent: {name}: {why}")
    for p in problems:
        print(f"  PROBLEM {p}")
    return 0 if killed / considered >= TARGET and not problems else 1


if __name__ == "__main__":
    sys.exit(main())
