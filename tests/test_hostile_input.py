"""Hostile input at every query parameter of every page, and hostile text in the data.

(a) URLs. tests/test_urls.py throws hostile values at ``urlstate.resolve_view`` and, through
AppTest, at the overview and revenue pages' four common parameters. Here every page gets its own
property test over every parameter it reads (ticker, period, metric, basis everywhere; step on the
briefing; q, kind, speaker, topic, theme_topic, theme_period on the commentary page): arbitrary
strings, 10,000-character values, repeated keys, unicode, SQL and script fragments. Each rerun must
raise nothing, show no error, never show the raw value in a text element (neither as written nor
once its markdown escapes are read), never carry it in a page link, contain no live markup at all
(``<``, ``[``, ``](``, ``$``, ``javascript:``, ``:red[`` outside a backslash escape), and say that it
fell back (an info notice) exactly when a value is not one the page knows.

(b) Text in the data. Commentary, themes, a fact's excerpt and a source title full of HTML, a
``javascript:`` markdown link, ``$x^2$`` maths and a ``:red[...]`` directive render as plain text:
the markdown the app sends has every such character backslash-escaped. (The browser's view of the
same text is tests/browser/test_hostile_text.py.)
"""

from __future__ import annotations

import csv
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import parse_qs

import pytest
from conftest import dashboard_app, read_company
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

from earnings.contract import vocab
from earnings.model import briefing, fmt
from earnings.model import commentary as cv
from earnings.read import bundle, queries
from earnings.ui import components
from earnings.write import database as build_mod

ROOT = Path(__file__).resolve().parents[1]
PAGE_IDS = list(components.PAGES)
COMMON = ("ticker", "period", "metric", "basis")
PAGE_PARAMS = {
    page_id: COMMON + {"briefing": ("step",), "commentary": (*cv.FILTER_PARAMS, *cv.THEME_PARAMS)}.get(page_id, ())
    for page_id in PAGE_IDS
}
TEXT_KINDS = ("title", "header", "subheader", "markdown", "caption", "info", "warning", "error", "success")
# markup that is live in Streamlit markdown unless escaped; none of it occurs unescaped on any page
LIVE = ("<", "[", "](", "$", "javascript:", ":red[")
FRAGMENTS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[x](javascript:alert(1))",
    "javascript:alert(1)",
    "<b>x</b>",
    "$x$",
    "$$\\int$$",
    ":red[x]",
    ":material/home:",
    "' or 1=1--",
    "2024Q4'; DROP TABLE facts;--",
    '"; select * from meta; --',
    "**bold**",
    "../../etc/passwd",
    "{{7*7}}",
    "%3Cscript%3E",
    "\u202eBALA",
    "ＡＬＡＢ",
]


def unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text, flags=re.S)


def live_markup(text: str) -> list[str]:
    """The markup fragments in ``text`` that are not backslash-escaped."""
    bare = re.sub(r"\\.", "", text, flags=re.S)
    return [f for f in LIVE if f in bare]


def new_app(page_id: str) -> AppTest:
    at = dashboard_app()
    if page_id != "overview":
        at.switch_page(components.PAGES[page_id][0])
    return at


def run_with(at: AppTest, params: dict) -> AppTest:
    at.query_params.clear()
    for k, v in params.items():
        at.query_params[k] = v
    return at.run()


def texts(at: AppTest) -> list[str]:
    return [str(e.value) for kind in TEXT_KINDS for e in getattr(at, kind)]


pytestmark = pytest.mark.usefixtures("full_error_details")  # real exception messages


# --- (a) URLs --------------------------------------------------------------------------------------------------


class Known:
    """What each parameter accepts, from the data (the oracle for "should the page say it fell back?")."""

    def __init__(self, data: bundle.CompanyData, tickers: list[str]) -> None:
        self.data = data
        self.tickers = tickers  # every company in the database: the Compare page links to each
        opts = cv.options(cv.items(data), data.metrics(), None, None)
        grid = cv.theme_grid(data)
        self.values: dict[str, list[str]] = {
            "ticker": [data.ticker],
            "period": data.periods(),
            "metric": data.metrics(),
            "basis": [*vocab.BASES, "none"],
            "step": [str(s.number) for s in briefing.STEPS],
            "q": ["Scorpio", "margin"],
            "kind": opts.kinds,
            "speaker": opts.speakers,
            "topic": opts.topics,
            "theme_topic": grid.topics,
            "theme_period": grid.periods,
        }

    def rejected(self, params: dict[str, object]) -> list[str]:
        """The parameters whose value the page must set aside with a notice."""
        last = {k: (v[-1] if v else None) if isinstance(v, list) else v for k, v in params.items()}
        last = {k: v for k, v in last.items() if v is not None}
        out = []
        for name, raw in last.items():
            if raw == "":
                continue
            if name == "q":
                if len(raw) > cv.MAX_QUERY:
                    out.append(name)
            elif name == "basis":
                metric = last.get("metric")
                if metric not in self.values["metric"]:
                    out.append(name)  # a basis without a (valid) metric is ignored, with a notice
                elif raw not in ([b or "none" for b in self.data.bases(metric)] or ["none"]):
                    out.append(name)
            elif name == "theme_period":
                if last.get("theme_topic") not in self.values["theme_topic"] or raw not in self.values["theme_period"]:
                    out.append(name)
            elif raw not in self.values[name] or len(raw) > 200:
                out.append(name)
        return out


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("hostile_urls") / "earnings.duckdb"
    build_mod.build(build_mod.DATA_DIR, path)
    return path


@pytest.fixture(scope="module")
def known(db: Path) -> Known:
    con = queries.connect(str(db))
    try:
        tickers = queries.companies(con)["ticker"].tolist()
    finally:
        con.close()
    return Known(read_company(db), tickers)


@pytest.fixture(scope="module")
def apps(db: Path) -> Iterator[dict[str, AppTest]]:
    """One AppTest per page, reused: a rerun with other query parameters is a visitor editing the URL."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("EARNINGS_DB", str(db))
        yield {page_id: new_app(page_id) for page_id in PAGE_IDS}


def marked(value: str) -> bool:
    """A value that carries a hostile fragment: it can occur on a page only if the page echoes it."""
    return any(f in value for f in FRAGMENTS)


def check_page(at: AppTest, page_id: str, params: dict[str, object], known: Known) -> None:
    where = f"{page_id} {params!r:.300}"
    assert [e.message for e in at.exception] == [], where
    assert not at.error, f"{where}: {[e.value for e in at.error]}"
    shown = texts(at)
    for text in shown:
        assert live_markup(text) == [], f"{where}: live markup {live_markup(text)} in {text[:200]!r}"
    values = [v for raw in params.values() for v in (raw if isinstance(raw, list) else [raw])]
    for value in values:
        if marked(value):
            assert not any(value in t or value in unescape(t) for t in shown), f"{where}: {value[:80]!r} echoed"
    links = [parse_qs(link.proto.query_string) for link in at.get("page_link")]
    for link in links:  # links carry only validated values
        for name, vs in link.items():
            allowed = known.tickers if name == "ticker" else known.values.get(name, [])
            assert all(v in allowed for v in vs), f"{where}: a link carries {name}={vs}"
    notices = [unescape(i.value) for i in at.info if "The link" in unescape(i.value)]
    rejected = known.rejected(params)
    if rejected:
        assert notices, f"{where}: {rejected} set aside without a notice"
    else:
        assert notices == [], f"{where}: a notice for a valid link: {notices}"
    assert at.title, f"{where}: the page fell back to its default view (it has a title)"


def hostile_value() -> st.SearchStrategy[str]:
    return st.one_of(
        st.text(max_size=30),
        # unicode only; a URL is UTF-8, so it cannot carry a lone surrogate (U+D800–U+DFFF)
        st.text(st.characters(min_codepoint=0x80, codec="utf-8"), min_size=1, max_size=20),
        st.text(min_size=150, max_size=400),
        st.builds(lambda c: c * 10_000, st.sampled_from(["9", "<", "$", "é", "'"])),
        st.builds(lambda a, f, b: a + f + b, st.text(max_size=8), st.sampled_from(FRAGMENTS), st.text(max_size=8)),
    )


@st.composite
def page_params(draw, page_id: str, known_values: dict[str, list[str]]) -> dict[str, object]:
    names = draw(st.lists(st.sampled_from(PAGE_PARAMS[page_id]), min_size=1, max_size=4, unique=True))
    out: dict[str, object] = {}
    for name in names:
        one = st.one_of(hostile_value(), st.sampled_from(known_values[name]))
        out[name] = draw(st.one_of(one, st.lists(one, min_size=2, max_size=3)))  # a list: the key repeated
    return out


@pytest.mark.parametrize("page_id", PAGE_IDS)
def test_hostile_urls_on_every_page(apps: dict[str, AppTest], known: Known, page_id: str) -> None:
    at = apps[page_id]

    @settings(
        max_examples=14,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
    )
    @given(params=page_params(page_id, known.values))
    def prop(params: dict[str, object]) -> None:
        check_page(run_with(at, params), page_id, params, known)

    prop()


ALL_AT_ONCE = "".join(FRAGMENTS[:10])


@pytest.mark.parametrize(
    ("page_id", "name"),
    [(p, n) for p in PAGE_IDS for n in PAGE_PARAMS[p]],
    ids=lambda x: x if isinstance(x, str) else "",
)
def test_every_parameter_of_every_page_with_every_fragment(
    apps: dict[str, AppTest], known: Known, page_id: str, name: str
) -> None:
    """Not left to chance: each parameter of each page once with all the fragments, alone and repeated."""
    valid = known.values[name][0]
    for value in (ALL_AT_ONCE, [valid, ALL_AT_ONCE], [ALL_AT_ONCE, valid], "9" * 10_000):
        params = {name: value}
        if name == "basis":
            params["metric"] = "gross_margin"
        if name == "theme_period":
            params["theme_topic"] = known.values["theme_topic"][0]
        check_page(run_with(apps[page_id], params), page_id, params, known)


# --- (b) text in the data ------------------------------------------------------------------------------------------

HOSTILE_TEXT = {
    "html": "<b>x</b>",
    "script": "<script>alert(1)</script>",
    "img": "<img src=x onerror=alert(1)>",
    "link": "[click](javascript:alert(1))",
    "maths": "$x^2$",
    "directive": ":red[alert]",
    "url": "https://evil.example/x",
    "email": "bob@evil.example",
    "www": "www.evil.example",
    "setext": "Setext title\n=====",
    "code": "after a blank line\n\n    four spaces of code",
}
SENTENCE = " ".join(HOSTILE_TEXT.values())
HOSTILE_TOPIC = ":red[CXL] <b>ramp</b> $x^2$"
HOSTILE_EXCERPT = "Revenue <script>alert(1)</script> [click](javascript:alert(1)) $x^2$ $141.096"
HOSTILE_TITLE = "Astera Labs <script>alert(1)</script> Q4 2024 [summary](javascript:alert(1))"


def rewrite(path: Path, change: Callable[[dict[str, str]], None]) -> None:
    with path.open(newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        fields, rows = reader.fieldnames, list(reader)
    for row in rows:
        change(row)
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def make_hostile_data(data: Path) -> Path:
    """A copy of data/ whose words are hostile: every commentary and theme text, a topic, an excerpt, a title."""
    data.mkdir(parents=True, exist_ok=True)
    for src in build_mod.DATA_DIR.glob("*.csv"):
        shutil.copy2(src, data / src.name)

    def commentary(row: dict[str, str]) -> None:
        row["text"] = f"{row['text']} {SENTENCE}"

    def themes(row: dict[str, str]) -> None:
        row["text"] = f"{row['text']} {SENTENCE}"
        if row["trend"]:
            row["trend"] = f"{row['trend']} {HOSTILE_TEXT['link']}"
        if row["topic"] == "CXL (Leo) ramp":
            row["topic"] = HOSTILE_TOPIC

    def facts(row: dict[str, str]) -> None:
        if (row["period"], row["metric"], row["section"]) == ("2024Q4", "revenue", "Financial Results"):
            row["excerpt"] = HOSTILE_EXCERPT

    def sources(row: dict[str, str]) -> None:
        if row["source_id"] == "alab-2024q4-summary":
            row["title"] = HOSTILE_TITLE

    rewrite(data / "commentary.csv", commentary)
    rewrite(data / "themes.csv", themes)
    rewrite(data / "facts.csv", facts)
    rewrite(data / "sources.csv", sources)
    return data


@pytest.fixture(scope="module")
def hostile_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("hostile_text")
    db = folder / "earnings.duckdb"
    build_mod.build(make_hostile_data(folder / "data"), db)
    return db


@pytest.fixture(scope="module")
def hostile_pages(hostile_db: Path) -> Iterator[dict[str, AppTest]]:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("EARNINGS_DB", str(hostile_db))
        pages = {
            "commentary": run_with(new_app("commentary"), {}),
            "overview": run_with(new_app("overview"), {}),
            "drill-down": run_with(new_app("revenue"), {"metric": "revenue", "period": "2024Q4"}),
            "theme detail": run_with(new_app("commentary"), {"theme_topic": HOSTILE_TOPIC, "theme_period": "2024Q3"}),
        }
        yield pages


@pytest.mark.parametrize("page", ["commentary", "overview", "drill-down", "theme detail"])
def test_hostile_text_renders_as_plain_text(hostile_pages: dict[str, AppTest], page: str) -> None:
    """Text from the data is shown either as plain text (st.text: no markdown at all, the characters exactly)
    or, inside a line of our own markdown, escaped: never as live markup."""
    at = hostile_pages[page]
    assert [e.message for e in at.exception] == [] and not at.error
    shown = texts(at)
    plain = [str(e.value) for e in at.text]
    for text in shown:
        assert live_markup(text) == [], f"live markup {live_markup(text)} in {text[:200]!r}"
    for name, raw in HOSTILE_TEXT.items():
        escaped = fmt.md_escape(raw)
        assert escaped != raw
        in_markdown = any(escaped in t for t in shown)
        assert in_markdown or any(raw in t for t in plain), f"{name}: {raw!r} is not on the page"
        assert any(raw in unescape(t) for t in shown + plain), f"{name}: the text does not read {raw!r}"
        assert not any(raw in t for t in shown), f"{name}: {raw!r} sent to markdown unescaped"


def test_the_escaped_forms_are_the_ones_expected(hostile_pages: dict[str, AppTest]) -> None:
    """Spelled out once, as they travel: markdown with backslashes before every special character; text
    shown on its own as exactly the characters of the data."""
    shown = " ".join(texts(hostile_pages["drill-down"]))
    assert r"\<script\>alert\(1\)\</script\>" in shown
    assert r"\[click\]\(javascript\:alert\(1\)\)" in shown
    assert r"\$x^2\$" in shown
    plain = " ".join(str(e.value) for e in hostile_pages["drill-down"].text)
    assert ":red[alert]" in plain and "<img src=x onerror=alert(1)>" in plain


def test_hostile_excerpt_title_and_topic(hostile_pages: dict[str, AppTest]) -> None:
    drill = texts(hostile_pages["drill-down"])
    assert "> " + fmt.md_escape(HOSTILE_EXCERPT) in drill, "the figure's excerpt, quoted as plain text"
    assert any(fmt.md_escape(HOSTILE_TITLE) in t for t in drill), "the source title in the caption"
    detail = texts(hostile_pages["theme detail"])
    assert f"**{fmt.md_escape(HOSTILE_TOPIC)}** · Q3 2024" in detail, "the theme picked by its (hostile) topic"
    assert not [i.value for i in hostile_pages["theme detail"].info if "The link" in unescape(i.value)]
