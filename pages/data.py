"""Data: which build everyone is looking at, the source documents, every build check, CSV downloads."""

from functools import partial

import streamlit as st

from earnings.model import fmt, tables
from earnings.read import queries
from earnings.ui import access, store
from earnings.ui import components as ui

ctx = ui.page("data", "Data", show_quarter=False)
esc = fmt.md_escape


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
st.text(meta.get("content_hash", fmt.MISSING))
st.markdown(f"**Access:** {esc(access.mode())}.")
ui.rest_of_page()


st.subheader(f"Source documents of {ctx.data.ticker}")
st.dataframe(
    ui.arrow_table(ctx, tables.source_documents),
    hide_index=True,
    placeholder=fmt.MISSING,
    column_config={
        "title": st.column_config.TextColumn("Title", width=240, pinned=True),
        "publisher": "Publisher",
        "published_on": "Date",
        "file": "File",
        "kind": "Kind",
        "url": st.column_config.LinkColumn("URL", display_text=r"https?://([^/]+)/.*", width="medium"),
    },
)
ui.csv_download(ctx, tables.source_documents, name="sources")
in_all = len(store.sources(ctx.db))
st.caption(
    f"{len(ctx.data.sources)} source documents of {esc(ctx.data.ticker)}"
    + (f"; {in_all:,} in the database, every company's." if in_all != len(ctx.data.sources) else ".")
)

st.subheader(f"Build checks for {ctx.data.ticker}")
st.markdown(esc(tables.check_tally(ctx.data.checks)))
st.dataframe(
    ui.arrow_table(ctx, tables.checks),
    hide_index=True,
    column_config={
        "check": st.column_config.TextColumn("Check", width=240, pinned=True),
        "period": "Period",
        "status": "Status",
        "category": "Category",
        "detail": st.column_config.TextColumn("Detail", width="large"),
    },
)
ui.csv_download(ctx, tables.checks, name="checks")

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
        f"{ctx.data.ticker} {ctx.data.period_label(ctx.focus)} briefing (HTML)",
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
