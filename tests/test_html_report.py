"""parity.html, `refimpl repro` and the progress display, on a small real report.

The fixture report runs sigmoid and the adam training run in torch with a deliberately
wrong twin (sigmoid off by one part in a thousand), so it has real `fail` rows with
their repro scripts beside real passes, accuracy curves and training curves.
"""

from __future__ import annotations

import io
import json
import os
import re
from html.parser import HTMLParser

import markupsafe
import numpy as np
import pytest

from comparisons import SEVERITY, cli, harness, registry, report, runner
from comparisons.progress import Progress
from comparisons.report import html as html_report

torch = pytest.importorskip("torch")
import comparisons.torch.activations as torch_activations  # noqa: E402


def _wrong_sigmoid(x):
    return torch.sigmoid(x) * (1 + 1e-3)


@pytest.fixture(scope="module")
def broken_twin():
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(torch_activations, "sigmoid", _wrong_sigmoid)
        yield


@pytest.fixture(scope="module")
def doc(broken_twin):
    return runner.run("dev", frameworks=("torch",), ops=["sigmoid", "adam"], dtypes=("float64",),
                      workers=1, accuracy_size="small")


@pytest.fixture(scope="module")
def written(doc, tmp_path_factory):
    out = tmp_path_factory.mktemp("reports")
    report.write(doc, out)
    return out


class _Page(HTMLParser):
    """Every tag with its attributes, the ids, and the text of each <pre>."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags, self.ids, self.pres, self._pre = [], set(), [], None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append((tag, a))
        if "id" in a:
            self.ids.add(a["id"])
        if tag == "pre" and "repro" in (a.get("class") or ""):
            self._pre = [a["id"], ""]

    def handle_endtag(self, tag):
        if tag == "pre" and self._pre:
            self.pres.append(tuple(self._pre))
            self._pre = None

    def handle_data(self, data):
        if self._pre:
            self._pre[1] += data


def _parse(text):
    p = _Page()
    p.feed(text)
    p.close()
    return p


def test_the_fixture_has_failures_passes_accuracy_and_training(doc):
    statuses = {r["status"] for r in doc["results"]}
    assert {"fail", "pass"} <= statuses
    assert doc["accuracy"] and all(r["curve"]["x"] for r in doc["accuracy"])
    assert {r["op"] for r in doc["training"]} == {"adam"}


def test_every_section_is_there(written):
    page = _parse((written / "parity.html").read_text(encoding="utf-8"))
    assert set(html_report.SECTIONS) <= page.ids
    for op in ("sigmoid", "adam"):
        assert f"op-{op}" in page.ids
    assert "training-adam" in page.ids


def test_every_fail_has_its_repro(doc, written):
    text = (written / "parity.html").read_text(encoding="utf-8")
    page = _parse(text)
    bad = [r for r in doc["results"] if r["status"] in ("fail", "error")]
    assert bad
    pres = dict(page.pres)
    for r in bad:
        rid = report.row_id(r)
        pid = "repro-" + re.sub(r"[^0-9A-Za-z]", "-", rid)
        assert pres[pid].strip() == r["repro"].strip(), rid
        assert f"refimpl repro {rid}" in text


def test_no_external_urls(written):
    text = (written / "parity.html").read_text(encoding="utf-8")
    page = _parse(text)
    for tag, attrs in page.tags:
        assert tag not in ("link", "iframe", "object", "embed"), tag
        for name in ("src", "href", "action", "data", "xlink:href", "srcset", "poster"):
            v = attrs.get(name)
            # the learning pages beside it are the only other files it links to
            assert v is None or v.startswith(("#", "data:", "learn.html#")) or v in (
                "learn.html", "learn.ko.html"), (tag, name, v)
    assert not re.search(r"url\(\s*['\"]?(?!#|data:)", text)
    assert "@import" not in text


def test_plots_are_inline_svg_and_light_and_dark(doc, written):
    text = (written / "parity.html").read_text(encoding="utf-8")
    sweeps = {r["sweep"] for r in doc["accuracy"]}
    assert text.count("<svg") == len(sweeps) + len({r["op"] for r in doc["training"]})
    assert "prefers-color-scheme: dark" in text
    assert 'fill="#ffffff"' not in text and "fill: #ffffff" not in text   # no opaque white plots


def test_coverage_matrix_colours_each_cell_by_status(doc, written):
    page = _parse((written / "parity.html").read_text(encoding="utf-8"))
    cells = [a for tag, a in page.tags if tag == "td" and (a.get("class") or "").startswith("s-")]
    worst = {}
    for r in doc["results"]:
        k = (r["op"], r["dtype"])
        worst[k] = min(worst.get(k, "missing"), r["status"], key=SEVERITY.index)
    titled = {tuple(a["title"].split(":")[0].split()[::2]): a["class"][2:] for a in cells
              if "title" in a}
    assert titled == worst


def test_environment_header(doc, written):
    text = (written / "parity.html").read_text(encoding="utf-8")
    for k in ("python", "platform", "numpy", "torch", "profile", "seed", "created"):
        assert markupsafe.escape(str(doc["environment"][k])) in text, k


def test_rendering_is_deterministic(doc):
    assert html_report.render(doc) == html_report.render(doc)


def test_an_interrupted_write_leaves_the_previous_report_whole(doc, tmp_path, monkeypatch):
    report.write(doc, tmp_path)
    before = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}

    def interrupted(*a, **k):
        raise KeyboardInterrupt

    monkeypatch.setattr(html_report, "render", interrupted)
    changed = json.loads(json.dumps(doc))
    changed["environment"]["created"] = "2000-01-01T00:00:00+00:00"
    with pytest.raises(KeyboardInterrupt):
        report.write(changed, tmp_path)
    after = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    assert after == before


# ----------------------------------------------------------------------------- repro

def _fail_id(doc):
    return next(report.row_id(r) for r in doc["results"] if r["status"] == "fail")


def test_repro_reproduces_a_recorded_failure(doc, written, broken_twin, capsys):
    rid = _fail_id(doc)
    code = cli.main(["repro", rid, "--report", str(written / "parity.json")])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "# reproduced:" in out and "judged again: fail" in out
    assert next(r["repro"] for r in doc["results"] if report.row_id(r) == rid).strip() in out


def test_repro_says_when_a_failure_is_gone(doc, written, capsys, monkeypatch):
    monkeypatch.setattr(torch_activations, "sigmoid", torch.sigmoid)   # the twin fixed
    rid = _fail_id(doc)
    code = cli.main(["repro", rid, "--report", str(written / "parity.json")])
    out = capsys.readouterr().out
    assert code == 1, out
    assert "not reproduced" in out and "now pass" in out


def test_repro_rejects_an_unknown_id_and_a_row_without_repro(doc, written, capsys):
    path = str(written / "parity.json")
    assert cli.main(["repro", "sigmoid/torch/float128/forward", "--report", path]) == 2
    err = capsys.readouterr().err
    assert "no such row" in err and _fail_id(doc) in err
    passing = next(report.row_id(r) for r in doc["results"] if r["status"] == "pass")
    assert cli.main(["repro", passing, "--report", path]) == 2
    assert "no repro is recorded" in capsys.readouterr().err


def test_repro_print_only_prints_the_script(doc, written, capsys):
    rid = _fail_id(doc)
    assert cli.main(["repro", rid, "--report", str(written / "parity.json"), "--print-only"]) == 0
    out = capsys.readouterr().out
    assert "import refimpl" in out and "running it" not in out


def test_repro_on_a_case_built_by_hand(tmp_path, capsys, broken_twin):
    """A fixture report with one recorded fail, made from a case chosen by hand."""
    from comparisons.strategies import Case

    op = registry.OPS["sigmoid"]
    case = Case((np.array([-2.0, 0.5, 3.0]),), {}, seed=1)
    outs = harness.run_case(op, case, "float64", "forward", ("torch",))
    assert outs[0].status == "fail"
    doc = {
        "schema_version": 1,
        "environment": {k: "x" for k in ("python", "platform", "numpy", "torch", "tensorflow",
                                         "jax", "created")} | {"seed": 0, "profile": "dev"},
        "results": [{"concept": op.concept, "op": "sigmoid", "framework": "torch",
                     "dtype": "float64", "check": "forward", "status": "fail",
                     "max_abs_err": 1e-3, "max_rel_err": 1e-3, "max_ulp": 1.0, "rtol": 1e-12,
                     "atol": 0.0, "examples": 1, "repro": outs[0].repro}],
        "conventions": [], "accuracy": []}
    path = tmp_path / "parity.json"
    path.write_text(json.dumps(doc))
    assert cli.main(["repro", "sigmoid/torch/float64/forward", "--report", str(path)]) == 0
    assert "reproduced" in capsys.readouterr().out


# ----------------------------------------------------------------------------- progress

def test_progress_counts_cases_per_framework_on_a_terminal():
    stream = io.StringIO()
    p = Progress(stream, enabled=True)
    p.start({"torch": 200, "jax": 200}, jobs=2)
    row = runner.Row("relu", "torch", "float32", "forward")
    row.counts = {"pass": 90, "fail": 10}
    jrow = runner.Row("relu", "jax", "float32", "forward")
    jrow.counts = {"pass": 100}
    p.job_done({("relu", "torch", "float32", "forward"): row,
                ("relu", "jax", "float32", "forward"): jrow}, "relu float32 forward")
    p.finish()
    line = stream.getvalue()
    assert "[1/2 jobs]" in line and "torch 100/200 (10 failing)" in line and "jax 100/200" in line
    assert "relu float32 forward" in line and line.endswith("\n")


def test_progress_is_quiet_when_not_on_a_terminal():
    stream = io.StringIO()   # isatty() is False
    p = Progress(stream)
    p.start({"torch": 10}, jobs=1)
    p.job_done({}, "x")
    p.note("y")
    p.finish()
    assert stream.getvalue() == ""


def test_an_accuracy_plot_takes_the_extremes():
    """Errors up to the largest float64 and infinite ones (None) are drawn, not raised on."""
    from comparisons.report import plots

    def row(ulps):
        return {"curve": {"x": [-1.7e308, 0.0, 5e-324, 1.7e308][:len(ulps)], "ulp": ulps}}

    svg = plots.accuracy([("forward float64", {"refimpl": row([0.0, 0.5, 0.25, 0.5]),
                                               "torch": row([1.7e308, None, 3.0, 0.0])}),
                          ("grad float64", {"jax": row([None, None])})])
    assert svg.startswith("<svg") and svg.count("<path") > 4


def test_report_from_a_saved_document_renders_it(doc, tmp_path, capsys):
    saved = tmp_path / "saved.json"
    saved.write_text(json.dumps(doc))
    assert cli.main(["report", "--from", str(saved), "--out", str(tmp_path / "out")]) == 0
    assert json.loads((tmp_path / "out" / "parity.json").read_text()) == doc
    assert (tmp_path / "out" / "parity.html").exists()
    assert "26 pages" in capsys.readouterr().out   # 13 in English, 13 in Korean


def test_a_failed_write_keeps_the_measurements(doc, tmp_path, monkeypatch, capsys):
    def broken(*a, **k):
        raise RuntimeError("a renderer bug")

    monkeypatch.setattr(runner, "run", lambda *a, **k: doc)
    monkeypatch.setattr(html_report, "render", broken)
    assert cli.main(["report", "--out", str(tmp_path / "out"), "--profile", "dev"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "RuntimeError: a renderer bug" in err   # one line, why
    saved = re.search(r"refimpl report --from (\S+)`", err).group(1)
    try:
        assert json.loads(open(saved, encoding="utf-8").read()) == doc
    finally:
        os.unlink(saved)
    assert not (tmp_path / "out" / "parity.json").exists()


def test_ids_are_unique_and_every_link_resolves(written):
    text = (written / "parity.html").read_text(encoding="utf-8")
    page = re.sub(r"<svg.*?</svg>", "", text, flags=re.S)   # matplotlib's ids are its own
    ids = re.findall(r'\sid="([^"]+)"', page)
    assert len(ids) > 10 and len(ids) == len(set(ids))
    links = re.findall(r'href="#([^"]+)"', page)
    assert links and set(links) <= set(ids)


def test_report_strings_are_escaped(doc):
    evil = '<evil-tag a="1">alert("x")</evil-tag> & </pre>'
    bad = json.loads(json.dumps(doc))
    row = next(r for r in bad["results"] if r["status"] == "fail")
    row["detail"] = row["known_failure"] = evil
    row["repro"] = row["repro"] + "# " + evil + "\n"
    bad["conventions"][0]["note"] = evil
    page = html_report.render(bad)
    assert "<evil-tag" not in page
    assert markupsafe.escape(evil) in page
    assert evil in _parse(page).pres[0][1]   # the repro reads back unchanged


def test_values_from_the_data_are_autoescaped(doc):
    """The templates escape every value from parity.json (autoescape; html.py writes no
    escape by hand): a <script> in an op name, an error message or a worst input arrives
    as text. The page's own script is its only <script>."""
    evil = "<script>alert('x')</script>"
    bad = json.loads(json.dumps(doc))
    row = next(r for r in bad["results"] if r["status"] == "fail")
    row["op"] += evil
    row["detail"] = evil
    acc = next(a for a in bad["accuracy"] if a["implementation"] == "refimpl" and not a.get("error"))
    acc["worst_input"], acc["max_ulp"] = {"x": evil}, 1.0
    page = html_report.render(bad)
    assert page.count("<script") == 1 and "alert('x')" not in page
    e = "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"
    op = row["op"].replace(evil, e)
    assert f'class="op"><h3><code>{op}</code>' in page
    assert page.count(f"</h4><p>{e}</p>") == 2   # in its op's section and in the list
    assert f"<td><code>{markupsafe.escape(f'x={evil!r}')}</code></td>" in page


def test_parity_json_is_strict_json(written):
    def refuse(name):
        raise ValueError(f"{name} is not JSON")

    json.loads((written / "parity.json").read_text(), parse_constant=refuse)
