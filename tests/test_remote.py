"""The remote backend, for real: `oxigraph serve` started here, loaded and queried through
the SPARQL 1.1 Protocol like any other store."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from loaders import load_paths
from newsgraph import SEEDS_DIR
from newsgraph.remote import META_GRAPH
from newsgraph.store import open_store
from server import create_app

from .conftest import BIN, free_port, wait_for
from .test_scale import canonical

OXIGRAPH = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")


VIRTUOSO = shutil.which("virtuoso-t")
VIRTUOSO_INI = Path("/etc/virtuoso-opensource-7/virtuoso.ini")      # Debian's, made over below
PRIVATE = "http://www.openlinksw.com/schemas/virtrdf#PrivateGraphs"     # Virtuoso's group of them


def _wait(url: str, proc: subprocess.Popen, what: str) -> None:
    try:
        wait_for(url, proc=proc)
    except RuntimeError as e:
        proc.kill()
        pytest.fail(f"{what} did not start ({e}): " + (proc.stderr.read() or b"").decode()[-2000:])


def _oxigraph(tmp_path, monkeypatch):
    if not Path(OXIGRAPH).exists():
        pytest.skip("the `oxigraph` server is not installed (pip install oxigraph; it is in the test extra)")
    port = free_port()
    proc = subprocess.Popen([OXIGRAPH, "serve", "--location", str(tmp_path / "oxigraph"),
                             "--bind", f"127.0.0.1:{port}", "--union-default-graph"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}/query"
    _wait(url, proc, "oxigraph serve")
    return url, proc


def _virtuoso(tmp_path, monkeypatch):
    """A Virtuoso of its own in tmp_path, set up as the README says (SPARQL user may update;
    its own graphs are private to it; bulk writes to its Graph Store endpoint)."""
    isql = shutil.which("isql-vt") or shutil.which("isql")
    if not VIRTUOSO or not isql or not VIRTUOSO_INI.exists():
        pytest.skip("Virtuoso is not installed (apt-get install virtuoso-opensource; .ci/run does)")
    sql_port, http_port = free_port(), free_port()
    ini = VIRTUOSO_INI.read_text()
    ini = ini.replace("/var/lib/virtuoso-opensource-7/db", str(tmp_path))
    ini = re.sub(r"(?m)^ServerPort\s*=\s*1111", f"ServerPort = {sql_port}", ini)
    ini = re.sub(r"(?m)^ServerPort\s*=\s*8890", f"ServerPort = {http_port}", ini)
    (tmp_path / "virtuoso.ini").write_text(ini)
    proc = subprocess.Popen([VIRTUOSO, "+foreground", "+configfile", str(tmp_path / "virtuoso.ini")],
                            cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{http_port}/sparql"
    _wait(url, proc, "Virtuoso")
    own = urllib.request.urlopen(urllib.request.Request(
        url + "?" + urllib.parse.urlencode({"query": "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"}),
        headers={"Accept": "text/csv"}), timeout=60).read().decode().split()[1:]
    assert own, "a fresh Virtuoso holds its own graphs"
    sql = ['GRANT SPARQL_UPDATE TO "SPARQL"', f"DB.DBA.RDF_GRAPH_GROUP_CREATE ('{PRIVATE}', 1)",
           *(f"DB.DBA.RDF_GRAPH_GROUP_INS ('{PRIVATE}', '{g.strip(chr(34))}')" for g in own),
           "DB.DBA.RDF_DEFAULT_USER_PERMS_SET ('nobody', 0, 1)"]
    done = subprocess.run([isql, str(sql_port), "dba", "dba", "exec=" + "; ".join(sql) + ";"],
                          check=True, capture_output=True, text=True, timeout=60)
    assert "Error" not in done.stdout + done.stderr, done.stdout + done.stderr
    monkeypatch.delenv("NEWSGRAPH_UPDATE_URL", raising=False)     # found: the query URL itself
    monkeypatch.setenv("NEWSGRAPH_GSP_URL", f"http://127.0.0.1:{http_port}/sparql-graph-crud")
    return url, proc


@pytest.fixture(params=["oxigraph", "virtuoso"])
def remote(request, tmp_path, monkeypatch):
    url, proc = {"oxigraph": _oxigraph, "virtuoso": _virtuoso}[request.param](tmp_path, monkeypatch)
    yield url
    proc.terminate()
    proc.wait(30)


@pytest.fixture
def oxigraph(tmp_path, monkeypatch):
    url, proc = _oxigraph(tmp_path, monkeypatch)
    yield url
    proc.terminate()
    proc.wait(30)


def _answering(store, monkeypatch, fake):
    """The store's HTTP requests answered by `fake(params)` where it gives an answer (status,
    body, type) for a POST of N-Quads; everything else goes to the store. The params of each
    such POST, in order."""
    real = store._request
    asked = []

    def request(method, where, body, headers, params=None):
        if headers.get("Content-Type") == "application/n-quads":
            asked.append(params)
            answer = fake(params)
            if answer is not None:
                return answer
        return real(method, where, body, headers, params)

    monkeypatch.setattr(store, "_request", request)
    return asked


def ours(quads: set) -> set:
    """newsgraph's quads but its version marker, booleans in one lexical form (Virtuoso writes
    true as "1")."""
    out = set()
    for q in quads:
        if not q.endswith(f"<{META_GRAPH}>"):
            out.add(q.replace('"1"^^<http://www.w3.org/2001/XMLSchema#boolean>', '"true"^^<http://www.w3.org/2001/XMLSchema#boolean>')
                    .replace('"0"^^<http://www.w3.org/2001/XMLSchema#boolean>', '"false"^^<http://www.w3.org/2001/XMLSchema#boolean>'))
    return out


def test_a_load_into_a_remote_store_is_the_embedded_load(remote):
    store = open_store(remote)
    report = load_paths(store, [SEEDS_DIR])
    assert (report.loaded, report.failed) == (2, [])
    embedded = open_store(":memory:")
    load_paths(embedded, [SEEDS_DIR])
    assert ours(canonical(store)) == canonical(embedded)
    # bulk writes went the store's fast way: Oxigraph's dataset endpoint, by its bulk loader;
    # Virtuoso's per graph (its answer to a dataset POST is 200 and a form, and nothing written)
    assert store._bulk == ("graphs" if remote.endswith("/sparql") else "bulk")
    again = load_paths(store, [SEEDS_DIR])
    assert (again.loaded, again.unchanged) == (0, 2)


def test_a_remote_store_shows_only_newsgraphs_graphs(remote):
    """The union default graph and GRAPH ?g hold what the embedded store holds and newsgraph's
    version marker: not Virtuoso's own graphs (its schema, preloaded vocabularies, WebDAV,
    service description), which its union adds to every query unless made private (README)."""
    store = open_store(remote)
    load_paths(store, [SEEDS_DIR])
    embedded = open_store(":memory:")
    load_paths(embedded, [SEEDS_DIR])
    # (counted: Virtuoso answers a bare SELECT DISTINCT ?g from its list of graphs, private or not)
    graphs = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
    triples = "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }"
    assert {r["g"].value for r in store.select(graphs)} == {r["g"].value for r in embedded.select(graphs)} | {META_GRAPH}
    assert int(store.select(triples)[0]["n"].value) == int(embedded.select(triples)[0]["n"].value) + 1


def test_the_server_runs_over_the_remote_store(remote):
    store = open_store(remote)
    load_paths(store, [SEEDS_DIR])
    app = create_app({"store": remote, "update_token": "t"}, store=store)
    c = app.test_client()
    r = c.get("/sparql?query=SELECT%20(COUNT(*)%20AS%20%3Fn)%20WHERE%20%7B%20%3Fa%20a%20%3Chttp://schema.org/NewsArticle%3E%20%7D",
              headers={"Accept": "application/sparql-results+json"})
    assert r.status_code == 200 and b'"2"' in r.data
    person = store.select("SELECT ?p WHERE { ?p a <http://schema.org/Person> ; "
                          "<http://www.w3.org/2002/07/owl#sameAs> ?q } LIMIT 1")[0]["p"].value
    doc = c.get(person.replace("http://localhost:8000/id/", "/data/") + ".ttl")
    assert doc.status_code == 200 and b"owl:sameAs" in doc.data
    page = c.get(person.replace("/id/", "/page/").replace("http://localhost:8000", ""))
    assert page.status_code == 200 and b"<html" in page.data
    construct = c.get("/sparql?query=" + urllib.request.quote("CONSTRUCT { ?s a ?t } WHERE { ?s a ?t } LIMIT 3"),
                      headers={"Accept": "application/n-triples"})
    assert construct.status_code == 200 and construct.data.count(b"\n") == 3
    before = r.headers["ETag"]
    u = c.post("/update", data={"update": 'INSERT DATA { GRAPH <http://ex.org/g> { <http://ex.org/a> <http://ex.org/p> "1" } }'},
               headers={"Authorization": "Bearer t"})
    assert u.status_code == 204
    after = c.get("/sparql?query=SELECT%20(COUNT(*)%20AS%20%3Fn)%20WHERE%20%7B%20%3Fa%20a%20%3Chttp://schema.org/NewsArticle%3E%20%7D",
                  headers={"Accept": "application/sparql-results+json"})
    assert after.headers["ETag"] != before                     # a write through newsgraph is seen at once


def test_inserts_in_pieces_keep_a_blank_node_whole(remote, monkeypatch):
    """Without a bulk endpoint, data goes in INSERT updates of INSERT_QUADS quads, never cut
    inside a graph once it has shown a blank node; data with blank nodes is inserted as a
    template (Virtuoso refuses blank nodes in INSERT DATA)."""
    from newsgraph import remote as remote_module

    monkeypatch.setenv("NEWSGRAPH_GSP_URL", "none")
    monkeypatch.setattr(remote_module, "INSERT_QUADS", 3)
    store = open_store(remote)
    sent = []
    update = store._update
    monkeypatch.setattr(store, "_update", lambda text: (sent.append(text), update(text)))
    a, b = "<http://ex.org/a>", "<http://ex.org/b>"
    objects = ["_:n", '"1"', '"2"', '"3"', "_:n"]
    data = "".join(f"<http://ex.org/s{i}> <http://ex.org/p> {o} {a} .\n" for i, o in enumerate(objects))
    data += "_:n <http://ex.org/q> \"end\" <http://ex.org/a> .\n"
    data += "".join(f"<http://ex.org/t{i}> <http://ex.org/p> <http://ex.org/o> {b} .\n" for i in range(4))
    store.add_graphs(data.encode())
    inserts = [t for t in sent if "INSERT" in t and "urn:newsgraph:meta" not in t.split("INSERT", 1)[1][:80]]
    assert [t.count(" .\n") for t in inserts] == [6, 3, 1]     # graph a whole; b (plain) cut
    nodes = store.select("SELECT DISTINCT ?n WHERE { GRAPH <http://ex.org/a> { ?s ?p ?n FILTER isBlank(?n) } }")
    assert len(nodes) == 1
    assert store.ask("ASK { GRAPH <http://ex.org/a> { <http://ex.org/s4> <http://ex.org/p> ?n . ?n <http://ex.org/q> \"end\" } }")
    assert len(store.select("SELECT * WHERE { GRAPH <http://ex.org/b> { ?s ?p ?o } }")) == 4


def test_a_first_write_that_cannot_be_told_apart_goes_the_sure_way(remote):
    """The first bulk write is checked by reading one of its quads back; if that quad was there
    already, the check would prove nothing (on Virtuoso the rest would be lost): INSERT."""
    data = b"<http://ex.org/s> <http://ex.org/p> <http://ex.org/o> <http://ex.org/g> .\n"
    first = open_store(remote)
    first.add_graphs(data)
    assert first._bulk in ("bulk", "graphs")
    again = open_store(remote)
    again.add_graphs(data + b'<http://ex.org/s> <http://ex.org/r> "y" <http://ex.org/g> .\n')
    assert again._bulk is None                  # not decided yet
    assert again.ask('ASK { GRAPH <http://ex.org/g> { <http://ex.org/s> <http://ex.org/r> "y" } }')


def test_a_store_that_refuses_the_bulk_loader_gets_the_plain_dataset_post(oxigraph, monkeypatch):
    """A dataset endpoint that answers 400 to ``?no_transaction`` (a store without Oxigraph's
    bulk loader) is written by the plain POST, and nothing is lost."""
    store = open_store(oxigraph)
    asked = _answering(store, monkeypatch, lambda params: (400, b"unknown parameter", "text/plain") if params else None)
    store.add_graphs(b"<http://ex.org/s> <http://ex.org/p> <http://ex.org/o> <http://ex.org/g> .\n")
    assert asked == [{"no_transaction": ""}, None] and store._bulk == "dataset"
    assert store.ask("ASK { GRAPH <http://ex.org/g> { <http://ex.org/s> <http://ex.org/p> <http://ex.org/o> } }")


def test_a_dataset_post_taken_and_not_written_is_not_sent_twice(oxigraph, monkeypatch):
    """An endpoint that answers a dataset POST with 200 and writes nothing (Virtuoso's form) is
    not sent the same data again without ``?no_transaction``: the next way is a POST per graph."""
    store = open_store(oxigraph)
    asked = _answering(store, monkeypatch, lambda params: (200, b"<form></form>", "text/html"))
    store.add_graphs(b"<http://ex.org/s> <http://ex.org/p> <http://ex.org/o> <http://ex.org/g> .\n")
    assert asked == [{"no_transaction": ""}] and store._bulk == "graphs"
    assert store.ask("ASK { GRAPH <http://ex.org/g> { <http://ex.org/s> <http://ex.org/p> <http://ex.org/o> } }")


def test_a_dump_is_written_as_the_answer_arrives(remote, monkeypatch):
    """The export reads the store's answer in pieces (never whole through _request) and gives
    every quad the store holds but the version marker, blank nodes too (Virtuoso's renamed)."""
    import io

    import pyoxigraph as ox

    store = open_store(remote)
    load_paths(store, [SEEDS_DIR])
    held = store.select("SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
    blank = sum(isinstance(r["s"], ox.BlankNode) or isinstance(r["o"], ox.BlankNode) for r in held)
    expected = {f"{r['s']} {r['p']} {r['o']} {r['g']}" for r in held}

    def whole(*args, **kwargs):
        raise AssertionError("the dump read the whole answer")

    monkeypatch.setattr(store, "_request", whole)
    monkeypatch.setattr("newsgraph.remote._Reading.PIECE", 1000)     # many pieces, names cut between them
    out = io.BytesIO()
    store.dump(out, ox.RdfFormat.N_QUADS)
    lines = [x.removesuffix(" .") for x in out.getvalue().decode().splitlines()]
    assert blank > 0 and len(lines) == len(expected) - 1
    # (blank nodes: the same labels in both answers from one store)
    assert ours(set(lines)) == ours(expected)


def test_a_query_answer_is_parsed_as_it_arrives(remote, monkeypatch):
    """A SELECT's or a CONSTRUCT's answer is read in pieces, never whole through _request; a
    query made before the first answer is read to its end gets a connection of its own, and
    the first one's is kept for the next request once its answer is read."""
    store = open_store(remote)
    load_paths(store, [SEEDS_DIR])
    expected = {(r["s"], r["p"], r["o"]) for r in store.select("SELECT ?s ?p ?o WHERE { ?s ?p ?o }")}
    # (apart: Virtuoso writes a boolean "1" in a SELECT's answer, "true" in a CONSTRUCT's)
    graph = {(t.subject, t.predicate, t.object) for t in store.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")}
    key = next(iter(store._local.conns))

    def whole(*args, **kwargs):
        raise AssertionError("the answer was read whole")

    monkeypatch.setattr(store, "_request", whole)
    monkeypatch.setattr("newsgraph.remote._Reading.PIECE", 1000)
    rows = iter(store.query("SELECT ?s ?p ?o WHERE { ?s ?p ?o }"))
    first = [next(rows) for _ in range(10)]
    assert key not in store._local.conns                    # lent to the answer being read
    triples = list(store.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"))
    meanwhile = store._local.conns[key]                      # the second's, kept
    got = {(r["s"], r["p"], r["o"]) for r in first + list(rows)}
    assert len(expected) > 1000 and got == expected and {(t.subject, t.predicate, t.object) for t in triples} == graph
    assert store._local.conns[key] is meanwhile              # the first's closed: one was kept
    assert [r["s"] for r in store.query("SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s LIMIT 1")]
    assert store._local.conns[key] is meanwhile              # and serves the next query


def test_validate_over_the_remote_store(remote, seeded, monkeypatch):
    """`validate` reads the list of things as it arrives while it asks for each piece's triples
    (on connections of their own): the seeds conform, with the same triples as embedded."""
    from loaders.validate import validate_store

    store = open_store(remote)
    load_paths(store, [SEEDS_DIR])
    monkeypatch.setattr("newsgraph.remote._Reading.PIECE", 1000)
    result = validate_store(store, "http://localhost:8000/", piece=25)
    assert result.conforms, result.text
    assert result.triples == validate_store(seeded, "http://localhost:8000/").triples


def test_an_answer_read_in_pieces_renames_only_blank_nodes(monkeypatch):
    """Virtuoso's "nodeID://" comes off blank node names wherever the pieces are cut, and off
    nothing else (a literal that reads "nodeID://")."""
    import io

    import pyoxigraph as ox

    from newsgraph.remote import _Reading

    text = ('{"head":{"vars":["s","o"]},"results":{"bindings":['
            '{"s":{"type":"bnode","value":"nodeID://b1"},"o":{"type":"literal","value":"nodeID://b1 } {"}},'
            '{"s":{"type":"uri","value":"http://ex.org/a"},"o":{"type" : "bnode", "value" : "nodeID://b22"}}]}}')
    for piece in (1, 5, 13, 64, 1 << 16):
        monkeypatch.setattr(_Reading, "PIECE", piece)
        rows = list(ox.parse_query_results(_Reading(io.BytesIO(text.encode()), "here", json=True),
                                           format=ox.QueryResultsFormat.JSON))
        assert [(str(r["s"]), str(r["o"])) for r in rows] == [
            ("_:b1", '"nodeID://b1 } {"'), ("<http://ex.org/a>", "_:b22")], piece


def test_the_command_line_over_the_remote_store(remote, tmp_path):
    ttl = tmp_path / "extra.ttl"
    ttl.write_text("<http://ex.org/a> <http://ex.org/p> <http://ex.org/b> .\n")
    out = subprocess.run([str(BIN), "load", "--store", remote, "--graph", "http://ex.org/g", str(ttl)],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    out = subprocess.run([str(BIN), "query", "--store", remote, "--format", "csv",
                          "SELECT ?o WHERE { GRAPH <http://ex.org/g> { ?s ?p ?o } }"],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["o", "http://ex.org/b"]
    # an export is the data: without newsgraph's version marker
    out = subprocess.run([str(BIN), "export", "--store", remote, "--format", "nquads"],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert "<http://ex.org/a> <http://ex.org/p> <http://ex.org/b> <http://ex.org/g> ." in lines
    assert [x for x in lines if x.endswith(f"<{META_GRAPH}> .")] == []


def test_an_update_with_the_protocols_dataset_over_a_remote_store(remote):
    """/update's using-graph-uri and using-named-graph-uri reach the store as it takes them
    (Oxigraph's union server refuses USING in the text, Virtuoso ignores the parameters), and
    relative IRIs resolve against the endpoint, also where the text holds the word "base"."""
    import pyoxigraph as ox

    store = open_store(remote)
    store.update("INSERT DATA { GRAPH <http://ex.org/g1> { <http://ex.org/a> <http://ex.org/p> 1 } "
                 "GRAPH <http://ex.org/g2> { <http://ex.org/b> <http://ex.org/p> 2 } }")
    client = create_app({"store": remote, "update_token": "t"}, store=store).test_client()

    def update(text, **params):
        r = client.post("/update?" + urllib.parse.urlencode(params), data=text, content_type="application/sparql-update",
                        headers={"Authorization": "Bearer t"})
        assert r.status_code == 204, r.data

    def seen(graph):
        return {r["s"].value for r in store.select(f"SELECT ?s WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")}

    update("INSERT { GRAPH <http://ex.org/out1> { ?s <http://ex.org/seen> true } } WHERE { ?s ?p ?o }",
           **{"using-graph-uri": "http://ex.org/g1"})
    assert seen("http://ex.org/out1") == {"http://ex.org/a"}
    update("INSERT { GRAPH <http://ex.org/out2> { ?s <http://ex.org/seen> true } } WHERE { GRAPH ?g { ?s ?p ?o } }",
           **{"using-named-graph-uri": "http://ex.org/g2"})
    assert seen("http://ex.org/out2") == {"http://ex.org/b"}
    update("INSERT DATA { GRAPH <http://ex.org/database-base> { <http://ex.org/s> <http://ex.org/p> <rel> } }")
    o = store.select("SELECT ?o WHERE { GRAPH <http://ex.org/database-base> { ?s ?p ?o } }")[0]["o"]
    assert isinstance(o, ox.NamedNode) and o.value == "http://localhost/rel"


def test_a_store_that_is_not_there_is_a_clear_error():
    from newsgraph.store import StoreError

    with pytest.raises(StoreError, match="no SPARQL endpoint answers here"):
        open_store(f"http://127.0.0.1:{free_port()}/query")


def test_a_document_over_a_remote_store_is_the_embedded_ones_in_two_requests(remote, monkeypatch):
    """describe() asks a remote store twice a document (its own triples, mentions and backlinks;
    then what they name), and gives the quads the embedded store's indexes give."""
    import pyoxigraph as ox

    from server import describe

    store = open_store(remote)
    load_paths(store, [SEEDS_DIR])
    embedded = open_store(":memory:")
    load_paths(embedded, [SEEDS_DIR])
    things = [r["x"].value for r in embedded.select(
        "SELECT ?x WHERE { { ?x a <http://schema.org/Person> } UNION { ?x a <http://schema.org/Claim> } "
        "UNION { ?x a <http://schema.org/NewsArticle> } } ORDER BY ?x")][:12]
    calls = []
    real = store.query
    monkeypatch.setattr(store, "query", lambda *a, **k: calls.append(1) or real(*a, **k))
    for iri in things:
        doc = ox.NamedNode(iri.replace("/id/", "/data/") + ".nq")
        there, there_more = describe.describe(store, ox.NamedNode(iri), doc)
        here, here_more = describe.describe(embedded, ox.NamedNode(iri), doc)
        assert not there_more and not here_more, iri
        assert ours({str(q) for q in there}) == {str(q) for q in here}, iri
    assert len(calls) == 2 * len(things)


@pytest.mark.parametrize("what", ["point lookup", "document"])
def test_a_bounded_request_over_a_remote_store_takes_no_place(oxigraph, monkeypatch, what):
    """A point lookup or a page of a document over a remote store is bounded as it is over the
    embedded one: while one waits on the store, the client's only place is still free for a
    query that needs it, and another point lookup is answered beside it."""
    from urllib.parse import quote_plus

    from .test_front import JSON, _begun, _held

    store = open_store(oxigraph)
    load_paths(store, [SEEDS_DIR])
    app = create_app({"store": oxigraph, "max_per_client": 1}, store=store)
    person = store.select("SELECT ?p WHERE { ?p a <http://schema.org/Person> } ORDER BY ?p LIMIT 1")[0]["p"].value
    first = ("/sparql?query=" + quote_plus(f"SELECT ?p ?o WHERE {{ <{person}> ?p ?o }}") if what == "point lookup"
             else person.replace("http://localhost:8000/id/", "/data/") + ".ttl")
    release, log = _held(app, monkeypatch, f"<{person}>")
    out = {}
    held = _begun(app, first, out, "first", log, f"<{person}>")
    assert held.is_alive()
    c = app.test_client()
    needs_a_place = c.get("/sparql?query=" + quote_plus("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"), headers=JSON)
    beside = c.get("/sparql?query=" + quote_plus("SELECT ?s ?p WHERE { ?s ?p <http://schema.org/Person> }"), headers=JSON)
    release.set()
    held.join(10)
    assert needs_a_place.status_code == 200, needs_a_place.data
    assert beside.status_code == 200 and b"bindings" in beside.data
    assert out["first"].status_code == 200
    assert (b"rdf-syntax-ns#type" if what == "point lookup" else b"rdfs:isDefinedBy") in out["first"].data
