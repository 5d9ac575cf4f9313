"""Where the report's calls run: local processes, or this process, or any Executor.

``local_pool`` is the default executor of ``refimpl report`` (``--workers``), and
``finished_calls`` yields each call's result as it finishes, through whichever executor
(a dask cluster's ``client.get_executor()`` too). Ctrl-C stops the workers at once.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib


@contextlib.contextmanager
def local_pool(workers: int, jobs: int):
    """The default executor: ``workers`` local processes, or None (this process) where
    more would not help."""
    if workers <= 1 or jobs <= 1:
        yield None
        return
    import multiprocessing as mp

    # spawn, not fork: the parent may already hold framework thread pools.
    pool = cf.ProcessPoolExecutor(workers, mp_context=mp.get_context("spawn"),
                                  initializer=_ignore_sigint)
    try:
        yield pool
    except BaseException:
        # Ctrl-C, or a job raised: the running jobs are not wanted either. Without this
        # the interpreter's exit waits for them (minutes). No public call before 3.14.
        for proc in list((getattr(pool, "_processes", None) or {}).values()):
            proc.terminate()
        raise
    finally:
        # Every result is in (or not wanted): the workers take seconds to unload the
        # frameworks, which they may do while this process renders the report.
        pool.shutdown(wait=False, cancel_futures=True)


def _ignore_sigint():
    """A pool worker leaves Ctrl-C to its parent (the terminal sends it to them all): an
    idle worker would die of it with a traceback on stderr; the parent stops them."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)


def finished_calls(executor, jobs, extras):
    """(key, result) of each call (key, function, args) as it finishes.

    Without an executor the calls run here one after another, the jobs first, so the
    progress line moves from the start. An executor gets every call at once, the extras
    first: the accuracy sweep is the longest single call.
    """
    if executor is None:
        for key, fn, args in jobs + extras:
            yield key, fn(*args)
        return
    futures = {executor.submit(fn, *args): key for key, fn, args in extras + jobs}
    try:
        for fut in cf.as_completed(futures):
            yield futures[fut], fut.result()
    finally:   # a job raised (or Ctrl-C): what has not started is not wanted any more
        for fut in futures:
            fut.cancel()
