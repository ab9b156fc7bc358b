"""Entry point: `streamlit run dashboard.py`. Page setup and navigation only."""

from datetime import timedelta

import streamlit as st

from earnings.ui import components

# every table's CSV is our own download button (earnings.model.tables.csv_bytes: spreadsheet-safe), never the
# table toolbar's, which would write formulas from the data as they are
st.set_option("client.disableDataExport", True)
st.set_page_config(page_title="Earnings dashboard", layout="wide")

pages = [
    st.Page(file, title=title, url_path=path or None, default=(page_id == "overview"))
    for page_id, (file, title, path) in components.PAGES.items()
]
current = st.navigation(pages, position="hidden")


@st.fragment(run_every=timedelta(days=1))
def _rerun_after_a_reconnect() -> None:
    """Empty. Streamlit's frontend reruns the page after a reconnect (a replica gone, the viewer moved to another)
    only when the page has an auto-rerun fragment: without one, the dead replica's page stays, with download
    buttons that no longer work."""


_rerun_after_a_reconnect()
current.run()
