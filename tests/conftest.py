"""Hypothesis profiles: `dev` (fast), `ci` (what `make test` runs), `thorough`.

Choose one with `pytest --hypothesis-profile=NAME`; plain `pytest` uses `dev`, or `ci`
when the CI environment variable is set.
"""

import os

from hypothesis import HealthCheck, settings

from comparisons import import_everything

# Hypothesis draws from the literals of the imported project modules: load them all now,
# so a test draws the same cases whichever tests ran before it in its xdist worker.
import_everything()

_common = dict(deadline=None, print_blob=True,
               suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                      HealthCheck.filter_too_much])
settings.register_profile("dev", max_examples=10, **_common)
settings.register_profile("ci", max_examples=100, derandomize=True, database=None, **_common)
settings.register_profile("thorough", max_examples=1000, **_common)
settings.load_profile("ci" if os.environ.get("CI") else "dev")
