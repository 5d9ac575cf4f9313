"""One module per learning page, in the source posts' teaching order (``ORDER``).

Each module holds a ``PAGE`` (comparisons/learn/page.py): the worked example it opens
with, the idea in English and Korean, the code (textbook first), the frameworks' way,
results and exercises. Example code is written as the body of a function, so it is real
Python that the linters and the tests read; the page shows that body and what it prints.
"""

from __future__ import annotations

import functools
import importlib

ORDER = ("tensors", "vectors_and_matrices", "derivatives", "chain_rule", "backpropagation",
         "activations", "losses", "gradient_descent", "perceptron_xor", "mlp", "training_loop",
         "optimizers")


@functools.cache
def pages() -> tuple:
    """Every page, in teaching order."""
    return tuple(importlib.import_module(f"{__name__}.{m}").PAGE for m in ORDER)
