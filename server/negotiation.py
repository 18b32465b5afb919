"""Which format to answer in: ?format= first, else the Accept header (q-values, wildcards).

One function for the SPARQL endpoint and the Linked Data pages. Parsing of Accept is
werkzeug's (the same parser Flask uses for request.accept_mimetypes).
"""

from __future__ import annotations

from functools import lru_cache

from flask import request
from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header

from newsgraph import formats
from newsgraph.formats import Format

from .errors import HttpError

HTML = "text/html"

#: media types offered per kind of answer, the first being the default
OFFERS = {
    "results": ["application/sparql-results+json", "application/sparql-results+xml", "text/csv",
                "text/tab-separated-values", "application/json", "application/xml", "text/xml"],
    "rdf": ["text/turtle", "application/ld+json", "application/n-triples", "application/rdf+xml",
            "application/n-quads", "application/trig", "application/json", "text/plain",
            "application/x-turtle", "text/n3"],
}


def negotiate(kind: str, html: bool = False) -> Format | str:
    """The Format to answer with (or "text/html" when html=True and a browser asks for it).

    Raises HttpError 406 naming what is offered, or 400 for an unknown ?format=.
    """
    wanted = request.args.get("format") or request.form.get("format") if request.method == "POST" \
        else request.args.get("format")
    return choose(kind, html, request.headers.get("Accept", ""), wanted or None)


@lru_cache(maxsize=512)
def choose(kind: str, html: bool, accept_header: str, wanted: str | None) -> Format | str:
    """negotiate() for given header and parameter values (clients send the same few: kept)."""
    if wanted:
        if html and wanted.lower() in ("html", HTML):
            return HTML
        fmt = formats.by_name(wanted, kind)
        if fmt is None:
            names = ", ".join(formats.names(kind)) + (", html" if html else "")
            raise HttpError(400, f"format={wanted!r} is not available here; use one of: {names}")
        return fmt
    offers = list(OFFERS[kind])
    if html:
        offers.append(HTML)
    if not accept_header.strip():
        return formats.by_name(offers[0], kind)
    accept = parse_accept_header(accept_header, MIMEAccept)
    if not accept:
        return formats.by_name(offers[0], kind)
    best = accept.best_match(offers)
    if best is None:
        raise HttpError(406, "none of the media types in Accept is available; this resource is "
                             "offered as: " + ", ".join(offers))
    if best == HTML:
        # a browser sends text/html first and */* last: give it the page unless it prefers RDF
        return HTML
    if best in ("text/turtle",) and html and accept[HTML] >= accept["text/turtle"] and accept[HTML] > 0:
        return HTML
    return formats.by_name(best, kind)
