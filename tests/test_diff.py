"""`refimpl diff`: status changes, accuracy changes and the exit code, on fixture reports."""

import copy
import json
import subprocess
import sys
from pathlib import Path

import pytest

from comparisons import report
from comparisons.report import diff
from comparisons.truth import TARGET_ULP

ROOT = Path(__file__).resolve().parents[1]


def _row(op, fw, status, check="forward", dtype="float32", **extra):
    return {"concept": "c", "op": op, "framework": fw, "dtype": dtype, "check": check,
            "status": status, "max_abs_err": 0.0, "max_rel_err": 0.0, "max_ulp": 0.0,
            "rtol": 1e-6, "atol": 0.0, "examples": 10,
            "repro": "print('repro')" if status == "fail" else None, "detail": "", **extra}


def _acc(op, impl, ulp, dtype="float32"):
    return {"op": op, "dtype": dtype, "implementation": impl, "max_ulp": ulp, "worst_input": 1.0,
            "check": "forward", "sweep": op, "points": 100}


@pytest.fixture
def old():
    doc = {"schema_version": 1,
           "environment": {"python": "3.11", "platform": "linux", "numpy": "2.4.6", "torch": "2.13.0",
                           "tensorflow": "2.21.0", "jax": "0.10.2", "profile": "ci", "seed": 0,
                           "created": "2026-11-22T00:00:00+00:00"},
           "results": [_row("mul", "torch", "pass"), _row("mul", "jax", "pass"),
                       _row("log", "tensorflow", "fail", "grad"), _row("adam", "jax", "pass", "trajectory")],
           "conventions": [],
           "accuracy": [_acc("sigmoid", "refimpl", 0.5), _acc("sigmoid", "torch", 3.0),
                        _acc("tanh", "jax", 4.0)]}
    report.validate(doc)
    return doc


def test_identical_reports_have_no_changes(old):
    d = diff.diff(old, copy.deepcopy(old))
    assert not d.regressed and diff.render(d) == "no changes\n"


def test_a_new_fail_is_a_regression_and_a_fix_is_not(old):
    new = copy.deepcopy(old)
    new["results"][1] = _row("mul", "jax", "fail", detail="output 0: 3 ulp off")
    new["results"][2] = _row("log", "tensorflow", "pass", "grad")
    new["environment"]["jax"] = "0.11.0"
    d = diff.diff(old, new)
    assert d.regressed
    assert [(k, was, r["status"]) for k, was, r in d.regressions] == [
        (("mul", "jax", "float32", "forward"), "pass", "fail")]
    assert [k for k, _, _ in d.fixed] == [("log", "tensorflow", "float32", "grad")]
    text = diff.render(d)
    assert "REGRESSIONS (1):" in text and "mul jax float32 forward: pass -> fail" in text
    assert "jax: 0.10.2 -> 0.11.0" in text and text.endswith("regressed\n")


def test_pass_to_convention_is_listed_but_not_a_regression(old):
    new = copy.deepcopy(old)
    new["results"][3] = _row("adam", "jax", "convention", "trajectory")
    d = diff.diff(old, new)
    assert not d.regressed and len(d.changed) == 1
    assert "adam jax float32 trajectory: pass -> convention" in diff.render(d)


def test_new_and_removed_rows(old):
    new = copy.deepcopy(old)
    del new["results"][0]
    new["results"].append(_row("gelu", "torch", "error", detail="RuntimeError: boom"))
    d = diff.diff(old, new)
    assert d.regressed and [r["op"] for r in d.removed] == ["mul"]
    assert "gelu torch float32 forward: new row, error" in diff.render(d)


def test_accuracy_changes_and_refimpl_leaving_its_target(old):
    new = copy.deepcopy(old)
    new["accuracy"][0]["max_ulp"] = TARGET_ULP * 2     # refimpl now misses its target
    new["accuracy"][1]["max_ulp"] = 1.0                # torch: 3 -> 1 ULP
    new["accuracy"][2]["max_ulp"] = None               # jax: NaN where the truth is finite
    d = diff.diff(old, new)
    assert d.regressed and [k[3] for k, _, _ in d.accuracy_regressions] == ["refimpl"]
    assert [k[3] for k, _, _ in d.more_accurate] == ["torch"]
    assert [(k[3], b) for k, _, b in d.less_accurate] == [("jax", float("inf"))]
    # a framework getting less accurate is shown, not a regression
    new["accuracy"][0]["max_ulp"] = 0.5
    assert not diff.diff(old, new).regressed


def _cli(*args):
    return subprocess.run([sys.executable, "-m", "comparisons.cli", *args], cwd=ROOT,
                          capture_output=True, text=True)


def test_cli_exit_codes(old, tmp_path):
    a, b, bad = tmp_path / "old.json", tmp_path / "new.json", tmp_path / "bad.json"
    a.write_text(json.dumps(old))
    new = copy.deepcopy(old)
    new["results"][0] = _row("mul", "torch", "fail")
    b.write_text(json.dumps(new))
    bad.write_text(json.dumps({"schema_version": 1}))
    same = _cli("diff", str(a), str(a))
    assert same.returncode == 0 and same.stdout == "no changes\n"
    worse = _cli("diff", str(a), str(b))
    assert worse.returncode == 1 and "mul torch float32 forward: pass -> fail" in worse.stdout
    assert _cli("diff", str(b), str(a)).returncode == 0          # the way back is a fix
    for path in (bad, tmp_path / "absent.json"):
        p = _cli("diff", str(a), str(path))
        assert p.returncode == 2 and len(p.stderr.strip().splitlines()) == 1
        assert p.stderr.startswith("refimpl: error:") and str(path) in p.stderr


def test_the_committed_report_against_itself():
    path = ROOT / "reports" / "parity.json"
    if not path.exists():
        pytest.skip("no committed report yet")
    p = _cli("diff", str(path), str(path))
    assert p.returncode == 0 and p.stdout == "no changes\n"
