"""Entry point: `streamlit run dashboard.py`. Page setup and navigation only."""

import streamlit as st

from earnings.ui import components

st.set_page_config(page_title="Earnings dashboard", layout="wide")

pages = [
    st.Page(file, title=title, url_path=path or None, default=(page_id == "overview"))
    for page_id, (file, title, path) in components.PAGES.items()
]
current = st.navigation(pages, position="hidden")
current.run()
