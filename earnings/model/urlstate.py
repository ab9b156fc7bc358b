"""Query parameters: read, validate against known values, fall back with a notice.

Pure functions (no Streamlit). Anyone can edit a URL, so every value is
checked against what the database holds; an unknown or hostile value never
raises and is never echoed back: the page uses its default and says so.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from earnings.contract import periods

COMMON_PARAMS = ("ticker", "period", "metric", "basis")
MAX_PARAM_LENGTH = 200


@dataclass
class Choice:
    """One validated parameter: its value and, if the URL's was rejected, why."""

    value: str | None
    notice: str | None = None


@dataclass
class View:
    """The validated (ticker, period, metric, basis) every page shares."""

    ticker: str
    period: str | None
    metric: str | None = None
    basis: str | None = None
    notices: list[str] = field(default_factory=list)

    def params(self, *, with_selection: bool = True) -> dict[str, str]:
        """Query parameters that reopen this view."""
        out = {"ticker": self.ticker}
        if self.period:
            out["period"] = self.period
        if with_selection and self.metric:
            out["metric"] = self.metric
            if self.basis:
                out["basis"] = self.basis
        return out


def raw_value(params: Mapping[str, object], name: str) -> str | None:
    """The parameter's value as text; the last one when the key is repeated."""
    v = params.get(name)
    if isinstance(v, list | tuple):
        v = v[-1] if v else None
    if v is None:
        return None
    return str(v)


def choose(raw: str | None, allowed: Sequence[str], default: str | None, what: str, default_label: str = "") -> Choice:
    """``raw`` if it is one of ``allowed``, else ``default`` with a one-line notice."""
    if raw is None or raw == "":
        return Choice(default)
    if len(raw) <= MAX_PARAM_LENGTH and raw in allowed:
        return Choice(raw)
    shown = default_label or (default if default is not None else "the default")
    return Choice(default, f"The link's {what} is not one this dashboard knows; showing {shown} instead.")


def resolve_view(
    params: Mapping[str, object],
    tickers: Sequence[str],
    periods_of: Callable[[str], Sequence[str]],
    metrics_of: Callable[[str], Sequence[str]],
    bases_of: Callable[[str, str], Sequence[str | None]],
    default_period_of: Callable[[str], str | None],
) -> View:
    """Validate ticker, period, metric and basis in that order.

    ``periods_of(ticker)``, ``metrics_of(ticker)``, ``bases_of(ticker, metric)``
    and ``default_period_of(ticker)`` say what the database holds.
    """
    default_ticker = tickers[0] if tickers else ""
    t = choose(raw_value(params, "ticker"), tickers, default_ticker, "company")
    ticker = t.value or default_ticker
    default_period = default_period_of(ticker) if ticker else None
    p = choose(
        raw_value(params, "period"),
        periods_of(ticker) if ticker else [],
        default_period,
        "period",
        periods.label(default_period) if default_period else "",
    )
    m = choose(raw_value(params, "metric"), metrics_of(ticker) if ticker else [], None, "metric", "no selection")
    notices = [c.notice for c in (t, p, m) if c.notice]  # in the order the parameters are read
    basis = None
    if m.value:
        bases = [b or "none" for b in bases_of(ticker, m.value)] or ["none"]  # a metric only spoken of
        default_basis = bases[0]
        b = choose(raw_value(params, "basis"), bases, default_basis, "basis")
        basis = None if b.value == "none" else b.value
        if b.notice:
            notices.append(b.notice)
    elif raw_value(params, "basis"):
        notices.append("The link's basis is ignored: it names no metric.")
    return View(ticker=ticker, period=p.value, metric=m.value, basis=basis, notices=notices)


# --- what a change of view writes into the URL (``None`` removes a parameter) ---------------------------------


def picker_updates(param: str, value: str) -> dict[str, str | None]:
    """A new company or quarter in focus: another company has its own quarters and metrics, another
    quarter its own selection; either way a list starts again at its first page."""
    cleared = ("period", "metric", "basis", "page") if param == "ticker" else ("metric", "basis", "page")
    return {param: value, **dict.fromkeys(cleared)}


def selection_updates(ticker: str, period: str, metric: str, basis: str | None) -> dict[str, str | None]:
    """A selected figure (a click on a chart or a table row, a card's link)."""
    return {"ticker": ticker, "period": period, "metric": metric, "basis": basis}


# --- several companies -------------------------------------------------------------------------------------

MAX_TICKERS = 8


def resolve_tickers(
    raw: str | None, known: Sequence[str], default: Sequence[str] = (), limit: int = MAX_TICKERS
) -> tuple[list[str], list[str]]:
    """The companies a ``tickers=A,B,C`` parameter names, in the link's order, each once and at most ``limit``.

    Names the database does not hold are dropped with one notice that does not repeat them; with none
    left, ``default``. Returns (tickers, notices).
    """
    if raw is None or raw.strip() == "":
        return list(default)[:limit], []
    notices = []
    if len(raw) > MAX_PARAM_LENGTH:
        return list(default)[:limit], ["The link's list of companies is too long; showing the default companies."]
    allowed = set(known)
    asked = [t.strip().upper() for t in raw.split(",") if t.strip()]
    chosen = list(dict.fromkeys(t for t in asked if t in allowed))
    if len(chosen) < len(set(asked)):
        dropped = len(set(asked)) - len(chosen)
        noun = "company" if dropped == 1 else "companies"
        notices.append(f"The link names {dropped} {noun} this dashboard does not know; left out.")
    if len(chosen) > limit:
        notices.append(f"The link names more than {limit} companies; showing the first {limit}.")
        chosen = chosen[:limit]
    if not chosen:
        return list(default)[:limit], notices
    return chosen, notices
