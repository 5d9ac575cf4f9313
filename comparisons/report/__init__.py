"""parity.json and what is rendered from it: validate it, write it with parity.md, parity.html
and the learning pages. The measuring is comparisons/runner.py's; this package only renders.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

SCHEMA_FILE = Path(__file__).with_name("parity.schema.json")


def validate(doc: dict) -> None:
    """Raise jsonschema.ValidationError unless ``doc`` follows parity.schema.json."""
    import jsonschema

    jsonschema.validate(doc, json.loads(SCHEMA_FILE.read_text()))


def columns(names) -> list[str]:
    """The frameworks among ``names`` (a result's ``framework``s), each once: the built-in
    ones in FRAMEWORKS' order, then the plugged-in implementations as they come.

    >>> columns(["dezero", "jax", "torch", "jax", "refimpl"])
    ['torch', 'jax', 'dezero']
    """
    from comparisons import FRAMEWORKS

    present = dict.fromkeys(n for n in names if n != "refimpl")
    return [f for f in FRAMEWORKS if f in present] + [f for f in present if f not in FRAMEWORKS]


def convention_columns(rows: list[dict]) -> list[str]:
    """The implementations of the conventions table: the built-in frameworks, then each
    plug-in that measures its own (its adapter's probe())."""
    return columns(k for k in (rows[0] if rows else {}) if k not in ("topic", "key", "note", "numpy"))


def environment_rows(env: dict) -> list[tuple[str, str]]:
    """parity.json's environment as (what, value) rows, the plug-ins' versions and notes last."""
    keys = ("created", "profile", "seed", "python", "platform", "numpy", "torch", "tensorflow", "jax")
    rows = [(k, env.get(k) if env.get(k) is not None else "not installed") for k in keys]
    for name, p in (env.get("plugins") or {}).items():
        rows.append((f"{name} (plug-in)", (p["version"] or "not installed")
                     + (f"; {p['note']}" if p.get("note") else "")))
    return rows


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


def write(doc: dict, out: Path, learning_pages: bool = True) -> list[Path]:
    """Write parity.json, parity.md, parity.html and the learning pages (learn/,
    learn.html, learn.ko.html; not with ``learning_pages=False``) into ``out``. Everything is rendered before anything is
    written, and each file is written atomically, so an interrupted run leaves the
    previous report whole."""
    from comparisons.report import html, learn, markdown

    validate(doc)
    pages = learn.render(doc) if learning_pages else {}
    # allow_nan=False: NaN or inf would make a file that strict JSON readers reject.
    files = {"parity.json": json.dumps(doc, indent=1, sort_keys=False, allow_nan=False) + "\n",
             "parity.md": markdown.render(doc),
             "parity.html": html.render(doc)}
    out.mkdir(parents=True, exist_ok=True)
    written = [atomic_write(out / name, text) for name, text in files.items()]
    return written + (learn.write_rendered(pages, out) if learning_pages else [])
