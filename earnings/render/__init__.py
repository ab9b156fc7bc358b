"""Render: figures and the offline export."""
