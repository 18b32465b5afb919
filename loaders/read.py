"""Files in, Articles out: decoding, format by extension, clear errors. No RDF here."""

from __future__ import annotations

import codecs
import re
from pathlib import Path
from typing import Callable, Iterator

from .article import Article
from .feeds import read_feed
from .html import read_html
from .jsonl import chunks, read_jsonl
from .text import read_text

#: a file larger than this is refused rather than read into memory
MAX_ARTICLE_BYTES = 20 * 1024 * 1024

#: <meta charset="...">, <meta ... content="text/html; charset=...">, <?xml ... encoding="..."?>
_DECLARED = re.compile(rb"""(?:charset|encoding)\s*=\s*["']?([A-Za-z0-9_.:-]{2,40})""", re.I)

RDF_EXTENSIONS = {".ttl", ".nt", ".nq", ".trig", ".jsonld", ".rdf", ".owl", ".n3"}


class ReadError(Exception):
    """A file that cannot be read as an article; the message says why."""


def decode(data: bytes) -> tuple[str, list[str]]:
    """Text and warnings. UTF-8 (with or without BOM), UTF-16 with BOM, the charset a page or
    feed declares, else cp1252."""
    if not data.strip():
        raise ReadError("empty file")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), []
        except UnicodeDecodeError as e:
            raise ReadError(f"bad UTF-16 at byte {e.start}") from None
    head = data[:8192]
    if b"\x00" in head or _control_ratio(head) > 0.05:
        raise ReadError("binary data, not text")
    declared = _DECLARED.search(head[:4096]) if head.lstrip()[:1] == b"<" else None
    if declared:
        name = declared.group(1).decode("ascii").lower()
        try:
            # utf-8 and the Latin ones are guessed below (pages that say latin-1 mean cp1252)
            if codecs.lookup(name).name not in ("utf-8", "cp1252", "latin-1", "iso8859-1", "ascii"):
                return data.decode(name), []
        except (LookupError, UnicodeDecodeError):
            pass                                  # an unknown or wrong declaration: guess as below
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError as e:
        first_bad = e.start
    try:
        return data.decode("cp1252"), [f"not UTF-8 (byte {first_bad}); decoded as cp1252"]
    except UnicodeDecodeError:
        raise ReadError(f"not UTF-8 (bad byte at {first_bad}) and not cp1252 either") from None


def _size(n: int) -> str:
    return f"{n / 1e6:.1f} MB" if n >= 100_000 else f"{n:,} bytes"


def _control_ratio(data: bytes) -> float:
    bad = sum(1 for b in data if b < 32 and b not in (9, 10, 12, 13))
    return bad / max(1, len(data))


def _looks_like_html(text: str) -> bool:
    head = text.lstrip()[:500].lower()
    return head.startswith(("<!doctype html", "<html")) or ("<body" in head and "</" in head)


def read_txt(path: Path, text: str) -> Iterator[Article]:
    if _looks_like_html(text):
        for article in read_page(path, text):
            article.warnings.append("HTML in a text file: read as a web page")
            yield article
        return
    yield read_text(text, str(path), file_name=path.name)


def read_page(path: Path, text: str) -> Iterator[Article]:
    yield read_html(text, str(path), path.name)


def read_items(path: Path, text: str) -> Iterator[Article]:
    try:
        yield from read_feed(text, str(path), path.name)
    except ValueError as e:
        raise ReadError(str(e)) from None


#: extension -> reader(path, decoded text) -> Articles
READERS: dict[str, Callable[[Path, str], Iterator[Article]]] = {
    ".txt": read_txt, ".text": read_txt,
    ".html": read_page, ".htm": read_page, ".xhtml": read_page,
    ".xml": read_items, ".rss": read_items, ".atom": read_items,
}
#: files read as a stream, in pieces that can be extracted in parallel
STREAMED = {".jsonl", ".ndjson"}

#: a piece of work: (path, start byte, end byte or None for the last piece, number of its first line)
Task = tuple[str, int, "int | None", int]


def is_article_file(path: Path) -> bool:
    return path.suffix.lower() in READERS or path.suffix.lower() in STREAMED


def tasks(path: Path) -> list[Task]:
    """The pieces a file is read in: bulk files in pieces of about a megabyte, others whole."""
    if path.suffix.lower() in STREAMED:
        try:
            pieces = [(str(path), s, e, n) for s, e, n in chunks(path)]
        except OSError:
            pieces = []                            # read_task names the problem
        if pieces:
            *rest, (p, s, _, n) = pieces
            return rest + [(p, s, None, n)]        # the last piece reads to the end
    return [(str(path), 0, None, 1)]


def read_task(task: Task) -> Iterator[Article]:
    path, start, end, line = task
    p = Path(path)
    if p.suffix.lower() not in STREAMED:
        yield from read_file(p)
        return
    try:
        if start == 0 and p.stat().st_size == 0:
            raise ReadError("empty file")
        yield from read_jsonl(p, start, end, line)
    except OSError as e:
        raise ReadError(f"cannot read: {e.strerror}") from None


def read_file(path: Path) -> Iterator[Article]:
    """The articles in one file (one for text, many for feeds and bulk files)."""
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        raise ReadError(f"unknown file type {path.suffix or '(no extension)'!r}")
    try:
        size = path.stat().st_size
    except OSError as e:
        raise ReadError(f"cannot read: {e.strerror}") from None
    if size > MAX_ARTICLE_BYTES:
        raise ReadError(f"file too large ({_size(size)}; the limit is {_size(MAX_ARTICLE_BYTES)})")
    try:
        data = path.read_bytes()
    except OSError as e:
        raise ReadError(f"cannot read: {e.strerror}") from None
    text, warnings = decode(data)
    for article in reader(path, text):
        article.warnings[:0] = warnings
        yield article
