"""Run the conformance jobs behind `refimpl report`: on what, through which executor, with progress.

A job is one (op, dtype, check): hypothesis draws its inputs (examples per profile, one
seed for the whole run), every framework runs each input, and the outcomes fold into one
row per framework: the worst status seen, the largest errors, a repro of the first fail.
Training runs (check ``trajectory``, comparisons/trajectory.py) are jobs too, one row per
optimizer, framework and dtype, and each also draws its run's training curves (loss and
per-step divergence). Two more calls fill the other sections: the accuracy sweep
(``comparisons.truth``: refimpl and every framework against a 200-bit mpmath truth on a
fixed grid, in ULPs) and the frameworks' versions and measured conventions.

Every call is a top-level function with plain arguments, so it can run anywhere a
``concurrent.futures.Executor`` sends it: this process, local processes, a thread pool or a
dask cluster (``refimpl report --scheduler``). Where it ran does not change the document
(see ``run_jobs``); comparisons/executors.py holds the executors, comparisons/progress.py
the progress line. comparisons/report/ renders what ``run`` returns.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import datetime as _dt
from collections import Counter
import functools
import math
import platform
import threading

import numpy as np

from comparisons import (BAD, FRAMEWORKS, PROFILES, SEVERITY, adapters, classify, conventions,
                         harness, import_everything, regions, registry, trajectory, xfails)
from comparisons.executors import finished_calls, local_pool

CHECKS = harness.CHECKS + (trajectory.CHECK,)


def environment(profile: str, seed: int, versions: dict | None = None) -> dict:
    """parity.json's environment; ``versions``: the frameworks' and the plugged-in
    implementations' (default: measured here, which imports every framework). A plug-in
    is listed with its version and its adapter's ``NOTE`` (what it had to be given to run)."""
    v = versions or adapters.versions()
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "numpy": np.__version__,
        "torch": v["torch"], "tensorflow": v["tensorflow"], "jax": v["jax"],
        "plugins": {fw: {"version": v[fw],
                         "note": getattr(adapters.adapter(fw), "NOTE", None) if v[fw] else None}
                    for fw in v if fw not in FRAMEWORKS},
        "profile": profile, "seed": seed,
        "created": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
    }


# ------------------------------------------------------------------------- one row

def _num(x):
    return None if x is None or not math.isfinite(x) else float(x)


class Row:
    """Everything one (op, framework, dtype, check) saw over its examples."""

    def __init__(self, op, fw, dtype, check):
        self.key = (op, fw, dtype, check)
        self.counts: dict = {}
        self.errs = dict(max_abs_err=0.0, max_rel_err=0.0, max_ulp=0.0, tol_ratio=0.0)
        self.rtol = self.atol = None
        self.detail, self.repro, self.worst = "", None, "missing"
        self.coverage = None   # the job's regions visited (comparisons/regions.py); None: a training run

    def add(self, o: classify.Outcome):
        self.counts[o.status] = self.counts.get(o.status, 0) + 1
        # A convention explains its example's deviation (a flushed subnormal is "infinitely"
        # many ULPs off): the figures are those of the examples judged on tolerance.
        for k in self.errs if o.status in ("pass", "fail") else ():
            v = getattr(o, k)
            if v is not None:
                self.errs[k] = max(self.errs[k], v)
        if o.rtol is not None:
            self.rtol, self.atol = o.rtol, o.atol
        if SEVERITY.index(o.status) < SEVERITY.index(self.worst):
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
            "known_failure": op.known_failures.get((fw, dtype, check))
            or (xfails.listed(xfails.of(fw), name, dtype, check)
                if self.worst in BAD else None),
            "coverage": None if self.coverage is None else dict(sorted(self.coverage.items())),
        }


# ------------------------------------------------------------------------- the jobs

def _examples(name, dtype, checks, seed, profile, rows, frameworks, coverage=None, reference=None):
    """A function that runs every drawn case and folds it into rows: an op's inputs
    (harness) for each of ``checks`` (forward and grad judge the same draws, drawn once),
    or a training run's (task, seed) cases (trajectory). An op's cases also add the
    regions they visit to ``coverage`` (a Counter); with no frameworks they are only
    drawn. ``reference`` replaces refimpl's (the canaries).

    Each entry of an op's pool of structures (``registry.Op.structures``) gets its share
    of the examples, in a hypothesis run of its own: every shape, axis and reduction of
    the pool is visited in every run (one run over the whole pool left some out)."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import seed as hseed

    if checks == (trajectory.CHECK,):
        run = trajectory.RUNS_BY_NAME[name]
        runs = [(trajectory.cases(), trajectory.EXAMPLES[profile])]

        def outcomes(case):
            return [(trajectory.CHECK, o) for o in trajectory.run_case(run, case, dtype, frameworks)]
    else:
        op = registry.OPS[name]
        n, count = len(op.structures), PROFILES[profile]
        runs = [(op.inputs(dtype, i), count // n + (i < count % n)) for i in range(n)]

        def outcomes(case):
            if coverage is not None:
                coverage.update(regions.coverage(op.regions, dtype, case))
            return [(check, o) for check in checks if frameworks
                    for o in harness.run_case(op, case, dtype, check, frameworks, reference)]

    def body(case):
        for check, o in outcomes(case):
            rows[(name, o.framework, dtype, check)].add(o)

    def run_all():
        for i, (cases, count) in enumerate(runs):
            if not count:
                continue

            @hseed(f"{seed}/{i}")
            @settings(max_examples=count, deadline=None, database=None, derandomize=False,
                      suppress_health_check=list(HealthCheck), print_blob=False)
            @given(cases)
            def one_entry(case):
                body(case)
            one_entry()
    return run_all


def _count(name, check, profile) -> int:
    """The examples a job draws at most."""
    return trajectory.EXAMPLES[profile] if check == trajectory.CHECK else PROFILES[profile]


def entry_of(name):
    return registry.OPS[name] if name in registry.OPS else trajectory.RUNS_BY_NAME[name]


@functools.cache
def _ready_to_draw(frameworks=FRAMEWORKS) -> None:
    """Hypothesis draws from the literals of the project modules imported when it draws,
    so a job imports them all first (the twins of the run's ``frameworks`` only): the same
    draws whatever this process (a pool's, a dask worker) ran before. Hypothesis collects
    those literals lazily and without a lock, so two threads drawing first at once could
    each see part of them: collect them here, once (``run_jobs`` calls this under a lock)."""
    import_everything(tuple(frameworks))
    from hypothesis.internal.conjecture import providers

    getattr(providers, "_get_local_constants", lambda: None)()


_ready_lock = threading.Lock()


def run_jobs(jobs, profile, frameworks, seed):
    """Run (op name, dtype, check) jobs; the rows they fill, keyed like ``run``'s, and the
    training curves of the training runs among them. The checks of one op and dtype share
    their draws: one hypothesis run judges them all."""
    with _ready_lock:
        _ready_to_draw(tuple(frameworks))
    rows, curves = {}, []
    groups = {}
    for name, dtype, check in jobs:
        groups.setdefault((name, dtype), []).append(check)
    for (name, dtype), checks in groups.items():
        for check in checks:
            for fw in frameworks:
                rows[(name, fw, dtype, check)] = Row(name, fw, dtype, check)
        coverage = Counter() if name in registry.OPS else None
        _examples(name, dtype, tuple(checks), seed, profile, rows, frameworks, coverage)()
        for check in checks:
            for fw in frameworks:
                rows[(name, fw, dtype, check)].coverage = coverage
        if trajectory.CHECK in checks:
            # here, not in a call of their own: the process that ran the run's cases has its
            # programs compiled and traced already
            curves += trajectory.curves(tuple(frameworks), (dtype,), [name])
    return rows, curves


def rows_with(reference, name: str, dtype: str, check: str, frameworks, seed: int = 0,
              profile: str = "ci") -> dict:
    """The rows a report's job gets when ``reference`` stands in for refimpl's op: the very
    cases ``run`` draws (the canaries: a bug must show in these, not in a search)."""
    with _ready_lock:
        _ready_to_draw(tuple(frameworks))
    rows = {(name, fw, dtype, check): Row(name, fw, dtype, check) for fw in frameworks}
    _examples(name, dtype, (check,), seed, profile, rows, tuple(frameworks), None, reference)()
    return {fw: rows[(name, fw, dtype, check)] for fw in frameworks}


def coverage(name: str, dtype: str, seed: int = 0, profile: str = "ci") -> Counter:
    """The regions an op's job visits in ``dtype``: the very cases a report draws (the
    forward and grad jobs draw the same), drawn and classified, not run."""
    with _ready_lock:
        _ready_to_draw()
    out = Counter()
    _examples(name, dtype, ("forward",), seed, profile, {}, (), out)()
    return out


def _accuracy(ops, frameworks, dtypes, checks, size):
    """The accuracy rows for the ops (None: all) the truth knows, as JSON-ready dicts."""
    from comparisons import truth

    known = truth.ops()
    ops = None if ops is None else [o for o in ops if o in known]
    frameworks = [fw for fw in frameworks if fw in FRAMEWORKS]   # not yet the plug-ins
    dtypes = [d for d in (dtypes or truth.DTYPES) if d in truth.DTYPES]
    checks = [c for c in checks if c in truth.CHECKS]
    if ops == [] or not dtypes or not checks:
        return []
    return truth.accuracy(ops, tuple(frameworks), tuple(dtypes), tuple(checks), size=size)


def facts(frameworks):
    """The frameworks' versions and their measured conventions: a call of its own, so a
    worker that has the frameworks loaded measures them while the jobs run, instead of
    this process importing them all after the last job. Only the frameworks that import
    are measured (conventions would raise what a broken one raised): the others' column
    says ``missing`` or ``error``, as their rows do."""
    loaded = tuple(fw for fw in frameworks if adapters.adapter(fw) is not None)
    table = conventions.table(loaded)
    for fw in FRAMEWORKS:
        if fw in frameworks and fw not in loaded:
            status, _detail = adapters.unavailable(fw)
            for row in table:
                row[fw] = status
    return adapters.versions(frameworks), table


# ------------------------------------------------------------------------- running them

_EXTRAS = {"accuracy": "the accuracy sweep", "facts": "the conventions"}


def select(ops=None, dtypes=None, checks=CHECKS) -> list[tuple[str, str, str]]:
    """The (op name, dtype, check) jobs of a run: every op (None: all, the training runs
    included) in each of ``dtypes`` (None: all) that it has. Empty when no op asked for
    has a dtype asked for (adam has no bfloat16 training run)."""
    names = ops or [op.name for op in registry.OPS_LIST] + [r.name for r in trajectory.RUNS]
    return [(name, d, c) for name in names
            for d in (dtypes or entry_of(name).dtypes) if d in entry_of(name).dtypes
            for c in checks if (name in registry.OPS) != (c == trajectory.CHECK)]


def run(profile: str = "ci", frameworks=FRAMEWORKS, seed: int = 0, ops=None, dtypes=None,
        checks=CHECKS, progress=None, workers: int = 1, accuracy: bool = True,
        accuracy_size: str = "full", executor: cf.Executor | None = None) -> dict:
    """Run the conformance cases and the accuracy sweep; return the parity document (a dict).

    The jobs go through ``executor``, any ``concurrent.futures.Executor`` (a dask cluster's
    ``client.get_executor()``, a thread pool; left open for the caller); without one,
    through ``workers`` local processes, or in this process when ``workers`` is 1. Each job
    has its own hypothesis seed and draws the same cases wherever it runs, so the document
    does not depend on how the jobs were shared. The accuracy sweep (``accuracy=False``
    skips it) is one more call, deterministic.
    """
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ValueError(f"workers={workers!r}: expected a whole number >= 1")
    if profile not in PROFILES:
        raise ValueError(f"profile={profile!r}: expected one of {', '.join(PROFILES)}")
    acc_ops = [n for n in ops if n in registry.OPS] if ops else None
    jobs = select(ops, dtypes, checks)
    # one call per op (or training run) and dtype: its checks share their draws
    by_pair = {}
    for name, d, c in jobs:
        by_pair.setdefault((name, d), []).append((name, d, c))
    calls = [(pair, run_jobs, (group, profile, tuple(frameworks), seed)) for pair, group in by_pair.items()]
    # the training runs first: the longest jobs (each with its curves), so that the short
    # ones fill the workers at the end
    calls.sort(key=lambda call: call[0][0] not in trajectory.RUNS_BY_NAME)
    extras = []   # one call for each other section
    if accuracy and acc_ops != []:
        extras.append(("accuracy", _accuracy,
                       (acc_ops, tuple(frameworks), dtypes, tuple(checks), accuracy_size)))
    extras.append(("facts", facts, (tuple(frameworks),)))
    rows, extra, curves, done = {}, {}, [], 0
    if progress is not None:
        progress.start({fw: sum(_count(name, check, profile) for name, _d, check in jobs)
                        for fw in frameworks}, len(calls))
    pool = contextlib.nullcontext(executor) if executor is not None else local_pool(workers, len(calls))
    try:
        with pool as ex, contextlib.closing(finished_calls(ex, calls, extras)) as finished:
            for key, result in finished:
                if key in _EXTRAS:
                    extra[key] = result
                    continue
                rows.update(result[0])
                curves += result[1]
                done += 1
                if progress is not None:
                    progress.job_done(result[0], " ".join(key))
                    pending = [_EXTRAS[k] for k, _f, _a in extras if k not in extra]
                    if done == len(calls) and pending:
                        progress.note("waiting for " + " and ".join(pending))
    finally:   # also on Ctrl-C: what is printed next starts on a line of its own
        if progress is not None:
            progress.finish()
    order = [(name, fw, d, c) for name, d, c in jobs for fw in frameworks]
    return {
        "schema_version": 1,
        "environment": environment(profile, seed, extra["facts"][0]),
        "results": [rows[k].as_dict(entry_of(k[0])) for k in order],
        "conventions": extra["facts"][1],
        "accuracy": extra.get("accuracy", []),
        "training": trajectory.in_order(curves),
    }
