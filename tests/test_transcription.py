"""The database says what the source documents say.

The tables of the summary document (000) are parsed here, independently of
the transcription in data/*.csv, and every figure is looked up in the built
database. Every bullet must be in ``commentary``; every excerpt must be found
in its document.
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest

pytestmark = pytest.mark.seeds

SUMMARY_FILE = "000_06467fc4fb2a96c0.txt"

# Row labels of the Financial Results tables -> (metric, basis, unit).
RESULT_LABELS = {
    "Revenue ($USD Millions)": ("revenue", None, "usd_m"),
    "Gross Margin % (GAAP)": ("gross_margin", "gaap", "pct"),
    "Operating Margin % (GAAP)": ("operating_margin", "gaap", "pct"),
    "Net Income ($USD Millions, GAAP)": ("net_income", "gaap", "usd_m"),
    "Diluted EPS (GAAP)": ("diluted_eps", "gaap", "usd_per_share"),
    "Gross Margin % (Non-GAAP)": ("gross_margin", "non_gaap", "pct"),
    "Operating Margin % (Non-GAAP)": ("operating_margin", "non_gaap", "pct"),
    "Net Income ($USD Millions, Non-GAAP)": ("net_income", "non_gaap", "usd_m"),
    "Diluted EPS (Non-GAAP)": ("diluted_eps", "non_gaap", "usd_per_share"),
    "R&D Expense ($USD Millions, GAAP)": ("opex_rd", "gaap", "usd_m"),
    "Sales & Marketing ($USD Millions, GAAP)": ("opex_sm", "gaap", "usd_m"),
    "G&A ($USD Millions, GAAP)": ("opex_ga", "gaap", "usd_m"),
    "Total Opex ($USD Millions, GAAP)": ("opex_total", "gaap", "usd_m"),
    "Interest Income ($USD Millions)": ("interest_income", None, "usd_m"),
    "Cash & Marketable Securities ($USD Millions)": ("cash_and_securities", None, "usd_m"),
}

# Row labels of the Guidance Changes table -> (metric, basis).
GUIDANCE_LABELS = {
    "Revenue ($USD Millions)": ("revenue", None),
    "Gross Margin % (Non-GAAP)": ("gross_margin", "non_gaap"),
    "Diluted EPS (Non-GAAP)": ("diluted_eps", "non_gaap"),
    "Operating Expenses (Non-GAAP, $USD Millions)": ("opex_total", "non_gaap"),
}

SECTIONS = (
    "Executive Summary",
    "What Went Well and What Went Wrong",
    "What Went Well",
    "What Went Wrong",
    "Financial Results",
    "Guidance Changes",
    "Earnings Call Themes & Trends",
    "Management Commentary",
    "Q&A Highlights",
    "Estimates Context",
    "Key Takeaways for Investors",
)
SECTION_KIND = {
    "Executive Summary": "summary",
    "What Went Well": "went_well",
    "What Went Wrong": "went_wrong",
    "Management Commentary": "quote",
    "Q&A Highlights": "qa",
    "Estimates Context": "estimates",
    "Key Takeaways for Investors": "takeaway",
}

QUARTER_RE = re.compile(r"Q([1-4]) (\d{4})")
CELL_RE = re.compile(r"^(\()?\$?(\d+(?:\.\d+)?)(\))?%?$")  # $50.514, 77.3%, (7.9)%, ($7.593)
DATE_RE = re.compile(r"\((?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]* \d{1,2}, \d{4}\)")
NUM = r"\$?(\d+(?:\.\d+)?)%?"


# --- reading the documents ----------------------------------------------------------------------


def period_of(quarter: str, year: str) -> str:
    return f"{year}Q{quarter}"


def decimals(text: str) -> int:
    return len(text.split(".", 1)[1]) if "." in text else 0


def sections(text: str) -> dict[str, list[str]]:
    """Lines of the summary document by the section heading they follow."""
    out: dict[str, list[str]] = {}
    current = None
    for line in text.splitlines():
        if line.strip() in SECTIONS:
            current = line.strip()
            out.setdefault(current, [])
        elif current is not None:
            out[current].append(line)
    return out


def parse_cell(token: str) -> tuple[float, str]:
    m = CELL_RE.match(token)
    assert m, f"unparseable table cell {token!r}"
    assert bool(m.group(1)) == bool(m.group(3)), f"unbalanced parentheses in {token!r}"
    value = float(m.group(2))
    return (-value if m.group(1) else value), m.group(2)


def parse_results(lines: list[str]) -> list[tuple[str, str, float, str]]:
    """(label, period, value, digits) for every cell of the Financial Results tables."""
    cells = []
    quarters: list[str] | None = None
    for line in lines:
        line = line.strip()
        if not line or line.startswith("Segment breakdown:"):
            continue
        if line.startswith(("Metric", "KPI")) and QUARTER_RE.search(line):
            quarters = [period_of(q, y) for q, y in QUARTER_RE.findall(line)]
            continue
        label = next((lab for lab in sorted(RESULT_LABELS, key=len, reverse=True) if line.startswith(lab)), None)
        assert label is not None, f"a Financial Results row with an unknown label: {line!r}"
        assert quarters, f"a row before any header: {line!r}"
        tokens = DATE_RE.sub(" ", line[len(label) :]).split()
        values = [parse_cell(t) for t in tokens]
        assert 0 < len(values) <= len(quarters), line
        # cells are right-aligned: a short row lacks its earliest quarters
        for period, (value, digits) in zip(quarters[len(quarters) - len(values) :], values):
            cells.append((label, period, value, digits))
    return cells


def parse_range(text: str) -> tuple[float, float, str, int]:
    """'$126–$130' -> (126, 130, 'range'); '~75%' -> (75, 75, 'approx')."""
    m = re.fullmatch(rf"~{NUM}", text)
    if m:
        return float(m.group(1)), float(m.group(1)), "approx", decimals(m.group(1))
    m = re.fullmatch(rf"{NUM}–{NUM}", text)
    assert m, f"not a range: {text!r}"
    return float(m.group(1)), float(m.group(2)), "range", decimals(m.group(1))


def parse_guidance(lines: list[str]) -> list[dict]:
    """Every row of the Guidance Changes table."""
    rows = []
    range_re = rf"(~{NUM}|{NUM}–{NUM})"
    for line in lines:
        line = line.strip()
        if not line or line.startswith("MetricPeriod"):
            continue
        label = next((lab for lab in sorted(GUIDANCE_LABELS, key=len, reverse=True) if line.startswith(lab)), None)
        assert label is not None, f"a Guidance Changes row with an unknown label: {line!r}"
        rest = line[len(label) :]
        m = QUARTER_RE.match(rest)
        assert m, f"no period after the label: {line!r}"
        period = period_of(*m.groups())
        rest = rest[m.end() :]
        row = {"label": label, "period": period, "line": line}
        if rest.startswith("N/A"):
            m = re.match(rf"^N/A{range_re}\s+(?P<change>.+)$", rest)
            assert m, f"unparseable initiated guidance: {line!r}"
            row.update(previous=None, current=parse_range(m.group(1)), actual=None, change=m.group("change"))
        else:
            m = re.match(
                rf"^{range_re}\s+(?P<actual>\$?\d+(?:\.\d+)?%?) \(Actual[^)]*\)(?:;\s*~?\$?\d+(?:\.\d+)?(?: [a-z]+)*)?\s+(?P<change>.+)$",
                rest,
            )
            assert m, f"unparseable guidance vs actual: {line!r}"
            actual_text = m.group("actual").strip("$%")
            row.update(
                previous=parse_range(m.group(1)),
                current=None,
                actual=(float(actual_text), decimals(actual_text)),
                change=m.group("change"),
            )
        rows.append(row)
    return rows


def normalize_bullet(line: str) -> tuple[str, str | None]:
    """The commentary text of a bullet and its speaker (for quotes)."""
    text = line.strip()
    assert text.startswith("•")
    text = text[1:].strip()
    if text.endswith(" ."):
        text = text[:-2] + "."
    m = re.fullmatch(r"([A-Z]{2,5}): “(.*)”", text, flags=re.S)
    if m:
        return m.group(2), m.group(1)
    return text, None


def without_links(text: str) -> str:
    """Markdown links [text](url) -> text."""
    return re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)


def searchable(text: str) -> str:
    """A document as excerpts quote it: links reduced to their text, ' .' sentence ends as '.'."""
    return re.sub(r" \.(?=\s|$)", ".", without_links(text))


def find_in_order(excerpt: str, document: str) -> str | None:
    """None if every '…'-separated part of the excerpt is found in order, else the missing part."""
    pos = 0
    for part in excerpt.split("…"):
        if not part.strip():
            continue
        at = document.find(part, pos)
        if at < 0:
            return part
        pos = at + len(part)
    return None


# --- fixtures -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def summary_text(seeds_dir: Path) -> str:
    path = seeds_dir / SUMMARY_FILE
    if not path.exists():
        pytest.skip(f"{SUMMARY_FILE} not found in {seeds_dir}")
    return path.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def summary(summary_text: str) -> dict[str, list[str]]:
    return sections(summary_text)


@pytest.fixture(scope="module")
def doc_ticker(summary_text: str) -> str:
    m = re.search(r"\(([A-Z]{1,6})\)·Q[1-4] \d{4}", summary_text)
    assert m, "no ticker in the summary's title"
    return m.group(1)


@pytest.fixture(scope="module")
def doc_period(summary_text: str) -> str:
    m = re.search(r"·(Q[1-4]) (\d{4}) Earnings Summary", summary_text)
    assert m
    return f"{m.group(2)}{m.group(1)}"


@pytest.fixture(scope="module")
def con(built_db: Path):
    c = duckdb.connect(str(built_db), read_only=True)
    yield c
    c.close()


@pytest.fixture(scope="module")
def summary_source_id(con) -> str:
    rows = con.execute("select source_id from sources where file = ?", [SUMMARY_FILE]).fetchall()
    assert len(rows) == 1, f"exactly one source is {SUMMARY_FILE}"
    return rows[0][0]


# --- the parser itself ----------------------------------------------------------------------------


def test_parser_reads_the_format_quirks():
    rows = parse_results(
        [
            "MetricQ4 2023Q3 2024Q4 2024",
            "Net Income ($USD Millions, GAAP)$14.325 ($7.593) $24.713",
            "Operating Margin % (GAAP)17.9% (7.9)% 0.1%",
            "Diluted EPS (GAAP)($0.05) $0.14",
            "Cash & Marketable Securities ($USD Millions)$208.0 (Dec 31, 2023) $886.8 (Sep 30, 2024) $914.3 (Dec 31, 2024)",
        ]
    )
    got = {(label, period): value for label, period, value, _ in rows}
    assert got[("Net Income ($USD Millions, GAAP)", "2024Q3")] == -7.593
    assert got[("Operating Margin % (GAAP)", "2024Q3")] == -7.9
    assert got[("Diluted EPS (GAAP)", "2024Q3")] == -0.05
    assert got[("Diluted EPS (GAAP)", "2024Q4")] == 0.14
    assert ("Diluted EPS (GAAP)", "2023Q4") not in got
    assert got[("Cash & Marketable Securities ($USD Millions)", "2023Q4")] == 208.0
    assert len(rows) == 3 + 3 + 2 + 3
    g = parse_guidance(
        [
            "Diluted EPS (Non-GAAP)Q4 2024$0.25–$0.26 $0.37 (Actual); ~$0.30 ex tax benefit Beat (benefited by tax)",
            "Gross Margin % (Non-GAAP)Q1 2025N/A~74% Initiated",
        ]
    )
    assert g[0]["previous"][:3] == (0.25, 0.26, "range") and g[0]["actual"][0] == 0.37
    assert g[0]["change"] == "Beat (benefited by tax)"
    assert g[1]["previous"] is None and g[1]["current"][:3] == (74.0, 74.0, "approx") and g[1]["change"] == "Initiated"


# --- Financial Results ------------------------------------------------------------------------------


def test_every_financial_results_figure_is_a_fact(summary, con, doc_ticker):
    cells = parse_results(summary["Financial Results"])
    assert len(cells) >= 40, "the Financial Results tables were not found or not parsed"
    wrong = []
    for label, period, value, _ in cells:
        metric, basis, unit = RESULT_LABELS[label]
        rows = con.execute(
            "select value, unit from facts where ticker = ? and period = ? and metric = ? and basis is not distinct from ?",
            [doc_ticker, period, metric, basis],
        ).fetchall()
        if len(rows) != 1:
            wrong.append(f"{label} {period}: {len(rows)} facts, expected 1 ({value})")
            continue
        got, got_unit = rows[0]
        if got != pytest.approx(value, abs=1e-9) or got_unit != unit:
            wrong.append(f"{label} {period}: database has {got} {got_unit}, document says {value} {unit}")
    assert not wrong, "\n".join(wrong)


def test_quarters_without_a_value_have_no_row(summary, con, doc_ticker):
    cells = parse_results(summary["Financial Results"])
    quarters = sorted({period for _, period, _, _ in cells})
    present = {(label, period) for label, period, _, _ in cells}
    gaps = [(label, q) for label in {c[0] for c in cells} for q in quarters if (label, q) not in present]
    assert gaps, "the document has at least one empty cell (Diluted EPS (GAAP), Q4 2023)"
    for label, period in gaps:
        metric, basis, _ = RESULT_LABELS[label]
        n = con.execute(
            "select count(*) from facts where ticker = ? and period = ? and metric = ? and basis is not distinct from ?",
            [doc_ticker, period, metric, basis],
        ).fetchone()[0]
        assert n == 0, f"{label} {period} has no value in the document but {n} row(s) in facts"


def test_every_financial_results_row_label_is_mapped(summary):
    labels = {c[0] for c in parse_results(summary["Financial Results"])}
    assert labels == set(RESULT_LABELS)


# --- Guidance Changes -------------------------------------------------------------------------------


def test_every_guidance_changes_row_is_in_guidance(summary, con, doc_ticker, doc_period):
    rows = parse_guidance(summary["Guidance Changes"])
    assert len(rows) == 8
    year, quarter = int(doc_period[:4]), int(doc_period[-1])
    prior_quarter = f"{year}Q{quarter - 1}" if quarter > 1 else f"{year - 1}Q4"
    for row in rows:
        metric, basis = GUIDANCE_LABELS[row["label"]]
        found = con.execute(
            """select low, high, qualifier, source_label, issued_period, stated_actual, actual, position
               from guidance where ticker = ? and metric = ? and basis is not distinct from ? and target_period = ?""",
            [doc_ticker, metric, basis, row["period"]],
        ).fetchall()
        assert len(found) == 1, f"{row['line']}: {len(found)} guidance rows"
        low, high, qualifier, source_label, issued, stated_actual, actual, position = found[0]
        guide = row["previous"] or row["current"]
        assert (low, high, qualifier) == (pytest.approx(guide[0]), pytest.approx(guide[1]), guide[2]), row["line"]
        assert source_label == row["change"], row["line"]
        if row["previous"] is None:
            # 'N/A' previous guidance: newly initiated with this quarter's report
            assert issued == doc_period, row["line"]
            assert stated_actual is None and actual is None and position == "pending", row["line"]
        else:
            assert issued == prior_quarter, row["line"]
            stated, places = row["actual"]
            assert stated_actual == pytest.approx(stated), row["line"]
            assert actual is not None and abs(actual - stated) <= 0.5 * 10**-places + 1e-9, row["line"]
            assert position != "pending", row["line"]


# --- commentary ---------------------------------------------------------------------------------------


def bullets(summary: dict[str, list[str]]) -> list[tuple[str, str, str | None]]:
    """(section, text, speaker) for every bullet of every section."""
    out = []
    for section, lines in summary.items():
        for line in lines:
            if line.strip().startswith("•"):
                text, speaker = normalize_bullet(line)
                out.append((section, text, speaker))
    return out


def test_normalize_bullet():
    assert normalize_bullet("  • Margins: down to 74.1% .") == ("Margins: down to 74.1%.", None)
    assert normalize_bullet("  • CFO: “We expect Q1 revenues to increase.”") == (
        "We expect Q1 revenues to increase.",
        "CFO",
    )


def test_every_bullet_is_in_commentary(summary, con, summary_source_id, doc_ticker, doc_period):
    items = bullets(summary)
    assert len(items) >= 20, "the bullets were not found"
    missing = []
    for section, text, speaker in items:
        rows = con.execute(
            "select kind, speaker, section, ticker, period from commentary where text = ? and source_id = ?",
            [text, summary_source_id],
        ).fetchall()
        if len(rows) != 1:
            missing.append(f"[{section}] {text[:80]}… ({len(rows)} rows)")
            continue
        kind, got_speaker, got_section, ticker, period = rows[0]
        assert kind == SECTION_KIND[section], text
        assert got_speaker == speaker, text
        assert got_section == section, text
        assert (ticker, period) == (doc_ticker, doc_period), text
    assert not missing, "bullets missing from commentary:\n" + "\n".join(missing)


def test_segment_breakdown_line_is_in_commentary(summary, con, summary_source_id):
    lines = [line.strip() for line in summary["Financial Results"] if line.strip().startswith("Segment breakdown:")]
    assert len(lines) == 1
    text = lines[0][:-2] + "." if lines[0].endswith(" .") else lines[0]
    n = con.execute(
        "select count(*) from commentary where text = ? and source_id = ?", [text, summary_source_id]
    ).fetchone()[0]
    assert n == 1


def test_summary_commentary_is_exactly_the_bullets(summary, con, summary_source_id):
    """Nothing invented: the summary's commentary rows are its bullets and the segment line."""
    n = con.execute("select count(*) from commentary where source_id = ?", [summary_source_id]).fetchone()[0]
    assert n == len(bullets(summary)) + 1


# --- excerpts and themes ----------------------------------------------------------------------------


EXCERPT_QUERIES = {
    "facts": "select source_id, excerpt from facts",
    "guidance": "select source_id, excerpt from guidance",
    "targets": "select source_id, excerpt from targets",
    "cross_checks": "select source_id, excerpt from cross_checks",
    "commentary": "select source_id, text from commentary",
}


@pytest.mark.parametrize("table", sorted(EXCERPT_QUERIES))
def test_every_excerpt_is_in_its_source_document(table, con, seeds_dir):
    documents = {}
    for source_id, file in con.execute("select source_id, file from sources").fetchall():
        path = seeds_dir / file
        assert path.exists(), f"source {source_id}: {file} is not in {seeds_dir}"
        documents[source_id] = searchable(path.read_text(encoding="utf-8"))
    rows = con.execute(EXCERPT_QUERIES[table]).fetchall()
    assert rows
    not_found = []
    for source_id, excerpt in rows:
        part = find_in_order(excerpt, documents[source_id])
        if part is not None:
            not_found.append(f"{source_id}: {part!r} (of {excerpt!r})")
    assert not not_found, f"{table} excerpts not in their documents:\n" + "\n".join(not_found)


def test_find_in_order_and_links():
    doc = searchable("CEO: “We expect growth…driven by [AI](https://x.test/a) demand” .")
    assert doc == "CEO: “We expect growth…driven by AI demand”."
    assert find_in_order("We expect…AI demand”.", doc) is None
    assert find_in_order("AI demand…We expect", doc) == "We expect"


def test_every_theme_is_in_its_topic_row(summary, con, summary_source_id):
    lines = [line.strip() for line in summary["Earnings Call Themes & Trends"] if line.strip()]
    lines = [line for line in lines if not line.startswith("TopicPrevious")]
    themes = con.execute(
        "select topic, period, text, trend from themes where source_id = ? order by topic, period",
        [summary_source_id],
    ).fetchall()
    assert themes
    topics = {t[0] for t in themes}
    for line in lines:
        assert any(line.startswith(t) for t in topics), f"a themes row with no topic in the database: {line[:60]}"
    for topic in topics:
        rows = [line for line in lines if line.startswith(topic)]
        assert len(rows) == 1, f"topic {topic!r} starts {len(rows)} rows"
        cells = rows[0][len(topic) :]
        pos = 0
        texts = [t for t in themes if t[0] == topic]
        for _, period, text, _ in texts:
            assert text, f"{topic} {period}: empty text"
            at = cells.find(text, pos)
            assert at >= 0, f"{topic} {period}: {text!r} is not in {cells!r} (after the earlier periods)"
            pos = at + len(text)
        trends = {t[3] for t in texts if t[3]}
        assert len(trends) <= 1, f"{topic}: more than one trend"
        for trend in trends:
            assert cells.endswith(trend), f"{topic}: trend {trend!r} is not the row's last cell"
