"""The floor: the least a Python WSGI app over pyoxigraph can do for a query, for bench/run.py.

It reads `query` from the query string, runs it on the store (the union default graph, as the
endpoint does) and writes pyoxigraph's own serialisation: SPARQL JSON results, or Turtle /
N-Triples for a graph. Nothing else: no negotiation, row cap, time limit, ETag, cache, CORS or
per-client limit. Served under Granian with newsgraph's own worker settings, it shows how much
of a request's cost is the library and the HTTP server, and how much is newsgraph's protocol
work above them.

    granian --interface wsgi --factory --working-dir bench floor:app_from_env   (NEWSGRAPH_FLOOR_STORE=DIR)
"""

from __future__ import annotations

import os
from urllib.parse import parse_qs

import pyoxigraph as ox

from newsgraph.store import is_graph, open_store

JSON = ("application/sparql-results+json", ox.QueryResultsFormat.JSON)
TURTLE = ("text/turtle", ox.RdfFormat.TURTLE)
NTRIPLES = ("application/n-triples", ox.RdfFormat.N_TRIPLES)


def make_app(store):
    def app(environ, start_response):
        query = parse_qs(environ.get("QUERY_STRING", "")).get("query", [""])[0]
        try:
            result = store.query(query)
            if is_graph(result):
                ctype, fmt = TURTLE if "turtle" in environ.get("HTTP_ACCEPT", "") else NTRIPLES
            else:
                ctype, fmt = JSON
            body = result.serialize(format=fmt)
            status = "200 OK"
        except (SyntaxError, ValueError, OSError) as e:
            ctype, body, status = "text/plain; charset=utf-8", f"{e}\n".encode(), "400 Bad Request"
        start_response(status, [("Content-Type", ctype), ("Content-Length", str(len(body)))])
        return [body]

    return app


def app_from_env():
    return make_app(open_store(os.environ["NEWSGRAPH_FLOOR_STORE"], create=False))
