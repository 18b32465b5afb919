"""Which format to answer in: ?format= first, else the Accept header (q-values, wildcards).

One function for the SPARQL endpoint and the Linked Data pages. Parsing of Accept is
werkzeug's (the same parser Flask uses for request.accept_mimetypes).
"""

from __future__ import annotations

from flask import request

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
    accept = request.accept_mimetypes
    if not accept or not request.headers.get("Accept", "").strip():
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
