"""Briefing: being written."""

from earnings.ui import components as ui

ctx = ui.page("briefing", "Briefing")
