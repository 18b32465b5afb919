"""Plain-text articles: headline, byline, dateline, section and body, page furniture removed.

The layout is guessed line by line. The lines before the first real paragraph are the header:
a headline, then metadata that may share a line, separated by "|" (section, date, counters).
Everything after is body, less the lines that are page furniture (see data/furniture.yaml).
"""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime
from functools import lru_cache
from pathlib import Path

import yaml

from .article import Article
from .dates import looks_like_date, parse_date

DATA = Path(__file__).parent / "data"

_SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*$")
# "By Jane Doe", "Written by: Jane Doe", "Authors: Jane Doe, John Roe"
_BYLINE = re.compile(r"^(?:(?:written|reported|story|text|words|posted|edited)?\s*by\s*:?\s+"
                     r"|(?:authors?|writers?|reporters?)\s*:\s*)(?P<names>\S.*)$", re.I)
_SOURCE = re.compile(r"^source\s*:\s*(?P<outlet>[^,;]+?)(?:\s*,\s*as reported by\s+(?P<via>.+?))?\.?$", re.I)
# "ROME (AP) — ", "KYIV, Ukraine (Reuters) - ", "WASHINGTON — ": an agency, or a long dash
_DATELINE = re.compile(
    r"^(?P<place>[A-Z][A-Z.'’ -]{1,40}?(?:,\s*[A-Z][A-Za-z.'’ -]{1,30}?)?)\s*"
    r"(?:\((?P<agency>[A-Za-z][\w .&-]{0,30})\)\s*[—–-]{1,2}|[—–]|--)\s+(?=\S)")
_TIME_ONLY = re.compile(r"^\d{1,2}[:.]\d{2}(?::\d{2})?\s*(?:[ap]\.?m\.?)?\s*(?:[A-Z]{2,5}|[+-]\d{2}:?\d{2})?$", re.I)
_NAME_SPLIT = re.compile(r"\s*(?:,|;|\band\b|&)\s*")
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u200e\u200f\u00ad"), None)


@lru_cache(maxsize=1)
def furniture() -> dict:
    with open(DATA / "furniture.yaml", encoding="utf-8") as f:
        data = yaml.safe_load(f)
    counters = sorted(data["counters"], key=len, reverse=True)
    counter_alt = "|".join(re.escape(c) for c in counters)
    return {
        "lines": {s.lower() for s in data["lines"]},
        "prefixes": tuple(s.lower() for s in data["prefixes"]),
        "counter_line": re.compile(rf"^[\d.,]*\s*[kKmM]?\s*(?:{counter_alt})$", re.I),
        # a counter glued to the next word: "viewsAt least" (no space, a capital follows)
        "glued": re.compile(rf"^\s*(?:[\d.,]+\s*[kKmM]?\s*)?(?:{counter_alt})(?=[A-Z\"“‘'])"),
    }


def normalize_line(line: str) -> str:
    line = unicodedata.normalize("NFC", line).translate(_INVISIBLE)
    line = line.replace("\u00a0", " ").replace("\t", " ")
    return " ".join(line.split())


def is_furniture(line: str) -> bool:
    f = furniture()
    low = line.lower().strip().rstrip(":>»›").strip()
    if low in f["lines"] or f["counter_line"].match(low):
        return True
    return len(line.split()) <= 12 and low.startswith(f["prefixes"])


def is_paragraph(line: str) -> bool:
    """Running text, not a header item: a sentence of some length."""
    words = len(line.split())
    return words >= 12 or (words >= 6 and bool(_SENTENCE_END.search(line)))


def is_section(seg: str) -> bool:
    """A section label: one to three capitalised words, no digits, no full stop."""
    return (len(seg.split()) <= 3 and seg[:1].isupper() and not _SENTENCE_END.search(seg)
            and not any(ch.isdigit() for ch in seg))


def split_names(names: str) -> list[str]:
    names = re.split(r"\s+[|/]\s+|\s+[-–—]\s+", names)[0]   # "By Jane Doe | Reuters"
    out = []
    for part in _NAME_SPLIT.split(names):
        part = part.strip(" .")
        if part and len(part.split()) <= 5 and part[0].isupper():
            out.append(part)
    return out


def take_metadata(article: Article, seg: str) -> bool:
    """Record a byline, source line or date; False if the segment is none of these."""
    if len(seg.split()) <= 14:
        m = _BYLINE.match(seg)
        if m:
            names = split_names(m.group("names"))
            people = [n for n in names if len(n.split()) >= 2]
            article.authors.extend(n for n in people if n not in article.authors)
            if not people and names and article.publisher is None:
                article.publisher = names[0]                  # "By Reuters"
            return True
        m = _SOURCE.match(seg)
        if m:
            article.publisher = article.publisher or m.group("outlet").strip()
            if m.group("via"):
                article.cited.append(m.group("via").strip())
            return True
    if _TIME_ONLY.match(seg) and article.published_text and not isinstance(article.published, datetime):
        value = parse_date(f"{article.published_text} {seg}")     # "May 2, 2025 | 23:10"
        if value is not None:
            article.published, article.published_text = value, f"{article.published_text} {seg}"
            return True
    if looks_like_date(seg):
        value = parse_date(seg)
        if value is not None:
            if article.published is None:
                article.published, article.published_text = value, seg
            elif article.modified is None:
                article.modified = value
            return True
    return False


def read_text(text: str, source: str, file_name: str | None = None) -> Article:
    article = Article(source=source, file_name=file_name)
    f = furniture()
    lines = [normalize_line(line) for line in text.splitlines()]
    lines = [line for line in lines if line and not is_furniture(line)]
    i = _read_headline(article, lines)
    body: list[str] = []
    # the header: metadata, maybe several items to a line, until the first paragraph
    while i < len(lines) and not body:
        segments = [s.strip() for s in lines[i].split("|")]
        i += 1
        start = None        # the first segment that is not metadata: the body may begin there
        for k, seg in enumerate(segments):
            seg = segments[k] = f["glued"].sub("", seg).strip()
            if not seg or is_furniture(seg):
                continue
            if is_paragraph(seg):
                body.append(" | ".join(segments[k if start is None else start:]).strip())
                break
            if take_metadata(article, seg):
                continue
            if is_section(seg) and article.section is None and start is None:
                article.section = seg
            elif start is None:
                start = k
    finish_body(article, lines[i:], body)
    return article


def body_from_paragraphs(article: Article, paragraphs: list[str]) -> Article:
    """The body of an article whose metadata came from elsewhere (a page's tags, a feed, a
    JSON record): the same cleaning as for text files, less a repeat of the headline and the
    byline or date lines at its top."""
    lines = [normalize_line(p) for p in paragraphs]
    lines = [line for line in lines if line and not is_furniture(line)]
    head = " ".join((article.headline or "").lower().split())
    while lines and not is_paragraph(lines[0]) and (
            (head and lines[0].lower() == head) or take_metadata(article, lines[0])):
        lines.pop(0)
    finish_body(article, lines, [])
    return article


def finish_body(article: Article, lines: list[str], body: list[str]) -> None:
    """The body: the lines left, less repeated short lines and stray metadata lines."""
    seen_short: set[str] = set()
    for line in lines:
        short = len(line.split()) <= 8
        if short and (line in seen_short or
                      (not _SENTENCE_END.search(line) and take_metadata(article, line))):
            continue
        if short:
            seen_short.add(line)
        body.append(line)
    if body:
        _take_dateline(article, body)
    article.body = "\n\n".join(b for b in body if b)
    if article.headline is None:
        article.warnings.append("no headline found")
    if article.published is None:
        article.warnings.append("no publication date found")
    if not article.body:
        article.warnings.append("no body text found")


def _read_headline(article: Article, lines: list[str]) -> int:
    """Find the headline among the first lines; returns the index after it."""
    for i, line in enumerate(lines[:6]):
        if take_metadata(article, line):
            continue
        if is_paragraph(line) and len(line.split()) > 30:
            return i                                   # no headline: the text starts at once
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        if (is_section(line) and article.section is None and nxt
                and not is_paragraph(nxt) and not looks_like_date(nxt) and len(nxt.split()) > 3
                and not (_BYLINE.match(nxt) or _SOURCE.match(nxt))):
            article.section = line                     # "World" above the headline
            continue
        article.headline = line.rstrip(" |")
        return i + 1
    return 0


def _take_dateline(article: Article, body: list[str]) -> None:
    """'ROME (AP) — The pope ...': the place and the agency become metadata."""
    m = _DATELINE.match(body[0])
    if not m:
        return
    place = m.group("place").strip(" ,")
    city = place.split(",")[0]
    if not city.isupper() or len(city) < 3:
        return
    article.dateline = place
    agency = (m.group("agency") or "").strip()
    if agency and article.publisher is None:
        article.publisher = agency
    elif agency and agency.lower() != article.publisher.lower() and agency not in article.cited:
        article.cited.append(agency)             # a paper running an agency's story
    body[0] = body[0][m.end():]
