"""A remote triple store, through the SPARQL 1.1 Protocol (query, update) and, where the store
has one, its Graph Store Protocol endpoint for bulk writes.

``open_store("http://host:7878/query")`` gives a RemoteStore: the same loaders and server then
run over Oxigraph's server, Fuseki, Virtuoso, QLever or a managed store. The URL is the query
endpoint; the update endpoint is the same URL with its last segment replaced by ``update``
(``/query`` or ``/sparql`` -> ``/update``), or the query URL itself if nothing answers there;
bulk writes go to ``store`` beside it (a dataset endpoint, Oxigraph's, by its bulk loader; or a
Graph Store endpoint taking a graph at a time, Virtuoso's /sparql-graph-crud), when it answers;
otherwise they are INSERT updates. Override with NEWSGRAPH_UPDATE_URL and NEWSGRAPH_GSP_URL
(``none`` for no bulk endpoint), and send credentials with NEWSGRAPH_REMOTE_AUTH (an
Authorization header value). Tested against Oxigraph's server and Virtuoso 7.2 (tests/test_remote.py).

newsgraph's queries read the default graph as the union of the named graphs: configure the
store so (``oxigraph serve --union-default-graph``; Fuseki ``tdb2:unionDefaultGraph true``;
Virtuoso does it by default).

What the store does not tell, newsgraph keeps itself: a version marker, rewritten by every
write made through newsgraph (for ETags and the response cache), which is also trusted for at
most NEWSGRAPH_REMOTE_FRESH seconds (default 10) in case someone else writes to the store.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import re
import threading
import time
import urllib.parse
import uuid
from pathlib import Path

import pyoxigraph as ox

from .sparql_text import apply_using, bind_values, declares_base, query_form
from .store import MEMORY, Store, StoreError, TripleResult, graph_update_text, has_blank_node

META_GRAPH = "urn:newsgraph:meta"
META = f"<{META_GRAPH}>"
VERSION_P = "<urn:newsgraph:version>"
#: quads per INSERT update: Virtuoso (7.2) compiles each into SQL and refuses one of 2,000
#: triples (0.45 s for 1,000, 0.05 s for 200)
INSERT_QUADS = 500
REFUSED = (400, 404, 405, 415, 501)      # answers to a bulk write the store does not take
#: Virtuoso names blank nodes "nodeID://b1", which is not a blank node label
_VIRTUOSO_BNODE = re.compile(rb'("type"\s*:\s*"bnode"\s*,\s*"value"\s*:\s*")nodeID://')
RESULTS_ACCEPT = "application/sparql-results+json, application/sparql-results+xml;q=0.9"
#: what a request to the store may fail with on the way
NETWORK_ERRORS = (http.client.HTTPException, ConnectionError, OSError)


class RemoteStore(Store):
    def __init__(self, url: str, timeout: float = 60.0):
        self.location = url
        self.query_url = url
        self.update_url = os.environ.get("NEWSGRAPH_UPDATE_URL") or _beside(url, "update")
        self._guessed_update = not os.environ.get("NEWSGRAPH_UPDATE_URL")
        gsp = os.environ.get("NEWSGRAPH_GSP_URL")
        self.gsp_url = None if gsp == "none" else (gsp or _beside(url, "store"))
        self.auth = os.environ.get("NEWSGRAPH_REMOTE_AUTH")
        self.fresh = float(os.environ.get("NEWSGRAPH_REMOTE_FRESH", "10"))
        self.timeout = timeout
        self._local = threading.local()
        self._marker: tuple[float, str] | None = None
        self._modified = time.time()
        self._bulk: str | None = None      # how bulk writes go (add_graphs)
        try:
            self.ask("ASK { }")
        except StoreError as e:
            raise StoreError(f"{url}: no SPARQL endpoint answers here ({e})") from None

    # ------------------------------------------------------------ HTTP

    def _connection(self, url: str) -> tuple[http.client.HTTPConnection, str]:
        parts = urllib.parse.urlsplit(url)
        key = _conn_key(url)
        conns = getattr(self._local, "conns", None)
        if conns is None:
            conns = self._local.conns = {}
        conn = conns.get(key)
        if conn is None:
            cls = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
            conn = conns[key] = cls(parts.netloc, timeout=self.timeout)
        path = parts.path or "/"
        return conn, path + (f"?{parts.query}" if parts.query else "")

    def _open(self, method: str, url: str, body: bytes | None, headers: dict, params: dict | None = None
              ) -> tuple[http.client.HTTPConnection, http.client.HTTPResponse]:
        """Sends a request: the connection and its response, whose body is still to read."""
        conn, path = self._connection(url)
        if params:
            path += ("&" if "?" in path else "?") + urllib.parse.urlencode(params, doseq=True)
        headers = dict(headers)
        if self.auth:
            headers["Authorization"] = self.auth
        for attempt in (1, 2):            # a kept-alive connection the server has closed: once more
            try:
                conn.request(method, path, body=body, headers=headers)
                return conn, conn.getresponse()
            except NETWORK_ERRORS as e:
                conn.close()
                if attempt == 2:
                    raise _failed(url, e) from None
        raise AssertionError("unreachable")

    def _request(self, method: str, url: str, body: bytes | None, headers: dict, params: dict | None = None
                 ) -> tuple[int, bytes, str]:
        conn, resp = self._open(method, url, body, headers, params)
        return resp.status, _body(conn, resp, url), resp.getheader("Content-Type", "")

    def _check(self, status: int, data: bytes, what: str) -> None:
        if status >= 400:
            message = data.decode("utf-8", "replace").strip()[:500]
            if status == 400:
                raise SyntaxError(f"the store refused the {what}: {message}")
            raise StoreError(f"{self.location}: the store answered {status} to the {what}: {message}")

    # ------------------------------------------------------------ reading

    def query(self, query, *, substitutions=None, default_graph=None, named_graphs=None, base_iri=None):
        if substitutions:
            query = bind_values(query, {v.value: t for v, t in substitutions.items()})
        form = query_form(query)
        params = {}
        if default_graph is not None:
            params["default-graph-uri"] = [g.value for g in default_graph if isinstance(g, ox.NamedNode)]
        if named_graphs is not None:
            params["named-graph-uri"] = [g.value for g in named_graphs]
        query = _based(query, base_iri)
        # (not TSV for solutions: Virtuoso's writes IRIs and strings alike, as "quoted" text)
        accept = "application/n-triples" if form in ("CONSTRUCT", "DESCRIBE") else RESULTS_ACCEPT
        body = urllib.parse.urlencode({"query": query, **params}, doseq=True).encode()
        headers = {"Content-Type": "application/x-www-form-urlencoded", "Accept": accept}
        return self._streamed(body, headers, form)

    def _streamed(self, body: bytes, headers: dict, form: str | None):
        """The answer to a query, parsed as it arrives: never held whole. An answer that comes
        whole in its first piece is parsed from it (cheaper by ~30 µs a point lookup); else the
        thread's kept-alive connection is lent to the answer until it is read to its end (a
        request made meanwhile opens another), then kept again, or closed if another has taken
        its place."""
        conn, resp = self._open("POST", self.query_url, body, headers)
        if resp.status >= 400:
            self._check(resp.status, _body(conn, resp, self.query_url), "query")
        answer = _results_format(resp.getheader("Content-Type", ""))
        graph = form in ("CONSTRUCT", "DESCRIBE")
        json = not graph and answer == ox.QueryResultsFormat.JSON
        first = _body(conn, resp, self.query_url, _Reading.PIECE)
        if resp.isclosed():         # (read to its end)
            reading = _VIRTUOSO_BNODE.sub(rb"\1", first) if json and b'"nodeID://' in first else first
        else:
            lent = _conn_key(self.query_url)
            self._local.conns.pop(lent, None)

            def give_back():
                here = self._local.__dict__.setdefault("conns", {})
                if lent in here:
                    conn.close()
                else:
                    here[lent] = conn
            reading = _Reading(resp, self.query_url, json, give_back, first)
        if graph:
            return TripleResult(ox.parse(reading, format=ox.RdfFormat.N_TRIPLES))
        return ox.parse_query_results(reading, format=answer)

    def version(self) -> str:
        now = time.monotonic()
        if self._marker is None or now - self._marker[0] > 1.0:
            rows = self.select(f"SELECT ?v WHERE {{ GRAPH {META} {{ {META} {VERSION_P} ?v }} }}")
            marker = rows[0]["v"].value if rows else "0"
            if self._marker is None or marker != self._marker[1]:
                self._modified = time.time()
            self._marker = (now, marker)
        bucket = int(time.time() // self.fresh) if self.fresh > 0 else 0
        return f"r{self._marker[1][:12]}-{bucket}"

    def last_modified(self) -> float:
        self.version()
        return self._modified

    def dump(self, output, fmt: ox.RdfFormat) -> None:
        """Every quad but newsgraph's version marker (the store's, not the data's), written as the
        store's answer arrives: never held whole, however large the store."""
        rows = self.query(f"SELECT ?s ?p ?o ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER (?g != {META}) }}")
        ox.serialize((ox.Quad(r["s"], r["p"], r["o"], r["g"]) for r in rows), output, format=fmt)

    def side_file(self, name: str) -> str:
        cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "newsgraph"
        try:
            cache.mkdir(parents=True, exist_ok=True)
        except OSError:
            return MEMORY
        tag = hashlib.sha256(self.location.encode()).hexdigest()[:16]
        return str(cache / f"{tag}-{name}")

    # ------------------------------------------------------------ writing

    def update(self, update: str, *, base_iri=None, using=(), using_named=()) -> None:
        """The protocol's dataset goes to the store as USING clauses in the text (Virtuoso ignores
        the protocol's parameters); where the store refuses those, as the protocol's parameters
        (Oxigraph's server refuses USING where its default graph is the union), the version marker
        then moving in a request of its own (the parameters would narrow its DELETE WHERE too)."""
        update = _based(update, base_iri)
        if not using and not using_named:
            self._update(update + " ;\n" + _bump())
            return
        try:        # (a DatasetConflict, an update naming its own dataset too, is raised here)
            self._update(apply_using(update, using, using_named) + " ;\n" + _bump())
        except SyntaxError:
            self._update(update, {"using-graph-uri": list(using), "using-named-graph-uri": list(using_named)})
            self._update(_bump())

    def _update(self, text: str, params: dict | None = None) -> None:
        while True:
            status, data, _ = self._request("POST", self.update_url, text.encode("utf-8"),
                                            {"Content-Type": "application/sparql-update; charset=utf-8"}, params)
            if status != 404 or not self._guessed_update:
                break
            # no update endpoint beside the query one: many stores (Virtuoso) take both at one URL
            self.update_url, self._guessed_update = self.query_url, False
        self._guessed_update = False
        self._check(status, data, "update")
        self._marker = None

    def replace_graphs(self, graphs, shared=()) -> None:
        text = graph_update_text(graphs, list(shared))
        self._update((text + " ;\n" if text else "") + _bump())

    def add_graphs(self, data: bytes) -> None:
        """One POST of N-Quads to a dataset endpoint (Oxigraph's /store, Fuseki's /ds/data),
        else one POST of N-Triples per graph (``?graph=``, the Graph Store Protocol: Virtuoso's
        /sparql-graph-crud), else INSERT updates. The first write finds which works, and reads
        one of its quads back: Virtuoso answers a POST it does not understand with 200 and a form.
        The dataset POST first asks for the store's bulk loader (``?no_transaction``, Oxigraph's:
        1,000 synthetic articles loaded in 16-17 s against 27-31 s in one transaction a batch,
        5,000 in 103 s against 136 s); a store that refuses the parameter gets the plain POST. Like
        INSERT updates in pieces, such a write is not one transaction: the loader's recovery
        from a failed batch (its graphs dropped and written again one by one) covers both."""
        if self._bulk == "insert" or not self.gsp_url:
            self._insert(ox.parse(data, format=ox.RdfFormat.N_QUADS))
        elif self._bulk:
            self._check(*self._post(data, self._bulk), "bulk write")
        else:
            self._bulk = self._first_bulk(data)
        self._update(_bump())

    def _first_bulk(self, data: bytes) -> str | None:
        """Writes the data by the first way that works and returns it (None: not sure yet)."""
        probe = next((q for q in ox.parse(data, format=ox.RdfFormat.N_QUADS)
                      if all(isinstance(t, ox.NamedNode) for t in (q.subject, q.object, q.graph_name))), None)
        if probe is None or self._holds(probe):     # nothing to tell a write by: the sure way
            self._insert(ox.parse(data, format=ox.RdfFormat.N_QUADS))
            return None
        ways = ["bulk", "dataset", "graphs"]
        while ways:
            way = ways.pop(0)
            status, body = self._post(data, way)
            if status < 300 and self._holds(probe):
                return way
            if status >= 300 and status not in REFUSED:
                self._check(status, body, "bulk write")
            if way == "bulk" and status < 300:
                ways.remove("dataset")      # taken and not written (Virtuoso's form): so would the plain POST be
        self._insert(ox.parse(data, format=ox.RdfFormat.N_QUADS))
        return "insert"

    def _holds(self, q: ox.Quad) -> bool:
        return self.ask(f"ASK {{ GRAPH {q.graph_name} {{ {q.subject} {q.predicate} {q.object} }} }}")

    def _post(self, data: bytes, way: str) -> tuple[int, bytes]:
        if way in ("bulk", "dataset"):
            return self._request("POST", self.gsp_url, data, {"Content-Type": "application/n-quads"},
                                 {"no_transaction": ""} if way == "bulk" else None)[:2]
        by_graph: dict = {}
        for q in ox.parse(data, format=ox.RdfFormat.N_QUADS):
            by_graph.setdefault(q.graph_name, []).append(q.triple)
        status, body = 204, b""
        for g, triples in by_graph.items():
            params = {"default": ""} if isinstance(g, ox.DefaultGraph) else {"graph": g.value}
            status, body = self._request("POST", self.gsp_url, ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES),
                                         {"Content-Type": "application/n-triples"}, params)[:2]
            if status >= 300:
                break
        return status, body

    def _insert(self, quads) -> None:
        """INSERT updates of at most INSERT_QUADS quads (graph_update_text groups them by graph),
        cut where the graph changes or where no blank node has been met in the graph so far:
        a blank node's quads split between two updates would make two nodes of it (so a graph
        with blank nodes beyond the first INSERT_QUADS goes whole)."""
        batch: list = []
        blank = False                   # a blank node met in the batch's last graph
        for q in quads:
            if batch and q.graph_name != batch[-1].graph_name:
                blank = False
                if len(batch) >= INSERT_QUADS:
                    self._update(graph_update_text({}, batch))
                    batch = []
            elif len(batch) >= INSERT_QUADS and not blank:
                self._update(graph_update_text({}, batch))
                batch = []
            blank = blank or has_blank_node(q)
            batch.append(q)
        if batch:
            self._update(graph_update_text({}, batch))

    def load_file(self, path: Path, fmt: ox.RdfFormat, graph) -> None:
        quads = ox.parse(path=str(path), format=fmt)
        if graph is not None and not fmt.supports_datasets:
            quads = (ox.Quad(q.subject, q.predicate, q.object, graph) for q in quads)
        self._insert(quads)
        self._update(_bump())

    def close(self) -> None:
        for conn in getattr(self._local, "conns", {}).values():
            conn.close()


def _body(conn: http.client.HTTPConnection, resp: http.client.HTTPResponse, where: str,
          size: int | None = None) -> bytes:
    """The answer's body (or its next `size` bytes)."""
    try:
        return resp.read(size)
    except NETWORK_ERRORS as e:
        conn.close()
        raise _failed(where, e) from None


def _based(text: str, base_iri: str | None) -> str:
    """The text with the endpoint's base prepended, unless its prologue declares its own
    (Virtuoso takes one BASE a request)."""
    return f"BASE <{base_iri}>\n" + text if base_iri and not declares_base(text) else text


def _conn_key(url: str) -> tuple[str, str]:
    parts = urllib.parse.urlsplit(url)
    return parts.scheme, parts.netloc


def _failed(where: str, e: Exception) -> StoreError:
    return StoreError(f"{where}: {type(e).__name__}: {e}")


def _results_format(content_type: str) -> ox.QueryResultsFormat:
    return ox.QueryResultsFormat.TSV if "tab-separated" in content_type else \
        ox.QueryResultsFormat.XML if "xml" in content_type else ox.QueryResultsFormat.JSON


class _Reading:
    """A store's answer read in PIECE-sized pieces and handed out as asked (pyoxigraph's parsers
    ask for 1 KB at a time); in JSON, with Virtuoso's "nodeID://" taken off blank node names. A
    name never spans a "}": each piece is renamed up to its last one, the rest kept for the next."""

    PIECE = 1 << 16

    def __init__(self, resp, where: str, json: bool, done=None, first: bytes | None = None):
        self.resp, self.where, self.json, self.done, self.first = resp, where, json, done, first
        self.ready, self.at, self.rest, self.ended = b"", 0, b"", False

    def read(self, size: int = -1) -> bytes:
        if self.at >= len(self.ready):
            self.ready, self.at = self._next(), 0
        end = len(self.ready) if size < 0 else self.at + size
        out = self.ready[self.at:end]
        self.at += len(out)
        return out

    def _next(self) -> bytes:
        """The next piece (b"" at the end)."""
        while not self.ended:
            if self.first is not None:      # (read already)
                piece, self.first = self.first, None
            else:
                try:
                    piece = self.resp.read(self.PIECE)
                except NETWORK_ERRORS as e:
                    raise _failed(self.where, e) from None
            if not piece:
                self.ended = True
                if self.done is not None:      # (read to its end: its connection may serve again)
                    self.done()
            elif not self.json:
                return piece
            else:
                data = self.rest + piece
                cut = data.rfind(b"}") + 1
                self.rest = data[cut:]
                if cut:
                    return _VIRTUOSO_BNODE.sub(rb"\1", data[:cut])
        out, self.rest = self.rest, b""
        return _VIRTUOSO_BNODE.sub(rb"\1", out)


def _beside(url: str, name: str) -> str:
    """The endpoint `name` next to the query endpoint (…/query or …/sparql -> …/name)."""
    parts = urllib.parse.urlsplit(url)
    path = parts.path.rstrip("/")
    head, _, last = path.rpartition("/")
    path = f"{head}/{name}" if last in ("query", "sparql") else f"{path}/{name}"
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, path, "", ""))


def _bump() -> str:
    """An update that gives the store a new version marker."""
    return (f"DELETE WHERE {{ GRAPH {META} {{ {META} {VERSION_P} ?v }} }} ;\n"
            f'INSERT DATA {{ GRAPH {META} {{ {META} {VERSION_P} "{uuid.uuid4().hex}" }} }}')
