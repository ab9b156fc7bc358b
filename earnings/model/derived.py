"""A company's derived series: figures the pages compute from reported ones, labelled derived wherever shown."""

from __future__ import annotations

from earnings.contract import formulas
from earnings.read.bundle import CompanyData


def opex_share_of_revenue(data: CompanyData) -> dict[str, float]:
    """GAAP operating expenses as a percent of revenue, per quarter where both are reported."""
    revenue = data.series("revenue")
    shares = {p: formulas.share_of(v, revenue.get(p)) for p, v in data.series("opex_total", "gaap").items()}
    return {p: v for p, v in shares.items() if v is not None}
