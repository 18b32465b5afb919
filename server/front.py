"""The front door: what most requests need, answered before Flask is reached.

* Repeated GETs from the response cache. Linked Data traffic is mostly the same few requests
  again (the same entity documents, the same example queries). A whole answer with an ETag is
  kept under (store version, path, query string, Accept, gzip or not), so a repeat costs a
  dictionary lookup, and a conditional repeat (If-None-Match) a 304. A load or an update
  changes the store's version: old entries are never served again.
* At most so many requests of one client under way at once (server/limits.py): a flood of
  expensive queries from one address cannot take every worker.
* A plain query (GET /sparql?query=...[&format=...], or the same POSTed as a form or as the
  query itself): planned, run and serialised by the same functions as the Flask view, without
  building Flask's request and response objects, which cost more than a point lookup itself.
  Errors, and every other request, go to the app.
* A query of one triple pattern with a fixed term (sparql_text.one_pattern), or a DESCRIBE of
  one thing, whose cost is bounded by that term's triples: answered in the request thread,
  without the query thread that lets a query be timed out, and without taking one of the
  client's places. So is a star join (sparql_text.star_join) whose fixed patterns each have at
  most ANCHOR_MAX matches, counted once per store version: the hand-over to the query thread
  and back wakes the other CPU, which cost a join about as much as its own evaluation.
  A page of an entity's document (GET /data/...) is bounded by the page size: the same.
  Over a remote store these bounded requests (but star joins, whose matches would be counted
  in a request more) take no place either, and wait on the store outside the lane: a client's
  four connections of point lookups got 503 for half of them with two workers' places.
* These bounded requests (and cache hits) take turns in a worker, on one lock (the lane):
  two at once only fight over the GIL, which pyoxigraph gives up for each evaluation, and each
  hand-over wakes a thread and the other CPU. Served joins on 2,000 articles, two threads each
  calling the app in-process: 323 against 441 µs of CPU a request. A worker's parallelism
  comes from the other workers (one per core); its second thread serves while the first
  waits out a slow query, which runs in the query thread, outside the lane.
  The workers take connections as the kernel hashes them (Granian's sockets share the port),
  so a few clients' connections may all land on one worker while another has none. So a
  request finding the lane taken goes at once, beside it, when the workers answer fewer
  requests than there are cores (limits.Busy counts them): `wrk -c4` joins on 2,000 articles,
  one worker for all four connections, 1,400 req/s in turns against 2,200-2,600 so; with two
  workers, the same ~2,900 req/s (median of 15 rounds) either way, and 2,227 against 1,459
  in the worst round.
"""

from __future__ import annotations

import io
import threading
import uuid
from codecs import escape_decode
from itertools import chain
from functools import lru_cache
from typing import NamedTuple
from urllib.parse import parse_qsl, unquote_plus

from werkzeug.http import http_date

from newsgraph.sparql_text import describes_one, one_pattern, query_form, star_join

from .cache import CACHE_KEY, ResponseCache, request_key
from .errors import HttpError
from .execute import Running
from .http import CORS, GZIP_MIN, gzip_etag, gzip_stream, gzip_whole, takes_gzip, version_tag
from .limits import Busy, ClientLimiter, Releasing
from .negotiation import choose
from .sparql import FORM, answer_kind, answer_now, first_part, plan_query, producer, query_format


DIRECT = "application/sparql-query"
BODY = "newsgraph.body"     # (content type, bytes) of a plain POST, read by FrontDoor._take_body
BODY_WAIT = 0.05            # seconds a POST may wait for a place to read its body in
#: a star join whose anchors have at most this many matches each is answered in the request
#: thread: at worst ~25 ms of probing per pattern on the bench's store
ANCHOR_MAX = 1000
ANCHORS_KEPT = 20_000       # anchors' counts kept for one store version


class Pending(NamedTuple):
    """What a request not answered in the lane carries to FrontDoor._in_turn."""

    asked: "Asked | None"
    version: str | None
    key: tuple | None       # the front cache's key
    bounded: bool = False   # a remote store's bounded request (a query if asked, else a page of a
                            # document): answered outside the lane, taking no place


class Asked(NamedTuple):
    text: str
    fmt: object             # the answer's formats.Format
    quick: bool             # bounded: one_pattern, describes_one or (embedded) a star join with few matches


class FrontDoor:
    def __init__(self, app, flask_app, limiter: ClientLimiter, busy: Busy):
        self.app = app                  # the WSGI app behind (Flask's, with its middleware)
        self.flask = flask_app
        self.c = flask_app.extensions["newsgraph"]
        self.cache: ResponseCache = self.c.cache
        self.limiter = limiter
        self.anchors: dict = {}         # (version, prologue, predicate, object) -> few matches?
        self.lane = threading.Lock()
        self.busy = busy

    def __call__(self, environ, start_response):
        if environ.get("REQUEST_METHOD") == "POST" and environ.get("PATH_INFO") == "/sparql":
            refused = self._take_body(environ, start_response)
            if refused is not None:
                return refused
        store = self.c.store
        store.pin()             # one version of the store for the whole request
        try:
            # (not in the lane: it is taken, but the workers answer fewer requests than there
            # are cores, so this one goes at once, beside it)
            in_lane = self.lane.acquire(blocking=False) or not self.busy.core_idle() and self.lane.acquire()
            self.busy.mark(True)
            try:
                got = self._at_once(environ, start_response)
            finally:
                self.busy.mark(False)
                if in_lane:
                    self.lane.release()
            if isinstance(got, Pending):
                return self._in_turn(environ, start_response, *got)
            return got
        finally:
            store.unpin()

    def _at_once(self, environ, start_response):
        """The answer when it is found in the cache or bounded (a quick query, a page of a
        document), else the Pending request for _in_turn. Run under the worker's lane: one such
        request at a time, since two would only take turns at the GIL, at a cost (see the module
        docstring)."""
        qs = environ.get("QUERY_STRING", "")
        if not qs.isascii() and not _utf8(qs):
            return _plain(start_response, "400 Bad Request", "the query string is not valid UTF-8\n")
        method = environ.get("REQUEST_METHOD")
        version = key = None
        if method in ("GET", "HEAD", "POST"):
            try:
                version = self.c.store.version()
            except Exception:  # noqa: BLE001 - the app gives the proper error
                version = None
            if version is not None and method != "POST":
                key = (version, "front", request_key(environ))
                hit = self.cache.get(key)
                if hit is not None:
                    return self._replay(hit, environ, start_response)
                environ[CACHE_KEY] = key
        asked = None
        plain = environ.get("PATH_INFO") == "/sparql" and "HTTP_IF_NONE_MATCH" not in environ
        if plain and (key is not None and method == "GET" or version is not None and method == "POST"):
            asked = self._read(environ, version) if method == "GET" else self._read_posted(environ, version)
            if asked is not None and asked.quick:
                # bounded by one term's triples: answered without taking a place (here and now,
                # or outside the lane where it waits on a remote store)
                busy = self._turned_away(environ, start_response)
                if busy is not None or self.c.store.in_process:
                    return busy or self._query(asked, environ, start_response, version, key)
                return Pending(asked, version, key, bounded=True)
        elif _document_page(environ, key):
            # a page of an entity's document: bounded by the page size, so the same
            busy = self._turned_away(environ, start_response)
            if busy is not None:
                return busy
            if not self.c.store.in_process:
                return Pending(None, version, key, bounded=True)
            body = self._document(environ, start_response, version, key)
            if body is not None:
                return body
        return Pending(asked, version, key)

    def _in_turn(self, environ, start_response, asked, version, key, bounded):
        """Every other request, within the client's places (but a remote store's bounded
        request, which takes none, as in the lane)."""
        if bounded:
            body = self._query(asked, environ, start_response, version, key) if asked is not None \
                else self._document(environ, start_response, version, key)
            if body is not None:
                return body
        client = _client(environ)
        if not self.limiter.acquire(client, wait=BODY_WAIT):
            return self._busy(environ, start_response, client)
        try:
            body = self._query(asked, environ, start_response, version, key) if asked is not None and not bounded \
                else None
            if body is None:
                body = self.app(environ, start_response)
        except BaseException:
            self.limiter.release(client)
            raise
        if isinstance(body, list):
            # the whole answer is made: the place is given back before it is sent, or the
            # client's next request could arrive before it is, and be turned away
            self.limiter.release(client)
            return body
        return Releasing(body, lambda: self.limiter.release(client))

    def _turned_away(self, environ, start_response):
        """The 503 for a client already at its limit, else None (a bounded request takes no place,
        but a client at its limit gets none answered)."""
        client = _client(environ)
        return self._busy(environ, start_response, client) if self.limiter.full(client) else None

    def _busy(self, environ, start_response, client: str):
        rid = uuid.uuid4().hex[:12]
        self.flask.logger.warning("request %s: 503, client %s has %d requests under way", rid, client,
                                  self.limiter.limit)
        return _plain(start_response, "503 Service Unavailable",
                      f"too many requests from your address under way at once (at most {self.limiter.limit}); "
                      f"retry in a moment (request id {rid})\n", [("Retry-After", "2"), ("X-Request-Id", rid)])

    def _replay(self, hit, environ, start_response):
        status, headers, body, etag = hit
        wanted = environ.get("HTTP_IF_NONE_MATCH")
        if wanted and (etag in wanted or wanted.strip() == "*"):
            start_response("304 Not Modified", [h for h in headers if h[0] not in ("Content-Type", "Content-Length")])
            return []
        start_response(status, headers)
        return [] if environ["REQUEST_METHOD"] == "HEAD" else [body]

    # ------------------------------------------------------------ a plain query

    def _read(self, environ, version: str) -> "Asked | None":
        """The query and answer format of a plain GET /sparql?query=...; None for the app."""
        qs = environ.get("QUERY_STRING", "")
        if not qs.isascii():        # raw UTF-8 (checked in __call__), as bytes in latin-1
            qs = qs.encode("latin-1").decode("utf-8")
        return self._asked(_form(qs), environ, version)

    def _take_body(self, environ, start_response):
        """The body of a plain POST of a form or of the query itself (clients that POST every
        query: YASGUI, Comunica), read into environ[BODY] before the lane, holding one of the
        client's places while it comes (a client sending bodies slowly holds no more threads
        than it has places); the 503 if it has none left. Only the simple case: no query
        string, a Content-Length within the limit; anything else is left to the app."""
        ctype, _, options = environ.get("CONTENT_TYPE", "").partition(";")
        ctype, options = ctype.strip().lower(), options.strip().lower().replace(" ", "")
        try:
            size = int(environ.get("CONTENT_LENGTH") or -1)
        except ValueError:
            return None
        if environ.get("QUERY_STRING") or ctype not in (FORM, DIRECT) or options not in ("", "charset=utf-8") \
                or not 0 < size <= self.c.settings.max_body or "HTTP_TRANSFER_ENCODING" in environ:
            return None
        client = _client(environ)
        # (a body that has come is read at once: the place is held for microseconds, so a
        # request that finds the places taken by bodies being read waits a moment for one;
        # bodies being read do not make the client "full" for bounded requests)
        if not self.limiter.acquire(client, reading=True, wait=BODY_WAIT):
            return self._busy(environ, start_response, client)
        try:
            body = environ["wsgi.input"].read(size)
        except (OSError, ValueError):
            return None         # (the app reads on, and gives its own error)
        finally:
            self.limiter.release(client, reading=True)
        environ["wsgi.input"] = io.BytesIO(body)    # (for the app, if it answers)
        if len(body) == size:   # (a body cut short is the app's to refuse)
            environ[BODY] = (ctype, body)
        return None

    def _read_posted(self, environ, version: str) -> "Asked | None":
        """The same for a plain POST whose body _take_body read; None for the app."""
        if BODY not in environ:
            return None
        ctype, body = environ[BODY]
        if ctype == FORM:
            return self._asked(_form(body.decode("ascii")), environ, version) if body.isascii() else None
        try:
            return self._asked([("query", body.decode("utf-8"))], environ, version)
        except UnicodeDecodeError:
            return None

    def _asked(self, params: list, environ, version: str) -> "Asked | None":
        """The query and answer format for these parameters; None for the app."""
        names = [k for k, _ in params]
        if names.count("query") != 1 or names.count("format") > 1 or len(names) != len(set(names)) \
                or not set(names) <= {"query", "format"}:
            return None
        values = dict(params)
        text = values["query"]
        form = query_form(text)
        if form is None:
            return None
        try:
            fmt = query_format(choose(answer_kind(form), False,
                                      environ.get("HTTP_ACCEPT", ""), values.get("format") or None))
        except HttpError:
            return None
        # (a star join's matches are counted only in an embedded store: remotely, a request more)
        quick = (one_pattern(text) is not None or self.c.store.in_process and self._few_matches(text, version)) \
            if fmt.kind != "rdf" else describes_one(text)
        return Asked(text, fmt, quick)

    def _few_matches(self, text: str, version: str) -> bool:
        """Whether the text is a star join whose every anchor has at most ANCHOR_MAX matches
        (an ASK the first time an anchor is seen in this store version, then a lookup)."""
        star = star_join(text)
        if star is None:
            return False
        for p, o in star.anchors:
            key = (version, star.prologue, p, o)
            few = self.anchors.get(key)
            if few is None:
                v = "?" + star.subject
                try:
                    few = not self.c.store.query(f"{star.prologue}ASK {{ {{ SELECT {v} WHERE {{ {v} {p} {o} }} "
                                                 f"OFFSET {ANCHOR_MAX} LIMIT 1 }} }}")
                except Exception:  # noqa: BLE001 - the query thread gives the query's own error
                    return False
                if len(self.anchors) >= ANCHORS_KEPT:
                    self.anchors.clear()        # (old versions' counts go with it)
                self.anchors[key] = few
            if not few:
                return False
        return True

    def _query(self, asked: "Asked", environ, start_response, version: str, front_key):
        c = self.c
        plan = plan_query(c, asked.text, {}, asked.fmt, version)
        fmt = plan.fmt
        timed_out = []
        cached = c.cache.get(plan.key)
        if cached is not None:
            body, running = cached, None
        elif asked.quick:
            try:
                body, running = answer_now(c, plan, _base_url(environ)), None
            except Exception as e:  # noqa: BLE001 - answered by the app's own error handlers
                return self._error(e, environ, start_response, recycle=False)
            c.cache.put(plan.key, body)
        else:
            running = Running(producer(c, plan, _base_url(environ)), c.settings.query_timeout,
                              c.settings.max_result_bytes, on_timeout=lambda: timed_out.append(True))
            try:
                body, whole = first_part(running)
            except Exception as e:  # noqa: BLE001 - answered by the app's own error handlers
                return self._error(e, environ, start_response, recycle=bool(timed_out))
            if whole:
                c.cache.put(plan.key, body)
                running = None
        headers = dict(plan.headers)
        headers.update(CORS)
        if environ["REQUEST_METHOD"] != "POST":       # (as the app: an answer to a POST is not cached)
            headers["Last-Modified"] = _http_date(c.store.last_modified())
        gz = takes_gzip(environ.get("HTTP_ACCEPT_ENCODING", ""), fmt.content_type)
        if running is None:
            return self._whole(start_response, headers, body, gz, front_key)
        # a large answer: streamed as it is made
        stream = chain([body], running.rest())
        if gz:
            stream = gzip_stream(stream)
            headers["Content-Encoding"] = "gzip"
            headers["ETag"] = gzip_etag(plan.etag)
        start_response("200 OK", list(headers.items()))
        return stream

    # ------------------------------------------------------------ an entity's document

    def _document(self, environ, start_response, version: str, front_key):
        """GET /data/<kind>/<slug>.<ext>, page 1: what linked_data.rdf_document and the app's
        after-request hooks give, without Flask; None for the app (a path that is no document's)."""
        from .describe import thing_iri
        from .linked_data import EXTENSIONS, document_body, split_name

        path = environ["PATH_INFO"]
        _, _, kind, name = path.split("/", 3) if path.count("/") == 3 else ("", "", "", "")
        slug, ext = split_name(name)
        c = self.c
        iri = ext in EXTENSIONS and thing_iri(c.base, kind, slug)
        if not iri:
            return None
        fmt = EXTENSIONS[ext]
        try:
            body, more = document_body(c, iri, fmt, 1, path, version)
            modified = _http_date(c.store.last_modified())
        except Exception as e:  # noqa: BLE001 - answered by the app's own error handlers (not run again:
            return self._error(e, environ, start_response, recycle=False)   # a remote store may be slow)
        headers = {"Content-Type": fmt.content_type, **CORS, "ETag": f'"{version_tag(version, iri.value, fmt.name, 1)}"',
                   "Last-Modified": modified}
        if more:
            headers["Link"] = f'<{path}?page=2>; rel="next"'
        gz = takes_gzip(environ.get("HTTP_ACCEPT_ENCODING", ""), fmt.content_type)
        if gz:
            headers["Vary"] = "Accept-Encoding"
        return self._whole(start_response, headers, body, gz, None if more else front_key)

    def _whole(self, start_response, headers: dict, body: bytes, gz: bool, front_key):
        """Send a whole answer (gzip-encoded if the client takes it and it is worth it), keeping
        it in the front cache under `front_key` unless that is None."""
        if gz and len(body) >= GZIP_MIN:
            body = gzip_whole(body)
            headers["Content-Encoding"] = "gzip"
            headers["ETag"] = gzip_etag(headers["ETag"])
        out = list(headers.items()) + [("Content-Length", str(len(body)))]
        if front_key is not None:
            self.cache.put(front_key, ("200 OK", out, body, headers["ETag"].strip('"')), size=len(body), body=body)
        start_response("200 OK", out)
        return [body]

    def _error(self, e: Exception, environ, start_response, recycle: bool):
        """The response the app gives for this error (and, after a runaway, the worker's end)."""
        from flask import g

        app = self.flask
        with app.request_context(environ):
            if recycle:
                g.newsgraph_recycle = True
            response = app.make_response(app.handle_user_exception(e))
            response = app.process_response(response)
            return response(environ, start_response)


def _client(environ) -> str:
    """The address whose requests the limiter counts."""
    return environ.get("REMOTE_ADDR") or "unknown"


def _document_page(environ, key) -> bool:
    """Whether the request is a plain GET of page 1 of a /data/ document, with a cache key."""
    return key is not None and environ.get("REQUEST_METHOD") == "GET" and not environ.get("QUERY_STRING") \
        and environ.get("PATH_INFO", "").startswith("/data/") and "HTTP_IF_NONE_MATCH" not in environ


def _form(text: str) -> list:
    """The parameters of a query string or form body."""
    if text.startswith("query=") and "&" not in text:      # the usual case, for less than parse_qsl
        return [("query", _unquote_plus(text[6:]))]
    return parse_qsl(text, keep_blank_values=True)


def _utf8(wsgi_text: str) -> bool:
    """Whether a WSGI string (bytes as latin-1) holds UTF-8."""
    try:
        wsgi_text.encode("latin-1").decode("utf-8")
    except UnicodeError:
        return False
    return True


def _unquote_plus(text: str) -> str:
    """urllib's unquote_plus, in C for a well-formed value (~1.5 against ~12 µs for the
    bench's join): each %XX becomes \\xXX for the bytes-escape decoder. Anything else (a stray
    %, bytes that are not UTF-8) is left to unquote_plus, which keeps its own answer for them."""
    raw = text.encode()
    try:
        return escape_decode(raw.replace(b"\\", b"\\\\").replace(b"+", b" ").replace(b"%", b"\\x"))[0].decode()
    except (ValueError, UnicodeDecodeError):
        return unquote_plus(text)


def _plain(start_response, status: str, message: str, extra=()):
    body = message.encode()
    start_response(status, [*CORS.items(), ("Content-Type", "text/plain; charset=utf-8"), *extra,
                            ("Content-Length", str(len(body)))])
    return [body]


@lru_cache(maxsize=8)
def _http_date(mtime: float) -> str:
    return http_date(mtime)


def _base_url(environ) -> str:
    host = environ.get("HTTP_HOST") or f"{environ.get('SERVER_NAME', 'localhost')}:{environ.get('SERVER_PORT', '80')}"
    return f"{environ.get('wsgi.url_scheme', 'http')}://{host}{environ.get('SCRIPT_NAME', '')}/sparql"
