"""Saved web pages: the main text (trafilatura) and the page's own metadata.

Metadata, best first: schema.org JSON-LD (a NewsArticle or any *Article), then OpenGraph and
article:* properties, then plain <meta> tags, then what trafilatura guesses. The canonical URL
(<link rel="canonical">, else JSON-LD url, else og:url) names the article.
"""

from __future__ import annotations

import json
import re

import lxml.html
import trafilatura
from lxml import etree

from .article import Article, canonical_url
from .dates import parse_date
from .text import body_from_paragraphs, normalize_line, split_names

_BLOCKS = {"p", "li", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "dd", "dt", "td", "th", "div",
           "section", "article", "main", "header", "ul", "ol", "dl", "table", "tbody", "thead", "tr", "center"}
_DROP = ("script", "style", "figure", "figcaption", "noscript", "aside", "nav", "footer", "form", "iframe", "svg")


def read_html(text: str, source: str, file_name: str | None = None) -> Article:
    article = Article(source=source, file_name=file_name)
    tree = trafilatura.load_html(text)             # parsed once: for the metadata and the main text
    if tree is None:
        article.error = "not a readable HTML page"
        return article
    meta = page_metadata(tree)
    apply_metadata(article, meta)
    main = trafilatura.extract(tree, output_format="txt", include_comments=False, include_tables=False,
                               include_images=False, include_links=False, deduplicate=False) or ""
    paragraphs = main.split("\n")
    if not main.strip() and meta.get("body"):
        paragraphs = meta["body"].split("\n")
    return body_from_paragraphs(article, paragraphs)


def fragment_paragraphs(html: str) -> list[str]:
    """The paragraphs of an HTML fragment (a feed item's content), captions and scripts left out."""
    if "<" not in html:
        return re.split(r"\n\s*\n|\n", html)
    try:
        root = lxml.html.fragment_fromstring(html, create_parent="div")
    except (etree.ParserError, ValueError):
        return [re.sub(r"<[^>]+>", " ", html)]
    for bad in root.xpath("|".join(f".//{t}" for t in _DROP)):
        bad.drop_tree()
    out: list[str] = []
    _walk(root, out)
    return out


def _walk(el, out: list[str]) -> None:
    """Leaf blocks become paragraphs; text loose in a container is a paragraph of its own."""
    if not any(isinstance(c.tag, str) and c.tag in _BLOCKS for c in el.iter() if c is not el):
        text = normalize_line(el.text_content())
        if text:
            out.append(text)
        return
    loose = [el.text or ""]
    for child in el:
        if isinstance(child.tag, str) and (child.tag in _BLOCKS or child.tag == "br"):
            _flush(loose, out)
            if child.tag != "br":
                _walk(child, out)
        else:
            loose.append(child.text_content() if isinstance(child.tag, str) else "")
        loose.append(child.tail or "")
    _flush(loose, out)


def _flush(loose: list[str], out: list[str]) -> None:
    text = normalize_line(" ".join(loose))
    if text:
        out.append(text)
    loose.clear()


# ------------------------------------------------------------ metadata

def page_metadata(tree) -> dict:
    """headline, published, modified, authors, publisher, section, url, language, body (strings)."""
    found: dict = {}
    for item in _json_ld(tree):
        _from_json_ld(item, found)
    metas = {}
    for m in tree.iter("meta"):
        key = (m.get("property") or m.get("name") or m.get("itemprop") or "").strip().lower()
        value = (m.get("content") or "").strip()
        if key and value:
            metas.setdefault(key, []).append(value)

    def first(*keys):
        for k in keys:
            if metas.get(k):
                return metas[k][0]
        return None

    found.setdefault("headline", first("og:title", "twitter:title", "title", "headline"))
    found.setdefault("published", first("article:published_time", "datepublished", "date", "dc.date",
                                        "dc.date.issued", "pubdate", "publish-date", "sailthru.date"))
    found.setdefault("modified", first("article:modified_time", "og:updated_time", "datemodified"))
    found.setdefault("publisher", first("og:site_name", "application-name", "publisher"))
    found.setdefault("section", first("article:section", "section"))
    if "authors" not in found:
        names = [n for v in metas.get("author", []) + metas.get("article:author", []) + metas.get("dc.creator", [])
                 if not v.startswith("http") for n in split_names(v)]
        if names:
            found["authors"] = names
    canonical = tree.xpath("//link[translate(@rel, 'CANONICAL', 'canonical')='canonical']/@href")
    if canonical and canonical[0].strip().startswith("http"):
        found["url"] = canonical[0].strip()                       # the page's own word comes first
    else:
        found.setdefault("url", first("og:url", "twitter:url"))
    lang = tree.get("lang") or first("og:locale", "language", "content-language")
    if lang:
        found.setdefault("language", lang.replace("_", "-").split("-")[0].lower())
    if not found.get("headline"):
        title = tree.findtext(".//title")
        if title:
            found["headline"] = re.split(r"\s+[|–—-]\s+", title.strip())[0]
    return {k: v for k, v in found.items() if v}


def _json_ld(tree) -> list[dict]:
    items: list = []
    for script in tree.xpath("//script[@type='application/ld+json']"):
        try:
            data = json.loads(script.text_content())
        except ValueError:
            continue
        stack = data if isinstance(data, list) else [data]
        while stack:
            x = stack.pop(0)
            if isinstance(x, dict):
                if isinstance(x.get("@graph"), list):
                    stack.extend(x["@graph"])
                types = x.get("@type")
                types = types if isinstance(types, list) else [types]
                if any(isinstance(t, str) and (t.endswith("Article") or t == "BlogPosting") for t in types):
                    items.append(x)
            elif isinstance(x, list):
                stack.extend(x)
    return items


def _from_json_ld(item: dict, found: dict) -> None:
    def text(v):
        if isinstance(v, list):
            v = v[0] if v else None
        if isinstance(v, dict):
            v = v.get("name") or v.get("@id")
        return v.strip() if isinstance(v, str) and v.strip() else None

    for key, field in (("headline", "headline"), ("datePublished", "published"), ("dateModified", "modified"),
                       ("articleSection", "section"), ("inLanguage", "language"), ("articleBody", "body")):
        if text(item.get(key)) and field not in found:
            found[field] = text(item.get(key))
    url = text(item.get("url")) or text(item.get("mainEntityOfPage"))
    if url and url.startswith("http"):
        found.setdefault("url", url)
    publisher = text(item.get("publisher"))
    if publisher:
        found.setdefault("publisher", publisher)
    authors = item.get("author") or item.get("creator")
    authors = authors if isinstance(authors, list) else [authors] if authors else []
    names = []
    for a in authors:
        name = text(a)
        if name and not name.startswith("http"):
            names.extend(split_names(name) or [name])
    if names and "authors" not in found:
        found["authors"] = names


def apply_metadata(article: Article, meta: dict) -> None:
    """Put metadata (strings, as page_metadata gives them) on an article."""
    if meta.get("headline"):
        article.headline = normalize_line(meta["headline"])
    for key in ("published", "modified"):
        if meta.get(key):
            value = parse_date(meta[key])
            if value is None:
                article.warnings.append(f"cannot read the date {meta[key]!r}")
            elif key == "published":
                article.published, article.published_text = value, meta[key]
            else:
                article.modified = value
    if meta.get("authors"):
        names = [n for a in meta["authors"] for n in (split_names(normalize_line(a)) or [normalize_line(a)])]
        article.authors = list(dict.fromkeys(n for n in names if n))
    for key in ("publisher", "section", "language"):
        if meta.get(key):
            setattr(article, key, normalize_line(meta[key]))
    if meta.get("url"):
        article.url = canonical_url(meta["url"])
