"""The offline briefing file (earnings.export) and `python -m earnings export`, without a browser.

The export is made from the bundled data built into a temporary folder; the hostile-text
tests build an edited copy of data/.
"""

from __future__ import annotations

import html
import json
import re
import shutil
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import pytest

from earnings import cli
from earnings.contract import periods
from earnings.model import briefing, cards, scorecard, tables
from earnings.read import bundle, queries
from earnings.render import export
from earnings.write.database import DATA_DIR, build

PERIOD = "2024Q4"
MAX_BYTES = 2_000_000  # issue 17: the offline file under 2 MB
HEADINGS = [
    "Headline figures",
    "Revenue vs guidance",
    "Margins",
    "Operating expenses",
    "Guidance scorecard",
    "Outlook",
    "What management said",
    "Source documents",
    "The build",
]
SCRIPT = re.compile(r"<script\b[^>]*>(.*?)</script>", re.S)
JSON_BLOCK = re.compile(r'<script type="application/json" id="([^"]+)">(.*?)</script>', re.S)
URL = 'https://example.com/"><script>alert(4)</script>'
PAYLOADS = ("<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "</script>")


def company(db: Path, ticker: str = "ALAB") -> bundle.CompanyData:
    con = queries.connect(str(db))
    try:
        found = bundle.company_data(con, ticker)
    finally:
        con.close()
    assert found is not None
    return found


@pytest.fixture(scope="module")
def data(built_db: Path) -> bundle.CompanyData:
    return company(built_db)


@pytest.fixture(scope="module")
def doc(built_db: Path) -> str:
    return export.export_from_db(built_db, "ALAB", PERIOD)


def markup(doc: str) -> str:
    """The file without the embedded plotly.js bundle: the part this project writes."""
    bundle = export.plotly_js()
    assert doc.count(bundle) == 1
    return doc.replace(bundle, "")


def quote_blocks(doc: str) -> list[str]:
    return re.findall(r'<div class="quote">(.*?)</div></div>', doc, re.S)


def note_text(doc: str, anchor: str) -> str:
    found = re.search(rf'<li id="{re.escape(anchor)}"[^>]*>(.*?)</li>', doc, re.S)
    assert found, anchor
    return found.group(1)


# --- what the file holds --------------------------------------------------------------------------


def test_every_headline_figure_with_its_changes_formatted_as_on_the_dashboard(doc: str, data) -> None:
    for expected in ("$141.1M", "74.1%", "$0.37"):
        assert expected in doc
    for n in cards.headline(data, PERIOD):
        for text in (n.label, n.value, n.delta, n.delta_description, n.note):
            if text:
                assert html.escape(text) in doc, text


def test_every_step_number_and_its_derived_marking(doc: str, data) -> None:
    for s in briefing.STEPS:
        screen = briefing.screen(data, PERIOD, s.number)
        for n in screen.numbers:
            for text in (n.label, n.value, n.delta, n.delta_description, n.note):
                if text:
                    assert html.escape(text) in doc, (s.id, text)
    assert "Implied operating margin (non-GAAP)" in doc
    assert "derived from guided gross margin, opex and revenue" in doc


def test_steps_in_the_briefing_order_then_sources_and_checks(doc: str) -> None:
    found = re.findall(r"<h2>(?:<span class=\"no\">\d+</span>)?([^<]+)</h2>", doc)
    assert found == HEADINGS


def test_every_guidance_row_of_the_company_with_its_source(doc: str, data) -> None:
    rows = scorecard.rows(data).to_dict("records")
    assert len(rows) == len(data.guidance) > 0
    table = re.search(r'<table class="scorecard">(.*?)</table>', doc, re.S).group(1)
    body_rows = re.findall(r"<tr\b[^>]*>(.*?)</tr>", table.split("</thead>")[1], re.S)
    assert len(body_rows) == len(rows)
    # the scorecard's order (revenue, margins, opex, EPS by quarter): scorecard.records gives the row behind each
    for row, g, tr in zip(rows, scorecard.records(data), body_rows, strict=True):
        cells = "".join(f"<td>{html.escape(str(row[c]))}</td>" for c in export.SCORECARD_COLUMNS)
        assert tr.startswith(cells), row
        anchor = re.search(r'href="#([^"]+)"', tr).group(1)
        note = note_text(doc, anchor)
        assert html.escape(data.source(g["source_id"])["title"]) in note
        assert html.escape(g["excerpt"]) in note


def test_the_quotes_each_with_its_source_document_and_passage(doc: str, data) -> None:
    quotes = [r for r in data.commentary.to_dict("records") if r["period"] == PERIOD and r["kind"] == "quote"]
    assert quotes
    blocks = quote_blocks(doc)
    for q in quotes:
        mine = [b for b in blocks if html.escape(q["text"]) in b]
        assert mine, q["text"]
        for block in mine:
            anchor = re.search(r'<sup class="ref"><a href="#([^"]+)" title="([^"]+)"', block)
            assert anchor, block
            title = html.escape(data.source(q["source_id"])["title"])
            assert title in anchor.group(2) and html.escape(q["section"]) in anchor.group(2)
            assert title in note_text(doc, anchor.group(1))


def test_every_number_chart_and_item_names_its_source(doc: str) -> None:
    cards = re.findall(r'<div class="card"><div class="label">(.*?)</div>', doc, re.S)
    assert len(cards) >= 6
    assert all('<sup class="ref">' in c for c in cards)
    captions = re.findall(r"<figcaption>(.*?)</figcaption>", doc, re.S)
    assert len(captions) == 3 and all('<sup class="ref">' in c for c in captions)
    bylines = re.findall(r'<div class="byline">(.*?)</div>', doc, re.S)
    assert bylines and all('<sup class="ref">' in b for b in bylines)
    # every marker points at a note on the same step
    for section in re.findall(r'<section class="page step" id="([^"]+)">(.*?)</section>', doc, re.S):
        sid, body = section
        for anchor in set(re.findall(r'<sup class="ref"><a href="#([^"]+)"', body)):
            assert anchor.startswith(f"{sid}-n") and f'<li id="{anchor}"' in body


def test_ends_with_the_sources_the_checks_and_the_build(doc: str, data, built_db: Path) -> None:
    con = queries.connect(str(built_db))
    try:
        meta = queries.verify_schema(con)
        checks = queries.checks(con)
        sources = queries.sources(con)
    finally:
        con.close()
    appendix = doc[doc.index('id="sources"') :]
    for title in sources["title"]:
        assert html.escape(title) in appendix
    mine = checks[checks["ticker"].isna() | (checks["ticker"] == "ALAB")]
    for check_id in mine["check_id"]:  # each check named in words, never by its id
        assert f'<td class="id">{html.escape(tables.check_name(check_id))}</td>' in appendix
        assert f">{html.escape(check_id)}<" not in appendix
    assert meta["content_hash"] in appendix and meta["built_at"] in appendix
    assert f'<meta name="content-hash" content="{meta["content_hash"]}">' in doc


def test_plotly_js_embedded_once_and_nothing_fetched(doc: str) -> None:
    own = markup(doc)
    assert "<script src" not in doc.lower()
    assert not re.search(r"<(link|img|iframe|object|embed|audio|video|source)\b", own, re.I)
    assert not re.search(r"\bsrc\s*=", own, re.I)
    assert not re.search(r"@import|url\(", own, re.I)
    # the only http(s) addresses are links to the source documents, never loaded
    for url in re.findall(r"https?://[^\s\"'<>]+", own):
        assert re.search(rf'<a href="{re.escape(url)}" rel="noopener noreferrer">', own), url
    scripts = SCRIPT.findall(own)
    blocks = JSON_BLOCK.findall(own)
    assert len(blocks) == 3  # the revenue, margins and opex charts
    assert len(scripts) == 1 + len(blocks) + 1  # plotly.js, one JSON block per chart, the init script
    assert own.count('<div class="chart"') == len(blocks)


def test_figure_json_is_safe_and_reads_back(doc: str) -> None:
    for chart_id, text in JSON_BLOCK.findall(doc):
        assert "<" not in text and ">" not in text
        spec = json.loads(text)
        assert spec["layout"]["width"] == export.CHART_WIDTH and spec["layout"]["height"] == export.CHART_HEIGHT
        assert spec["data"], chart_id


def test_the_bundle_is_plotly_js_of_the_version_plotly_py_ships() -> None:
    import plotly.offline

    head = export.plotly_js()[:200]
    assert f"plotly.js (basic - minified) v{plotly.offline.get_plotlyjs_version()}" in head
    with pytest.raises(ValueError, match="cannot draw \\['heatmap'\\]"):
        export.chart_spec(go.Figure(go.Heatmap(z=[[1]])))


def test_size_under_2_mb(doc: str) -> None:
    size = len(doc.encode("utf-8"))
    assert size < MAX_BYTES, size
    assert size - len(export.plotly_js().encode("utf-8")) < 300_000  # our part is small; the rest is plotly.js


def test_print_stylesheet_one_step_per_page(doc: str) -> None:
    css = doc[doc.index("<style>") : doc.index("</style>")]
    printed = css[css.index("@media print") :]
    assert "break-before: page" in printed and "break-inside: avoid" in printed
    assert ".screen-only { display: none" in printed
    assert export.CHART_WIDTH <= 703  # A4's printable width (186 mm) in CSS px; Letter's is wider


def test_an_unreported_quarter_or_unknown_company_says_what_exists(built_db: Path) -> None:
    with pytest.raises(export.ExportError, match=r"reported quarters: 2023Q4, 2024Q3, 2024Q4"):
        export.export_from_db(built_db, "ALAB", "2025Q1")
    with pytest.raises(export.ExportError, match=r"tickers: ALAB"):
        export.export_from_db(built_db, "NOPE", PERIOD)
    with pytest.raises(export.ExportError, match=r"python -m earnings build"):
        export.export_from_db(built_db.parent / "missing.duckdb", "ALAB", PERIOD)


def test_every_quarter_of_every_company_exports_its_own_steps(two_companies: Path) -> None:
    for ticker in ("ALAB", "ZFDX"):
        data = company(two_companies, ticker)
        for period in data.quarters():
            doc = export.export_from_db(two_companies, ticker, period)
            assert re.findall(r"<h2>(?:<span class=\"no\">\d+</span>)?([^<]+)</h2>", doc) == HEADINGS
            assert len(doc.encode("utf-8")) < MAX_BYTES
            for s in briefing.STEPS:
                screen = briefing.screen(data, period, s.number)
                for text in [n.value for n in screen.numbers] + [screen.empty_text, screen.subtitle]:
                    if text:
                        assert html.escape(text) in doc, (ticker, period, s.id, text)
            other = "ZFDX" if ticker == "ALAB" else "ALAB"
            scorecard_table = re.search(r'<table class="scorecard">(.*?)</table>', doc, re.S).group(1)
            assert f"({other})" not in scorecard_table  # one company's guidance only


def test_script_json_cannot_close_a_script_element() -> None:
    text = export.script_json({"name": "</script><script>alert(1)</script>", "amp": "a & b", "sep": "\u2028"})
    assert "<" not in text and ">" not in text and "&" not in text and "\u2028" not in text
    assert json.loads(text) == {"name": "</script><script>alert(1)</script>", "amp": "a & b", "sep": "\u2028"}


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", " JavaScript:alert(1)", "data:text/html,<b>x</b>", "vbscript:x"]
)
def test_only_web_addresses_become_links(url: str) -> None:
    shown = export._link(url)
    assert "<a " not in shown and "<b>" not in shown
    assert shown == html.escape(url)


# --- the command ----------------------------------------------------------------------------------


def test_cli_writes_the_file_and_says_its_size_and_time(built_db: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "briefing.html"
    code = cli.main(["export", "--ticker", "ALAB", "--period", PERIOD, "--out", str(out), "--db", str(built_db)])
    assert code == 0
    said = capsys.readouterr().out
    assert re.search(r"wrote .*briefing\.html \(\d+\.\d\d MB\) in \d+\.\d\d s", said), said
    assert out.stat().st_size < MAX_BYTES
    assert not list(tmp_path.glob(".*.partial"))


@pytest.mark.parametrize(
    ("ticker", "period", "expected"),
    [("XYZ", PERIOD, "tickers: ALAB"), ("ALAB", "2024Q2", "reported quarters: 2023Q4, 2024Q3, 2024Q4")],
)
def test_cli_unknown_ticker_or_period_exits_1_with_what_exists(
    built_db: Path, tmp_path: Path, capsys, ticker: str, period: str, expected: str
) -> None:
    out = tmp_path / "x.html"
    code = cli.main(["export", "--ticker", ticker, "--period", period, "--out", str(out), "--db", str(built_db)])
    assert code == 1
    assert expected in capsys.readouterr().err
    assert not out.exists()


# --- text from the data is text -------------------------------------------------------------------


def hostile_export(folder: Path) -> tuple[Path, dict]:
    """Build an edited copy of data/ with HTML and script in a quote, a speaker, a source title and a
    source URL, and export it to ``folder``/hostile.html; (the file, what was planted)."""
    target = folder / "data"
    shutil.copytree(DATA_DIR, target, ignore=shutil.ignore_patterns("*.duckdb*", ".*"))
    commentary = pd.read_csv(target / "commentary.csv", dtype=str, keep_default_na=False)
    i = commentary.index[(commentary["kind"] == "quote") & (commentary["period"] == PERIOD)][0]
    text = f"Record quarter {PAYLOADS[0]} and {PAYLOADS[1]} then {PAYLOADS[2]} end"
    commentary.loc[i, "text"] = text
    commentary.loc[i, "speaker"] = '<b onmouseover="alert(2)">CEO</b>'
    commentary.to_csv(target / "commentary.csv", index=False)
    sources = pd.read_csv(target / "sources.csv", dtype=str, keep_default_na=False)
    title = '"><script>alert(3)</script>'
    sources.loc[0, "title"] = title
    sources.loc[1, "url"] = URL  # a web address (the build takes only those) that tries to leave its attribute
    sources.to_csv(target / "sources.csv", index=False)
    db = folder / "earnings.duckdb"
    build(target, db)
    out = folder / "hostile.html"
    export.write(db, "ALAB", PERIOD, out)
    return out, {"text": text, "title": title, "db": db, "url": URL}


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str, dict]:
    path, planted = hostile_export(tmp_path_factory.mktemp("hostile"))
    return path.read_text(encoding="utf-8"), str(planted["db"]), planted


def test_html_and_script_in_the_data_are_shown_as_text(hostile) -> None:
    doc, _, planted = hostile
    own = markup(doc)
    for raw in ("<script>alert", "<img", "<b onmouseover", '/">'):
        assert raw not in own, raw
    assert html.escape(f"“{planted['text']}”") in own  # the quote, shown as the text it is
    assert "&lt;b onmouseover=&quot;alert(2)&quot;&gt;CEO&lt;/b&gt;" in own
    assert html.escape(planted["title"]) in own
    assert f'<a href="{html.escape(URL)}" rel="noopener noreferrer">' in own  # the address, whole, as one link
    # the data closed no script element: the same script elements as in any export
    assert len(SCRIPT.findall(own)) == 1 + len(JSON_BLOCK.findall(own)) + 1
    assert own.count("</script>") == own.count("<script")


def test_text_in_attributes_is_escaped(hostile) -> None:
    doc, _, planted = hostile
    titles = re.findall(r'title="([^"]*)"', markup(doc))
    assert any(html.escape(planted["title"]) in t for t in titles)
    assert all("<" not in t and ">" not in t for t in titles)


def test_hostile_quote_still_in_the_quotes_step(hostile) -> None:
    doc, db, planted = hostile
    blocks = [b for b in quote_blocks(doc) if html.escape(planted["text"]) in b]
    assert blocks
    assert periods.label(PERIOD) in doc
    assert company(Path(db)).commentary["text"].str.contains("<script>", regex=False).any()  # stored as given


# every text field of the data that reaches the file, by table; the target label only in the chart's JSON
EVERY_TEXT_FIELD = {
    "sources": ("title", "publisher"),
    "facts": ("section", "excerpt"),
    "guidance": ("section", "excerpt", "source_label"),
    "targets": ("section", "excerpt", "label"),
    "commentary": ("text", "speaker", "topic", "section"),
}


def planted(field: str) -> str:
    """Text naming its field that tries to leave an attribute, open an element and pass an entity through."""
    return f"xss-{field}\"><img src=x onerror=alert('{field}')>&amp;"


class Elements(HTMLParser):
    """The elements of a document (how many of each) and the names of their attributes."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.tags: Counter[str] = Counter()
        self.attributes: set[str] = set()
        self.feed(text)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags[tag] += 1
        self.attributes |= {name for name, _ in attrs}


@pytest.fixture(scope="module")
def hostile_everywhere(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    """The export of an edited copy of data/ with hostile text added to every text field that reaches it."""
    folder = tmp_path_factory.mktemp("hostile_everywhere")
    target = folder / "data"
    shutil.copytree(DATA_DIR, target, ignore=shutil.ignore_patterns("*.duckdb*", ".*"))
    for table, fields in EVERY_TEXT_FIELD.items():
        frame = pd.read_csv(target / f"{table}.csv", dtype=str, keep_default_na=False)
        for name in fields:
            frame[name] = [f"{value} {planted(f'{table}.{name}')}".lstrip() for value in frame[name]]
        frame.to_csv(target / f"{table}.csv", index=False)
    db = folder / "earnings.duckdb"
    build(target, db)
    return export.export_from_db(db, "ALAB", PERIOD), db


def test_every_text_field_from_the_data_is_escaped(hostile_everywhere, doc: str) -> None:
    hostile_doc, db = hostile_everywhere
    own = markup(hostile_doc)
    page = JSON_BLOCK.sub("", own)  # the HTML, without the figures' JSON
    for table, fields in EVERY_TEXT_FIELD.items():
        for name in fields:
            text = planted(f"{table}.{name}")
            assert f'xss-{table}.{name}"' not in hostile_doc and text not in hostile_doc, name  # never raw
            if (table, name) != ("targets", "label"):
                assert html.escape(text) in page, name  # shown, as the text it is
    # the target labels are drawn on the margins chart: in its JSON, escaped for a script element
    for chart_id, text in JSON_BLOCK.findall(own):
        assert "<" not in text and ">" not in text, chart_id
    margins = json.loads(dict(JSON_BLOCK.findall(own))["chart-margins-json"])
    # ... and as text for Plotly, which reads some HTML in labels: <, > and & go in as entities
    label = planted("targets.label")
    assert any(html.escape(label, quote=False) in a["text"] for a in margins["layout"]["annotations"])
    assert not any(label in a["text"] for a in margins["layout"]["annotations"])
    # the build checks quote sections and source labels: each such detail is shown escaped
    con = queries.connect(str(db))
    try:
        details = [d for d in queries.checks(con)["detail"] if "xss-" in d]
    finally:
        con.close()
    assert details
    for detail in details:
        assert f"<td>{html.escape(detail)}</td>" in page, detail
    # the data added no kind of element and no attribute, and no script: as in the export of the bundled data
    found, expected = Elements(own), Elements(markup(doc))
    assert set(found.tags) == set(expected.tags) and found.attributes == expected.attributes
    assert found.tags["script"] == expected.tags["script"]
    assert "img" not in found.tags and not any(a.startswith("on") for a in found.attributes)
