"""The SEC's public API: company-facts documents by ticker, politely, and kept so a second run works offline.

The SEC asks every client to name itself in the User-Agent (a company or person and an e-mail
address) and to send at most 10 requests a second. Every document fetched is kept in a cache folder
with the time it was fetched (``<file>.fetched``); a document younger than ``max_age_s`` is read from
there without asking, and when the SEC cannot be reached a cached one of any age is used (and says so).
"""

from __future__ import annotations

import json
import time
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx

WWW = "https://www.sec.gov"
DATA = "https://data.sec.gov"
TICKERS_PATH = "/files/company_tickers.json"
FACTS_PATH = "/api/xbrl/companyfacts/CIK{cik:010d}.json"
MIN_INTERVAL_S = 0.1  # at most 10 requests a second
RETRIES = 4  # on 429 and 5xx, waiting 1, 2, 4, 8 s (or what Retry-After says)
USER_AGENT_ENV = "SEC_USER_AGENT"


class FetchError(Exception):
    """The SEC could not give the document and no copy is kept; the message is one line for the user."""


@dataclass
class Fetched:
    path: Path
    fetched_at: str  # ISO time
    from_cache: bool


class SecApi:
    """Fetches from the SEC (or, for tests, any base URLs on loopback) into ``cache``."""

    def __init__(
        self,
        user_agent: str,
        cache: Path,
        *,
        www: str = WWW,
        data: str = DATA,
        max_age_s: float = 24 * 3600,
        sleep: Callable[[float], None] = time.sleep,
        client: httpx.Client | None = None,
    ) -> None:
        if not user_agent or "@" not in user_agent:
            raise FetchError(
                "the SEC asks every client to name itself: give --user-agent 'Your Name you@example.com' "
                f"(or set {USER_AGENT_ENV})"
            )
        self.cache = Path(cache)
        self.www, self.data, self.max_age_s, self.sleep = www.rstrip("/"), data.rstrip("/"), max_age_s, sleep
        self.client = client or httpx.Client(
            headers={"User-Agent": user_agent, "Accept-Encoding": "gzip, deflate"}, timeout=30.0
        )
        self._last = 0.0

    # --- one document ---------------------------------------------------------------------------------------
    def _get(self, url: str) -> bytes:
        for attempt in range(RETRIES + 1):
            wait = MIN_INTERVAL_S - (time.monotonic() - self._last)
            if wait > 0:
                self.sleep(wait)
            self._last = time.monotonic()
            try:
                response = self.client.get(url)
            except httpx.HTTPError as e:
                raise FetchError(f"cannot reach {_host(url)} ({type(e).__name__}): offline?") from None
            if response.status_code == 200:
                return response.content
            if response.status_code == 404:
                raise FetchError(f"{_host(url)} has no such document ({_path(url)})")
            if response.status_code == 429 or response.status_code >= 500:
                if attempt == RETRIES:
                    break
                self.sleep(_retry_after(response) or 2.0**attempt)
                continue
            raise FetchError(f"{_host(url)} answered {response.status_code} for {_path(url)}")
        raise FetchError(f"{_host(url)} kept answering {response.status_code}; try again later")

    def document(self, url: str, name: str) -> Fetched:
        """The document at ``url``, from the cache when young enough, else fetched (and kept)."""
        path = self.cache / name
        stamp = path.with_name(path.name + ".fetched")
        if path.exists() and stamp.exists():
            fetched_at = stamp.read_text(encoding="utf-8").strip()
            age = (datetime.now(UTC) - datetime.fromisoformat(fetched_at)).total_seconds()
            if age < self.max_age_s:
                return Fetched(path, fetched_at, True)
        try:
            body = self._get(url)
        except FetchError:
            if path.exists() and stamp.exists():  # offline: the copy kept is better than nothing
                return Fetched(path, stamp.read_text(encoding="utf-8").strip(), True)
            raise
        try:
            json.loads(body)
        except ValueError:
            raise FetchError(f"{_host(url)} answered {_path(url)} with something that is not JSON") from None
        self.cache.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_bytes(body)
        tmp.replace(path)
        fetched_at = datetime.now(UTC).isoformat(timespec="seconds")
        stamp.write_text(fetched_at + "\n", encoding="utf-8")
        return Fetched(path, fetched_at, False)

    # --- what the SEC serves --------------------------------------------------------------------------------
    def tickers(self) -> dict[str, int]:
        """Ticker -> CIK, from the SEC's ticker file."""
        return ticker_map(self.document(self.www + TICKERS_PATH, "company_tickers.json").path)

    def company_facts(self, cik: int) -> Fetched:
        name = f"CIK{cik:010d}.json"
        return self.document(self.data + FACTS_PATH.format(cik=cik), name)


def ticker_map(path: Path) -> dict[str, int]:
    """Ticker -> CIK from a file shaped like the SEC's ``company_tickers.json`` ({"0": {"cik_str", "ticker"}})."""
    try:
        entries = json.loads(path.read_text(encoding="utf-8"))
        return {str(e["ticker"]).upper(): int(e["cik_str"]) for e in entries.values()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as e:
        raise FetchError(f"{path.name} is not the SEC's ticker file ({type(e).__name__})") from None


def bulk_documents(archive: Path, ciks: dict[int, str]) -> Iterator[tuple[str, str, str]]:
    """(ticker, member name, text) for each company of ``ciks`` in the SEC's bulk ``companyfacts.zip``, read one
    member at a time."""
    try:
        with zipfile.ZipFile(archive) as zf:
            members = {m.filename: m for m in zf.infolist()}
            for cik, ticker in ciks.items():
                name = f"CIK{cik:010d}.json"
                if name in members:
                    yield ticker, name, zf.read(members[name]).decode("utf-8-sig")
    except (OSError, zipfile.BadZipFile) as e:
        raise FetchError(f"{archive.name} is not a readable zip archive ({e})") from None


def _host(url: str) -> str:
    return httpx.URL(url).host


def _path(url: str) -> str:
    return httpx.URL(url).path


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After", "")
    return float(value) if value.replace(".", "", 1).isdigit() else None
