"""`refimpl report`: run the registry through the harness and write parity.json and parity.md.

Each (op, dtype, check) draws its inputs with hypothesis (examples per profile, one seed
for the whole run), runs every framework on each input, and folds the outcomes into one
row per framework: the worst status seen, the largest errors, a repro of the first fail.
Training runs (check ``trajectory``, comparisons/trajectory.py) add one row per optimizer,
framework and dtype, and the ``training`` section: loss curves and per-step divergence.
The ``accuracy`` section comes from ``comparisons.truth``: refimpl and every framework
against a 200-bit mpmath truth on a fixed grid (no randomness), in ULPs.
"""

from __future__ import annotations

import datetime as _dt
import json
import math
import os
import platform
import sys
import tempfile
from pathlib import Path

import numpy as np

from comparisons import FRAMEWORKS, conventions, harness, import_everything, registry, trajectory

SCHEMA_FILE = Path(__file__).with_name("parity.schema.json")
PROFILES = {"dev": 10, "ci": 100, "thorough": 1000}   # examples per (op, dtype, check)


def environment(profile: str, seed: int) -> dict:
    v = harness.versions()
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "numpy": np.__version__,
        "torch": v["torch"], "tensorflow": v["tensorflow"], "jax": v["jax"],
        "profile": profile, "seed": seed,
        "created": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
    }


def _num(x):
    return None if x is None or not math.isfinite(x) else float(x)


class _Row:
    """Everything one (op, framework, dtype, check) saw over its examples."""

    def __init__(self, op, fw, dtype, check):
        self.key = (op, fw, dtype, check)
        self.counts: dict = {}
        self.errs = dict(max_abs_err=0.0, max_rel_err=0.0, max_ulp=0.0, tol_ratio=0.0)
        self.rtol = self.atol = None
        self.detail, self.repro, self.worst = "", None, "missing"

    def add(self, o: harness.Outcome):
        self.counts[o.status] = self.counts.get(o.status, 0) + 1
        # A convention explains its example's deviation (a flushed subnormal is "infinitely"
        # many ULPs off): the figures are those of the examples judged on tolerance.
        for k in self.errs if o.status in ("pass", "fail") else ():
            v = getattr(o, k)
            if v is not None:
                self.errs[k] = max(self.errs[k], v)
        if o.rtol is not None:
            self.rtol, self.atol = o.rtol, o.atol
        if harness.STATUSES.index(o.status) < harness.STATUSES.index(self.worst):
            self.worst, self.detail, self.repro = o.status, o.detail, o.repro
        elif o.status == self.worst and not self.detail:
            self.detail = o.detail

    def as_dict(self, op) -> dict:
        name, fw, dtype, check = self.key
        seen = any(s in self.counts for s in ("pass", "fail"))
        return {
            "concept": op.concept, "op": name, "framework": fw, "dtype": dtype, "check": check,
            "status": self.worst,
            **{k: (_num(v) if seen else None) for k, v in self.errs.items()},
            "rtol": self.rtol, "atol": self.atol,
            "examples": sum(self.counts.values()),
            "repro": self.repro, "counts": dict(sorted(self.counts.items())),
            "detail": self.detail,
            "known_failure": op.known_failures.get((fw, dtype, check)),
        }


def _examples(name, dtype, check, seed, profile, rows, frameworks):
    """A hypothesis-driven function that runs every drawn case and folds it into rows: an
    op's inputs (harness), or a training run's (task, seed) cases (trajectory)."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import seed as hseed

    if check == trajectory.CHECK:
        run = trajectory.RUNS_BY_NAME[name]
        cases, count = trajectory.cases(), trajectory.EXAMPLES[profile]
        outcomes = lambda case: trajectory.run_case(run, case, dtype, frameworks)   # noqa: E731
    else:
        op = registry.OPS[name]
        cases, count = op.inputs(dtype), PROFILES[profile]
        outcomes = lambda case: harness.run_case(op, case, dtype, check, frameworks)   # noqa: E731

    @hseed(seed)
    @settings(max_examples=count, deadline=None, database=None,
              derandomize=False, suppress_health_check=list(HealthCheck), print_blob=False)
    @given(cases)
    def body(case):
        for o in outcomes(case):
            rows[(name, o.framework, dtype, check)].add(o)

    return body


def _entry_of(name):
    return registry.OPS[name] if name in registry.OPS else trajectory.RUNS_BY_NAME[name]


def _run_jobs(jobs, profile, frameworks, seed):
    """Run (op name, dtype, check) jobs; the rows they fill, keyed like ``run``'s."""
    import_everything()   # the same draws whatever this process ran before
    rows = {}
    for name, dtype, check in jobs:
        for fw in frameworks:
            rows[(name, fw, dtype, check)] = _Row(name, fw, dtype, check)
        _examples(name, dtype, check, seed, profile, rows, frameworks)()
    return rows


def _accuracy(ops, frameworks, dtypes, checks, size):
    """The accuracy rows for the ops (None: all) the truth knows, as JSON-ready dicts."""
    from comparisons import truth

    known = truth.ops()
    ops = None if ops is None else [o for o in ops if o in known]
    dtypes = [d for d in (dtypes or truth.DTYPES) if d in truth.DTYPES]
    checks = [c for c in checks if c in truth.CHECKS]
    if ops == [] or not dtypes or not checks:
        return []
    return truth.accuracy(ops, tuple(frameworks), tuple(dtypes), tuple(checks), size=size)


CHECKS = harness.CHECKS + (trajectory.CHECK,)


def _training(frameworks, dtypes):
    dtypes = [d for d in (dtypes or trajectory.DTYPES) if d in trajectory.DTYPES]
    return trajectory.curves(tuple(frameworks), tuple(dtypes)) if dtypes else []


def run(profile: str = "ci", frameworks=FRAMEWORKS, seed: int = 0, ops=None, dtypes=None,
        checks=CHECKS, progress=None, workers: int = 1, accuracy: bool = True,
        accuracy_size: str = "full") -> dict:
    """Run the conformance cases and the accuracy sweep; return the parity document (a dict).

    With ``workers > 1`` the jobs are shared among that many processes; each job has its
    own hypothesis seed, so the document does not depend on how they were shared. The
    accuracy sweep (``accuracy=False`` skips it) is one more job, deterministic.
    """
    acc_ops = [n for n in ops if n in registry.OPS] if ops else None
    names = ops or [op.name for op in registry.OPS_LIST] + [r.name for r in trajectory.RUNS]
    jobs = [(name, d, c) for name in names
            for d in (dtypes or _entry_of(name).dtypes) if d in _entry_of(name).dtypes
            for c in checks if (name in registry.OPS) != (c == trajectory.CHECK)]
    train = trajectory.CHECK in checks and (not ops or any(n in trajectory.RUNS_BY_NAME for n in ops))
    acc_args = (acc_ops, tuple(frameworks), dtypes, tuple(checks), accuracy_size)
    if acc_ops == []:
        accuracy = False
    rows, acc, curves = {}, [], []
    if workers > 1 and len(jobs) > 1:
        import concurrent.futures as cf
        import multiprocessing as mp

        # spawn, not fork: the parent may already hold framework thread pools.
        with cf.ProcessPoolExecutor(workers, mp_context=mp.get_context("spawn")) as pool:
            # The sweep first: it is the longest single job.
            acc_future = pool.submit(_accuracy, *acc_args) if accuracy else None
            train_future = pool.submit(_training, frameworks, dtypes) if train else None
            futures = [pool.submit(_run_jobs, [job], profile, tuple(frameworks), seed)
                       for job in jobs]
            for n, fut in enumerate(cf.as_completed(futures)):
                rows.update(fut.result())
                if progress:
                    progress(n + 1, len(jobs), "")
            acc = acc_future.result() if acc_future else []
            curves = train_future.result() if train_future else []
    else:
        for n, job in enumerate(jobs):
            rows.update(_run_jobs([job], profile, tuple(frameworks), seed))
            if progress:
                progress(n + 1, len(jobs), " ".join(job))
        acc = _accuracy(*acc_args) if accuracy else []
        curves = _training(frameworks, dtypes) if train else []
    order = [(name, fw, d, c) for name, d, c in jobs for fw in frameworks]
    results = [rows[k].as_dict(_entry_of(k[0])) for k in order]
    return {
        "schema_version": 1,
        "environment": environment(profile, seed),
        "results": results,
        "conventions": conventions.table(frameworks),
        "accuracy": acc,
        "training": curves,
    }


def validate(doc: dict) -> None:
    """Raise jsonschema.ValidationError unless ``doc`` follows parity.schema.json."""
    import jsonschema

    jsonschema.validate(doc, json.loads(SCHEMA_FILE.read_text()))


def write(doc: dict, out: Path) -> list[Path]:
    """Write parity.json and parity.md into ``out`` atomically: each file is written
    beside its destination and renamed over it, so an interrupted run leaves the
    previous report whole."""
    from comparisons.report.markdown import render

    validate(doc)
    out.mkdir(parents=True, exist_ok=True)
    files = {"parity.json": json.dumps(doc, indent=1, sort_keys=False) + "\n",
             "parity.md": render(doc)}
    written = []
    for name, text in files.items():
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=out)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.chmod(tmp, 0o644)   # mkstemp makes it private; a report is for reading
        os.replace(tmp, out / name)
        written.append(out / name)
    return written


def stderr_progress():
    """A one-line progress display on a terminal; silent otherwise."""
    if not sys.stderr.isatty():
        return None

    def show(done, total, what):
        sys.stderr.write(f"\r[{done}/{total}] {what:<40}")
        if done == total:
            sys.stderr.write("\n")
        sys.stderr.flush()

    return show
