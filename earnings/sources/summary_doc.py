"""Parse an earnings summary document (the layout of the seed ``000_…txt``).

The layout: a title line ``Company (TICKER)·Q4 2024 Earnings Summary``, then
sections (Executive Summary, What Went Well, What Went Wrong, Financial
Results, Guidance Changes, Earnings Call Themes & Trends, Management
Commentary, Q&A Highlights, Estimates Context, Key Takeaways for Investors).
Tables lost their cell separators when the page was flattened to text.

The parser returns rows in the form of the source files in ``data/`` (values
as written, so precision is kept) and a list of flags: every reading that
needed judgement (cell boundaries, empty cells, assumed dates) is flagged for
review, never guessed silently. A line it cannot read is an error naming the
line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from earnings.contract import periods, schema, vocab
from earnings.sources import consensus, reviewed
from earnings.sources.incoming import Context, Incoming
from earnings.sources.problems import Problem, SourceError

TITLE_RE = re.compile(
    r"^(?P<name>.+?) \((?P<ticker>[A-Z][A-Z0-9.\-]{0,9})\)\s*·\s*(?P<q>Q[1-4]) (?P<year>\d{4}) Earnings Summary$"
)
TEXT_SECTIONS = {
    "Executive Summary": "summary",
    "What Went Well": "went_well",
    "What Went Wrong": "went_wrong",
    "Management Commentary": "quote",
    "Q&A Highlights": "qa",
    "Estimates Context": "estimates",
    "Key Takeaways for Investors": "takeaway",
}
TABLE_SECTIONS = ("Financial Results", "Guidance Changes", "Earnings Call Themes & Trends")
GROUP_HEADINGS = ("What Went Well and What Went Wrong",)
SECTIONS = set(TEXT_SECTIONS) | set(TABLE_SECTIONS) | set(GROUP_HEADINGS)
# the order of the layout's sections; a document that stops before the last one is truncated
SECTION_ORDER = (
    "Executive Summary", "What Went Well", "What Went Wrong", "Financial Results", "Guidance Changes",
    "Earnings Call Themes & Trends", "Management Commentary", "Q&A Highlights", "Estimates Context",
    "Key Takeaways for Investors",
)  # fmt: skip

QUARTER = r"Q[1-4] \d{4}"
NUM = r"\d[\d,]*(?:\.\d+)?"
RESULTS_HEADER_RE = re.compile(rf"^(?:Metric|KPI)((?:{QUARTER})+)$")
VALUE_RE = re.compile(
    rf"(?P<open>\()?(?P<dollar>\$)?(?P<open2>\()?(?P<num>{NUM})(?P<close>\))?(?P<pct>%)?(?P<close2>\))?"
)
DATE_NOTE_RE = re.compile(r"\((?P<mon>[A-Z][a-z]{2})[a-z]*\.? (?P<day>\d{1,2}), (?P<year>\d{4})\)")
GUIDE_HEADER = "MetricPeriodPrevious GuidanceCurrent Guidance / ActualChange"
RANGE = rf"(?P<{{p}}approx>~)?\$?(?P<{{p}}low>{NUM})M?%?(?:\s*[–-]\s*\$?(?P<{{p}}high>{NUM})M?%?)?"
GUIDE_REST_RE = re.compile(
    r"^(?P<period>" + QUARTER + r")"
    r"(?:(?P<na>N/A)|"
    + RANGE.format(p="prev_")
    + r")\s*"
    + RANGE.format(p="cur_")
    + r"(?:\s*\((?P<actual>Actual[^)]*)\))?"
    r"(?:;\s*(?P<ex_approx>~)?\$?(?P<ex>" + NUM + r") ex[ -]tax benefit)?"
    r"\s*(?P<label>.*)$"
)
THEMES_HEADER_RE = re.compile(r"^Topic(?P<cols>.+?)Trend$")
THEME_COL_RE = re.compile(r"\((Q[1-4]) (\d{4})\)")
QUOTE_RE = re.compile(r"^(?P<who>[A-Z][A-Za-z&/ .]{1,40}): “(?P<text>.*)”$")
MONTHS = {
    m: i for i, m in enumerate(["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"], 1)
}
FUNCTION_WORDS = {
    "a", "an", "and", "as", "at", "by", "for", "from", "in", "of", "on", "or", "the", "to", "vs", "with", "into", "via",
    "after", "before", "during", "since", "until", "than", "per", "over", "under", "across",
}  # fmt: skip

# which metrics a bullet speaks about, by words in it (the curator can refine in data/commentary.csv)
METRIC_WORDS = {
    "revenue": r"revenue|top-line|sales",
    "gross_margin": r"gross margin|\bGM\b",
    "operating_margin": r"operating margin|operating leverage",
    "diluted_eps": r"\bEPS\b",
    "opex_total": r"\bopex\b|operating expenses",
    "opex_rd": r"\bR&D\b",
    "cash_and_securities": r"\bcash\b",
    "inventory_growth_qoq": r"inventor",
    "scorpio_revenue_share": r"Scorpio[^.]*\d+% of \d{4} revenue",
}


@dataclass(frozen=True)
class Label:
    label: str
    metric: str
    basis: str
    unit: str


@dataclass
class ParsedDoc:
    ticker: str
    period: str
    source_id: str
    company: dict
    source: dict
    facts: list[dict] = field(default_factory=list)
    guidance: list[dict] = field(default_factory=list)
    commentary: list[dict] = field(default_factory=list)
    themes: list[dict] = field(default_factory=list)
    estimates: list[dict] = field(default_factory=list)
    flags: list[Problem] = field(default_factory=list)

    def tables(self) -> dict[str, list[dict]]:
        tables = {
            "companies": [self.company],
            "sources": [self.source],
            "facts": self.facts,
            "guidance": self.guidance,
            "commentary": self.commentary,
            "themes": self.themes,
        }
        if self.estimates:
            tables["estimates"] = self.estimates
        return tables


def load_labels(path: Path) -> list[Label]:
    """The label table: row labels of the documents' tables -> metric, basis, unit (checked like every
    source file: SourceError naming each bad line)."""
    problems: list[Problem] = []
    rows, _ = reviewed.read_table(path, schema.TABLES["labels"], {}, problems)
    if problems:
        raise SourceError(problems)
    labels = [Label(" ".join(r["label"].split()), r["metric"], r["basis"] or "", r["unit"]) for r in rows]
    return sorted(labels, key=lambda lab: -len(lab.label))  # longest label first


def match_label(text: str, labels: list[Label]) -> tuple[Label, str] | None:
    """The label a table row starts with, and the rest of the row."""
    norm = " ".join(text.split())
    for lab in labels:
        if norm.lower().startswith(lab.label.lower()):
            return lab, norm[len(lab.label) :]
    return None


def _quarter_period(q: str) -> str:
    """'Q4 2024' -> '2024Q4'."""
    quarter, year = q.split()
    return f"{year}{quarter}"


def _number_text(num: str, negative: bool) -> str:
    return ("-" if negative else "") + num.replace(",", "")


def parse_values(text: str) -> list[tuple[str, str, str | None]]:
    """Cells of a flattened row: [(value as written, kind '$'/'%'/'', date note)].

    Raises ValueError when anything in the text is not a value.
    """
    out = []
    pos = 0
    text = text.strip()
    while pos < len(text):
        if text[pos].isspace():
            pos += 1
            continue
        m = VALUE_RE.match(text, pos)
        if not m or m.end() == pos:
            raise ValueError(f"cannot read {text[pos : pos + 20]!r} as a value")
        opened = bool(m.group("open") or m.group("open2"))
        closed = bool(m.group("close") or m.group("close2"))
        if opened != closed:
            raise ValueError(f"unbalanced parentheses in {m.group(0)!r}")
        kind = "%" if m.group("pct") else "$" if m.group("dollar") else ""
        pos = m.end()
        note = None
        rest = text[pos:].lstrip()
        d = DATE_NOTE_RE.match(rest)
        if d:
            note = f"{d.group('year')}-{MONTHS.get(d.group('mon'), 0):02d}-{int(d.group('day')):02d}"
            pos = len(text) - len(rest) + d.end()
        out.append((_number_text(m.group("num"), opened), kind, note))
    return out


def _kind_ok(label: Label, kind: str) -> bool:
    return (label.unit == "pct" and kind == "%") or (label.unit in ("usd_m", "usd_per_share") and kind == "$")


class _Parser:
    def __init__(self, text: str, file: str, labels: list[Label]):
        self.lines = text.splitlines()
        self.file = file
        self.labels = labels
        self.errors: list[Problem] = []
        self.flags: list[Problem] = []
        self.counters: dict[str, int] = {}

    def error(self, line: int, reason: str) -> None:
        self.errors.append(Problem(self.file, line, reason))

    def flag(self, line: int, reason: str) -> None:
        self.flags.append(Problem(self.file, line, reason))

    # --- structure -------------------------------------------------------------------
    def sections(self) -> tuple[re.Match, int, dict[str, list[tuple[int, str]]]]:
        title = None
        title_line = 0
        current = None
        found: dict[str, list[tuple[int, str]]] = {}
        for number, raw in enumerate(self.lines, start=1):
            s = raw.strip()
            if not s:
                continue
            if title is None:
                m = TITLE_RE.match(s)
                if m:
                    title, title_line = m, number
                continue
            if s in SECTIONS:
                current = s
                found.setdefault(s, [])
                continue
            if current and current not in GROUP_HEADINGS:
                found[current].append((number, s))
        if title is None:
            first = next((n for n, raw in enumerate(self.lines, start=1) if raw.strip()), 1)
            raise SourceError(
                [
                    Problem(
                        self.file,
                        first,
                        "not an earnings summary: no title line like 'Company (TICK)·Q4 2024 Earnings Summary' "
                        "anywhere in the file",
                    )
                ]
            )
        if not found:
            raise SourceError(
                [Problem(self.file, title_line, "no known section after the title: the document looks truncated")]
            )
        return title, title_line, found

    # --- Financial Results ---------------------------------------------------------------
    def results(self, lines: list[tuple[int, str]], doc: ParsedDoc, kinds: dict[str, str]) -> list[dict]:
        quarters: list[str] = []
        facts = []
        dates: list[tuple[str, str]] = []
        for number, s in lines:
            h = RESULTS_HEADER_RE.match(s)
            if h:
                quarters = [_quarter_period(q) for q in re.findall(QUARTER, h.group(1))]
                continue
            if s.startswith("Segment breakdown:") or not quarters:
                if not quarters and not s.endswith(":"):
                    self.error(
                        number, "a Financial Results row before any header row like 'MetricQ4 2023Q3 2024Q4 2024'"
                    )
                else:
                    doc.commentary.append(self.comment("summary", _clean(s), "Financial Results", doc))
                continue
            m = match_label(s, self.labels)
            if m is None:
                head = re.split(r"[\$\d(~]", s, maxsplit=1)[0].strip() or s[:40]
                self.error(
                    number, f"unknown row label {head!r}: add it to data/labels.csv with its metric, basis and unit"
                )
                continue
            label, rest = m
            try:
                cells = parse_values(rest)
            except ValueError as e:
                self.error(number, f"row {label.label!r}: {e}")
                continue
            if not cells:
                self.flag(number, f"row {label.label!r} has no values: nothing recorded")
                continue
            if len(cells) > len(quarters):
                self.error(number, f"row {label.label!r} has {len(cells)} values for {len(quarters)} quarters")
                continue
            if len(cells) < len(quarters):
                given = quarters[len(quarters) - len(cells) :]
                self.flag(
                    number,
                    f"row {label.label!r} has {len(cells)} values for {len(quarters)} quarters: read as "
                    f"{', '.join(periods.label(p) for p in given)} (the earliest left empty); check the source",
                )
            for period, (value, kind, note) in zip(quarters[len(quarters) - len(cells) :], cells):
                if not _kind_ok(label, kind):
                    self.error(
                        number,
                        f"row {label.label!r}: {value} is written as {kind or 'a plain number'}, expected {label.unit}",
                    )
                    continue
                if note:
                    dates.append((period, note))
                facts.append(self.fact(doc, period, label, value, "Financial Results", s))
        kinds["dates"] = ",".join(f"{p}={d}" for p, d in dates)
        return facts

    def fact(
        self, doc: ParsedDoc, period: str, label: Label, value: str, section: str, excerpt: str, qualifier: str = ""
    ) -> dict:
        return {
            "ticker": doc.ticker, "period": period, "metric": label.metric, "basis": label.basis, "value": value,
            "unit": label.unit, "qualifier": qualifier, "source_id": doc.source_id, "section": section,
            "excerpt": excerpt, "note": "", "preferred": "",
        }  # fmt: skip

    # --- Guidance Changes -------------------------------------------------------------------
    def guidance(self, lines: list[tuple[int, str]], doc: ParsedDoc) -> None:
        header = False
        for number, s in lines:
            if s.replace(" ", "") == GUIDE_HEADER.replace(" ", ""):
                header = True
                continue
            if not header:
                self.error(number, f"a Guidance Changes row before the header {GUIDE_HEADER!r}")
                continue
            m = match_label(s, self.labels)
            if m is None:
                head = re.split(rf"{QUARTER}", s, maxsplit=1)[0].strip() or s[:40]
                self.error(
                    number, f"unknown row label {head!r}: add it to data/labels.csv with its metric, basis and unit"
                )
                continue
            label, rest = m
            g = GUIDE_REST_RE.match(rest)
            if g is None:
                self.error(
                    number, f"row {label.label!r}: cannot read period, previous and current guidance in {rest!r}"
                )
                continue
            target = _quarter_period(g.group("period"))
            change = g.group("label").strip()
            cur = _range(g, "cur_")
            backwards = [
                r for r in (cur, None if g.group("na") else _range(g, "prev_")) if r and float(r[0]) > float(r[1])
            ]
            if backwards:
                self.error(
                    number, f"row {label.label!r}: the range {backwards[0][0]}–{backwards[0][1]} runs high to low"
                )
                continue
            if not g.group("actual") and periods.sort_key(target) < periods.sort_key(doc.period):
                self.error(
                    number,
                    f"row {label.label!r}: guidance for {periods.label(target)} without an actual in a "
                    f"{periods.label(doc.period)} document: the target quarter has passed",
                )
                continue
            if g.group("na"):
                self.add_guidance(doc, label, target, doc.period, cur, "", change or "Initiated", s)
                continue
            prev = _range(g, "prev_")
            if g.group("actual"):
                if cur[2] == "approx" or cur[0] != cur[1]:
                    self.error(number, f"row {label.label!r}: an actual should be one number, not {rest!r}")
                    continue
                issued = periods.previous_quarter(target)
                self.flag(
                    number,
                    f"{label.label} {periods.label(target)}: the previous guidance is taken as issued with {periods.label(issued)} results",
                )
                self.add_guidance(doc, label, target, issued, prev, cur[0], change, s)
                doc.facts.append(self.fact(doc, target, label, cur[0], "Guidance Changes", s))
                if g.group("ex"):
                    ex_metric = f"{label.metric}_ex_tax_benefit"
                    if ex_metric in vocab.METRICS:
                        ex_label = Label(label.label, ex_metric, label.basis, label.unit)
                        qualifier = "approx" if g.group("ex_approx") else ""
                        doc.facts.append(
                            self.fact(doc, target, ex_label, g.group("ex"), "Guidance Changes", s, qualifier)
                        )
                    else:
                        self.flag(number, f"'{g.group('ex')} ex tax benefit' not recorded: no metric {ex_metric}")
            else:  # an updated range: the earlier one and the new one
                issued = periods.previous_quarter(doc.period)
                self.flag(
                    number,
                    f"{label.label} {periods.label(target)}: the previous range is taken as issued with {periods.label(issued)} results",
                )
                self.add_guidance(doc, label, target, issued, prev, "", "Previous", s)
                self.add_guidance(doc, label, target, doc.period, cur, "", change, s)

    def add_guidance(
        self,
        doc: ParsedDoc,
        label: Label,
        target: str,
        issued: str,
        rng: tuple,
        stated_actual: str,
        change: str,
        excerpt: str,
    ) -> None:
        low, high, qualifier = rng
        doc.guidance.append({
            "ticker": doc.ticker, "metric": label.metric, "basis": label.basis, "target_period": target,
            "issued_period": issued, "low": low, "high": high, "qualifier": qualifier, "stated_actual": stated_actual,
            "source_label": change, "source_id": doc.source_id, "section": "Guidance Changes", "excerpt": excerpt,
            "preferred": "",
        })  # fmt: skip

    # --- text sections -----------------------------------------------------------------------
    def comment(self, kind: str, text: str, section: str, doc: ParsedDoc, speaker: str = "") -> dict:
        self.counters[kind] = self.counters.get(kind, 0) + 1
        topic = text.split(":", 1)[0] if ":" in text[:40] and not speaker else section
        metrics = [
            m
            for m, words in METRIC_WORDS.items()
            if re.search(words, text, re.IGNORECASE if m != "gross_margin" else 0)
        ]
        return {
            "commentary_id": f"{doc.source_id.removesuffix('-summary')}-{kind}-{self.counters[kind]}",
            "ticker": doc.ticker, "period": doc.period, "kind": kind, "speaker": speaker,
            "role": "management" if speaker else "", "topic": topic, "text": text, "metrics": ";".join(metrics),
            "source_id": doc.source_id, "section": section,
        }  # fmt: skip

    def text_section(self, name: str, lines: list[tuple[int, str]], doc: ParsedDoc) -> None:
        kind = TEXT_SECTIONS[name]
        for number, s in lines:
            if not s.startswith("•"):
                self.flag(number, f"{name}: a line that is not a bullet was skipped: {s[:60]!r}")
                continue
            body = _clean(s.lstrip("•").strip())
            speaker = ""
            if kind == "quote":
                q = QUOTE_RE.match(body)
                if q is None:
                    self.flag(
                        number,
                        "Management Commentary: a bullet without 'ROLE: “quote”' kept as a quote without speaker",
                    )
                else:
                    speaker, body = q.group("who").strip(), q.group("text")
            doc.commentary.append(self.comment(kind, body, name, doc, speaker))

    # --- themes -------------------------------------------------------------------------------
    def themes(self, lines: list[tuple[int, str]], doc: ParsedDoc) -> None:
        periods: list[str] = []
        names = proper_nouns([s for _, s in lines])
        for number, s in lines:
            h = THEMES_HEADER_RE.match(s)
            if h and not periods:
                periods = [f"{y}{q}" for q, y in THEME_COL_RE.findall(h.group("cols"))]
                if not periods:
                    self.error(number, "themes header names no quarter like '(Q4 2024)'")
                    return
                continue
            if not periods:
                self.error(number, "a themes row before the header 'Topic…Trend'")
                continue
            topic, cells, sure = split_theme_row(s, len(periods) + 1, names)
            if topic is None:
                self.error(number, f"cannot find where the topic ends in {s[:60]!r}")
                continue
            *texts, trend = cells
            if not sure:
                shown = " | ".join(c or "(empty)" for c in cells)
                self.flag(number, f"theme {topic!r}: cell boundaries uncertain, read as {shown}")
            metrics = [
                m for m, words in METRIC_WORDS.items() if re.search(words, topic + " " + " ".join(cells), re.IGNORECASE)
            ]
            for period, text in zip(periods, texts):
                if text:
                    doc.themes.append({
                        "ticker": doc.ticker, "topic": topic, "period": period, "text": text,
                        "trend": trend if period == periods[-1] else "", "metrics": ";".join(metrics),
                        "source_id": doc.source_id, "note": "" if sure else "cell boundaries inferred by the parser; review",
                    })  # fmt: skip


def _range(g: re.Match, p: str) -> tuple[str, str, str]:
    low = g.group(f"{p}low").replace(",", "")
    high = (g.group(f"{p}high") or low).replace(",", "")
    return low, high, "approx" if g.group(f"{p}approx") else "range"


def _clean(text: str) -> str:
    """Drop the ' .' left where citation markers were removed."""
    text = text.strip()
    return text[:-2] + "." if text.endswith(" .") else text


CAPITALIZED_RE = re.compile(r"^[A-Z][a-z]+(?:-[a-z]+)*$")  # "Ramping", "Crawl-to-walk"
PERIOD_TOKEN_RE = re.compile(r"^(?:Q[1-4]|[12]H\d{2})$")  # "Q4", "1H25"
BOUNDARY_AFTER_NOT = (";", ",", ":", "(", "&", "/", "–", "-")
EMPTY_CELL_COST = 0.9  # an empty cell is a little more likely than a weak boundary
SHORT_CELL_COST = 2.0  # a one-word cell is unlikely


def proper_nouns(rows: list[str]) -> set[str]:
    """Capitalized words the rows use right after a function word ("by Taurus"): names, not cell starts."""
    found = set()
    for row in rows:
        words = row.split(" ")
        for prev, word in zip(words, words[1:]):
            w = word.strip(".,;:()")
            if CAPITALIZED_RE.match(w) and prev.lower() in FUNCTION_WORDS:
                found.add(w)
    return found


def split_theme_row(row: str, n_cells: int, names: set[str] = frozenset()) -> tuple[str | None, list[str], bool]:
    """Topic and ``n_cells`` text cells of a flattened themes row, and whether the split is certain.

    The topic ends where a capital letter or digit follows a lower-case letter or
    ')' with no space. Cells run together with one space, so a boundary is a
    space before a capitalized word, a quarter (Q4) or a half-year (1H25), not
    after ';', ',' or a function word. Boundaries before a name the table uses
    mid-sentence (``names``) are weak. The split with the most (strong)
    boundaries wins; missing cells are the earliest ones, left empty. Anything
    short of one clear reading is reported as uncertain.
    """
    m = re.search(r"(?<=[a-z)])(?=[A-Z0-9])", row)
    if m is None:
        return None, [], False
    topic, rest = row[: m.start()].strip(), row[m.start() :].strip()
    words = rest.split(" ")
    weights: dict[int, float] = {}
    for i in range(1, len(words)):
        prev, word = words[i - 1], words[i].rstrip(";,:.")
        if prev.endswith(BOUNDARY_AFTER_NOT) or prev.lower() in FUNCTION_WORDS:
            continue
        if PERIOD_TOKEN_RE.match(word):
            weights[i] = 1.0
        elif CAPITALIZED_RE.match(word):
            weights[i] = 0.5 if word in names else 1.0
    need = n_cells - 1
    best: tuple[float, list[int]] | None = None
    from itertools import combinations

    for k in range(min(need, len(weights)), -1, -1):
        for combo in combinations(sorted(weights), k):
            bounds = [0, *combo, len(words)]
            cells = [words[a:b] for a, b in zip(bounds, bounds[1:])]
            score = sum(weights[i] for i in combo) - (need - k) * EMPTY_CELL_COST
            score -= SHORT_CELL_COST * sum(1 for c in cells if len(c) < 2)
            if best is None or score > best[0] + 1e-9:
                best = (score, list(combo))
    cuts = best[1] if best else []
    cells = [" ".join(words[a:b]) for a, b in zip([0, *cuts], [*cuts, len(words)])]
    cells = [""] * (n_cells - len(cells)) + cells
    sure = len(cuts) == need == len(weights) and all(weights[i] == 1.0 for i in cuts)
    return topic, cells, sure


def fiscal_year_end_month(period: str, dates: str) -> int | None:
    """The fiscal year's last month, from the date a quarter's balance is stated at."""
    for item in dates.split(","):
        if not item:
            continue
        p, d = item.split("=")
        if p != period:
            continue
        month = int(d[5:7])
        quarter = int(p[-1])
        return (month + (4 - quarter) * 3 - 1) % 12 + 1
    return None


def parse(text: str, file: str, labels: list[Label]) -> ParsedDoc:
    """Parse a summary document; raise SourceError listing every line it cannot read."""
    p = _Parser(text, file, labels)
    title, title_line, sections = p.sections()
    ticker = title.group("ticker")
    period = f"{title.group('year')}{title.group('q')}"
    source_id = f"{vocab.slug(ticker)}-{period.lower()}-summary"  # BRK.B -> brk-b-2024q4-summary
    doc = ParsedDoc(
        ticker=ticker,
        period=period,
        source_id=source_id,
        company={"ticker": ticker, "name": title.group("name").strip(), "currency": "USD", "fiscal_year_end_month": ""},
        source={"source_id": source_id, "file": file, "title": f"{title.group(0)}", "publisher": "", "published_on": "",
                "kind": "earnings_summary", "url": ""},
    )  # fmt: skip
    for name, lines in sections.items():
        if name in TEXT_SECTIONS:
            p.text_section(name, lines, doc)
    # consensus values (marked *) in any bullet; a note line anywhere may say where they come from
    note = next(
        (consensus.provider_of(s) for s in p.lines if "asterisk" in s.lower() and consensus.provider_of(s)), None
    )
    bullets = [(n, s) for name, lines in sections.items() if name in TEXT_SECTIONS for n, s in lines]
    estimates, flags = consensus.from_lines(bullets, period, file, note)
    p.flags += flags
    doc.estimates = [{**e, "ticker": ticker, "as_of": "", "source_id": source_id} for e in estimates]
    extra: dict[str, str] = {}
    if "Financial Results" in sections:
        doc.facts = p.results(sections["Financial Results"], doc, extra) + doc.facts
    if "Guidance Changes" in sections:
        p.guidance(sections["Guidance Changes"], doc)
    if "Earnings Call Themes & Trends" in sections:
        p.themes(sections["Earnings Call Themes & Trends"], doc)
    last = max((SECTION_ORDER.index(s) for s in sections if s in SECTION_ORDER), default=-1)
    if last < len(SECTION_ORDER) - 1:  # the document stops early: reading on would record half of it
        end = max(n for n, raw in enumerate(p.lines, start=1) if raw.strip())
        inside = repr(SECTION_ORDER[last]) if last >= 0 else "the heading 'What Went Well and What Went Wrong'"
        p.error(
            end,
            f"the document ends here, inside {inside}: it looks truncated "
            f"(missing after it: {', '.join(repr(s) for s in SECTION_ORDER[last + 1 :])})",
        )
    missing = [s for s in (*TEXT_SECTIONS, *TABLE_SECTIONS) if s not in sections]
    for s in missing:
        p.flag(title_line, f"section {s!r} not found: nothing recorded from it")
    month = fiscal_year_end_month(period, extra.get("dates", ""))
    if month is None:
        month = 12
        p.flag(title_line, "fiscal year end month not stated: assumed December; check companies.csv")
    doc.company["fiscal_year_end_month"] = str(month)
    if "$USD" not in text and "USD" not in text:
        p.flag(title_line, "currency not stated: assumed USD")
    _order_commentary(doc)
    if p.errors:
        raise SourceError(p.errors)
    doc.flags = p.flags
    return doc


def _order_commentary(doc: ParsedDoc) -> None:
    """Commentary in document order of sections, as a reader meets it."""
    order = ["Executive Summary", "What Went Well", "What Went Wrong", "Financial Results", "Management Commentary",
             "Q&A Highlights", "Estimates Context", "Key Takeaways for Investors"]  # fmt: skip
    doc.commentary.sort(key=lambda r: order.index(r["section"]) if r["section"] in order else 99)


# --- as a kind of input (earnings.sources.registry) -----------------------------------------------------

NAME = "summary document"
LABELS_FILE = "labels.csv"


def recognises(path: Path, text: str) -> bool:
    """Anything that is not another kind is read as a summary document (which says clearly what it lacks)."""
    return True


def read(path: Path, text: str, context: Context) -> Incoming:
    labels_path = context.data_dir / LABELS_FILE
    if not labels_path.exists():
        raise SourceError(
            [Problem(LABELS_FILE, None, f"missing: the parser needs {LABELS_FILE} in {context.data_dir}")]
        )
    doc = parse(text, path.name, load_labels(labels_path))
    doc.source.update(context.source_overrides())
    for row in doc.estimates:  # taken no later than the document's date, when the user gives it
        row["as_of"] = context.published_on or ""
    return Incoming(doc.tables(), doc.flags)
