"""The Companies page: every company, searchable and a page at a time (it must stay fast at 1,000)."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from urllib.parse import urlencode

import pandas as pd

from earnings.contract import periods
from earnings.model import fmt

PAGE_SIZE = 50
MAX_QUERY = 60


def origin(from_documents: bool, from_filings: bool) -> str:
    return " and ".join(w for w, on in (("documents", from_documents), ("filings", from_filings)) if on) or "—"


def listing(frame: pd.DataFrame) -> pd.DataFrame:
    """The read layer's company list as the page shows it (one row per company, plain text)."""
    rows = []
    for r in frame.to_dict("records"):
        latest = r["latest_quarter"]
        rows.append(
            {
                "Ticker": r["ticker"],
                "Company": r["name"],
                "Fiscal year ends": calendar.month_name[int(r["fiscal_year_end_month"])],
                "Latest quarter": periods.fiscal_label(latest) if isinstance(latest, str) else fmt.MISSING,
                "Calendar quarter": periods.label(r["latest_calendar"]) if isinstance(r["latest_calendar"], str)
                else fmt.MISSING,
                "Quarters": int(r["quarters"]),
                "From": origin(bool(r["from_documents"]), bool(r["from_filings"])),
                "Updated": r["updated"].strftime("%Y-%m-%d") if pd.notna(r["updated"]) else fmt.MISSING,
            }
        )  # fmt: skip
    return pd.DataFrame(rows, columns=["Ticker", "Company", "Fiscal year ends", "Latest quarter",
                                       "Calendar quarter", "Quarters", "From", "Updated"])  # fmt: skip


def search(table: pd.DataFrame, query: str) -> pd.DataFrame:
    """Companies whose ticker or name contains ``query`` (case-insensitive); every company for an empty query."""
    q = query.strip().casefold()[:MAX_QUERY]
    if not q:
        return table
    hit = table["Ticker"].str.casefold().str.contains(q, regex=False) | table["Company"].str.casefold().str.contains(
        q, regex=False
    )
    return table[hit]


@dataclass(frozen=True)
class Page:
    number: int  # from 1
    pages: int
    rows: pd.DataFrame

    def line(self, total: int) -> str:
        if self.pages <= 1:
            return f"{total} {'company' if total == 1 else 'companies'}"
        start = (self.number - 1) * PAGE_SIZE
        return f"Page {self.number} of {self.pages} · companies {start + 1}–{start + len(self.rows)} of {total}"


def page(table: pd.DataFrame, raw: str | None) -> tuple[Page, str | None]:
    """The page of ``table`` the URL asks for (``page``, from 1); a page that does not exist: the first, and a
    notice that does not repeat the value."""
    pages = max(1, -(-len(table) // PAGE_SIZE))
    number, notice = 1, None
    if raw not in (None, "", "1"):
        if raw.isascii() and raw.isdigit() and len(raw) <= 6 and 1 <= int(raw) <= pages:
            number = int(raw)
        else:
            notice = "The link's page number is not a page of this list; showing the first page."
    start = (number - 1) * PAGE_SIZE
    return Page(number, pages, table.iloc[start : start + PAGE_SIZE]), notice


def pages_link(ticker: str) -> str:
    """A company's own pages, relative to the page (it holds under any base path)."""
    return "./?" + urlencode({"ticker": ticker})


def with_links(rows: pd.DataFrame, focus: str) -> pd.DataFrame:
    """``rows`` with a link to each company's pages and one comparing it with the company in focus (links
    relative to the page, so they hold under any base path)."""
    out = rows.copy()
    out["Pages"] = [pages_link(t) for t in rows["Ticker"]]
    out["Compare"] = [
        "./compare?" + urlencode({"tickers": ",".join(dict.fromkeys((focus, t))), "ticker": t}) for t in rows["Ticker"]
    ]
    return out
