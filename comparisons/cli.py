"""The `refimpl` command.

    refimpl report [--out DIR] [--profile dev|ci|thorough] [--frameworks torch,tensorflow,jax]
                   [--seed N] [--ops sigmoid,matmul] [--dtypes float32,float64]
                   [--no-accuracy] [--accuracy-grid full|small] [--from PARITY_JSON]
                   [--workers N | --scheduler ADDRESS]
    refimpl list
    refimpl show OP                    numpy, torch, tensorflow and jax code side by side
    refimpl diff OLD.json NEW.json     exit 1 when something regressed
    refimpl repro CASE_ID [--report reports/parity.json] [--print-only]
                                       re-run one recorded case (op/framework/dtype/check);
                                       exit 0 when its recorded status comes back, 1 when not
    refimpl check IMPL [--ops ...] [--dtypes ...] [--profile dev|ci|thorough] [--against jax]
                       [--xfails FILE]
                                       judge your own implementation op by op; exit 1 when
                                       an op fails (comparisons/check.py)
    refimpl new-impl DIR               a starter to fill in: every op's stub, forward beside
                                       backward, in the teaching order

Every error is one line on stderr, never a traceback (``refimpl --debug ...``, or --debug
after the command, shows it). Exit codes: 0 done; 1 the answer is no (diff: something
regressed; repro: the recorded status did not come back); 2 no answer: bad arguments
(an unknown name, a selection of nothing, an --out that cannot be written, a file that is
not a parity report), a missing extra, or an unexpected error; 130 interrupted (Ctrl-C).
"""

from __future__ import annotations

import argparse
import functools
import os
import sys
import time
from pathlib import Path

from comparisons import DTYPES, FRAMEWORKS, first_line

# The third-party modules that pyproject.toml's extras bring: a plain `pip install refimpl`
# has none of them, and the command then says which extra to install.
_EXTRA_OF = {"hypothesis": "report", "mpmath": "report", "jsonschema": "report",
             "matplotlib": "report", "pygments": "report", "tomli": "report",
             "jinja2": "report", "markupsafe": "report", "markdown_it": "report",
             "dask": "cluster", "distributed": "cluster", "torch": "torch",
             "tensorflow": "tensorflow", "jax": "jax", "jaxlib": "jax", "optax": "jax"}


class _Stop(Exception):
    """A failure understood where it happened: its one line for stderr, and the exit code."""

    def __init__(self, message: str, code: int = 2):
        super().__init__(message)
        self.message, self.code = message, code


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
        return list(dict.fromkeys(items))   # a name given twice is measured once
    return parse


def _xfails(text):
    """An xfails file, read and checked (comparisons/xfails.py)."""
    from comparisons import xfails

    try:
        return xfails.read(Path(text))
    except OSError as e:
        raise argparse.ArgumentTypeError(f"{text}: {e.strerror or e}") from None
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from None


def _positive(text):
    try:
        n = int(text)
    except ValueError:
        n = 0
    if n < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of workers >= 1")
    return n


def _parser():
    from comparisons.adapters import installed
    from comparisons.registry import OPS
    from comparisons.runner import PROFILES
    from comparisons.trajectory import RUNS

    # the built-in frameworks, then every implementation installed as an entry point
    judged = list(dict.fromkeys(FRAMEWORKS + tuple(sorted(installed()))))

    p = _Parser(prog="refimpl", description="numpy reference implementations, checked "
                "against PyTorch, TensorFlow and JAX")
    debug = "show the traceback of an error instead of its one line"
    p.add_argument("--debug", action="store_true", help=debug)
    # --debug after the command too; SUPPRESS: a command that is not given it keeps the top's
    each = argparse.ArgumentParser(add_help=False)
    each.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help=debug)
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)
    r = sub.add_parser("report", parents=[each],
                       help="run the conformance cases and write reports/")
    r.add_argument("--out", type=Path, default=Path("reports"), help="output folder (default: reports)")
    r.add_argument("--profile", choices=list(PROFILES), default="ci",
                   help="examples per op, dtype and check: " +
                   ", ".join(f"{k} {v}" for k, v in PROFILES.items()) + " (default: ci)")
    r.add_argument("--frameworks", type=_csv(judged, "framework"), default=judged,
                   help="the frameworks and installed implementations to judge (default: "
                   f"all: {', '.join(judged)})")
    r.add_argument("--seed", type=int, default=0, help="hypothesis seed (default: 0)")
    r.add_argument("--ops", type=_csv(list(OPS) + [r.name for r in RUNS], "op"), default=None,
                   help="only these ops (optimizer names select their training runs)")
    r.add_argument("--dtypes", type=_csv(list(DTYPES), "dtype"), default=None)
    where = r.add_mutually_exclusive_group()
    # default None, min(2, cores) applied in _measure: argparse counts a value equal to the
    # default as not given, so a default of 2 would let `--workers 2 --scheduler X` through.
    where.add_argument("--workers", type=_positive, default=None,
                       help="processes to share the work (default: min(2, cores))")
    where.add_argument("--scheduler", default=None, metavar="ADDRESS",
                       help="run the jobs on the dask cluster whose scheduler is at ADDRESS "
                       "(e.g. tcp://host:8786; needs refimpl[cluster]) instead of local processes")
    r.add_argument("--no-accuracy", dest="accuracy", action="store_false",
                   help="skip the accuracy sweep against the 200-bit truth (comparisons/truth.py)")
    r.add_argument("--accuracy-grid", choices=["full", "small"], default="full",
                   help="points per accuracy row: full (~3000) or small (~300) (default: full)")
    r.add_argument("--from", dest="source", type=Path, default=None, metavar="PARITY_JSON",
                   help="measure nothing: render the pages of a parity.json written before "
                   "(e.g. the one a failed write saved)")
    sub.add_parser("list", parents=[each], help="list the ops in the registry")
    sh = sub.add_parser("show", parents=[each],
                        help="print an op's numpy code beside its torch, tensorflow and jax twins")
    sh.add_argument("op", help="an op (sigmoid), a training run (adam) or a refimpl name (fit)")
    sh.add_argument("--report", type=Path, default=Path("reports/parity.json"),
                    help="parity.json for the parity lines (default: reports/parity.json; "
                    "skipped when missing)")
    sh.add_argument("--color", choices=["auto", "always", "never"], default="auto")
    rp = sub.add_parser("repro", parents=[each],
                        help="re-run one recorded case from a report and print its script")
    rp.add_argument("case_id", help="op/framework/dtype/check, e.g. log/tensorflow/float32/grad")
    rp.add_argument("--report", type=Path, default=Path("reports/parity.json"))
    rp.add_argument("--print-only", action="store_true", help="print the script, do not run it")
    d = sub.add_parser("diff", parents=[each],
                       help="compare two parity.json files; exit 1 when something regressed")
    d.add_argument("old", type=Path)
    d.add_argument("new", type=Path)
    c = sub.add_parser("check", parents=[each],
                       help="judge your own implementation (a module, a .py file or a folder) "
                       "op by op; exit 1 when an op fails")
    c.add_argument("impl", help="a module path, a .py file, or a folder with an __init__.py")
    c.add_argument("--ops", type=_csv(list(OPS) + [r.name for r in RUNS], "op"), default=None,
                   help="only these ops (optimizer names select their training runs)")
    c.add_argument("--dtypes", type=_csv(list(DTYPES), "dtype"), default=None)
    c.add_argument("--profile", choices=list(PROFILES), default="ci",
                   help="examples per op, dtype and check, as report's (default: ci)")
    c.add_argument("--against", type=_csv(judged, "framework"), default=None,
                   help="frameworks to judge beside it (default: none)")
    c.add_argument("--seed", type=int, default=0, help="hypothesis seed (default: 0)")
    c.add_argument("--out", type=Path, default=None, metavar="DIR",
                   help="also write parity.json, parity.md and parity.html there")
    c.add_argument("--xfails", type=_xfails, default=None, metavar="FILE",
                   help="failures to expect: op, op/dtype or op/dtype/check per line, "
                   "a reason after #; they do not fail the run")
    n = sub.add_parser("new-impl", parents=[each],
                       help="write a starter to fill in: a stub per op, forward beside backward")
    n.add_argument("dir", type=Path, help="the folder to write DIR/__init__.py in (a new one)")
    return p


def _load(path: Path) -> dict:
    """A parity.json, validated against the schema; a bad file is a one-line error, exit 2."""
    import json

    import jsonschema

    from comparisons import report

    def no_constant(token):   # Python's json reads NaN and Infinity; strict JSON has none
        raise ValueError(f"{token} is not JSON; expected finite numbers (or null)")

    try:
        doc = json.loads(path.read_text(encoding="utf-8"), parse_constant=no_constant)
        report.validate(doc)
    except (OSError, ValueError, jsonschema.ValidationError) as e:
        msg = getattr(e, "message", None) or str(e)
        sys.stderr.write(f"refimpl: error: {path}: not a readable parity report: "
                         f"{msg.splitlines()[0][:200]}\n")
        sys.exit(2)
    return doc


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    debug = "--debug" in argv   # known before parsing: the parser's imports may fail
    try:
        return _main(argv)
    except KeyboardInterrupt:
        if debug:
            raise
        sys.stderr.write("refimpl: interrupted\n")
        return 130
    except _Stop as e:
        sys.stderr.write(e.message + "\n")
        if debug and e.__cause__ is not None:
            raise
        return e.code
    except Exception as e:
        if debug:
            raise
        # ModuleNotFoundError's name: the module that is not there (hypothesis.strategies)
        name = (getattr(e, "name", None) or "") if isinstance(e, ModuleNotFoundError) else ""
        extra = _EXTRA_OF.get(name.partition(".")[0])
        if extra:
            sys.stderr.write(f"refimpl: error: {name.partition('.')[0]} is not installed; "
                             f"it comes with the {extra} extra: pip install 'refimpl[{extra}]'\n")
        else:
            sys.stderr.write(f"refimpl: error: {first_line(e)}; run with --debug for the "
                             "traceback\n")
        return 2


def _main(argv) -> int:
    args = _parser().parse_args(argv)
    return COMMANDS[args.command](args)


def _list(args) -> int:
    from comparisons.registry import OPS_LIST

    width = max(len(op.name) for op in OPS_LIST)
    for op in OPS_LIST:
        print(f"{op.name:<{width}}  {op.concept:<40}  {', '.join(op.dtypes)}")
    return 0


def _diff(args) -> int:
    from comparisons.report import diff

    d = diff.diff(_load(args.old), _load(args.new))
    sys.stdout.write(diff.render(d))
    return 1 if d.regressed else 0


def _show(args) -> int:
    from comparisons.learn import show

    doc = _load(args.report) if args.report.exists() else None
    color = args.color == "always" or (args.color == "auto" and sys.stdout.isatty()
                                       and os.environ.get("NO_COLOR") is None)
    try:
        sys.stdout.write(show.terminal(args.op, doc, color=color))
    except KeyError as e:
        sys.stderr.write(f"refimpl: error: {e.args[0]}\n")
        return 2
    return 0


def _report(args) -> int:
    from comparisons import report

    # Everything that can be checked is checked before the minutes of measuring.
    if args.source is None:
        _check_selection(args.ops, args.dtypes)
    _check_out(args.out)
    t0 = time.perf_counter()
    doc = _load(args.source) if args.source is not None else _measure(args)
    try:
        files = report.write(doc, args.out)
    except (Exception, KeyboardInterrupt) as e:   # a bug, or Ctrl-C while rendering
        if args.source is not None:   # nothing was measured: nothing to keep
            raise
        saved = _save(doc)   # the measurements took minutes: keep them
        interrupted = isinstance(e, KeyboardInterrupt)
        what = ("interrupted while writing the report" if interrupted
                else f"error: writing the report failed: {first_line(e)}")
        raise _Stop(f"refimpl: {what}; the measured data is in {saved}: "
                    f"`refimpl report --from {saved}` renders it again",
                    130 if interrupted else 2) from e
    counts = {}
    for r in doc["results"]:
        counts[r["status"]] = counts.get(r["status"], 0) + 1
    summary = ", ".join(f"{v} {k}" for k, v in sorted(counts.items()))
    top = ", ".join(f"{f} ({f.stat().st_size / 1024:.0f} KiB)" for f in files if f.parent == args.out)
    pages = [f for f in files if f.parent != args.out and f.suffix == ".md"]
    print(f"wrote {top} and {len(pages)} pages in {args.out / 'learn'} in "
          f"{time.perf_counter() - t0:.0f} s: {summary}")
    return 0


def _save(doc: dict) -> str:
    """``doc`` in a file of its own in the temporary folder; its path."""
    import json
    import tempfile

    fd, saved = tempfile.mkstemp(prefix="refimpl-parity-", suffix=".json")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(doc, f)
    return saved


def _check_selection(ops, dtypes) -> None:
    """A selection of no job is an error, not an empty report written over the last one."""
    from comparisons import registry, runner, trajectory

    if runner.select(ops, dtypes):
        return
    has = [f"{name} has {', '.join((registry.OPS.get(name) or trajectory.RUNS_BY_NAME[name]).dtypes)}"
           for name in ops or []]
    raise _Stop(f"refimpl: error: --ops {','.join(ops or [])} --dtypes {','.join(dtypes or [])} "
                f"selects nothing to measure; expected a dtype the ops have ({'; '.join(has)})")


def _check_out(out: Path) -> None:
    """--out is a folder that exists, or can be made, and can be written into: a one-line
    error before the measuring, not a crash after it. Nothing is created here."""
    try:
        if out.exists() and not out.is_dir():
            raise _Stop(f"refimpl: error: --out {out}: is a file; expected a folder")
        folder = out
        while not folder.exists() and folder != folder.parent:   # the nearest folder there is
            folder = folder.parent
        if not folder.is_dir():
            raise _Stop(f"refimpl: error: --out {out}: {folder} is a file; expected a folder")
        if not os.access(folder, os.W_OK | os.X_OK):
            raise _Stop(f"refimpl: error: --out {out}: {folder} is not writable; expected a "
                        "folder this user may write in")
    except OSError as e:   # a folder on the way that may not be read
        raise _Stop(f"refimpl: error: --out {out}: {e.strerror or e}; expected a folder "
                    "this user may write in") from e


def _measure(args) -> dict:
    """The parity document of a `refimpl report` run, measured in local processes or, with
    --scheduler, on a dask cluster."""
    from comparisons import runner
    from comparisons.progress import Progress

    run = functools.partial(runner.run, args.profile, tuple(args.frameworks), args.seed, args.ops,
                            args.dtypes, progress=Progress(), accuracy=args.accuracy,
                            accuracy_size=args.accuracy_grid)
    if args.scheduler is None:
        workers = min(2, os.cpu_count() or 1) if args.workers is None else args.workers
        return run(workers=workers)
    with _dask_client(args.scheduler) as client:
        return run(executor=client.get_executor())


def _dask_client(address: str):
    """A dask.distributed Client connected to ``address``; a one-line error, exit 2, when
    dask is not installed or no scheduler answers there."""
    try:   # only here: a plain `refimpl report` needs no dask
        from dask.distributed import Client
    except ImportError:
        sys.stderr.write("refimpl: error: --scheduler needs dask.distributed: "
                         "pip install 'refimpl[cluster]'\n")
        sys.exit(2)
    try:
        return Client(address)
    except (OSError, TimeoutError, ValueError) as e:   # refused, timed out, not an address
        first = (str(e).splitlines() or [type(e).__name__])[0]
        sys.stderr.write(f"refimpl: error: --scheduler {address}: no dask scheduler "
                         f"reachable there: {first}\n")
        sys.exit(2)


def _repro(args) -> int:
    """Print a recorded case's script, run it, judge the case again; exit 0 when the
    recorded status comes back, 1 when it does not, 2 for an unknown id."""
    case_id, doc, print_only = args.case_id, _load(args.report), args.print_only
    import difflib

    from comparisons import harness, registry, trajectory
    from comparisons.report import row_id

    rows = {row_id(r): r for r in doc["results"]}
    with_repro = [k for k, r in rows.items() if r.get("repro")]
    r = rows.get(case_id)
    if r is None or not r.get("repro"):
        why = "no such row" if r is None else f"no repro is recorded for it (status {r['status']})"
        near = difflib.get_close_matches(case_id, with_repro, n=3) or with_repro[:3]
        sys.stderr.write(f"refimpl: error: {case_id}: {why}; rows with a repro: "
                         f"{', '.join(near) or 'none'}{' ...' if len(with_repro) > len(near) else ''}\n")
        return 2
    print(f"# recorded: {r['status']}: {r.get('detail') or ''}")
    print(r["repro"].rstrip())
    if print_only:
        return 0
    print("# ---- running it")
    ns: dict = {"__name__": "__refimpl_repro__"}
    exec(compile(r["repro"], f"<repro {case_id}>", "exec"), ns)   # noqa: S102 - our own recorded script
    fw, dtype, check = r["framework"], r["dtype"], r["check"]
    if check == trajectory.CHECK:
        outs = trajectory.run_case(ns["run"], ns["case"], dtype, (fw,))
    else:
        outs = harness.run_case(registry.OPS[r["op"]], ns["case"], dtype, check, (fw,))
    now = outs[0]
    print(f"# judged again: {now.status}: {now.detail}")
    if now.status == r["status"]:
        print(f"# reproduced: {case_id} is {now.status}, as recorded")
        return 0
    print(f"# not reproduced: {case_id} was recorded {r['status']}, now {now.status}")
    return 1


# One handler per subcommand: a subcommand added to the parser without its entry here is a
# KeyError (tests/test_cli_errors.py checks both lists agree), never a report by default.
def _check(args) -> int:
    from comparisons import check

    if args.out is not None:
        _check_out(args.out)
    return check.main(args)


def _new_impl(args) -> int:
    from comparisons import starter

    try:
        written = starter.write(args.dir)
    except FileExistsError as e:
        sys.stderr.write(f"refimpl: error: {e}\n")
        return 2
    print(f"wrote {written}: a stub for each op; fill them in and run `refimpl check {args.dir}`")
    return 0


COMMANDS = {"report": _report, "list": _list, "show": _show, "repro": _repro, "diff": _diff,
            "check": _check, "new-impl": _new_impl}


if __name__ == "__main__":
    sys.exit(main())
