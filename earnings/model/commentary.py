"""The commentary page's logic: items, filters from the URL, search, the theme tracker grid.

Pure functions (no Streamlit). An item is a plain dict shaped like a
commentary row (``kind``, ``period``, ``speaker``, ``topic``, ``text``,
``metrics``, ``source_id``, ``section``); a theme becomes an item of kind
``"theme"`` that also carries ``trend`` and ``note``.

Every URL value is checked against what the data holds; a rejected value
falls back to "all" with a notice that never repeats the value.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pandas as pd

from earnings.contract import periods, vocab
from earnings.model import fmt, urlstate
from earnings.read.bundle import CompanyData

THEME = "theme"
KINDS = (*vocab.COMMENTARY_KINDS, THEME)
KIND_LABELS = {**vocab.KIND_LABELS, THEME: "Theme"}
# the order of the groups on the page: what people said first
KIND_ORDER = (*vocab.KIND_ORDER, THEME)
GROUP_TITLES = {
    "quote": "Quotes",
    "qa": "Q&A",
    "takeaway": "Takeaways",
    "summary": "Summary",
    "went_well": "What went well",
    "went_wrong": "What went wrong",
    "estimates": "Estimates",
    THEME: "Themes",
}
FILTER_PARAMS = ("q", "kind", "speaker", "topic")
PAGE_PARAM = "page"
PAGE_SIZE = 25  # items per page: 40 quarters of commentary would be hundreds of elements in one page
THEME_PARAMS = ("theme_topic", "theme_period")
MAX_QUERY = 100
TOPIC_COLUMN = "Topic"
TREND_COLUMN = "Trend"


def items(data: CompanyData) -> list[dict]:
    """Every commentary row and every theme cell of a company, in source order."""
    out = []
    for r in data.records("commentary"):
        out.append({**r, "trend": None, "note": None})
    for i, r in enumerate(data.records("themes")):
        out.append(
            {
                "commentary_id": f"theme-{i + 1}",
                "period": r["period"],
                "kind": THEME,
                "speaker": None,
                "role": None,
                "topic": r["topic"],
                "text": r["text"],
                "metrics": r["metrics"],
                "source_id": r["source_id"],
                "section": None,
                "trend": r.get("trend"),
                "note": r.get("note"),
            }
        )
    return out


# --- filters -----------------------------------------------------------------------


@dataclass
class Options:
    """The values each filter can take: what the data holds."""

    kinds: list[str]
    speakers: list[str]
    topics: list[str]  # one per group of near-duplicate topics (``topic_groups``), sorted
    metrics: list[str]
    periods: list[str]  # newest first
    topic_groups: dict[str, list[str]] = field(default_factory=dict)  # a topic -> the topics it stands for

    def topic_label(self, topic: str) -> str:
        """'Margins (also Margins/mix)': the filter's option for a group of near-duplicate topics."""
        others = [t for t in self.topic_groups.get(topic, [topic]) if t != topic]
        return f"{topic} (also {'; '.join(others)})" if others else topic


def options(
    rows: Sequence[dict], known_metrics: Sequence[str], extra_metric: str | None, extra_period: str | None
) -> Options:
    """Filter choices from the items.

    ``known_metrics`` are the metrics the shared ``metric`` parameter accepts
    (a metric outside them would be rejected by the page header);
    ``extra_metric``/``extra_period`` are the URL's validated values, offered
    even when no item mentions them, so the filter can say "nothing matches".
    """
    kinds = [k for k in KINDS if any(r["kind"] == k for r in rows)]
    speakers = sorted({r["speaker"] for r in rows if r.get("speaker")}, key=str.casefold)
    groups = topic_groups(sorted({r["topic"] for r in rows if r.get("topic")}, key=str.casefold))
    topics = sorted(groups, key=str.casefold)
    mentioned = {m for r in rows for m in r["metrics"]}
    if extra_metric:
        mentioned.add(extra_metric)
    metrics = [m for m in known_metrics if m in mentioned]
    found = {r["period"] for r in rows} | ({extra_period} if extra_period else set())
    return Options(kinds, speakers, topics, metrics, sorted(found, key=periods.sort_key, reverse=True), groups)


TOPIC_STOPWORDS = frozenset({"a", "and", "of", "the", "vs", "in", "for", "on"})


def _topic_words(topic: str) -> frozenset[str]:
    return frozenset(w for w in re.findall(r"[a-z0-9]+", topic.casefold()) if w not in TOPIC_STOPWORDS)


def topic_groups(topics: Sequence[str]) -> dict[str, list[str]]:
    """Near-duplicate topics under one: a topic whose words all occur in another's ("Margins" in "Margins/mix",
    "Leo (CXL)" in "CXL (Leo) ramp") stands for both. A topic that two unrelated shorter topics both fit stays
    on its own. Returns the shortest topic of each group -> the group's topics, itself first."""
    words = {t: _topic_words(t) for t in topics}
    parent: dict[str, str] = {}
    for t in topics:
        fits = [
            b for b in topics
            if b != t and words[b] and words[b] <= words[t] and (words[b] != words[t] or (len(b), b) < (len(t), t))
        ]  # fmt: skip
        widest = [b for b in fits if not any(words[b] < words[o] for o in fits)]
        if len(widest) == 1:
            parent[t] = widest[0]

    def root(t: str) -> str:
        seen = {t}
        while t in parent and parent[t] not in seen:
            t = parent[t]
            seen.add(t)
        return t

    groups: dict[str, list[str]] = {}
    for t in sorted(topics, key=lambda t: (root(t) != t, len(t), t)):
        groups.setdefault(root(t), []).append(t)
    return groups


@dataclass
class Filters:
    """The active filters; ``None`` (or "" for ``q``) means all."""

    q: str = ""
    kind: str | None = None
    speaker: str | None = None
    topic: str | None = None
    metric: str | None = None
    period: str | None = None
    topic_group: tuple[str, ...] = ()  # the topics ``topic`` stands for (itself and its near-duplicates)

    def active(self) -> bool:
        return bool(self.q.strip()) or any((self.kind, self.speaker, self.topic, self.metric, self.period))


def resolve_filters(
    params: Mapping[str, object], opts: Options, metric: str | None, period: str | None
) -> tuple[Filters, list[str]]:
    """The page's own filters from the URL, validated; ``metric``/``period`` come validated by the page header."""
    notices: list[str] = []
    q = urlstate.raw_value(params, "q") or ""
    if len(q) > MAX_QUERY:
        q = q[:MAX_QUERY]
        notices.append(
            f"The link's search text is longer than {MAX_QUERY} characters; only the first {MAX_QUERY} are used."
        )
    chosen = {}
    members = {m: base for base, group in opts.topic_groups.items() for m in group}
    for name, allowed, what, label in (
        ("kind", opts.kinds, "kind of commentary", "all kinds"),
        ("speaker", opts.speakers, "speaker", "all speakers"),
        ("topic", list(members) or opts.topics, "topic", "all topics"),
    ):
        c = urlstate.choose(urlstate.raw_value(params, name), allowed, None, what, label)
        chosen[name] = c.value
        if c.notice:
            notices.append(c.notice)
    # a group's topic takes its near-duplicates too; a link naming one of them exactly shows that one alone
    group = tuple(opts.topic_groups.get(chosen["topic"], [chosen["topic"]])) if chosen["topic"] else ()
    return Filters(q=q, metric=metric, period=period, topic_group=group, **chosen), notices


def period_matches(item_period: str, period: str | None) -> bool:
    """A fiscal year also takes its quarters, as the drill-down panel does."""
    if period is None or item_period == period:
        return True
    return (
        period.endswith("FY")
        and periods.is_period(item_period)
        and periods.fiscal_year(item_period) == periods.fiscal_year(period)
    )


def search_matches(row: dict, q: str) -> bool:
    """Case-insensitive substring over text, topic, speaker (and a theme's trend)."""
    needle = q.strip().casefold()
    if not needle:
        return True
    hay = (row.get("text"), row.get("topic"), row.get("speaker"), row.get("trend"))
    return any(needle in str(h).casefold() for h in hay if h)


def matches(row: dict, f: Filters) -> bool:
    return (
        (f.kind is None or row["kind"] == f.kind)
        and (f.speaker is None or row.get("speaker") == f.speaker)
        and (f.topic is None or row.get("topic") in (f.topic_group or (f.topic,)))
        and (f.metric is None or f.metric in row["metrics"])
        and period_matches(row["period"], f.period)
        and search_matches(row, f.q)
    )


def filter_items(rows: Sequence[dict], f: Filters) -> list[dict]:
    return [r for r in rows if matches(r, f)]


def grouped(rows: Sequence[dict]) -> list[tuple[str, list[dict]]]:
    """(group title, items) in KIND_ORDER; within a group newest period first, then source order."""
    out = []
    for kind in KIND_ORDER:
        group = [r for r in rows if r["kind"] == kind]
        group.sort(key=lambda r: periods.sort_key(r["period"]), reverse=True)  # stable: keeps source order
        if group:
            out.append((GROUP_TITLES[kind], group))
    return out


@dataclass(frozen=True)
class Pager:
    """One page of the filtered items: ``rows[start:stop]`` is page ``page`` (from 1) of ``pages``."""

    page: int
    pages: int
    start: int
    stop: int

    def line(self, total: int) -> str:
        if self.pages == 1:
            return ""
        return f"Page {self.page} of {self.pages} · items {self.start + 1}–{self.stop} of {total}"


def paginate(n_items: int, raw_page: str | None, page_size: int = PAGE_SIZE) -> tuple[Pager, str | None]:
    """The page the URL asks for (``page``, from 1) among ``n_items``; a page that does not exist gives page 1 and a notice."""
    pages = max(1, -(-n_items // page_size))
    page, notice = 1, None
    if raw_page is not None and raw_page != "1":
        if raw_page.isascii() and raw_page.isdigit() and len(raw_page) <= 6 and 1 <= int(raw_page) <= pages:
            page = int(raw_page)
        else:
            only = "there is 1 page" if pages == 1 else f"there are {pages} pages"
            notice = f"The link's page number is not a page of these items ({only}); showing the first page."
    start = (page - 1) * page_size
    return Pager(page, pages, start, min(start + page_size, n_items)), notice


def page_groups(rows: Sequence[dict], pager: Pager) -> list[tuple[str, int, list[dict], bool]]:
    """The groups on one page, in page order: (title, items in the whole group, the page's items, continued).

    ``continued``: the group began on an earlier page.
    """
    out = []
    position = 0
    for title, group in grouped(rows):
        first, last = position, position + len(group)
        lo, hi = max(first, pager.start), min(last, pager.stop)
        if lo < hi:
            out.append((title, len(group), group[lo - first : hi - first], lo > first))
        position = last
    return out


def count_line(shown: int, total: int) -> str:
    noun = "item" if total == 1 else "items"
    return f"{shown} of {total} {noun}"


def period_option_label(period: str) -> str:
    label = periods.label(period)
    return f"{label} and its quarters" if period.endswith("FY") else label


def param_updates(name: str, value: str | None) -> dict[str, str | None]:
    """The URL change when a filter is set: ``None`` deletes a parameter."""
    updates: dict[str, str | None] = {name: value or None, PAGE_PARAM: None}  # other items: from page 1
    if name == "metric":
        updates["basis"] = None  # a basis belongs to the previous metric
    return updates


# --- theme tracker ----------------------------------------------------------------------


@dataclass
class ThemeGrid:
    """Topics (rows) x periods (columns) plus the trend; empty cells are "—"."""

    frame: pd.DataFrame
    topics: list[str]
    periods: list[str]
    columns: dict[str, str] = field(default_factory=dict)  # column label -> period

    def cell(self, topic: str, period: str | None) -> tuple[int, str]:
        """(row position, column name) of a topic's cell; the Trend cell for the whole topic."""
        column = TREND_COLUMN if period is None else periods.label(period)
        return self.topics.index(topic), column


def theme_grid(data: CompanyData) -> ThemeGrid:
    rows = data.records("themes")
    topics = list(dict.fromkeys(r["topic"] for r in rows))
    shown = sorted({r["period"] for r in rows}, key=periods.sort_key)
    columns = {periods.label(p): p for p in shown}
    table = []
    for topic in topics:
        mine = [r for r in rows if r["topic"] == topic]
        line = {TOPIC_COLUMN: topic}
        for label, p in columns.items():
            line[label] = next((r["text"] for r in mine if r["period"] == p and r["text"]), fmt.MISSING)
        trends = [r for r in mine if r.get("trend")]
        trends.sort(key=lambda r: periods.sort_key(r["period"]))
        line[TREND_COLUMN] = trends[-1]["trend"] if trends else fmt.MISSING
        table.append(line)
    frame = pd.DataFrame(table, columns=[TOPIC_COLUMN, *columns, TREND_COLUMN], dtype=object)
    return ThemeGrid(frame, topics, shown, columns)


THEME_CHARS_PER_LINE = 30  # what a 210 px column of the theme tracker holds in a line
THEME_LINE_PX, THEME_PAD_PX, THEME_MAX_LINES = 19, 16, 8
THEME_HEADER_PX, THEME_MAX_ROWS_SHOWN = 38, 10


def theme_row_height(grid: ThemeGrid) -> int:
    """A row height (px) that shows the longest cell of the theme tracker whole, wrapped (at most eight lines)."""
    longest = max((len(str(v)) for v in grid.frame.to_numpy().ravel()), default=0)
    lines = min(THEME_MAX_LINES, max(3, math.ceil(longest / THEME_CHARS_PER_LINE)))  # > 4rem: rows wrap
    return THEME_PAD_PX + THEME_LINE_PX * lines


def theme_table_height(grid: ThemeGrid) -> int:
    """The tracker's height (px): every topic on the page (up to ten; more scroll inside it)."""
    return THEME_HEADER_PX + theme_row_height(grid) * min(len(grid.topics), THEME_MAX_ROWS_SHOWN)


def theme_frame(data: CompanyData) -> pd.DataFrame:
    """The theme tracker as the page's table shows it."""
    return data.once(theme_grid).frame


def cell_target(grid: ThemeGrid, cell: Sequence[object]) -> tuple[str, str | None] | None:
    """(topic, period) of a selected cell as st.dataframe reports it: (row position, column name).

    The Topic and Trend columns stand for the whole topic (period ``None``).
    """
    if not isinstance(cell, Sequence) or len(cell) != 2:
        return None
    row, column = cell
    if not isinstance(row, int) or not 0 <= row < len(grid.topics):
        return None
    topic = grid.topics[row]
    if column in grid.columns:
        return topic, grid.columns[column]
    if column in (TOPIC_COLUMN, TREND_COLUMN):
        return topic, None
    return None


def theme_updates(target: tuple[str, str | None] | None) -> dict[str, str | None]:
    """The URL change for a selected (or cleared) theme cell."""
    topic, period = target if target else (None, None)
    return {"theme_topic": topic, "theme_period": period}


def resolve_theme(params: Mapping[str, object], grid: ThemeGrid) -> tuple[str | None, str | None, list[str]]:
    """(topic, period, notices) from ``theme_topic``/``theme_period``; period ``None`` = the whole topic."""
    notices = []
    t = urlstate.choose(urlstate.raw_value(params, "theme_topic"), grid.topics, None, "theme topic", "no theme")
    if t.notice:
        notices.append(t.notice)
    raw_period = urlstate.raw_value(params, "theme_period")
    if t.value is None:
        if raw_period and not t.notice:
            notices.append("The link's theme quarter is ignored: it names no theme topic.")
        return None, None, notices
    p = urlstate.choose(raw_period, grid.periods, None, "theme quarter", "the whole topic")
    if p.notice:
        notices.append(p.notice)
    return t.value, p.value, notices


def theme_cells(themes: pd.DataFrame, topic: str, period: str | None) -> list[dict]:
    """The theme rows of a topic (in one period, or all of them oldest first)."""
    rows = [r for r in themes.to_dict("records") if r["topic"] == topic and (period is None or r["period"] == period)]
    return sorted(rows, key=lambda r: periods.sort_key(r["period"]))
