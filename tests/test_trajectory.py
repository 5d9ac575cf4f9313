"""Trajectory parity: every optimizer's training run, step by step, against every framework.

One test per (optimizer, dtype), driven by comparisons/trajectory.py's RUNS; hypothesis
draws the cases (task, seed). Each case is >= 100 steps in four implementations, so a
property gets a sixteenth of the profile's examples (dev 2, ci 6, thorough 62).
"""

import numpy as np
import pytest
from hypothesis import given, settings

from _required import left_out
from comparisons import adapters, compare, trajectory

ALLOWED = {"pass", "convention"}
INSTALLED = [fw for fw in ("torch", "tensorflow", "jax") if adapters.adapter(fw) is not None]
CASES = [pytest.param(run, dtype, id=f"{run.name}-{dtype}")
         for run in trajectory.RUNS for dtype in run.dtypes]


@pytest.mark.parametrize("run,dtype", CASES)
def test_trajectory(run, dtype):
    @settings(max_examples=max(2, settings().max_examples // 16))
    @given(case=trajectory.cases())
    def check(case):
        for o in trajectory.run_case(run, case, dtype):
            if left_out(o):
                continue
            assert o.status in ALLOWED, f"{o.framework}: {o.status}: {o.detail}\n{o.repro or ''}"
            assert len(o.trace["params"]) >= trajectory.STEPS   # the 100 steps

    check()


def test_a_case_is_the_same_run_in_every_dtype_and_every_time():
    a = trajectory.TrainCase("linear_regression", 3).build("float64")
    b = trajectory.TrainCase("linear_regression", 3).build("float64")
    c = trajectory.TrainCase("linear_regression", 3).build("float32")
    for u, v, w in zip(a[0], b[0], c[0]):
        assert np.array_equal(u, v) and np.array_equal(u.astype(np.float32), w)
    assert all(np.array_equal(o, p) for o, p in zip(a[3], c[3]))   # same batch order
    assert a[4] == 16 and len(a[1]) % a[4] != 0                     # a partial last batch


def test_divergence_is_relative_to_the_largest_parameter_and_sees_nan():
    ref = (np.array([1.0, 2.0]), [[np.array([2.0, -4.0])], [np.array([1.0, 0.0])]])
    got = (np.array([1.0, np.nan]), [[np.array([2.0, -3.0])], [np.array([1.0, 0.0])]])
    params, loss, gap = trajectory.divergence(ref, got)
    assert params.tolist() == [0.25, 0.0] and gap.tolist() == [1.0, 0.0]
    assert loss[0] == 0.0 and loss[1] == np.inf


@pytest.mark.skipif(not INSTALLED, reason="no framework installed")
def test_a_failed_run_names_its_first_bad_step_and_its_repro_runs():
    tight = compare.load_tolerances()
    tight["trajectory"]["float32"]["rtol"] = 1e-12   # float32 cannot meet this
    run, case = trajectory.RUNS_BY_NAME["sgd"], trajectory.TrainCase("xor", 0)
    (o,) = trajectory.run_case(run, case, "float32", INSTALLED[:1], tolerances=tight)
    assert o.status == "fail" and o.detail.startswith("step ")
    assert "T.TrainCase('xor', 0)" in o.repro
    compile(o.repro, "<repro>", "exec")


@pytest.mark.skipif(not INSTALLED, reason="no framework installed")
def test_report_has_trajectory_rows_and_the_training_section(tmp_path):
    import json

    import jsonschema

    from comparisons import report, runner

    doc = runner.run("dev", tuple(INSTALLED[:1]), seed=1, ops=["momentum"], dtypes=["float64"])
    jsonschema.validate(doc, json.loads(report.SCHEMA_FILE.read_text()))
    (row,) = doc["results"]
    assert (row["op"], row["check"], row["concept"]) == ("momentum", "trajectory", "optimizers")
    assert row["status"] == "pass" and row["examples"] == trajectory.EXAMPLES["dev"]
    assert 0 < row["max_rel_err"] <= row["rtol"] == 1e-10
    curves = {(c["task"], c["implementation"]): c for c in doc["training"]}
    assert set(curves) == {(task, impl) for task in ("xor", "linear_regression")
                           for impl in ("refimpl", INSTALLED[0])}
    for task in ("xor", "linear_regression"):
        ref, fw = curves[(task, "refimpl")], curves[(task, INSTALLED[0])]
        assert len(ref["loss"]) == len(fw["param_divergence"]) == trajectory.STEPS
    lr = curves[("linear_regression", "refimpl")]["loss"]
    assert np.mean(lr[-4:]) < np.mean(lr[:4]) / 2        # the run trains: last epoch vs first
    report.write(doc, tmp_path)
    md = (tmp_path / "parity.md").read_text()
    assert "## Training runs" in md and "### Loss per iteration: xor (float64)" in md
