"""Who may see the dashboard: open without ``[auth]`` in secrets; with it, sign-in and an allow-list.

Through AppTest, which sets the secrets (``at.secrets``) and the signed-in user (``at.user``) of a
run: a logged-out visitor and a signed-in visitor who is not on the list see a sign-in page or a
refusal on every page, and none of the data; a visitor on the list (by address or by domain) sees
the pages. ``[auth]`` without an allow-list lets nobody in. The pure ``access.allowed`` is tested on
its own: case, exact domains, look-alike domains.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import dashboard_app
from hypothesis import given
from hypothesis import strategies as st
from streamlit import config as st_config
from streamlit.testing.v1 import AppTest

from earnings.ui import access, components
from earnings.write import database as build_mod

ROOT = Path(__file__).resolve().parents[1]
PAGE_IDS = list(components.PAGES)
AUTH = {
    "redirect_uri": "https://dashboard.example.com/oauth2callback",
    "cookie_secret": "not-a-real-secret-only-for-tests",
    "client_id": "test-client",
    "client_secret": "test-client-secret",
    "server_metadata_url": "https://accounts.example.com/.well-known/openid-configuration",
}
ACCESS = {"allowed_emails": ["Ana@Partner.example"], "allowed_domains": ["fund.example"]}
# what no page may show to someone who is not let in: a figure, a table, a chart, a link to a page
FIGURES = ("$141.1M", "74.1%", "$0.37", "ALAB", "Astera")


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    path = tmp_path_factory.mktemp("access") / "earnings.duckdb"
    build_mod.build(build_mod.DATA_DIR, path)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("EARNINGS_DB", str(path))
        before = st_config.get_option("client.showErrorDetails")
        st_config.set_option("client.showErrorDetails", "full")
        try:
            yield path
        finally:
            st_config.set_option("client.showErrorDetails", before)


def unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text, flags=re.S)


def run_page(page_id: str, *, secrets: dict | None = None, user: dict | None = None) -> AppTest:
    at = dashboard_app()
    if page_id != "overview":
        at.switch_page(components.PAGES[page_id][0])
    # always some secrets: a developer's own .streamlit/secrets.toml must not decide these tests
    at.secrets["tests"] = {"note": "secrets set by tests/test_access.py"}
    for k, v in (secrets or {}).items():
        at.secrets[k] = v
    if user is not None:
        at.user = user
    return at.run()


def all_text(at: AppTest) -> str:
    parts = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "info", "warning", "error", "success", "code"):
        parts += [unescape(str(e.value)) for e in getattr(at, kind)]
    parts += [str(m.value) for m in at.metric] + [str(m.label) for m in at.metric]
    return "\n".join(parts)


def assert_no_data(at: AppTest, where: str) -> None:
    assert [e.message for e in at.exception] == [], where
    assert not at.metric, f"{where}: KPI cards shown"
    assert not at.dataframe and not at.get("plotly_chart"), f"{where}: a table or chart shown"
    assert not at.get("page_link") and not at.sidebar.selectbox, f"{where}: navigation shown"
    shown = all_text(at)
    for figure in FIGURES:
        assert figure not in shown, f"{where}: {figure!r} shown"
    assert [t.value for t in at.title] == ["Earnings dashboard"], where


def assert_sees_the_page(at: AppTest, page_id: str, where: str) -> None:
    assert [e.message for e in at.exception] == [], where
    assert not at.error, f"{where}: {[e.value for e in at.error]}"
    heading = components.PAGES[page_id][1]
    expected = heading if page_id in components.SEVERAL else f"{heading} · ALAB"
    assert at.title and unescape(at.title[0].value).startswith(expected), where
    if page_id == "overview":
        assert [m.value for m in at.metric if m.label == "Revenue"] == ["$141.1M"]


# --- open: no [auth] ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("page_id", PAGE_IDS)
def test_without_auth_every_page_is_open(db: Path, page_id: str) -> None:
    at = run_page(page_id, user={"is_logged_in": False})
    assert_sees_the_page(at, page_id, f"open {page_id}")
    assert not [b for b in at.button if b.label in ("Sign in", "Sign out")]


def test_without_auth_the_data_page_says_it_is_open(db: Path) -> None:
    at = run_page("data")
    assert "**Access:** open to anyone with the link (no sign-in configured)." in [
        unescape(m.value) for m in at.markdown
    ]


def test_an_allow_list_without_auth_changes_nothing(db: Path) -> None:
    """[access] alone does not make the dashboard private: sign-in needs [auth]; the Data page says so."""
    at = run_page("data", secrets={"access": ACCESS}, user={"is_logged_in": False})
    assert_sees_the_page(at, "data", "access without auth")
    assert any("open to anyone with the link" in unescape(m.value) for m in at.markdown)


# --- private: [auth] -------------------------------------------------------------------------------------------

PRIVATE = {"auth": AUTH, "access": ACCESS}


@pytest.mark.parametrize("page_id", PAGE_IDS)
@pytest.mark.parametrize(
    "user",
    [{"is_logged_in": False}, {"email": "ana@partner.example"}, {}],
    ids=["logged-out", "no-login-flag", "no-user"],
)
def test_logged_out_sees_only_the_sign_in(db: Path, page_id: str, user: dict) -> None:
    at = run_page(page_id, secrets=PRIVATE, user=user)
    where = f"logged out {user} on {page_id}"
    assert_no_data(at, where)
    assert [b.label for b in at.button] == ["Sign in"], where
    assert any("Sign in" in i.value for i in at.info), where


@pytest.mark.parametrize("page_id", PAGE_IDS)
@pytest.mark.parametrize(
    "email",
    ["ana@partner.example", "ANA@PARTNER.EXAMPLE", " Ana@Partner.example ", "bo@fund.example", "Bo@Fund.Example"],
)
def test_a_listed_address_or_domain_sees_every_page(db: Path, page_id: str, email: str) -> None:
    at = run_page(page_id, secrets=PRIVATE, user={"is_logged_in": True, "email": email, "email_verified": True})
    assert_sees_the_page(at, page_id, f"{email} on {page_id}")


def test_the_data_page_says_sign_in_is_required(db: Path) -> None:
    at = run_page("data", secrets=PRIVATE, user={"is_logged_in": True, "email": "bo@fund.example"})
    assert "**Access:** sign-in required; 2 allow-list entries." in [unescape(m.value) for m in at.markdown]


REFUSED = [
    "eve@evil.example",
    "eve@evil-fund.example",  # ends with the domain, is not it
    "eve@fund.example.evil.com",  # starts with it
    "eve@sub.fund.example",  # a subdomain is another domain
    "eve@fundexample",
    "ana@partner.example.evil.com",
    "fund.example",  # no address at all
    "",
]


@pytest.mark.parametrize("page_id", PAGE_IDS)
@pytest.mark.parametrize("email", REFUSED)
def test_a_signed_in_address_not_on_the_list_is_refused(db: Path, page_id: str, email: str) -> None:
    at = run_page(page_id, secrets=PRIVATE, user={"is_logged_in": True, "email": email})
    where = f"{email!r} on {page_id}"
    assert_no_data(at, where)
    assert len(at.error) == 1 and "not on this dashboard's access list" in at.error[0].value, where
    assert [b.label for b in at.button] == ["Sign out"], where


def test_signed_in_without_an_email_is_refused(db: Path) -> None:
    at = run_page("overview", secrets=PRIVATE, user={"is_logged_in": True, "name": "Ana"})
    assert_no_data(at, "no email claim")
    assert "not on this dashboard's access list" in at.error[0].value


def test_an_unverified_address_is_refused(db: Path) -> None:
    """An identity provider that says ``email_verified: false`` has not proven the address: not let in."""
    user = {"is_logged_in": True, "email": "bo@fund.example", "email_verified": False}
    at = run_page("overview", secrets=PRIVATE, user=user)
    assert_no_data(at, "unverified")
    assert "not on this dashboard's access list" in at.error[0].value


@pytest.mark.parametrize(
    "access_section",
    [None, {}, {"allowed_emails": [], "allowed_domains": []}, {"allowed_domains": [""]}],
    ids=["no-access-section", "empty-section", "empty-lists", "empty-domain"],
)
def test_auth_without_an_allow_list_lets_nobody_in(db: Path, access_section: dict | None) -> None:
    secrets = {"auth": AUTH} if access_section is None else {"auth": AUTH, "access": access_section}
    for email in ("bo@fund.example", "ana@partner.example", "owner@example.com"):
        at = run_page("overview", secrets=secrets, user={"is_logged_in": True, "email": email})
        assert_no_data(at, f"{email} with {access_section}")
        assert "not on this dashboard's access list" in at.error[0].value


def test_an_allow_list_written_as_one_string(db: Path) -> None:
    """``allowed_domains = "fund.example"`` (no brackets) means that one domain, not its letters."""
    secrets = {"auth": AUTH, "access": {"allowed_domains": "fund.example"}}
    at = run_page("overview", secrets=secrets, user={"is_logged_in": True, "email": "bo@fund.example"})
    assert_sees_the_page(at, "overview", "string allow-list")
    at = run_page("overview", secrets=secrets, user={"is_logged_in": True, "email": "x@e"})
    assert_no_data(at, "a one-letter domain")
    at = run_page("data", secrets=secrets, user={"is_logged_in": True, "email": "bo@fund.example"})
    assert "**Access:** sign-in required; 1 allow-list entry." in [unescape(m.value) for m in at.markdown]


# --- access.allowed --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("email", "expected"),
    [
        ("ana@partner.example", True),
        ("ANA@Partner.EXAMPLE", True),
        ("  ana@partner.example  ", True),
        ("bo@fund.example", True),
        ("BO@FUND.EXAMPLE", True),
        ("bo@evil-fund.example", False),
        ("bo@fund.example.evil.com", False),
        ("a@fund.example.evil.com", False),
        ("bo@sub.fund.example", False),
        ("bo@fund.examplex", False),
        ("bo@xfund.example", False),
        ("bo@fund.example.", False),
        ("ana@partner.example.evil.com", False),
        ("ana.partner.example", False),
        ("", False),
        (None, False),
        ("fund.example", False),
    ],
)
def test_allowed(email: str | None, expected: bool) -> None:
    assert access.allowed(email, ["Ana@Partner.example"], ["fund.example"]) is expected


def test_allowed_domain_entries_may_start_with_at_and_have_spaces() -> None:
    assert access.allowed("bo@fund.example", [], ["@fund.example"])
    assert access.allowed("bo@fund.example", [], [" Fund.Example "])
    assert not access.allowed("bo@fund.example", [], [])
    assert not access.allowed("bo@fund.example", ["fund.example"], [])  # a domain in the address list


label = st.text(st.characters(whitelist_categories=("Ll", "Nd"), whitelist_characters="-"), min_size=1, max_size=8)


@given(local=label, prefix=label, suffix=label)
def test_no_look_alike_domain_is_allowed(local: str, prefix: str, suffix: str) -> None:
    """Only the exact domain: anything before or after it is another domain."""
    for domain in (
        f"{prefix}fund.example",
        f"{prefix}.fund.example",
        f"fund.example{suffix}",
        f"fund.example.{suffix}",
    ):
        assert not access.allowed(f"{local}@{domain}", [], ["fund.example"]), domain
    assert access.allowed(f"{local}@FUND.example", [], ["fund.example"])
