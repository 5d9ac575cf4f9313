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


def _count(name, check, profile) -> int:
    """The examples a job draws at most."""
    return trajectory.EXAMPLES[profile] if check == trajectory.CHECK else PROFILES[profile]


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


def _training(frameworks, dtypes, ops=None):
    dtypes = [d for d in (dtypes or trajectory.DTYPES) if d in trajectory.DTYPES]
    names = None if not ops else [n for n in ops if n in trajectory.RUNS_BY_NAME]
    return trajectory.curves(tuple(frameworks), tuple(dtypes), names) if dtypes else []


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
    if progress is not None:
        progress.start({fw: sum(_count(name, check, profile) for name, _d, check in jobs)
                        for fw in frameworks}, len(jobs))
    if workers > 1 and len(jobs) > 1:
        import concurrent.futures as cf
        import multiprocessing as mp

        # spawn, not fork: the parent may already hold framework thread pools.
        with cf.ProcessPoolExecutor(workers, mp_context=mp.get_context("spawn")) as pool:
            # The sweep first: it is the longest single job.
            acc_future = pool.submit(_accuracy, *acc_args) if accuracy else None
            train_future = pool.submit(_training, frameworks, dtypes, ops) if train else None
            futures = {pool.submit(_run_jobs, [job], profile, tuple(frameworks), seed): job
                       for job in jobs}
            for fut in cf.as_completed(futures):
                done = fut.result()
                rows.update(done)
                if progress is not None:
                    progress.job_done(done, " ".join(futures[fut]))
            if progress is not None and (acc_future or train_future):
                progress.note("waiting for the accuracy sweep and the training curves")
            acc = acc_future.result() if acc_future else []
            curves = train_future.result() if train_future else []
    else:
        for job in jobs:
            done = _run_jobs([job], profile, tuple(frameworks), seed)
            rows.update(done)
            if progress is not None:
                progress.job_done(done, " ".join(job))
        if progress is not None and (accuracy or train):
            progress.note("accuracy sweep and training curves")
        acc = _accuracy(*acc_args) if accuracy else []
        curves = _training(frameworks, dtypes, ops) if train else []
    if progress is not None:
        progress.finish()
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


def row_id(r: dict) -> str:
    """A result row's id, the one ``refimpl repro`` takes: op/framework/dtype/check."""
    return f"{r['op']}/{r['framework']}/{r['dtype']}/{r['check']}"


def atomic_write(path: Path, text: str) -> Path:
    """Write ``text`` beside ``path`` and rename it over ``path``: a reader (or an
    interrupted run) sees the old file or the new one, never half of one."""
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.chmod(tmp, 0o644)   # mkstemp makes it private; a report is for reading
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise
    return path


def write(doc: dict, out: Path) -> list[Path]:
    """Write parity.json, parity.md, parity.html and the learning pages (learn/) into
    ``out``. Everything is rendered before anything is written, and each file is written
    atomically, so an interrupted run leaves the previous report whole."""
    from comparisons.report import html, learn, markdown

    validate(doc)
    sections = learn.sections(doc)
    pages = learn.render_pages(sections)
    # allow_nan=False: NaN or inf would make a file that strict JSON readers reject.
    files = {"parity.json": json.dumps(doc, indent=1, sort_keys=False, allow_nan=False) + "\n",
             "parity.md": markdown.render(doc),
             "parity.html": html.render(doc, sections)}
    out.mkdir(parents=True, exist_ok=True)
    written = [atomic_write(out / name, text) for name, text in files.items()]
    return written + learn.write_rendered(pages, out / "learn")


class Progress:
    """Cases done / total per framework during ``run``, one line redrawn in place.

    Quiet unless the stream is a terminal (``enabled=None``), so logs and CI output stay
    clean. Totals are the profile's examples per job; hypothesis may draw fewer where a
    domain is small, so a count can end below its total.
    """

    def __init__(self, stream=None, enabled: bool | None = None):
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty() if enabled is None else enabled
        self.jobs = self.total_jobs = 0
        self.done, self.total, self.bad = {}, {}, {}

    def start(self, totals: dict, jobs: int):
        self.total, self.total_jobs = dict(totals), jobs
        self.done = {fw: 0 for fw in totals}
        self.bad = {fw: 0 for fw in totals}

    def job_done(self, rows: dict, what: str = ""):
        self.jobs += 1
        for (_name, fw, _dtype, _check), row in rows.items():
            self.done[fw] = self.done.get(fw, 0) + sum(row.counts.values())
            self.bad[fw] = self.bad.get(fw, 0) + row.counts.get("fail", 0) + row.counts.get("error", 0)
        self._show(what)

    def note(self, what: str):
        self._show(what)

    def line(self, what: str = "") -> str:
        fws = " · ".join(f"{fw} {self.done[fw]}/{self.total[fw]}"
                         + (f" ({self.bad[fw]} failing)" if self.bad[fw] else "")
                         for fw in self.total)
        return f"[{self.jobs}/{self.total_jobs} jobs] cases: {fws}" + (f" | {what}" if what else "")

    def _show(self, what):
        if self.enabled:
            self.stream.write("\r\x1b[2K" + self.line(what)[:200])
            self.stream.flush()

    def finish(self):
        if self.enabled:
            self.stream.write("\n")
            self.stream.flush()
