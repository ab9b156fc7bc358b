"""The one writer of the page's URL: every view is a URL, so every change of view goes through here.

What a change means (which parameters a new company or quarter clears, what a selection writes)
is decided in ``earnings.model.urlstate``; this module only applies it to ``st.query_params``.
"""

from __future__ import annotations

from collections.abc import Mapping

import streamlit as st


def current() -> dict[str, object]:
    """The URL's parameters as they are now (a repeated key gives a list)."""
    return st.query_params.to_dict()


def update(changes: Mapping[str, str | None]) -> None:
    """Set each parameter to its value; ``None`` (or "") removes it."""
    for name, value in changes.items():
        if value:
            st.query_params[name] = value
        else:
            st.query_params.pop(name, None)


def replace(params: Mapping[str, str]) -> None:
    """The URL becomes exactly ``params``."""
    st.query_params.from_dict(dict(params))
