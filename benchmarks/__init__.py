"""The performance benchmark: ``python -m benchmarks`` (see benchmarks/README.md).

server  a real ``streamlit run`` on loopback (start, stop, RSS)
wsclient  a minimal Streamlit websocket client (timed reruns, rooms of viewers)
browser  Playwright + Debian Chromium timings (time to charts, click to drill-down)
scale  the generated 1,000-company database
report  targets and the Markdown table; runner  the run itself; profile  a profiler for one page
"""
