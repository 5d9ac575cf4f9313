"""The `refimpl` command.

    refimpl report [--out DIR] [--profile dev|ci|thorough] [--frameworks torch,tensorflow,jax]
                   [--seed N] [--ops sigmoid,matmul] [--dtypes float32,float64]
                   [--no-accuracy] [--accuracy-grid full|small]
    refimpl list
    refimpl diff OLD.json NEW.json     exit 1 when something regressed

Bad arguments print one line on stderr and exit with code 2.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from comparisons import DTYPES, FRAMEWORKS


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, exit code 2
        sys.stderr.write(f"refimpl: error: {message} (see `refimpl --help`)\n")
        sys.exit(2)


def _csv(allowed, what):
    def parse(text):
        items = [t.strip() for t in text.split(",") if t.strip()]
        wrong = [t for t in items if t not in allowed]
        if not items or wrong:
            raise argparse.ArgumentTypeError(
                f"unknown {what} {', '.join(wrong) or repr(text)}; choose from {', '.join(allowed)}")
        return items
    return parse


def _parser():
    from comparisons.registry import OPS
    from comparisons.report import PROFILES
    from comparisons.trajectory import RUNS

    p = _Parser(prog="refimpl", description="numpy reference implementations, checked "
                "against PyTorch, TensorFlow and JAX")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)
    r = sub.add_parser("report", help="run the conformance cases and write reports/")
    r.add_argument("--out", type=Path, default=Path("reports"), help="output folder (default: reports)")
    r.add_argument("--profile", choices=list(PROFILES), default="ci",
                   help="examples per op, dtype and check: " +
                   ", ".join(f"{k} {v}" for k, v in PROFILES.items()) + " (default: ci)")
    r.add_argument("--frameworks", type=_csv(FRAMEWORKS, "framework"), default=list(FRAMEWORKS))
    r.add_argument("--seed", type=int, default=0, help="hypothesis seed (default: 0)")
    r.add_argument("--ops", type=_csv(list(OPS) + [r.name for r in RUNS], "op"), default=None,
                   help="only these ops (optimizer names select their training runs)")
    r.add_argument("--dtypes", type=_csv(list(DTYPES), "dtype"), default=None)
    r.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1),
                   help="processes to share the work (default: min(2, cores))")
    r.add_argument("--no-accuracy", dest="accuracy", action="store_false",
                   help="skip the accuracy sweep against the 200-bit truth (comparisons/truth.py)")
    r.add_argument("--accuracy-grid", choices=["full", "small"], default="full",
                   help="points per accuracy row: full (~3000) or small (~300) (default: full)")
    sub.add_parser("list", help="list the ops in the registry")
    d = sub.add_parser("diff", help="compare two parity.json files; exit 1 when something regressed")
    d.add_argument("old", type=Path)
    d.add_argument("new", type=Path)
    return p


def _load(path: Path) -> dict:
    """A parity.json, validated against the schema; a bad file is a one-line error, exit 2."""
    import json

    import jsonschema

    from comparisons import report

    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        report.validate(doc)
    except (OSError, ValueError, jsonschema.ValidationError) as e:
        msg = getattr(e, "message", None) or str(e)
        sys.stderr.write(f"refimpl: error: {path}: not a readable parity report: "
                         f"{msg.splitlines()[0][:200]}\n")
        sys.exit(2)
    return doc


def main(argv=None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "list":
        from comparisons.registry import OPS_LIST

        width = max(len(op.name) for op in OPS_LIST)
        for op in OPS_LIST:
            print(f"{op.name:<{width}}  {op.concept:<40}  {', '.join(op.dtypes)}")
        return 0

    if args.command == "diff":
        from comparisons.report import diff

        d = diff.diff(_load(args.old), _load(args.new))
        sys.stdout.write(diff.render(d))
        return 1 if d.regressed else 0

    from comparisons import report

    t0 = time.perf_counter()
    doc = report.run(args.profile, tuple(args.frameworks), args.seed, args.ops, args.dtypes,
                     progress=report.stderr_progress(), workers=max(1, args.workers),
                     accuracy=args.accuracy, accuracy_size=args.accuracy_grid)
    files = report.write(doc, args.out)
    counts = {}
    for r in doc["results"]:
        counts[r["status"]] = counts.get(r["status"], 0) + 1
    summary = ", ".join(f"{v} {k}" for k, v in sorted(counts.items()))
    print(f"wrote {', '.join(str(f) for f in files)} in {time.perf_counter() - t0:.0f} s: {summary}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
