"""Cross-cutting HTTP behaviour: CORS (with preflight), gzip, validators for caches."""

from __future__ import annotations

import gzip
import hashlib
import zlib

from flask import Flask, g, request

from .cache import remember

COMPRESSIBLE = ("text/", "application/sparql-results", "application/json", "application/ld+json",
                "application/n-triples", "application/n-quads", "application/trig",
                "application/rdf+xml", "application/xml", "application/javascript")
EXPOSED = "ETag, Last-Modified, Content-Location, Link, X-Newsgraph-Result-Limit, X-Request-Id"
CORS = {"Access-Control-Allow-Origin": "*", "Access-Control-Expose-Headers": EXPOSED}


#: a whole answer smaller than this is sent as it is
GZIP_MIN = 1024


def gzip_whole(data: bytes) -> bytes:
    """A whole answer gzip-encoded, with no time in the header: the same answer gives the same
    bytes under its strong ETag, whichever path (the front door or the app) compressed it."""
    return gzip.compress(data, 5, mtime=0)


def gzip_stream(chunks):
    z = zlib.compressobj(5, zlib.DEFLATED, 31)
    for chunk in chunks:
        data = z.compress(chunk)
        if data:
            yield data
    yield z.flush()


def init_app(app: Flask) -> None:
    @app.after_request
    def headers(response):
        response.headers.update(CORS)
        if request.method == "OPTIONS":
            response.headers["Access-Control-Allow-Methods"] = "GET, POST, HEAD, OPTIONS"
            response.headers["Access-Control-Allow-Headers"] = (
                request.headers.get("Access-Control-Request-Headers")
                or "Accept, Content-Type, Authorization")
            response.headers["Access-Control-Max-Age"] = "86400"
        store = app.extensions["newsgraph"].store
        if response.status_code == 200 and request.method in ("GET", "HEAD") and "Last-Modified" not in response.headers:
            response.last_modified = store.last_modified()
        _compress(response)
        if getattr(g, "newsgraph_recycle", False) and app.config.get("ON_RECYCLE"):
            response.call_on_close(app.config["ON_RECYCLE"])
        remember(response, request.environ, app.extensions["newsgraph"].cache)
        return response


def takes_gzip(accept_encoding: str, mimetype: str) -> bool:
    """Whether the client takes gzip and an answer of this type is worth compressing (the
    app's responses and the front door's both ask here)."""
    return "gzip" in accept_encoding.lower() and mimetype.startswith(COMPRESSIBLE)


def _compress(response) -> None:
    if response.status_code < 200 or response.status_code in (204, 304) or "Content-Encoding" in response.headers:
        return
    if not takes_gzip(request.headers.get("Accept-Encoding", ""), response.mimetype or ""):
        return
    response.vary.add("Accept-Encoding")
    if response.is_streamed:
        response.response = gzip_stream(response.response)
        response.headers.pop("Content-Length", None)
    else:
        data = response.get_data()
        if len(data) < GZIP_MIN:
            return
        response.set_data(gzip_whole(data))
    response.headers["Content-Encoding"] = "gzip"
    if response.headers.get("ETag", "").startswith('"'):
        response.headers["ETag"] = gzip_etag(response.headers["ETag"])


def gzip_etag(etag: str) -> str:
    """The strong ETag of the gzip-encoded variant of an answer ('"v-k"' -> '"v-k-gzip"')."""
    return etag[:-1] + '-gzip"'


def version_tag(version: str, *parts) -> str:
    """An ETag that changes with the store (the same in every worker process)."""
    return f"{version}-" + hashlib.sha256("\x1f".join(map(str, parts)).encode()).hexdigest()[:16]


def conditional(response, version: str, *parts):
    """The response with an ETag for (store version, parts), or a 304 if the client has it
    (either the plain or the gzip-encoded variant)."""
    tag = version_tag(version, *parts)
    held = matched_etag(f'"{tag}"')
    response.set_etag(held.strip('"') if held else tag)
    return response.make_conditional(request)


def matched_etag(etag: str) -> str | None:
    """The ETag of the variant (plain or gzip-encoded) the request's If-None-Match holds, if any
    (compared weakly, as RFC 9110 says for If-None-Match: a proxy that compresses may weaken it)."""
    wanted = request.if_none_match
    if not wanted:
        return None
    for tag in (etag, gzip_etag(etag)):
        if wanted.contains_weak(tag[1:-1]):
            return tag
    return None
