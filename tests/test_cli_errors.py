"""Nothing wrong in silence (issue 15): every bad input to `refimpl` is one line on stderr,
no traceback, naming the value at fault and what was expected, with its exit code; a
framework that breaks on import gives `error` rows, and one not asked for is not imported.

The matrix runs `cli.main` in this process (well under a second in all), monkeypatching
what would take minutes (the measuring) or what cannot happen here (Ctrl-C); the cases
that need a fresh interpreter (an extra that is not installed) run in a subprocess.
"""

import importlib
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from comparisons import adapters, cli, executors, harness, registry, runner, trajectory
from comparisons.strategies import Case

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]


def _row(**change):
    """A result row the schema takes."""
    return {"concept": "c", "op": "mul", "framework": "torch", "dtype": "float32",
            "check": "forward", "status": "pass", "max_abs_err": 0.0, "max_rel_err": 0.0,
            "max_ulp": 0.0, "rtol": 1e-6, "atol": 0.0, "examples": 10, "repro": None, **change}


def _doc(results=()):
    """The smallest parity.json the schema takes."""
    env = {"python": "3", "platform": "p", "numpy": "2", "torch": None, "tensorflow": None,
           "jax": None, "profile": "dev", "seed": 0, "created": "2026-01-01T00:00:00+00:00"}
    return {"schema_version": 1, "environment": env, "results": list(results),
            "conventions": [], "accuracy": []}


@pytest.fixture
def files(tmp_path):
    """The paths the matrix's argv name, as {placeholders}."""
    (tmp_path / "a-file").write_text("not a folder")
    # valid but for a NaN or an inf, which the schema lets through (NaN < 0 is False)
    (tmp_path / "nan.json").write_text(json.dumps(_doc([_row(max_ulp=float("nan"))])))
    (tmp_path / "inf.json").write_text(json.dumps(_doc([_row(max_abs_err=float("inf"))])))
    (tmp_path / "old.json").write_text(json.dumps({"schema_version": 1, "results": []}))
    (tmp_path / "empty.json").write_text("")
    (tmp_path / "report.json").write_text(json.dumps(_doc()))
    (tmp_path / "locked").mkdir()
    (tmp_path / "locked").chmod(0o500)
    (tmp_path / "xfails.txt").write_text("sigmoid  # fine\nsoftmax/float99/grad\n")
    (tmp_path / "syntax.py").write_text("def f(:\n")
    (tmp_path / "numpy.py").write_text("def relu(x):\n    return x\n")
    (tmp_path / "bare").mkdir()
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / "__init__.py").write_text("")
    yield {"tmp": str(tmp_path), "out": str(tmp_path / "out")}
    (tmp_path / "locked").chmod(0o700)


def _interrupt(args):
    raise KeyboardInterrupt


def _bug(args):
    raise RuntimeError("a bug in the runner\nsecond line, not shown")


def _main(argv):
    """cli.main's exit code; a KeyboardInterrupt that escapes it fails the test (pytest
    would take it for the user's and stop the whole run)."""
    try:
        return cli.main(argv)
    except SystemExit as e:   # argparse and the parity.json loader exit themselves
        return e.code
    except KeyboardInterrupt:
        pytest.fail("KeyboardInterrupt escaped cli.main")


_AS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
# argv ({tmp}, {out}: folders of the `files` fixture), what stands in for the measuring,
# a prelude for a subprocess (None: in this process), the exit code, and the stderr line.
MATRIX = [
    pytest.param(["report", "--ops", "sigmoid,nope"], None, None, 2,
                 r"refimpl: error: argument --ops: unknown op nope; choose from add, .*, adamw "
                 r"\(see `refimpl --help`\)", id="unknown-op"),
    pytest.param(["report", "--frameworks", "torch,mxnet"], None, None, 2,
                 r"refimpl: error: argument --frameworks: unknown framework mxnet; choose from "
                 r"torch, tensorflow, jax, autograd, dezero \(see `refimpl --help`\)",
                 id="unknown-framework"),
    pytest.param(["report", "--dtypes", "float8"], None, None, 2,
                 r"refimpl: error: argument --dtypes: unknown dtype float8; choose from float16, "
                 r"bfloat16, float32, float64 \(see `refimpl --help`\)", id="unknown-dtype"),
    pytest.param(["report", "--workers", "two"], None, None, 2,
                 r"refimpl: error: argument --workers: 'two' is not a whole number of workers "
                 r">= 1 \(see `refimpl --help`\)", id="workers-not-a-number"),
    pytest.param(["report", "--workers", "0"], None, None, 2,
                 r"refimpl: error: argument --workers: '0' is not a whole number of workers "
                 r">= 1 \(see `refimpl --help`\)", id="workers-zero"),
    pytest.param(["report", "--ops", "adam", "--dtypes", "bfloat16", "--out", "{out}"], _bug, None,
                 2, r"refimpl: error: --ops adam --dtypes bfloat16 selects nothing to measure; "
                 r"expected a dtype the ops have \(adam has float32, float64\)", id="empty-selection"),
    pytest.param(["report", "--ops", "mse", "--out", "{tmp}/a-file"], _bug, None, 2,
                 r"refimpl: error: --out .*/a-file: is a file; expected a folder", id="out-is-a-file"),
    pytest.param(["report", "--ops", "mse", "--out", "{tmp}/a-file/sub"], _bug, None, 2,
                 r"refimpl: error: --out .*/a-file/sub: .*/a-file is a file; expected a folder",
                 id="out-below-a-file"),
    pytest.param(["report", "--ops", "mse", "--out", "{tmp}/locked/sub"], _bug, None, 2,
                 r"refimpl: error: --out .*/locked/sub: .*/locked is not writable; expected a "
                 r"folder this user may write in", id="out-not-writable",
                 marks=pytest.mark.skipif(_AS_ROOT, reason="root may write in any folder")),
    pytest.param(["report", "--from", "{tmp}/nope.json", "--out", "{out}"], None, None, 2,
                 r"refimpl: error: .*/nope.json: not a readable parity report: \[Errno 2\] No "
                 r"such file or directory: '.*/nope.json'", id="from-missing-file"),
    pytest.param(["report", "--from", "{tmp}/nan.json", "--out", "{out}"], None, None, 2,
                 r"refimpl: error: .*/nan.json: not a readable parity report: NaN is not JSON; "
                 r"expected finite numbers \(or null\)", id="from-nan"),
    pytest.param(["diff", "{tmp}/inf.json", "{tmp}/report.json"], None, None, 2,
                 r"refimpl: error: .*/inf.json: not a readable parity report: Infinity is not "
                 r"JSON; expected finite numbers \(or null\)", id="diff-infinity"),
    pytest.param(["report", "--from", "{tmp}/old.json", "--out", "{out}"], None, None, 2,
                 r"refimpl: error: .*/old.json: not a readable parity report: 'environment' is "
                 r"a required property", id="from-invalid-schema"),
    pytest.param(["diff", "{tmp}/empty.json", "{tmp}/report.json"], None, None, 2,
                 r"refimpl: error: .*/empty.json: not a readable parity report: Expecting value: "
                 r"line 1 column 1 \(char 0\)", id="diff-of-a-non-report"),
    pytest.param(["repro", "nope/torch/float32/forward", "--report", "{tmp}/report.json"], None,
                 None, 2, r"refimpl: error: nope/torch/float32/forward: no such row; rows with a "
                 r"repro: none", id="repro-unknown-id"),
    pytest.param(["show", "nope", "--report", "{tmp}/none.json"], None, None, 2,
                 r"refimpl: error: no op, training run or refimpl symbol named 'nope'; did you "
                 r"mean .*\?", id="show-unknown-op"),
    pytest.param(["frobnicate"], None, None, 2,
                 r"refimpl: error: argument command: invalid choice: 'frobnicate' \(choose from "
                 r".*\) \(see `refimpl --help`\)", id="unknown-command"),
    pytest.param(["report", "--ops", "mse", "--out", "{out}"], _interrupt, None, 130,
                 r"refimpl: interrupted", id="ctrl-c"),
    pytest.param(["report", "--ops", "mse", "--out", "{out}"], _bug, None, 2,
                 r"refimpl: error: RuntimeError: a bug in the runner; run with --debug for the "
                 r"traceback", id="unexpected-exception"),
    pytest.param(["check", "{tmp}/nope.py"], None, None, 2,
                 r"refimpl: error: check .*/nope.py: no such file", id="check-missing-file"),
    pytest.param(["check", "{tmp}/bare"], None, None, 2,
                 r"refimpl: error: check .*/bare: a folder needs an __init__.py to be imported",
                 id="check-folder-without-init"),
    pytest.param(["check", "{tmp}/syntax.py"], None, None, 2,
                 r"refimpl: error: check .*/syntax.py: SyntaxError: invalid syntax \(syntax.py, "
                 r"line 1\)", id="check-syntax-error"),
    pytest.param(["check", "{tmp}/numpy.py"], None, None, 2,
                 r"refimpl: error: check .*/numpy.py: ImportError: its name 'numpy' is taken by "
                 r"a module already imported \(numpy\); rename it", id="check-name-taken"),
    pytest.param(["check", "no_such_module_xyz"], None, None, 2,
                 r"refimpl: error: check no_such_module_xyz: ModuleNotFoundError: No module "
                 r"named 'no_such_module_xyz'", id="check-unknown-module"),
    pytest.param(["check", "examples/learner", "--xfails", "{tmp}/xfails.txt"], None, None, 2,
                 r"refimpl: error: argument --xfails: .*/xfails.txt:2: 'softmax/float99/grad' is "
                 r"not an op, op/dtype or op/dtype/check of the registry \(or a training run's "
                 r"name\) \(see `refimpl --help`\)",
                 id="check-bad-xfails"),
    pytest.param(["check", "examples/learner", "--xfails", "{tmp}/none.txt"], None, None, 2,
                 r"refimpl: error: argument --xfails: .*/none.txt: No such file or directory "
                 r"\(see `refimpl --help`\)", id="check-missing-xfails"),
    pytest.param(["new-impl", "{tmp}/taken"], None, None, 2, r"refimpl: error: .*/taken/__init__.py exists; "
                 r"choose a new folder", id="new-impl-over-a-module"),
    pytest.param(["list"], None, "sys.modules['hypothesis'] = None", 2,
                 r"refimpl: error: hypothesis is not installed; it comes with the report extra: "
                 r"pip install 'refimpl\[report\]'", id="no-report-extra"),
    pytest.param(["diff", "{tmp}/report.json", "{tmp}/report.json"], None,
                 "sys.modules['jsonschema'] = None", 2,
                 r"refimpl: error: jsonschema is not installed; it comes with the report extra: "
                 r"pip install 'refimpl\[report\]'", id="no-jsonschema"),
]


@pytest.mark.parametrize("argv,measure,prelude,code,line", MATRIX)
def test_bad_input_is_one_line_naming_it_and_its_exit_code(argv, measure, prelude, code, line,
                                                           files, monkeypatch, capsys):
    argv = [a.format(**files) for a in argv]
    if prelude is None:
        if measure is not None:
            monkeypatch.setattr(cli, "_measure", measure)
        got = _main(argv)
        err = capsys.readouterr().err
    else:   # `import X` raises ModuleNotFoundError once sys.modules['X'] is None
        p = subprocess.run([sys.executable, "-c", f"import sys; {prelude}; from comparisons.cli "
                            "import main; sys.exit(main(sys.argv[1:]))", *argv],
                           capture_output=True, text=True, cwd=ROOT)
        got, err = p.returncode, p.stderr
    assert got == code, err
    assert err.endswith("\n") and err.count("\n") == 1, err   # one line, no traceback
    assert re.fullmatch(line, err.rstrip("\n")), err
    assert not Path(files["out"]).exists()   # nothing measured, nothing written


def test_debug_shows_the_traceback_before_or_after_the_command(tmp_path, monkeypatch):
    monkeypatch.setattr(cli, "_measure", _bug)
    for argv in (["--debug", "report"], ["report", "--debug"]):
        with pytest.raises(RuntimeError, match="a bug in the runner"):
            cli.main([*argv, "--ops", "mse", "--out", str(tmp_path / "out")])


def test_an_interrupted_write_keeps_the_measurements_in_one_line(tmp_path, monkeypatch, capsys):
    from comparisons import report

    monkeypatch.setattr(cli, "_measure", lambda args: _doc())
    monkeypatch.setattr(report, "write", lambda doc, out: _interrupt(None))
    assert _main(["report", "--ops", "mse", "--out", str(tmp_path / "out")]) == 130
    err = capsys.readouterr().err
    m = re.fullmatch(r"refimpl: interrupted while writing the report; the measured data is in "
                     r"(\S+): `refimpl report --from (\S+)` renders it again\n", err)
    assert m and m[1] == m[2], err
    try:
        assert json.loads(Path(m[1]).read_text(encoding="utf-8")) == _doc()
    finally:
        os.unlink(m[1])


def test_a_name_given_twice_is_measured_once(tmp_path, monkeypatch, capsys):
    from comparisons import report

    seen = []
    monkeypatch.setattr(runner, "run", lambda *a, **k: seen.append(a) or _doc())
    monkeypatch.setattr(report, "write", lambda doc, out: [])
    assert cli.main(["report", "--ops", "sigmoid,mse,sigmoid", "--frameworks", "jax,torch,jax",
                     "--dtypes", "float64,float64", "--out", str(tmp_path)]) == 0
    ((profile, frameworks, seed, ops, dtypes),) = seen
    assert (frameworks, ops, dtypes) == (("jax", "torch"), ["sigmoid", "mse"], ["float64"])
    jobs = runner.select(ops, dtypes)
    assert len(jobs) == len(set(jobs)) == 4   # forward and grad of each op: no row twice


def test_every_subcommand_has_its_own_handler():
    """cli.py used to run `report` for any command without its own `if`: a new subcommand
    would have started minutes of measuring. Now each is an entry of cli.COMMANDS."""
    sub = next(a for a in cli._parser()._actions if a.dest == "command")
    assert set(sub.choices) == set(cli.COMMANDS)
    assert len(set(cli.COMMANDS.values())) == len(cli.COMMANDS)


def test_the_extras_named_are_those_of_pyproject():
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    imported_as = {"markdown-it-py": "markdown_it"}     # the one whose module has another name
    report = {re.match(r"[\w-]+", req)[0] for req in extras["report"]}
    assert {imported_as.get(r, r) for r in report} == {
        m for m, extra in cli._EXTRA_OF.items() if extra == "report"}


# ------------------------------------------------------------ frameworks on import

def test_a_framework_that_raises_on_import_gives_error_rows(monkeypatch):
    """ImportError: not installed, `missing`; anything else (a protobuf clash in
    TensorFlow, a jaxlib that does not match jax): `error` rows saying why."""
    real = importlib.import_module

    def import_module(name, *args):
        if name == "comparisons.tensorflow":
            raise TypeError("Descriptors cannot be created directly.\nIf this call came from ...")
        if name == "comparisons.torch":
            raise ModuleNotFoundError("No module named 'torch'", name="torch")
        return real(name, *args)

    monkeypatch.setattr(importlib, "import_module", import_module)
    monkeypatch.setattr(adapters, "_adapters", {})
    monkeypatch.setattr(adapters, "_import_errors", {})
    why = "tensorflow failed to import: TypeError: Descriptors cannot be created directly."
    assert adapters.adapter("tensorflow") is None
    assert adapters.unavailable("tensorflow") == ("error", why)
    assert adapters.unavailable("torch") == ("missing", "torch is not installed")

    case = Case((np.ones(2, np.float32), np.ones(2, np.float32)), {}, 0)
    outs = harness.run_case(registry.OPS["mul"], case, "float32", "forward", ["tensorflow", "torch"])
    assert [(o.status, o.detail) for o in outs] == [("error", why), ("missing", "torch is not installed")]
    run = trajectory.RUNS_BY_NAME["sgd"]
    (o,) = trajectory.run_case(run, trajectory.TrainCase("xor", 0), "float64", ("tensorflow",))
    assert (o.status, o.detail) == ("error", why)
    versions, conventions = runner.facts(("tensorflow", "torch"))
    assert versions["tensorflow"] is None
    assert {(r["tensorflow"], r["torch"]) for r in conventions} == {("error", "missing")}


@pytest.mark.skipif(adapters.adapter("jax") is None, reason="jax not installed")
def test_a_run_imports_only_the_frameworks_asked_for():
    """A fresh process: a run of jax's rows imports neither torch nor tensorflow (nor their
    twins), and still records their installed versions."""
    script = """
import json, sys
from comparisons import runner
doc = runner.run("dev", ("jax",), ops=["mse"], dtypes=["float64"], accuracy=False)
loaded = sorted(m for m in sys.modules if m.split(".")[0] in ("torch", "tensorflow")
                or m.split(".")[:2] in (["comparisons", "torch"], ["comparisons", "tensorflow"]))
print(json.dumps({"loaded": loaded, "env": doc["environment"],
                  "frameworks": sorted({r["framework"] for r in doc["results"]})}))
"""
    p = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT)
    assert p.returncode == 0, p.stderr[-2000:]
    got = json.loads(p.stdout.strip().splitlines()[-1])
    assert got["loaded"] == [] and got["frameworks"] == ["jax"]
    here = adapters.versions()   # imports them all: this process has them anyway
    assert {fw: got["env"][fw] for fw in here} == here


def test_an_interrupted_pool_stops_its_workers():
    """Ctrl-C in `refimpl report --workers N`: the workers stop at once, not when their job
    ends (the interpreter's exit would wait for them)."""
    t0 = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        with executors.local_pool(2, 2) as pool:
            pool.submit(os.getpid).result(timeout=30)   # the workers are up
            pool.submit(time.sleep, 60)
            time.sleep(0.5)                              # and one is in its job
            procs = list(pool._processes.values())
            raise KeyboardInterrupt
    # join() returns once a worker's pipe closes, which can be a moment before the kernel
    # lets it be reaped (is_alive() still True): wait for that, up to 10 s
    deadline = time.monotonic() + 10
    while any(proc.is_alive() for proc in procs) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(proc.is_alive() for proc in procs)
    assert time.monotonic() - t0 < 30
