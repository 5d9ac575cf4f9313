"""Everything that knows a deep-learning framework exists.

``comparisons.<framework>`` holds that framework's twins of ``refimpl``: the same module
names and function names, each written in the framework's own idiom. Frameworks are
imported lazily, so a missing one is reported as ``missing`` and never crashes a run.
"""

import ml_dtypes
import numpy as np

FRAMEWORKS = ("torch", "tensorflow", "jax")

DTYPES = {
    "float16": np.dtype(np.float16),
    "bfloat16": np.dtype(ml_dtypes.bfloat16),
    "float32": np.dtype(np.float32),
    "float64": np.dtype(np.float64),
}
