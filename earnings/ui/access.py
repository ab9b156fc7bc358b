"""Who may see the dashboard.

Without an ``[auth]`` section in ``.streamlit/secrets.toml`` the dashboard is
open to anyone with the link (the Data page says so). With one, every page
asks for sign-in through ``st.login`` (OIDC), and an allow-list decides who
may see the data:

    [auth]
    redirect_uri = "https://dashboard.example.com/oauth2callback"
    cookie_secret = "…"
    client_id = "…"
    client_secret = "…"
    server_metadata_url = "https://accounts.example.com/.well-known/openid-configuration"

    [access]
    allowed_emails = ["ana@fund.example"]
    allowed_domains = ["fund.example"]

With ``[auth]`` but no allow-list, nobody is let in: a private link stays
private by default.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import streamlit as st


def allowed(email: str | None, emails: Sequence[str], domains: Sequence[str]) -> bool:
    """Whether a signed-in address is on the allow-list (case-insensitive, exact domain)."""
    if not email or "@" not in email:
        return False
    address = email.strip().lower()
    domain = address.rsplit("@", 1)[1]
    return address in {e.strip().lower() for e in emails} or domain in {d.strip().lower().lstrip("@") for d in domains}


def _entries(value: object) -> list[str]:
    """An allow-list from the secrets: a list, or one address written as a plain string."""
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value or []]


def settings() -> Mapping | None:
    """The secrets' ``[access]`` section when ``[auth]`` is configured, else None (open)."""
    try:
        if "auth" not in st.secrets:
            return None
        return dict(st.secrets.get("access", {}))
    except Exception:  # no secrets file at all: open
        return None


def mode() -> str:
    """One line for the Data page."""
    s = settings()
    if s is None:
        return "open to anyone with the link (no sign-in configured)"
    n = len(_entries(s.get("allowed_emails"))) + len(_entries(s.get("allowed_domains")))
    return f"sign-in required; {n} allow-list entr{'y' if n == 1 else 'ies'}"


def gate() -> None:
    """Stop the page unless the viewer may see it."""
    s = settings()
    if s is None:
        return
    user = st.user
    if not user.get("is_logged_in"):
        st.title("Earnings dashboard")
        st.info("This dashboard is private. Sign in to see it.", icon="🔒")
        st.button("Sign in", type="primary", on_click=st.login)
        st.stop()
    # an address the identity provider says it has not verified proves nothing
    email = user.get("email") if user.get("email_verified") is not False else None
    if not allowed(email, _entries(s.get("allowed_emails")), _entries(s.get("allowed_domains"))):
        st.title("Earnings dashboard")
        st.error(
            "You are signed in, but your address is not on this dashboard's access list. Ask its owner to add it.",
            icon="🔒",
        )
        st.button("Sign out", on_click=st.logout)
        st.stop()
