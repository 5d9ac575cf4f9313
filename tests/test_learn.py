"""The learning pages (comparisons/learn/, comparisons/report/learn.py): every page opens
with its post's worked example as the code prints it now, in English and Korean, under
400 lines, textbook code before the reference's, exercises that pass, and the committed
pages exactly what the code renders; `refimpl show`'s terminal view."""

import ast
import doctest
import functools
import inspect
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from comparisons import FRAMEWORKS, registry, trajectory
from comparisons.learn import show, source
from comparisons.learn.page import Run
from comparisons.learn.pages import ORDER, pages
from comparisons.report import learn

ROOT = Path(__file__).resolve().parents[1]
HANGUL = re.compile("[\uac00-\ud7a3]")
COMMITTED = ROOT / "reports"


@functools.lru_cache(maxsize=None)
def _doc():
    path = COMMITTED / "parity.json"
    return json.loads(path.read_text()) if path.exists() else None


@pytest.fixture(scope="module")
def files():
    """Everything `refimpl report` writes for the pages, from the committed parity.json:
    rendered once per worker (it runs every example, the frameworks' too)."""
    return learn.render(_doc())


@functools.lru_cache(maxsize=None)
def _now(run: Run):
    """What ``run`` prints now, executed here again, once per worker."""
    return run.execute()


def _page(files, i, lang="en"):
    return files[f"learn/{learn.filename(i, lang)}"]


def _pages(files):
    return [(i, lang, _page(files, i, lang)) for i in range(len(pages())) for lang in ("en", "ko")]


# ------------------------------------------------------------------ order and coverage

def test_pages_follow_the_posts_teaching_order_with_the_optimizers_last():
    assert [p.slug for p in pages()] == [
        "tensors", "vectors-and-matrices", "derivatives", "chain-rule", "backpropagation",
        "activations", "losses", "gradient-descent", "perceptron-xor", "mlp", "training-loop",
        "optimizers"]
    assert len(ORDER) == len(pages())
    assert [p.slug for p in pages() if not p.posts] == ["optimizers"]   # beyond the posts
    assert pages()[3].title("en") == "Chain rule and the computational graph (연쇄 법칙과 계산 그래프)"
    assert pages()[3].title("ko") == "연쇄 법칙과 계산 그래프 (Chain rule and the computational graph)"


def test_every_op_and_run_is_in_its_pages_table(files):
    by_name = {p.name: i for i, p in enumerate(pages())}
    for item in registry.OPS_LIST + trajectory.RUNS:
        i = by_name[item.concept]
        for lang in ("en", "ko"):
            assert f"[`{item.name}`](" in _page(files, i, lang), (item.name, lang)


def test_every_page_has_its_korean_twin_in_korean_and_a_glossary(files):
    for i, lang, text in _pages(files):
        p = pages()[i]
        assert text.startswith(f"# {p.title(lang)}\n"), (p.slug, lang)
        assert ("> **Terms:**" if lang == "en" else "> **용어:**") in text
        assert all(ko in text and en in text for en, ko in p.terms), (p.slug, lang)
        if lang == "ko":   # the prose, not only the terms, is Korean
            assert HANGUL.search(p.idea.ko.split("\n")[0]) and p.idea.ko in text
    assert {f for f in files if f.startswith("learn/ko/")} == {
        f"learn/ko/{f.removeprefix('learn/')}" for f in files
        if f.startswith("learn/") and f.endswith(".md") and "/ko/" not in f}


def test_every_page_is_under_400_lines(files):
    for i, lang, text in _pages(files):
        assert len(text.splitlines()) < 400, (pages()[i].slug, lang, len(text.splitlines()))


# ------------------------------------------------------------- the worked examples

def test_every_page_opens_with_its_worked_example_as_the_code_prints_it_now(files):
    """Nothing shown is typed by hand: each Run is executed again here and its code and
    output must be on the page, the example first, labelled with its post."""
    for i, p in enumerate(pages()):
        ex = p.example
        out = _now(ex).output.rstrip("\n")
        assert out, p.slug
        for lang in ("en", "ko"):
            text = _page(files, i, lang)
            first = text.index("\n## ")
            heading = text[first:text.index("\n", first + 1)]
            assert heading.startswith("\n## Worked example" if lang == "en" else "\n## 예제"), heading
            if ex.post:
                assert ex.post in heading
            assert f"```python\n{ex.code}\n```" in text and f"```text\n{out}\n```" in text
            assert text.index(ex.code) < text.index("\n## ", first + 1)


def _runs(p):
    return [p.example, *p.frameworks, *(c.measured for c in p.code if c.measured),
            *(r for r in p.results if isinstance(r, Run))]


def test_every_run_on_a_page_shows_what_it_prints_now(files):
    for i, p in enumerate(pages()):
        for r in _runs(p)[1:]:
            out = _now(r).output.rstrip("\n")
            assert f"```python\n{r.code}\n```" in _page(files, i), (p.slug, r.name)
            if out:
                assert f"```text\n{out}\n```" in _page(files, i), (p.slug, r.name)


def test_the_posts_worked_examples_and_numbers_are_on_the_pages(files):
    by_slug = {p.slug: i for i, p in enumerate(pages())}
    for lang in ("en", "ko"):
        chain = _page(files, by_slug["chain-rule"], lang)
        assert "f = -7.0" in chain and "df/dW = 5.0  df/dx = -2.0  df/db = 1.0" in chain
        assert "2x + y" in _page(files, by_slug["derivatives"], lang)
        assert "x + 1" in _page(files, by_slug["derivatives"], lang)
        loop = _page(files, by_slug["training-loop"], lang)
        assert re.search(r"\b50\b", loop) and re.search(r"\b500\b", loop)
    back = _now(pages()[by_slug["backpropagation"]].example).variables
    assert (float(back["x"].grad), float(back["y"].grad)) == (8.0, 4.0)   # (2x + y, x + 1) at (3, 2)


def _texts(svg: str) -> list:
    import xml.etree.ElementTree as ET
    return [t.text for t in ET.fromstring(svg).iter("{http://www.w3.org/2000/svg}text")]


def test_chain_rule_and_backprop_pages_draw_their_graphs_with_values_and_gradients(files):
    for slug in ("chain-rule", "backpropagation"):
        i = [p.slug for p in pages()].index(slug)
        name = pages()[i].example.name
        for lang in ("en", "ko"):
            assert f"img/{slug}-{name}.svg)" in _page(files, i, lang)
    fwxb = _texts(files["learn/img/chain-rule-f_is_Wx_plus_b.svg"])
    for line in ("= -7", "∂f/∂W = 5", "∂f/∂x = -2", "∂f/∂b = 1"):
        assert line in fwxb, line
    z = _texts(files["learn/img/backpropagation-" + pages()[4].example.name + ".svg"])
    assert "∂z/∂x = 8" in z and "∂z/∂y = 4" in z


def test_perceptron_and_mlp_pages_show_their_plots(files):
    for slug in ("perceptron-xor", "mlp"):
        i = [p.slug for p in pages()].index(slug)
        for lang in ("en", "ko"):
            shown = re.findall(r"!\[[^\]]*\]\(([^)]+\.svg)\)", _page(files, i, lang))
            figures = [s for s in shown if s.endswith(f".{lang}.svg")]
            assert figures, (slug, lang)
            for s in figures:
                assert files["learn/" + s.removeprefix("../")].count("<svg") == 1


# ------------------------------------------------------------------------ the code

def test_textbook_code_comes_first_and_the_reference_is_folded_under_why(files):
    for i, p in enumerate(pages()):
        text = _page(files, i)
        for c in p.code:
            textbook = source.code(source.symbol(c.textbook[0]))
            reference = source.numpy_view(source.symbol(c.reference))[2]
            at = text.index(textbook)
            why = text.index("<summary>Why the reference is more careful</summary>", at)
            assert at < why < text.index(reference, why), (p.slug, c.reference)


def test_no_code_is_printed_twice_on_a_page(files):
    for i, lang, text in _pages(files):
        blocks = re.findall(r"```python\n(.*?)\n```", text, re.S)
        assert len(blocks) == len(set(blocks)), (pages()[i].slug, lang)


def test_every_exercise_answer_passes_its_doctest():
    parser, runner = doctest.DocTestParser(), doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    for p in pages():
        assert 2 <= len(p.exercises) <= 3, p.slug
        for k, e in enumerate(p.exercises):
            runner.run(parser.get_doctest(e.answer, {}, f"{p.slug}-{k}", None, 0))
    assert runner.summarize(verbose=False).failed == 0


def test_a_one_line_twin_is_its_call_and_a_longer_one_a_link(files):
    sigmoid = _page(files, [p.slug for p in pages()].index("activations"))
    assert "`torch.sigmoid(x)`" in sigmoid
    assert source.one_liner("jax", "training", "trajectory") is None
    assert source.twin_where("jax", "training", "_optimizer")[0] == "comparisons/jax/training.py"


def test_twin_helpers_come_along_and_a_missing_twin_says_why():
    jax_loop = source.twin_source("jax", "training", "trajectory")
    assert "def _mlp(" in jax_loop and "_LOSSES = " in jax_loop and "def _optimizer(" in jax_loop
    unsupported = {"jax": {"float32": "jax has no such op", "float64": "jax has no such op"}}
    assert source.twin_view("jax", "activations", "no_such_op", unsupported) == (
        "jax — no twin in comparisons/jax/activations.py: jax has no such op", "", "")
    assert source.twin_view("torch", "activations", "no_such_op", unsupported) == (
        "torch — no twin in comparisons/torch/activations.py", "", "")


# ------------------------------------------------------------------------ files

def test_committed_pages_are_what_the_code_renders_now(files):
    """reports/learn/ and learn*.html are generated, never edited: exactly what the code
    renders from the committed parity.json (a changed example without `make report`
    fails here)."""
    if _doc() is None:
        pytest.skip("no committed report yet")
    committed = {p.relative_to(COMMITTED).as_posix(): p.read_text(encoding="utf-8")
                 for p in [*(COMMITTED / "learn").rglob("*"), *COMMITTED.glob("learn*.html")]
                 if p.is_file()}
    assert sorted(committed) == sorted(files)
    for name, text in files.items():
        assert committed[name] == text, name


def test_write_is_deterministic_and_removes_stale_pages(tmp_path, files):
    (tmp_path / "learn" / "ko").mkdir(parents=True)
    (tmp_path / "learn" / "99-old.md").write_text("stale")
    (tmp_path / "learn" / "ko" / "99-old.md").write_text("stale")
    (tmp_path / "learn" / "notes.txt").write_text("not a page")
    paths = learn.write_rendered(files, tmp_path)
    assert not (tmp_path / "learn" / "99-old.md").exists()
    assert not (tmp_path / "learn" / "ko" / "99-old.md").exists()
    assert (tmp_path / "learn" / "notes.txt").exists()
    assert all(p.stat().st_mode & 0o777 == 0o644 for p in paths)
    assert {p.relative_to(tmp_path).as_posix() for p in paths} == set(files)


def test_learn_html_has_tabs_a_language_switch_and_escapes_the_prose(files):
    page = files["learn.html"]
    assert '<div class="tabs">' in page and 'data-tab="torch"' in page
    assert 'href="learn.ko.html"' in page and 'href="learn.html"' in files["learn.ko.html"]
    assert page.count("<script>") == 1 and "<svg" in page
    assert '<html lang="ko">' in files["learn.ko.html"]


# ------------------------------------------------------------------------ terminal

def _file_def(fw, module, name):
    src = (ROOT / "comparisons" / fw / f"{module}.py").read_text()
    node = next(n for n in ast.parse(src).body if getattr(n, "name", None) == name)
    return ast.get_source_segment(src, node)


def test_terminal_shows_numpy_and_the_three_twins():
    text = show.terminal("sigmoid")
    assert inspect.getsource(registry.OPS["sigmoid"].reference) in text
    for fw in FRAMEWORKS:
        assert f"── {fw} — comparisons/{fw}/activations.py" in text
        assert _file_def(fw, "activations", "sigmoid") in text
    assert "\x1b" not in text
    assert "\x1b[" in show.terminal("sigmoid", color=True)
    assert "def fit(" in show.terminal("fit") and "class Adam(" in show.terminal("adam")


def test_terminal_unknown_name_suggests_close_matches():
    with pytest.raises(KeyError, match="sigmoid"):
        show.terminal("sigmiod")


def test_terminal_imports_no_framework():
    code = ("import sys; from comparisons.learn import show; show.terminal('sigmoid'); "
            "assert not {'torch', 'tensorflow', 'jax'} & set(sys.modules), sys.modules.keys()")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


def test_learn_html_escapes_every_text_it_is_given():
    """Prose is Markdown with raw HTML off, labels and tables are escaped: a <script>
    anywhere in a page's blocks arrives as text; the page's own script is its only one."""
    from comparisons.report import html

    evil = "<script>alert('x')</script>"
    blocks = [{"kind": "h2", "text": evil}, {"kind": "p", "text": f"`{evil}` {evil}"},
              {"kind": "terms", "terms": [(evil, evil)]},
              {"kind": "code", "lang": "text", "text": evil, "label": evil},
              {"kind": "table", "head": [evil], "rows": [[f"{evil}<br>{evil}"]]},
              {"kind": "details", "summary": evil, "blocks": []},
              {"kind": "tabs", "tabs": [(evil, [{"kind": "p", "text": evil}])]}]
    page = html.learn([(pages()[0], blocks)], "en")
    assert page.count("<script") == 1            # the page's own tab script
    assert page.count("&lt;script&gt;alert(") >= 12  # every one of the twelve, as text


def test_learn_html_links_resolve_and_parity_html_links_each_op_to_its_page(files):
    for name in ("learn.html", "learn.ko.html"):
        page = re.sub(r"<svg.*?</svg>", "", files[name], flags=re.S)   # the SVGs' own ids
        ids = re.findall(r'\sid="([^"]+)"', page)
        assert len(ids) == len(set(ids)) >= len(pages())
        assert set(re.findall(r'href="#([^"]+)"', page)) <= set(ids)
    from comparisons.report import html
    assert {html._learn_slug(op.concept) for op in registry.OPS_LIST} <= {p.slug for p in pages()}
    parity = COMMITTED / "parity.html"      # rendering it again takes 18 s; test_report checks it
    if parity.exists():
        targets = set(re.findall(r'href="learn\.html#([^"]+)"', parity.read_text(encoding="utf-8")))
        assert targets and targets <= {p.slug for p in pages()}


def test_the_mlp_example_trains_the_network_its_figures_plot():
    """The page shows the training code; its plots come from demos.xor_mlp: both must be
    the same run (same seed, optimizer and stopping), or the plots would not be of it."""
    from comparisons.learn import demos
    mlp = next(p for p in pages() if p.slug == "mlp")
    space = _now(mlp.example).variables
    run = demos.xor_mlp(0)
    assert space["history"].epoch_losses == list(run.losses)
    assert space["logits"].tolist() == run.logits.tolist()


def test_the_korean_terms_the_issue_names_are_in_the_glossaries():
    """The posts' vocabulary, each in some page's glossary box (both editions show it)."""
    terms = " ".join(f"{en} {ko}" for p in pages() for en, ko in p.terms)
    for term in ("이터레이션", "반복", "학습률", "기울기 소실", "가중치", "편향", "덧셈 노드",
                 "곱셈 노드", "분기 노드", "원-핫", "회귀", "분류", "형상", "도함수", "미분",
                 "그레이디언트", "기울기"):
        assert term in terms, term


def test_every_relative_link_and_image_of_the_markdown_pages_resolves(files):
    """Links into the repository (refimpl's code, the twins), to the other pages, the
    other language, the parity report and the images: each names a file that exists
    (a page or image among those rendered, or a file of the repository) and, for a
    source file, a line it has."""
    rendered = {f"reports/{name}" for name in files} | {"reports/parity.md"}
    for name, text in files.items():
        if not name.endswith(".md"):
            continue
        here = (Path("reports") / name).parent
        prose = re.sub(r"(`{3,}).*?\1", "", text, flags=re.S)     # not the code
        prose = re.sub(r"`[^`\n]*`", "", prose)
        for target in re.findall(r"\]\(([^)#]+)(?:#L(\d+))?\)", prose):
            path, line = target
            if "://" in path:
                continue
            where = os.path.normpath(here / path)          # a/../b, without the disk
            assert where in rendered or (ROOT / where).is_file(), (name, path)
            if line:
                assert int(line) <= len((ROOT / where).read_text().splitlines()), (name, path)
