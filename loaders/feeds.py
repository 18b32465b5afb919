"""RSS 2.0 and Atom feeds (feedparser): one article per item.

An item brings its link, dates, authors, categories and its content, or only a summary; an
article read from a summary is marked partial, so that it never replaces a fuller copy of the
same article (the page itself, say) already loaded.
"""

from __future__ import annotations

import re
from typing import Iterator

import feedparser

from .article import Article
from .html import apply_metadata, fragment_paragraphs
from .text import body_from_paragraphs


def read_feed(text: str, source: str, file_name: str | None = None) -> Iterator[Article]:
    feed = feedparser.parse(text)
    if not feed.entries:
        if feed.bozo:
            raise ValueError(f"not a readable feed: {feed.bozo_exception}")
        raise ValueError("a feed without items")
    channel = feed.feed.get("title") or ""
    publisher = re.split(r"\s+[|–—:-]\s+|:\s+", channel.strip())[0] if channel else None
    language = (feed.feed.get("language") or "").split("-")[0].lower() or None
    for n, entry in enumerate(feed.entries, 1):
        article = Article(source=f"{source}#item{n}", file_name=file_name)
        authors = [a.get("name", "") for a in entry.get("authors", []) if a.get("name")]
        raw = entry.get("author") or ""
        if "@" in raw or not authors:
            # RSS <author> is "jane@example.org (Jane Doe)": the name is in brackets, if anywhere
            m = re.search(r"\(([^)]+)\)", raw)
            authors = [m.group(1)] if m else [raw] if raw and "@" not in raw else []
        tags = [t.get("term") for t in entry.get("tags", []) if t.get("term")]
        apply_metadata(article, {
            "headline": entry.get("title"), "url": entry.get("link"),
            "published": _raw(entry, "published") or _raw(entry, "updated") or _raw(entry, "created"),
            "modified": _raw(entry, "updated") if _raw(entry, "published") else None,
            "authors": authors, "publisher": publisher, "section": tags[0] if tags else None,
            "language": language})
        content = [c.get("value", "") for c in entry.get("content", []) if c.get("value")]
        if content:
            html = max(content, key=len)
        else:
            html = entry.get("summary", "")
            article.partial = True
        body_from_paragraphs(article, fragment_paragraphs(html))
        if not article.body:
            article.error = "a feed item without content or summary"
        yield article


def _raw(entry, key: str):
    """The item's own value (feedparser's lookup would map one date field to another)."""
    return dict.get(entry, key)
