"""Trajectory parity: one training run, step by step, in refimpl and in every framework.

A run is an optimizer (parity.json ``op``: sgd, momentum, nesterov, adagrad, rmsprop,
adam, adamw) with every hyperparameter given explicitly, and a drawn case: a task
(``xor``: the 2-4-1 tanh MLP on XOR with binary cross-entropy on logits; ``linear_regression``:
3 -> 1 with MSE), a seed for the initial weights, the data and the batch order. Every
implementation starts from the same weights, sees the same mini-batches in the same
order (the last one partial) and takes ``STEPS`` steps; after each step the harness
measures

    parameter divergence  max |p_fw - p_ref| / max |p_ref|   (over all parameters)
    loss divergence       |L_fw - L_ref| / |L_ref|            (the batch loss before the step)

and the run passes when both stay within the trajectory tolerance of its dtype at every
step (tolerances.toml). A framework whose default differs (eps placement) is run with
the value set explicitly where it has the option; where it has none the mismatch is a
``convention`` only if refimpl computed the framework's way (Run.conventions) agrees.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field

import numpy as np
from hypothesis import strategies as st

from comparisons import FRAMEWORKS, conventions, three_digits
from comparisons.adapters import Unsupported, adapter, unavailable
from comparisons.classify import Outcome
from comparisons.compare import tolerance
from refimpl import training

STEPS = 100
CHECK = "trajectory"
DTYPES = ("float32", "float64")
# Examples (drawn cases) per (run, dtype): each is >= 100 steps in four implementations.
EXAMPLES = {"dev": 2, "ci": 6, "thorough": 40}


@dataclass(frozen=True)
class Run:
    name: str                  # parity.json op; refimpl.optim.OPTIMIZERS key
    hyper: dict                # refimpl's names; every twin maps them to its own
    # (conventions key, refimpl options computing that framework's way)
    conventions: tuple = ()
    concept: str = "optimizers"
    known_failures: dict = field(default_factory=dict)
    dtypes: tuple = DTYPES


# Hyperparameters exact in float32 (2^-k, 0.875): Keras rounds them through float32 even
# in a float64 run (conventions 'hyper.float64'), so 0.9 or 0.01 would not agree to 1e-10.
_BETAS = (0.875, 1 - 2 ** -10)
RUNS = [
    Run("sgd", {"lr": 2 ** -4, "weight_decay": 2 ** -7}),
    Run("momentum", {"lr": 2 ** -5, "momentum": 0.875}),
    Run("nesterov", {"lr": 2 ** -5, "momentum": 0.875}),
    Run("adagrad", {"lr": 2 ** -4, "eps": 1e-10, "initial_accumulator_value": 0.125},
        conventions=(("adagrad.eps_placement", {"eps_inside_sqrt": True}),)),
    Run("rmsprop", {"lr": 2 ** -7, "rho": 0.875, "eps": 1e-8},
        conventions=(("rmsprop.eps_placement", {"eps_inside_sqrt": True}),)),
    Run("adam", {"lr": 2 ** -7, "betas": _BETAS, "eps": 1e-8},
        conventions=(("adam.eps_placement", {"eps_hat": True}),)),
    Run("adamw", {"lr": 2 ** -7, "betas": _BETAS, "eps": 1e-8, "weight_decay": 2 ** -7},
        conventions=(("adam.eps_placement", {"eps_hat": True}),)),
]
RUNS_BY_NAME = {r.name: r for r in RUNS}


# ------------------------------------------------------------------------ the cases

@dataclass(frozen=True)
class TrainCase:
    task: str
    seed: int

    def build(self, dtype: str):
        """(weights, x, t, orders, batch_size) in ``dtype``: drawn in float64 from the seed,
        then rounded, so the float32 and float64 runs of a case start from the same point."""
        rng = np.random.default_rng(self.seed)
        if self.task == "xor":
            x = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
            t = np.array([[0.0], [1.0], [1.0], [0.0]])
            weights = [rng.normal(0, 1, (2, 4)), rng.normal(0, 1, 4),
                       rng.normal(0, 0.5, (4, 1)), rng.normal(0, 0.5, 1)]
            batch_size = 3                       # 2 iterations per epoch: 3 samples, then 1
        elif self.task == "linear_regression":
            x = rng.normal(0, 1, (50, 3))
            t = x @ rng.normal(0, 1, (3, 1)) + rng.normal() + 0.1 * rng.normal(0, 1, (50, 1))
            weights = [rng.normal(0, 3 ** -0.5, (3, 1)), np.zeros(1)]
            batch_size = 16                      # 16, 16, 16 and a partial batch of 2
        else:
            raise ValueError(f"unknown task {self.task!r}; expected one of {tuple(training.TASKS)}")
        per_epoch = training.schedule(len(x), batch_size).iterations_per_epoch
        orders = [rng.permutation(len(x)) for _ in range(-(-STEPS // per_epoch))]
        cast = lambda a: a.astype(dtype)   # noqa: E731
        return [cast(w) for w in weights], cast(x), cast(t), orders, batch_size


def cases():
    return st.builds(TrainCase, st.sampled_from(tuple(training.TASKS)), st.integers(0, 2 ** 31 - 1))


# ------------------------------------------------------------------- running, judging

def twin(framework: str):
    """The framework's training step (comparisons/<framework>/training.py); a plugged-in
    implementation's is ``training.trajectory`` of its adapter module, where it has one."""
    if framework in FRAMEWORKS:
        return importlib.import_module(f"comparisons.{framework}.training").trajectory
    step = getattr(getattr(adapter(framework), "training", None), "trajectory", None)
    if step is None:
        raise Unsupported(f"not implemented: {framework} offers no training step")
    return step


def _call(fn, run, case, dtype, options=None):
    weights, x, t, orders, batch_size = case.build(dtype)
    losses, path = fn(case.task, weights, x, t, orders, batch_size, run.name,
                      {**run.hyper, **(options or {})})
    return np.asarray(losses, dtype=np.float64), path


def divergence(ref, got):
    """Per step: (parameter divergence, loss divergence, largest absolute parameter gap)."""
    (ref_l, ref_p), (got_l, got_p) = ref, got
    n = min(len(ref_l), len(got_l))
    params, abs_gap = np.empty(n), np.empty(n)
    for k in range(n):
        gap = max(float(np.max(np.abs(np.asarray(g, np.float64) - np.asarray(r, np.float64))))
                  for r, g in zip(ref_p[k], got_p[k]))
        size = max(float(np.max(np.abs(np.asarray(r, np.float64)))) for r in ref_p[k])
        params[k], abs_gap[k] = gap / max(size, np.finfo(np.float64).tiny), gap
    with np.errstate(all="ignore"):
        loss = np.abs(got_l[:n] - ref_l[:n]) / np.abs(ref_l[:n])
    # NaN anywhere (a diverged run, or one side only) counts as infinitely far
    return np.nan_to_num(params, nan=np.inf), np.nan_to_num(loss, nan=np.inf), abs_gap


def _judge(ref, got, rtol):
    """(ok, first bad step or None, params, loss, abs_gap)."""
    params, loss, gap = divergence(ref, got)
    if len(ref[0]) != len(got[0]):
        return False, min(len(ref[0]), len(got[0])), params, loss, gap
    bad = np.flatnonzero((params > rtol) | (loss > rtol))
    return not bad.size, (int(bad[0]) if bad.size else None), params, loss, gap


def run_case(run: Run, case: TrainCase, dtype: str, frameworks=FRAMEWORKS, reference=None,
             tolerances: dict | None = None) -> list[Outcome]:
    """Train on refimpl and every framework; one Outcome per framework, with its
    per-step divergence in ``trace``. ``reference`` replaces refimpl's
    ``training.trajectory`` (the canaries push wrong implementations through it)."""
    fn = reference or training.trajectory
    ref = _call(fn, run, case, dtype)
    rtol, atol = tolerance(run.name, dtype, CHECK, tolerances)
    out = []
    for fw in frameworks:
        if adapter(fw) is None:   # not installed (missing) or broken on import (error)
            status, detail = unavailable(fw)
            out.append(Outcome(fw, status, detail=detail))
            continue
        try:
            got = _call(twin(fw), run, case, dtype)
        except Unsupported as e:
            out.append(Outcome(fw, "unsupported", detail=str(e)))
            continue
        except Exception as e:  # the framework raised: record it and go on
            out.append(Outcome(fw, "error", detail=f"{type(e).__name__}: {e}"[:300],
                               repro=repro(run, case, dtype, fw)))
            continue
        ok, step, params, loss, gap = _judge(ref, got, rtol)
        o = Outcome(fw, "pass" if ok else "fail", max_abs_err=float(np.max(gap, initial=0.0)),
                    max_rel_err=float(max(np.max(params, initial=0.0), np.max(loss, initial=0.0))),
                    rtol=rtol, atol=atol)
        o.tol_ratio = o.max_rel_err / rtol
        o.trace = {"params": params.tolist(), "loss": loss.tolist(), "losses": got[0].tolist()}
        if not ok:
            o.detail = _why(step, ref, got, params, loss, rtol)
            note = _followed_convention(run, case, dtype, fw, fn, got, rtol)
            if note:
                o.status, o.detail = "convention", o.detail + " -- " + note
            else:
                o.repro = repro(run, case, dtype, fw)
        out.append(o)
    return out


def _why(step, ref, got, params, loss, rtol):
    if len(ref[0]) != len(got[0]):
        return (f"{len(got[0])} steps taken, refimpl took {len(ref[0])}: the mini-batches "
                "differ")
    return (f"step {step + 1} of {len(ref[0])}: parameters differ by {params[step]:.3g} "
            f"(max|dp|/max|p|), the loss by {loss[step]:.3g}, relative; tolerance {rtol:g}")


def _followed_convention(run, case, dtype, fw, fn, got, rtol):
    for key, options in run.conventions:
        if not conventions.differs(fw, key):
            continue
        alt = _call(fn, run, case, dtype, options)
        if _judge(alt, got, rtol)[0]:
            topic = conventions.TOPICS[key][0]
            return (f"{topic}: {conventions.value(fw, key)} in {fw}, "
                    f"{conventions.value('numpy', key)} in the reference; the run matches refimpl "
                    f"with {options} at every step (measured: conventions '{key}')")
    return None


def repro(run: Run, case: TrainCase, dtype: str, framework: str) -> str:
    return (f"# refimpl repro: op={run.name} framework={framework} dtype={dtype} check=trajectory\n"
            "from comparisons import trajectory as T\n"
            f"run, case = T.RUNS_BY_NAME[{run.name!r}], T.TrainCase({case.task!r}, {case.seed})\n"
            f"for o in T.run_case(run, case, {dtype!r}, frameworks=({framework!r},)):\n"
            "    print(o.status, o.detail)\n"
            "    print('per-step parameter divergence:', o.trace and o.trace['params'])\n")


# ------------------------------------------------------------- the report's curves

REPORT_SEED = 0


def curves(frameworks=FRAMEWORKS, dtypes=DTYPES, names=None) -> list[dict]:
    """The report's training section: for each run (``names``; None: all), task and dtype,
    the loss per iteration of refimpl and each framework on case (task, REPORT_SEED), and
    each framework's per-step divergence from refimpl."""
    rows = []
    for run in RUNS if names is None else [RUNS_BY_NAME[n] for n in names]:
        for task in training.TASKS:
            case = TrainCase(task, REPORT_SEED)
            for dtype in dtypes:
                ref = _call(training.trajectory, run, case, dtype)
                rows.append({"op": run.name, "task": task, "dtype": dtype, "implementation": "refimpl",
                             "loss": _short(ref[0])})
                for o in run_case(run, case, dtype, frameworks):
                    trace = getattr(o, "trace", None) or {}
                    rows.append({"op": run.name, "task": task, "dtype": dtype, "implementation": o.framework,
                                 "status": o.status, "loss": _short(trace.get("losses", [])),
                                 "param_divergence": _short(trace.get("params", [])),
                                 "loss_divergence": _short(trace.get("loss", []))})
    return rows


def in_order(rows: list[dict]) -> list[dict]:
    """Curve rows gathered from several calls of ``curves``, in the order one call over
    them all gives: by run, task and dtype (and, within those, as they came)."""
    runs, tasks = [r.name for r in RUNS], list(training.TASKS)
    return sorted(rows, key=lambda r: (runs.index(r["op"]), tasks.index(r["task"]),
                                       DTYPES.index(r["dtype"])))


def _short(xs):
    return [three_digits(v) for v in np.asarray(xs, np.float64)]
