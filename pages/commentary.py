"""Commentary: being written."""

from earnings.ui import components as ui

ctx = ui.page("commentary", "Commentary")
