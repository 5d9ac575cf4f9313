"""The accuracy sweep's truth kept on disk (comparisons/exact.py, issue 11): a cached truth
is the computed one bit for bit, anything it depends on changes its file, and a damaged or
unwritable cache only costs time."""

import inspect
import os
from types import SimpleNamespace

import numpy as np
import pytest

from comparisons import exact
from comparisons.sweeps import SWEEPS

FIELDS = ("hi", "lo", "ulp", "over", "sub")
# Between them: several components (softmax), overflowing and subnormal truths (mse and
# sigmoid in float32), points left out at a kink (mae), a second swept argument (var).
SAMPLE = [("sigmoid", "forward", "float32"), ("sigmoid", "grad", "float64"),
          ("softmax", "grad", "float64"), ("mse", "forward", "float32"),
          ("mae", "grad", "float32"), ("gaussian_nll(var)", "grad", "float64"),
          ("gelu(approximate=True)", "forward", "float64")]


@pytest.fixture
def cache(tmp_path, monkeypatch):
    """An empty cache folder and nothing in this process's memory; counts the truths
    computed (``calls``) and keeps the uncached computation (``fresh``)."""
    monkeypatch.setenv("REFIMPL_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(exact, "_cache", {})
    fresh, calls = exact.compute, []

    def counting(sweep, check, dtype, arrays):
        calls.append((sweep.name, check, dtype))
        return fresh(sweep, check, dtype, arrays)

    monkeypatch.setattr(exact, "compute", counting)

    def fresh_at(name, check, dtype):
        sweep = SWEEPS[name]
        return fresh(sweep, check, dtype, exact.inputs(sweep, dtype, "small"))

    return SimpleNamespace(folder=tmp_path / "truth", calls=calls, fresh=fresh_at)


def _new_process(name, check, dtype):
    """truth() as a new run sees it: only the disk remembers."""
    exact._cache.clear()
    return exact.truth(SWEEPS[name], check, dtype, "small")


def _assert_bit_for_bit(got, want):
    (keep, t), (keep0, t0) = got, want
    pairs = [(keep, keep0)] + [(getattr(t, f), getattr(t0, f)) for f in FIELDS]
    for a, b in pairs:
        assert (a.dtype, a.shape, a.tobytes()) == (b.dtype, b.shape, b.tobytes())


def test_a_cached_truth_is_the_computed_one_bit_for_bit(cache):
    seen = set()
    for key in SAMPLE:
        _new_process(*key)                                    # computes and writes
        n = len(cache.calls)
        got = _new_process(*key)                              # reads
        assert len(cache.calls) == n, f"{key} was computed again, not read"
        _assert_bit_for_bit(got, cache.fresh(*key))
        keep, t = got
        seen |= {k for k, v in [("overflow", (t.over != 0).any()), ("subnormal", t.sub.any()),
                                ("kink", not keep.all()), ("components", t.hi.shape[1] > 1)] if v}
    assert seen == {"overflow", "subnormal", "kink", "components"}
    assert len(list(cache.folder.glob("*.npz"))) == len(SAMPLE)
    assert cache.calls == SAMPLE


def _other_grid(monkeypatch):
    grid = exact.inputs

    def moved(sweep, dtype, size):                            # same shape, one point moved
        x = grid(sweep, dtype, size)[0].copy()
        x[5] = np.nextafter(x[5], x.dtype.type(np.inf))
        return (x,)

    monkeypatch.setattr(exact, "inputs", moved)


def _other_source(monkeypatch):
    src = exact._source()
    monkeypatch.setattr(exact, "_source", lambda: src + "\n# a formula edited\n")


CHANGES = {
    "grid": _other_grid,
    "source": _other_source,
    "precision": lambda mp: mp.setattr(exact, "PREC", exact.PREC + 1),
    "mpmath": lambda mp: mp.setattr(exact.mpmath, "__version__", "0.0.1"),
    "nothing": lambda mp: None,
}


@pytest.mark.parametrize("change", CHANGES)
def test_a_change_to_what_the_truth_depends_on_misses_the_cache(cache, monkeypatch, change):
    key = ("tanh", "forward", "float64")
    _new_process(*key)
    CHANGES[change](monkeypatch)
    got = _new_process(*key)
    assert len(cache.calls) == (1 if change == "nothing" else 2)
    _assert_bit_for_bit(got, cache.fresh(*key))


def test_another_sweep_check_or_dtype_on_the_same_grid_has_its_own_file(cache):
    keys = [("sigmoid", "forward", "float64"), ("tanh", "forward", "float64"),
            ("tanh", "grad", "float64"), ("tanh", "grad", "float32")]
    for key in keys:
        _new_process(*key)
    for key in keys:
        _assert_bit_for_bit(_new_process(*key), cache.fresh(*key))
    assert cache.calls == keys


def _rewrite(path, **change):
    with np.load(path) as z:
        arrays = {**z, **change}
    np.savez(path, **{k: v for k, v in arrays.items() if v is not None})


DAMAGE = {
    "garbage": lambda p: p.write_bytes(b"not an npz file" * 10),
    "empty": lambda p: p.write_bytes(b""),
    "cut in half": lambda p: p.write_bytes(p.read_bytes()[: p.stat().st_size // 2]),
    "a field missing": lambda p: _rewrite(p, lo=None),
    "a short field": lambda p: _rewrite(p, hi=np.zeros((3, 1))),
    "a wrong dtype": lambda p: _rewrite(p, sub=np.zeros((3, 1))),
    "a pickled object": lambda p: _rewrite(p, ulp=np.array([{"x": 1}], dtype=object)),
    "a directory": lambda p: (p.unlink(), p.mkdir()),
}


@pytest.mark.parametrize("damage", DAMAGE)
def test_a_damaged_file_is_computed_again(cache, damage):
    key = ("sigmoid", "forward", "float32")
    _new_process(*key)
    (path,) = cache.folder.glob("*.npz")
    DAMAGE[damage](path)
    got = _new_process(*key)
    assert len(cache.calls) == 2
    _assert_bit_for_bit(got, cache.fresh(*key))
    if damage != "a directory":                   # then os.replace cannot put a file there
        _new_process(*key)                        # the file was written whole again
        assert len(cache.calls) == 2


def test_the_file_appears_only_whole(cache, monkeypatch):
    """Written beside it, then renamed: a reader (or a second writer) never sees half."""
    replace, seen = os.replace, []

    def checked(src, dst):
        assert os.path.dirname(src) == os.path.dirname(dst) and not os.path.exists(dst)
        keep = exact._load(src, len(exact.inputs(SWEEPS["tanh"], "float64", "small")[0]))
        seen.append(keep is not None)
        replace(src, dst)

    monkeypatch.setattr(exact.os, "replace", checked)
    _new_process("tanh", "forward", "float64")
    assert seen == [True]
    assert [p.suffix for p in cache.folder.iterdir()] == [".npz"]


def test_the_file_is_as_readable_as_any_other_in_the_folder(cache):
    _new_process("tanh", "forward", "float64")
    (path,) = cache.folder.glob("*.npz")
    plain = cache.folder / "plain"
    plain.write_bytes(b"")                                   # the umask's permissions
    assert path.stat().st_mode == plain.stat().st_mode


def test_a_failed_write_leaves_nothing_behind(cache, monkeypatch):
    def disk_full(f, **arrays):
        f.write(b"PK\x03\x04 half a zip")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(exact.np, "savez", disk_full)
    got = _new_process("tanh", "forward", "float64")
    assert list(cache.folder.iterdir()) == []
    _assert_bit_for_bit(got, cache.fresh("tanh", "forward", "float64"))


def test_no_cache_folder_only_costs_time(cache, tmp_path, monkeypatch):
    not_a_folder = tmp_path / "a_file"
    not_a_folder.write_text("")
    monkeypatch.setenv("REFIMPL_CACHE_DIR", str(not_a_folder))
    got = _new_process("tanh", "forward", "float64")
    _assert_bit_for_bit(got, cache.fresh("tanh", "forward", "float64"))
    _new_process("tanh", "forward", "float64")
    assert len(cache.calls) == 2


def test_the_key_holds_the_code_of_every_module_that_decides_the_truth():
    """The formulas and settings (sweeps), the points, encoding and file format (exact) and
    the unit (ulp); the grids enter the key as the input arrays themselves."""
    from comparisons import sweeps, ulp

    src = exact._source()
    for module in (exact, sweeps, ulp):
        assert inspect.getsource(module) in src, module.__name__
