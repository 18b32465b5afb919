"""Files in, Articles out: decoding, format by extension, clear errors. No RDF here."""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Iterator

from .article import Article
from .text import read_text

#: a file larger than this is refused rather than read into memory
MAX_ARTICLE_BYTES = 20 * 1024 * 1024

RDF_EXTENSIONS = {".ttl", ".nt", ".nq", ".trig", ".jsonld", ".rdf", ".owl", ".n3"}


class ReadError(Exception):
    """A file that cannot be read as an article; the message says why."""


def decode(data: bytes) -> tuple[str, list[str]]:
    """Text and warnings. UTF-8 (with or without BOM), UTF-16 with BOM, else cp1252."""
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
        yield from read_html(path, text)
        return
    yield read_text(text, str(path), file_name=path.name)


def read_html(path: Path, text: str) -> Iterator[Article]:
    raise ReadError("HTML page: the HTML reader is not available yet")


#: extension -> reader(path, decoded text) -> Articles
READERS: dict[str, Callable[[Path, str], Iterator[Article]]] = {
    ".txt": read_txt,
    ".text": read_txt,
}


def is_article_file(path: Path) -> bool:
    return path.suffix.lower() in READERS


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
