"""The benchmark's floor: one page, one graph_objects bar chart of three values, nothing else.

Whatever this costs (server time per rerun, time to chart in a browser, latency under load) is what
Streamlit and Plotly cost on this machine; the dashboard's figures are read against it.
"""

import plotly.graph_objects as go
import streamlit as st

st.plotly_chart(go.Figure(go.Bar(x=["A", "B", "C"], y=[3, 1, 2])))
