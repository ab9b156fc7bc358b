"""Data: which build everyone is looking at, the source documents, every build check, CSV downloads."""

from functools import partial

import pandas as pd
import streamlit as st

from earnings.contract import periods
from earnings.model import fmt
from earnings.read import queries
from earnings.ui import access, store
from earnings.ui import components as ui

ctx = ui.page("data", "Data", show_quarter=False)
esc = fmt.md_escape
STATUS_ORDER = ("fail", "warn", "skip", "pass")


def plain(frame: pd.DataFrame) -> pd.DataFrame:
    """Missing values as "—" (st.dataframe shows them plainly, never as 0 or "None")."""
    return frame.astype(object).where(frame.notna(), fmt.MISSING)


st.subheader("Which data is this?")
st.caption("Compare the content hash in a meeting: the same hash means the same data, to the byte.")
meta = ctx.db.meta
st.markdown(
    "  \n".join(
        [
            f"**Database:** {esc(store.shown_location(ctx.db.path))}",
            f"**Built:** {esc(meta.get('built_at', fmt.MISSING))}",
            f"**Schema version:** {esc(meta.get('schema_version', fmt.MISSING))}",
            "**Content hash:**",
        ]
    )
)
st.code(meta.get("content_hash", fmt.MISSING), language=None)
st.markdown(f"**Access:** {esc(access.mode())}.")


def source_table() -> pd.DataFrame:
    frame = pd.DataFrame(
        list(ctx.data.sources.values()), columns=["title", "publisher", "published_on", "file", "kind", "url"]
    )
    frame["published_on"] = pd.to_datetime(frame["published_on"], errors="coerce").dt.strftime("%Y-%m-%d")
    url = frame["url"].astype(object).where(frame["url"].notna(), None)
    frame = plain(frame)
    frame["url"] = url  # a link column: missing stays empty and shows the placeholder
    return frame


def checks_table() -> tuple[pd.DataFrame, dict[str, int]]:
    checks = store.checks(ctx.db, ctx.data.ticker)
    rank = {s: i for i, s in enumerate(STATUS_ORDER)}
    ordered = checks.assign(_rank=checks["status"].map(lambda s: rank.get(s, -1)))
    ordered = ordered.sort_values(["_rank", "category", "check_id"], kind="stable")
    return plain(ordered[["check_id", "period", "status", "category", "detail"]]), checks[
        "status"
    ].value_counts().to_dict()


# prepared once per company and build (the bundle is of the same build as the checks), not on every rerun
docs = ctx.data.memo(("data_page", "sources"), source_table)
checks, counts = ctx.data.memo(("data_page", "checks"), checks_table)

st.subheader(f"Source documents of {ctx.data.ticker}")
st.dataframe(
    ui.arrow_table(ctx, "data_sources", lambda: docs),
    hide_index=True,
    placeholder=fmt.MISSING,
    column_config={
        "title": st.column_config.TextColumn("Title", width=380),
        "publisher": "Publisher",
        "published_on": "Date",
        "file": "File",
        "kind": "Kind",
        "url": st.column_config.LinkColumn("URL", display_text=r"https?://([^/]+)/.*", width="medium"),
    },
)
in_all = len(store.sources(ctx.db))
st.caption(
    f"{len(docs)} source documents of {esc(ctx.data.ticker)}"
    + (f"; {in_all:,} in the database, every company's." if in_all != len(docs) else ".")
)

st.subheader(f"Build checks for {ctx.data.ticker}")
statuses = [*STATUS_ORDER, *sorted(s for s in counts if s not in STATUS_ORDER)]
st.markdown(esc(" · ".join(f"{counts.get(s, 0)} {s}" for s in statuses)) + esc(f" — {len(checks)} checks in all"))
st.dataframe(
    ui.arrow_table(ctx, "data_checks", lambda: checks),
    hide_index=True,
    column_config={"detail": st.column_config.TextColumn(width="large")},
)

st.subheader("Download the data")
st.caption("Every table of the database as CSV, exactly as built (the build above).")
cells = st.columns(5)
for i, table in enumerate(queries.CONTRACT_TABLES):
    cells[i % 5].download_button(
        f"{table}.csv",
        data=store.table_csv(ctx.db, table),
        file_name=f"{table}.csv",
        mime="text/csv",
        key=f"download_{table}",
        on_click="ignore",
        icon="⬇️",
        width="stretch",
    )
if ctx.focus:
    st.download_button(
        f"{ctx.data.ticker} {periods.label(ctx.focus)} briefing (HTML)",
        data=partial(store.briefing_html, ctx.db.token, ctx.data.ticker, ctx.focus),
        file_name=f"{ctx.data.ticker}-{ctx.focus}-briefing.html",
        mime="text/html",
        key="download_briefing",
        on_click="ignore",
        icon="⬇️",
    )
    st.caption(
        "The quarter's briefing as one HTML file: charts, figures and quotes with their sources, these checks and "
        "this content hash. Opens offline; printing gives one step per page."
    )
