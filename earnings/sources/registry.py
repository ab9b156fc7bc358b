"""Every kind of input ingest takes, in one place: the first kind that recognises a file reads it.

A new kind of input is one module with ``NAME``, ``recognises(path, text)`` and
``read(path, text, context) -> Incoming``, added to ``KINDS``.
"""

from __future__ import annotations

from pathlib import Path

from earnings.sources import sec_facts, summary_doc, table_csv
from earnings.sources.incoming import Context, Incoming, decode

# in the order they are asked; a summary document is what is left
KINDS = (table_csv, sec_facts, summary_doc)


def read(path: Path, context: Context, text: str | None = None) -> Incoming:
    """What ``path`` adds to the reviewed files (``text``: its text, when already read); SourceError (naming the
    file and line) when it cannot be read."""
    text = decode(path) if text is None else text
    kind = next(k for k in KINDS if k.recognises(path, text))
    return kind.read(path, text, context)
