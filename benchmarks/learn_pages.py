"""How long the learning pages take to render, and where the time goes.

    .venv/bin/python benchmarks/learn_pages.py [reports/parity.json]

Renders every page as `refimpl report` does (comparisons/report/learn.py's ``render``)
in one process, after loading the frameworks, and prints the seconds spent running the
examples and drawing their graphs and figures (page by page, ``_run``), and the whole
render (that again, plus writing Markdown and HTML), and the size of what it makes. The pages run real code (training the XOR MLP, the frameworks'
examples), so this is the cost each `make report` and the tests' render pay.
"""

import json
import sys
import time
from pathlib import Path

from comparisons import FRAMEWORKS, adapters
from comparisons.learn.pages import pages
from comparisons.report import learn


def main(path: str = "reports/parity.json") -> None:
    t = time.perf_counter()
    for fw in FRAMEWORKS:
        adapters.adapter(fw)
    print(f"loading the frameworks: {time.perf_counter() - t:.1f} s")
    doc = json.loads(Path(path).read_text()) if Path(path).exists() else None
    made = 0.0
    for p in pages():
        t = time.perf_counter()
        learn._run(p)
        dt = time.perf_counter() - t
        made += dt
        print(f"  {p.slug:<22} examples, graphs and figures {dt:5.2f} s")
    t = time.perf_counter()
    files = learn.render(doc)
    total = time.perf_counter() - t
    size = sum(len(v.encode()) for v in files.values())
    print(f"examples, graphs and figures {made:.1f} s (both languages); "
          f"render() whole, again: {total:.1f} s for {len(files)} files, {size / 1e6:.2f} MB")


if __name__ == "__main__":
    main(*sys.argv[1:])
