"""What a learning page is made of, and how its examples run.

A page is data (``Page``): prose in both languages (``Text``: English and Korean), and
code that runs when the page is rendered (``Run``): the body of a function in a page
module, shown exactly as it is written and executed exactly as shown, alone, in a fresh
namespace, its printed output captured. Nothing a page prints is typed by hand, so a
page cannot drift from the code: ``tests/test_learn_pages.py`` runs every example again
and compares.

>>> def example():
...     x = 2 + 3
...     print("x =", x)
>>> Run(example).code
'x = 2 + 3\\nprint("x =", x)'
>>> Run(example).execute().output
'x = 5\\n'
"""

from __future__ import annotations

import ast
import contextlib
import inspect
import io
import textwrap
import warnings
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

LANGUAGES = ("en", "ko")


@dataclass(frozen=True)
class Text:
    """The same sentences for an English and a Korean reader (Markdown: `code` spans,
    **bold**, [links](url); paragraphs split by a blank line)."""
    en: str
    ko: str

    def __getitem__(self, lang: str) -> str:
        return getattr(self, lang)


@dataclass(frozen=True)
class Output:
    output: str                           # what the code printed
    variables: dict = field(default_factory=dict)   # its namespace afterwards


@dataclass(frozen=True)
class Run:
    """The body of ``fn``: shown as written, run as shown (``execute``).

    ``caption`` says what it shows; ``draw`` names the variables whose recorded graph is
    drawn after it runs (comparisons/learn/graphs.py); ``post`` is the source post the
    example comes from (e.g. "003"), when it does.
    """
    fn: Callable
    caption: Text | None = None
    draw: tuple = ()
    post: str | None = None

    @property
    def name(self) -> str:
        return self.fn.__name__

    @property
    def code(self) -> str:
        src = textwrap.dedent(inspect.getsource(self.fn))
        body = ast.parse(src).body[0].body
        if isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
            body = body[1:]                 # the docstring is for the module's readers
        lines = src.splitlines()[body[0].lineno - 1:body[-1].end_lineno]
        return textwrap.dedent("\n".join(lines))

    def execute(self) -> Output:
        """Run the code as shown; numpy's default print options, warnings shown as text."""
        out = io.StringIO()
        space = {"__name__": f"example_{self.name}"}
        with contextlib.redirect_stdout(out), np.printoptions(), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            exec(compile(self.code, f"<{self.name}>", "exec"), space)   # noqa: S102
        return Output(out.getvalue(), space)


@dataclass(frozen=True)
class Code:
    """One idea's code: the textbook form a student writes (refimpl/textbook.py) first,
    then the reference's careful version, folded under why it is more careful.

    ``textbook`` and ``reference`` are "module:qualname" in refimpl; ``op`` is the
    registry op whose measured parity and framework twins go with it; ``measured``
    runs code that shows the difference the ``why`` sentences claim.
    """
    title: Text
    textbook: tuple
    reference: str
    why: Text
    op: str | None = None
    measured: Run | None = None


@dataclass(frozen=True)
class Figure:
    """A plot drawn from ``comparisons/learn/demos.py``'s results (``figures.py``)."""
    name: str
    draw: Callable            # lang -> SVG text
    caption: Text


@dataclass(frozen=True)
class Exercise:
    question: Text
    answer: str               # a doctest: the learner's code and what it prints


@dataclass(frozen=True)
class Page:
    slug: str
    name: str                 # English, as registry ops and training runs name it in ``concept``
    korean: str
    posts: tuple              # the source posts it follows ("003", ...), or () beyond them
    terms: tuple              # (English, 한국어) pairs: the glossary box
    example: Run              # the worked example the page opens with
    idea: Text
    code: tuple = ()          # Code entries, textbook first
    frameworks: tuple = ()    # Runs: the worked example in torch, tensorflow, jax (in FRAMEWORKS order)
    results: tuple = ()       # Runs and Figures: results shown, not claimed
    exercises: tuple = ()
    symbols: tuple = ()       # further refimpl "module:qualname" shown in the code table

    def title(self, lang: str = "en") -> str:
        en = f"{self.name[0].upper()}{self.name[1:]}"
        return f"{en} ({self.korean})" if lang == "en" else f"{self.korean} ({en})"
