"""The SPARQL 1.1 Protocol endpoint (/sparql)."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, request

from newsgraph import formats

from .errors import HttpError

bp = Blueprint("sparql", __name__)


def ctx():
    return current_app.extensions["newsgraph"]


@bp.route("/sparql", methods=["GET", "POST"])
def sparql():
    if request.method == "POST" and request.mimetype == "application/sparql-query":
        query = request.get_data(as_text=True)
    else:
        query = request.values.get("query")
    if not query:
        raise HttpError(400, "missing 'query' parameter")
    try:
        result = ctx().store.query(query)
    except SyntaxError as e:
        raise HttpError(400, f"bad query: {e}") from None
    import pyoxigraph as ox

    if isinstance(result, (ox.QuerySolutions, ox.QueryBoolean)):
        fmt = formats.by_name("json")
        return Response(result.serialize(format=fmt.native), content_type=fmt.content_type)
    fmt = formats.by_name("ttl")
    return Response(formats.serialize_graph(result, fmt), content_type=fmt.content_type)
