"""How long `import refimpl` takes in a fresh interpreter, and what it loads.

    .venv/bin/python benchmarks/import_time.py [runs]

Prints the median and the slowest of N runs (default 20); the target is well under 0.5 s.
"""

import json
import statistics
import subprocess
import sys

CODE = """
import json, sys, time
t0 = time.perf_counter()
import refimpl
dt = time.perf_counter() - t0
print(json.dumps({"seconds": dt, "modules": len(sys.modules)}))
"""


def main(runs: int = 20) -> None:
    times = []
    for _ in range(runs):
        out = subprocess.run([sys.executable, "-c", CODE], capture_output=True, text=True,
                             check=True)
        times.append(json.loads(out.stdout)["seconds"])
    mods = json.loads(out.stdout)["modules"]
    print(f"import refimpl: median {statistics.median(times) * 1e3:.1f} ms, "
          f"slowest {max(times) * 1e3:.1f} ms over {runs} runs; {mods} modules loaded")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20)
