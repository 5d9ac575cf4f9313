"""The learning pages' content: one module per page (worked example, idea, code,
results, exercises), the textbook demos and figures they show, and the drawn graphs.
comparisons/report/learn.py renders them."""
