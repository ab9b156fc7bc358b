"""Query parameters: read, validate against known values, fall back with a notice.

Pure functions (no Streamlit). Anyone can edit a URL, so every value is
checked against what the database holds; an unknown or hostile value never
raises and is never echoed back: the page uses its default and says so.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
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
    periods_of,
    metrics_of,
    bases_of,
    default_period_of,
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
