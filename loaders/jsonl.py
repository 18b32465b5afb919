"""JSON Lines bulk files: one article per line, read as a stream (a file may hold millions).

Fields: headline, body, url, datePublished, dateModified, author (a name or a list of names),
publisher, section, language. The body is plain text, paragraphs separated by newlines, or HTML.
A line that is not an article is named by its number and the others load regardless.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Iterator

from .article import Article
from .html import apply_metadata, fragment_paragraphs
from .text import body_from_paragraphs

FIELDS = {"headline", "body", "url", "datePublished", "dateModified", "author", "publisher", "section",
          "language"}
_TAG = re.compile(r"</?(?:p|br|div|li|h[1-6]|blockquote|span|a|em|strong|b|i)\b[^>]*>", re.I)
#: a line longer than this is refused (the whole file may be any size)
MAX_LINE_BYTES = 20 * 1024 * 1024


def chunks(path: Path, size: int = 1 << 20) -> list[tuple[int, int, int]]:
    """(start, end, number of the first line) of pieces of about `size` bytes, cut at line ends."""
    out, start, line_no = [], 0, 1
    with open(path, "rb") as f:
        total = f.seek(0, 2)
        while start < total:
            f.seek(min(start + size, total))
            if f.tell() < total:
                f.readline()                      # to the end of the line we landed in
            end = f.tell()
            out.append((start, end, line_no))
            f.seek(start)
            line_no += f.read(end - start).count(b"\n")
            start = end
    return out


def read_jsonl(path: Path, start: int = 0, end: int | None = None, line_no: int = 1) -> Iterator[Article]:
    with open(path, "rb") as f:
        f.seek(start)
        while end is None or f.tell() < end:
            raw = f.readline(MAX_LINE_BYTES + 1)
            if not raw:
                break
            n, line_no = line_no, line_no + 1
            source = f"{path}:{n}"
            if len(raw) > MAX_LINE_BYTES:
                f.readline()                      # skip the rest of it
                yield Article(source=source, error=f"line longer than {MAX_LINE_BYTES:,} bytes")
                continue
            if not raw.strip():
                continue
            yield record(raw, source, path.name)


def record(raw: bytes, source: str, file_name: str | None = None) -> Article:
    article = Article(source=source, file_name=file_name)
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as e:
        article.error = f"not UTF-8 (byte {e.start})"
        return article
    except ValueError as e:
        article.error = f"not JSON: {e}"
        return article
    if not isinstance(data, dict):
        article.error = f"a JSON {type(data).__name__}, not an object with the article's fields"
        return article
    unknown = sorted(k for k in data if k not in FIELDS)
    if unknown:
        article.warnings.append(f"fields ignored: {', '.join(unknown)[:120]} (known: {', '.join(sorted(FIELDS))})")
    wrong = sorted(k for k in FIELDS & set(data) if k != "author" and data[k] is not None
                   and not isinstance(data[k], str))
    if wrong:
        article.error = f"not text: {', '.join(wrong)}"
        return article
    authors = data.get("author") or []
    authors = [authors] if isinstance(authors, str) else authors
    if not all(isinstance(a, str) for a in authors):
        article.error = "author must be a name or a list of names"
        return article
    apply_metadata(article, {"headline": data.get("headline"), "url": data.get("url"),
                             "published": data.get("datePublished"), "modified": data.get("dateModified"),
                             "authors": authors, "publisher": data.get("publisher"),
                             "section": data.get("section"), "language": data.get("language")})
    body = data.get("body") or ""
    html = _TAG.search(body) is not None
    body_from_paragraphs(article, fragment_paragraphs(body) if html else body.split("\n"))
    if not article.body:
        article.error = "no body"
    return article
