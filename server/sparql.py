"""The SPARQL 1.1 Protocol: /sparql (query, service description) and /update."""

from __future__ import annotations

import hmac
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import chain

import pyoxigraph as ox
from flask import Blueprint, Response, current_app, g, request, stream_with_context

from newsgraph import formats
from newsgraph.sparql_text import cap_results, check_iri, query_form
from newsgraph.store import is_graph
from newsgraph.terms import prefixes as base_prefixes

from .errors import HttpError
from .execute import QueryTimeout, ResultTooLarge, Running, too_large
from .http import matched_etag, version_tag
from .negotiation import HTML, negotiate

bp = Blueprint("sparql", __name__)

FORM = "application/x-www-form-urlencoded"


def ctx():
    return current_app.extensions["newsgraph"]


# ---------------------------------------------------------------- reading the request

def _one(params, name: str, required: bool = True) -> str | None:
    values = params.getlist(name)
    if len(values) > 1:
        raise HttpError(400, f"'{name}' was given {len(values)} times; give it once")
    if not values:
        if required:
            raise HttpError(400, f"missing '{name}' parameter")
        return None
    return values[0]


def _body_text(kind: str) -> str:
    """The body of a direct POST, which must be UTF-8."""
    charset = request.mimetype_params.get("charset", "utf-8").lower()
    if charset.replace("-", "") != "utf8":
        raise HttpError(415, f"application/sparql-{kind} must be sent as UTF-8, not {charset}")
    try:
        return request.get_data().decode("utf-8")
    except UnicodeDecodeError as e:
        raise HttpError(400, f"the {kind} is not valid UTF-8 (byte {e.start})") from None


def read_protocol(kind: str) -> tuple[str, dict]:
    """(query or update text, dataset parameters) of a Protocol request, or a 4xx."""
    direct = f"application/sparql-{kind}"
    names = ("default-graph-uri", "named-graph-uri") if kind == "query" else \
        ("using-graph-uri", "using-named-graph-uri")
    if request.method in ("GET", "HEAD"):
        if kind == "update":
            raise HttpError(405, "updates are sent with POST", {"Allow": "POST, OPTIONS"})
        text = _one(request.args, "query")
        params = request.args
    elif request.method == "POST":
        ctype = request.mimetype
        if ctype == FORM:
            if request.args.get(kind) is not None:
                raise HttpError(400, f"send '{kind}' in the form body, not in the URL")
            text = _one(request.form, kind)
            params = request.values
        elif ctype == direct:
            text = _body_text(kind)
            params = request.args
        elif not ctype:
            raise HttpError(415, f"a POST needs Content-Type {FORM} or {direct}")
        else:
            raise HttpError(415, f"Content-Type {ctype} is not accepted here; use {FORM} or {direct}")
    else:
        raise HttpError(405, f"{request.method} is not allowed here",
                        {"Allow": "GET, POST, HEAD, OPTIONS" if kind == "query" else "POST, OPTIONS"})
    dataset = {}
    for name in names:
        try:
            dataset[name] = [check_iri(v, name) for v in params.getlist(name)]
        except ValueError as e:
            raise HttpError(400, str(e)) from None
    if kind == "query" and (request.values.get("update") is not None):
        raise HttpError(400, "updates go to /update, not to the query endpoint")
    return text, dataset


# ---------------------------------------------------------------- query

@bp.route("/sparql", methods=["GET", "POST", "PUT", "DELETE", "PATCH"], strict_slashes=False)
def sparql():
    if request.method in ("GET", "HEAD") and "query" not in request.args:
        if "update" in request.args:
            raise HttpError(405, "updates are sent with POST to /update", {"Allow": "POST, OPTIONS"})
        from .service import description

        return description()
    text, dataset = read_protocol("query")
    return answer_query(text, dataset)


@dataclass
class Plan:
    """What answering a query needs, worked out once (by the Flask view or the front door)."""

    text: str
    fmt: formats.Format
    kwargs: dict
    key: tuple          # (store version, request key) for the response cache
    etag: str
    headers: dict


def plan_query(c, text: str, dataset: dict, fmt, version: str) -> Plan:
    text, capped = cap_results(text, c.settings.max_results)
    default = [ox.NamedNode(u) for u in dataset.get("default-graph-uri", [])]
    named = [ox.NamedNode(u) for u in dataset.get("named-graph-uri", [])]
    kwargs = {"default_graph": default, "named_graphs": named} if default or named else {}
    named_dataset = sorted((k, v) for k, v in dataset.items() if v)
    tag = version_tag(version, text, fmt.name, repr(named_dataset), c.base)
    etag = f'"{tag}"'
    headers = {"Content-Type": fmt.content_type, "ETag": etag, "Vary": "Accept, Accept-Encoding",
               "Cache-Control": "public, max-age=0, must-revalidate"}
    if capped:
        headers["X-Newsgraph-Result-Limit"] = str(c.settings.max_results)
    return Plan(text, fmt, kwargs, (version, tag), etag, headers)


def producer(c, plan: Plan, base_iri: str):
    """The function that evaluates and serialises into a writer (run by execute.Running), or
    with no writer returns the bytes (answer_now)."""

    def produce(out=None):
        result = c.store.query(plan.text, base_iri=base_iri, **plan.kwargs)
        if is_graph(result) or plan.fmt.kind == "rdf":
            if not is_graph(result):
                raise HttpError(406, "this query returns results, not a graph: ask for "
                                     + ", ".join(formats.names("results")))
            return formats.serialize_graph(result, plan.fmt, out, base_prefixes(c.base))
        return result.serialize(out, plan.fmt.native)

    return produce


def answer_now(c, plan: Plan, base_iri: str) -> bytes:
    """The whole answer, made in this thread, with no time limit but a remote store's own (its
    connection's timeout): only for a query whose cost is bounded (sparql_text.one_pattern,
    describes_one, a star join with few matches)."""
    with _query_errors():
        body = producer(c, plan, base_iri)()
        if len(body) > c.settings.max_result_bytes:
            raise ResultTooLarge(too_large(c.settings.max_result_bytes))
    return body


def query_format(fmt):
    """The answer's Format for a negotiated one."""
    if fmt == HTML:  # not offered for query answers
        return formats.by_name("json")
    return fmt


def answer_kind(form: str | None) -> str:
    """What a query of this form answers with: a graph ("rdf") or results."""
    return "rdf" if form in ("CONSTRUCT", "DESCRIBE") else "results"


def first_part(running: Running) -> tuple[bytes, bool]:
    """The first chunk of an answer, with the query's errors as HTTP errors."""
    with _query_errors():
        return running.first()


@contextmanager
def _query_errors():
    """A query's own errors (its text, its answer's size) as 400s."""
    try:
        yield
    except SyntaxError as e:
        raise HttpError(400, f"bad query: {e}") from None
    except (ResultTooLarge, ValueError, TypeError) as e:
        raise HttpError(400, str(e)) from None


def answer_query(text: str, dataset: dict) -> Response:
    c = ctx()
    fmt = query_format(negotiate(answer_kind(query_form(text))))
    plan = plan_query(c, text, dataset, fmt, c.store.version())
    headers = plan.headers
    held = matched_etag(plan.etag)
    if held:
        return Response(status=304, headers={**{k: v for k, v in headers.items() if k != "Content-Type"}, "ETag": held})
    cached = c.cache.get(plan.key)
    if cached is not None:
        return Response(cached, headers=headers)
    running = Running(producer(c, plan, request.base_url), c.settings.query_timeout,
                      c.settings.max_result_bytes, on_timeout=_recycle_after_response)
    body, whole = first_part(running)
    if whole:
        c.cache.put(plan.key, body)
        return Response(body, headers=headers)
    return Response(stream_with_context(chain([body], running.rest())), headers=headers,
                    direct_passthrough=True)


def _recycle_after_response() -> None:
    """A runaway query is still running in a helper thread: under gunicorn, replace the worker."""
    g.newsgraph_recycle = True


# ---------------------------------------------------------------- update

@bp.route("/update", methods=["GET", "POST", "PUT", "DELETE", "PATCH"])
def update():
    c = ctx()
    token = c.settings.update_token
    if not token:
        raise HttpError(403, "updates are disabled: start the server with --update-token "
                             "(or NEWSGRAPH_UPDATE_TOKEN) to enable /update")
    auth = request.headers.get("Authorization", "")
    scheme, _, given = auth.partition(" ")
    if scheme.lower() != "bearer" or not given:
        raise HttpError(401, "send the update token as 'Authorization: Bearer <token>'",
                        {"WWW-Authenticate": 'Bearer realm="newsgraph"'})
    if not hmac.compare_digest(given.strip().encode(), token.encode()):
        raise HttpError(403, "the update token is not valid")
    text, dataset = read_protocol("update")
    try:
        c.store.update(text, base_iri=request.base_url, using=dataset.get("using-graph-uri", []),
                       using_named=dataset.get("using-named-graph-uri", []))
    except SyntaxError as e:
        raise HttpError(400, f"bad update: {e}") from None
    except ValueError as e:     # (a DatasetConflict too)
        raise HttpError(400, str(e)) from None
    c.cache.clear()
    return Response(status=204)


__all__ = ["bp", "QueryTimeout"]
