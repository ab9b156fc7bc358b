"""Where the database is, as viewers may see it, and what is wrong with a location before DuckDB opens it.

``EARNINGS_DB`` can hold credentials: a MotherDuck token (``md:db?motherduck_token=…``), keys in a bucket
URL (``s3://KEY:SECRET@bucket/…``), a user and password (``https://user:pass@host/…``), a pre-signed URL's
signature in its query string. ``shown`` keeps the place and drops every one of them; ``scrub`` takes
them out of any text (DuckDB names the location in its error messages).
"""

from __future__ import annotations

import errno
import os
import re
import stat
from pathlib import Path

# credentials that can appear in any text: key=value options and the user-info of a URL
_SECRET_OPTION = re.compile(
    r"(?i)\b((?:motherduck_)?token|secret|password|key_id|session_token|signature|x-amz-[a-z-]+)=[^\s&;'\"]+"
)
_USER_INFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/@\s'\"]*@")


MISSING = "The database file does not exist."
EMPTY = "The database file is empty."


def is_remote(location: str) -> bool:
    """A connection string or URL (MotherDuck, object storage, HTTP), not a file on this machine."""
    return location.startswith("md:") or "://" in location


def shown(location: str, root: Path | None = None) -> str:
    """The location without credentials, query string or user-info; a file by its name (relative to ``root``
    when inside it), never the server's directories."""
    if location.startswith("md:"):
        return "md:" + re.split(r"[?#]", location[3:], maxsplit=1)[0]
    if "://" in location:
        scheme, rest = location.split("://", 1)
        rest = re.split(r"[?#]", rest, maxsplit=1)[0]
        if "@" in rest:  # user-info, which may itself hold a '/' (a secret key): everything before the last '@'
            rest = rest.rsplit("@", 1)[1]
        return f"{scheme}://{rest}"
    path = Path(location)
    if root is not None:
        try:
            return str(path.absolute().relative_to(root))
        except ValueError:
            pass
    return path.name


def scrub(text: str, location: str, root: Path | None = None) -> str:
    """``text`` with the location (in every spelling) shown as ``shown`` and any credential removed."""
    spellings = {location}
    if not is_remote(location):
        spellings.add(str(Path(location).absolute()))
        try:
            spellings.add(str(Path(location).resolve()))
        except (OSError, RuntimeError):  # a loop of symbolic links
            pass
    for spelling in sorted(spellings, key=len, reverse=True):
        text = text.replace(spelling, shown(location, root))
    text = _USER_INFO.sub(r"\1", text)
    return _SECRET_OPTION.sub(lambda m: f"{m.group(1)}=…", text)


def file_problem(location: str) -> str | None:
    """Why a local database location cannot be opened, found without opening it (a pipe would make DuckDB
    wait forever); None when it is a regular file, or remote."""
    if is_remote(location):
        return None
    try:
        info = os.stat(location)
    except OSError as e:
        if e.errno in (errno.ENOENT, errno.ENOTDIR):
            return MISSING
        if e.errno == errno.ELOOP:
            return "The database cannot be opened: its path is a loop of symbolic links."
        return f"The database cannot be opened ({os.strerror(e.errno) if e.errno else type(e).__name__})."
    if stat.S_ISDIR(info.st_mode):
        return "The database cannot be opened: its path is a directory, not a file."
    if not stat.S_ISREG(info.st_mode):
        return "The database cannot be opened: its path is not a regular file (a pipe, a socket or a device)."
    if info.st_size == 0:
        return EMPTY
    return None
