"""The runner: jobs through any concurrent.futures.Executor (this process, a thread pool, a
dask cluster) give the same document, and `refimpl report --scheduler` fails clearly."""

import concurrent.futures as cf
import os
import subprocess
import sys
from pathlib import Path

import pytest

from comparisons import cli, runner

ROOT = Path(__file__).resolve().parents[1]
# Two calls (mul and sigmoid, each judging forward and grad on one draw), small enough for a
# cluster to start and run.
SMALL = dict(profile="dev", frameworks=("torch",), seed=5, ops=["mul", "sigmoid"],
             dtypes=["float32"], accuracy=False)


def _strip(doc):
    return {**doc, "environment": {**doc["environment"], "created": None}}


@pytest.fixture(scope="module")
def local():
    return runner.run(**SMALL)   # workers=1: in this process


class _Counting(cf.ThreadPoolExecutor):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.submitted = 0

    def submit(self, fn, /, *args, **kwargs):
        self.submitted += 1
        return super().submit(fn, *args, **kwargs)


def test_a_thread_pool_of_the_callers_gives_the_local_document(local):
    with _Counting(2) as pool:
        doc = runner.run(**SMALL, executor=pool)
        assert pool.submitted == 2 + 1             # every job, and the conventions, went through it
        assert pool.submit(int, "7").result() == 7   # and it is left open for the caller
    assert _strip(doc) == _strip(local)


def test_a_dask_cluster_gives_the_local_document(local):
    """Distributing must not change a verdict: two worker processes, each importing
    everything before drawing, give the document this process gives."""
    from dask.distributed import Client, LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster, Client(cluster) as client:
        doc = runner.run(**SMALL, executor=client.get_executor())
        ran_there = client.run(lambda: "comparisons.runner" in __import__("sys").modules)
    assert len(ran_there) == 2 and any(ran_there.values())
    assert _strip(doc) == _strip(local)


def test_two_local_worker_processes_give_the_local_document():
    """`make report` runs its jobs in two processes, each taking whichever job is next:
    four calls on two workers give the document one process gives."""
    four = {**SMALL, "dtypes": ["float32", "float64"]}
    assert _strip(runner.run(**four, workers=2)) == _strip(runner.run(**four))


def test_scheduler_without_dask_names_the_extra(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "dask.distributed", None)   # import fails as if not installed
    with pytest.raises(SystemExit) as raised:
        cli.main(["report", "--scheduler", "tcp://127.0.0.1:8786", "--ops", "mul"])
    assert raised.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "pip install 'refimpl[cluster]'" in err


def test_scheduler_that_does_not_answer_is_one_line_and_exit_2():
    env = {**os.environ, "DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT": "1s"}
    p = subprocess.run([sys.executable, "-m", "comparisons.cli", "report", "--scheduler",
                        "tcp://127.0.0.1:1", "--ops", "mul"], capture_output=True, text=True,
                       cwd=ROOT, env=env)
    assert p.returncode == 2
    assert p.stderr.count("\n") == 1 and p.stderr.startswith(
        "refimpl: error: --scheduler tcp://127.0.0.1:1: no dask scheduler reachable there")


def test_workers_and_scheduler_do_not_go_together(capsys):
    with pytest.raises(SystemExit) as raised:
        cli.main(["report", "--workers", "2", "--scheduler", "tcp://127.0.0.1:8786"])
    assert raised.value.code == 2 and "not allowed with" in capsys.readouterr().err
