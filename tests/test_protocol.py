"""The SPARQL endpoint through the Flask test client: protocol, negotiation, errors, caching."""

from __future__ import annotations

import gzip
import json
import time
from urllib.parse import quote

import pyoxigraph as ox
import pytest
import rdflib

from newsgraph.store import open_store
from server import create_app

EX = "http://ex.org/"
SELECT = "SELECT ?s ?o WHERE { ?s <http://ex.org/p> ?o } ORDER BY ?o"
CONSTRUCT = "CONSTRUCT { ?s <http://ex.org/p> ?o } WHERE { ?s <http://ex.org/p> ?o }"


def small_store():
    store = open_store(":memory:")
    quads = {}
    for i, g in enumerate(["g1", "g2"]):
        gn = ox.NamedNode(EX + g)
        quads[gn] = [ox.Quad(ox.NamedNode(f"{EX}s{i}"), ox.NamedNode(EX + "p"), ox.Literal(f"v{i}"), gn)]
    store.replace_graphs(quads)
    return store


@pytest.fixture
def client():
    app = create_app({"store": ":memory:", "update_token": "secret", "base": "http://localhost:8000/"},
                     store=small_store())
    return app.test_client()


def values(resp):
    return [b["o"]["value"] for b in json.loads(resp.data)["results"]["bindings"]]


# ---------------------------------------------------------------- the three ways to send a query

def test_get(client):
    r = client.get("/sparql?query=" + quote(SELECT))
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("application/sparql-results+json")
    assert values(r) == ["v0", "v1"]                 # the default graph is the union


def test_post_form(client):
    r = client.post("/sparql", data={"query": SELECT})
    assert values(r) == ["v0", "v1"]


def test_post_direct(client):
    r = client.post("/sparql", data=SELECT, content_type="application/sparql-query")
    assert values(r) == ["v0", "v1"]


def test_protocol_dataset_overrides_the_union(client):
    r = client.get("/sparql?query=" + quote(SELECT) + "&default-graph-uri=" + quote(EX + "g2"))
    assert values(r) == ["v1"]
    q = "SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    r = client.get("/sparql?query=" + quote(q) + "&named-graph-uri=" + quote(EX + "g1"))
    assert [b["g"]["value"] for b in json.loads(r.data)["results"]["bindings"]] == [EX + "g1"]


def test_query_from_clause_is_honoured(client):
    q = "SELECT ?o FROM <http://ex.org/g1> WHERE { ?s ?p ?o }"
    assert values(client.get("/sparql?query=" + quote(q))) == ["v0"]


# ---------------------------------------------------------------- formats and negotiation

@pytest.mark.parametrize("accept, ctype", [
    ("application/sparql-results+xml", "application/sparql-results+xml"),
    ("text/csv", "text/csv"),
    ("text/tab-separated-values", "text/tab-separated-values"),
    ("application/json", "application/sparql-results+json"),
    ("text/csv;q=0.5, application/sparql-results+xml;q=0.9", "application/sparql-results+xml"),
    ("text/*", "text/csv"),
    ("*/*", "application/sparql-results+json"),
])
def test_select_negotiation(client, accept, ctype):
    r = client.get("/sparql?query=" + quote(SELECT), headers={"Accept": accept})
    assert r.status_code == 200 and r.headers["Content-Type"].startswith(ctype)
    assert r.headers["Vary"].startswith("Accept")


def test_csv_and_tsv_bodies(client):
    csv = client.get("/sparql?query=" + quote(SELECT), headers={"Accept": "text/csv"}).data.decode()
    assert csv.splitlines() == ["s,o", f"{EX}s0,v0", f"{EX}s1,v1"]
    tsv = client.get("/sparql?query=" + quote(SELECT) + "&format=tsv").data.decode()
    assert tsv.splitlines()[0] == "?s\t?o" and tsv.splitlines()[1] == f'<{EX}s0>\t"v0"'


@pytest.mark.parametrize("accept, rdflib_format", [
    ("text/turtle", "turtle"), ("application/n-triples", "nt"), ("application/ld+json", "json-ld"),
    ("application/rdf+xml", "xml"), ("application/n-quads", "nquads"), ("application/trig", "trig"),
    ("application/json", "json-ld"),
])
def test_construct_negotiation(client, accept, rdflib_format):
    r = client.post("/sparql", data={"query": CONSTRUCT}, headers={"Accept": accept})
    assert r.status_code == 200, r.data
    g = rdflib.Dataset() if rdflib_format in ("nquads", "trig") else rdflib.Graph()
    g.parse(data=r.data, format=rdflib_format)
    assert len(g) == 2 if rdflib_format not in ("nquads", "trig") else len(list(g.quads())) == 2


def test_turtle_uses_the_project_prefixes(client):
    q = "CONSTRUCT { ?s a <http://schema.org/Person> } WHERE { ?s ?p ?o }"
    body = client.post("/sparql", data={"query": q}, headers={"Accept": "text/turtle"}).data.decode()
    assert "@prefix schema: <http://schema.org/>" in body and "schema:Person" in body


def test_format_parameter_wins(client):
    r = client.get("/sparql?query=" + quote(SELECT) + "&format=xml", headers={"Accept": "text/csv"})
    assert r.headers["Content-Type"].startswith("application/sparql-results+xml")


def test_406_names_what_is_offered(client):
    r = client.get("/sparql?query=" + quote(SELECT), headers={"Accept": "image/png"})
    assert r.status_code == 406
    assert b"application/sparql-results+json" in r.data


def test_unknown_format_parameter(client):
    r = client.get("/sparql?query=" + quote(SELECT) + "&format=pdf")
    assert r.status_code == 400 and b"format='pdf'" in r.data


def test_graph_format_for_select_is_refused(client):
    r = client.get("/sparql?query=" + quote(SELECT) + "&format=ttl")
    assert r.status_code == 400


def test_ask(client):
    r = client.get("/sparql?query=" + quote("ASK { ?s ?p 'v1' }"), headers={"Accept": "application/sparql-results+xml"})
    assert b"<boolean>true</boolean>" in r.data


# ---------------------------------------------------------------- errors

def test_syntax_error_is_400_with_the_parser_message(client):
    r = client.get("/sparql?query=" + quote("SELECT ?x WHERE { ?x"))
    assert r.status_code == 400
    assert r.data.startswith(b"bad query: error at 1:")
    assert r.headers["Content-Type"].startswith("text/plain")


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH"])
def test_wrong_method_is_405_with_allow(client, method):
    r = client.open("/sparql?query=ASK%7B%7D", method=method)
    assert r.status_code == 405 and "POST" in r.headers["Allow"]


def test_wrong_media_type_is_415(client):
    assert client.post("/sparql", data=SELECT, content_type="text/plain").status_code == 415
    assert client.post("/sparql", data=SELECT.encode("utf-16"),
                       content_type="application/sparql-query; charset=UTF-16").status_code == 415


def test_two_queries_is_400(client):
    assert client.get("/sparql?query=ASK%7B%7D&query=ASK%7B%7D").status_code == 400


def test_bad_graph_iri_is_400(client):
    r = client.get("/sparql?query=ASK%7B%7D&default-graph-uri=not%20an%20iri")
    assert r.status_code == 400 and b"default-graph-uri" in r.data


# ---------------------------------------------------------------- update

UPDATE = "INSERT DATA { GRAPH <http://ex.org/g3> { <http://ex.org/s9> <http://ex.org/p> 'v9' } }"


def test_update_requires_the_token(client):
    r = client.post("/update", data=UPDATE, content_type="application/sparql-update")
    assert r.status_code == 401 and r.headers["WWW-Authenticate"].startswith("Bearer")
    r = client.post("/update", data=UPDATE, content_type="application/sparql-update",
                    headers={"Authorization": "Bearer wrong"})
    assert r.status_code == 403
    assert values(client.get("/sparql?query=" + quote(SELECT))) == ["v0", "v1"]


def test_update_with_the_token(client):
    r = client.post("/update", data=UPDATE, content_type="application/sparql-update",
                    headers={"Authorization": "Bearer secret"})
    assert r.status_code == 204
    assert values(client.get("/sparql?query=" + quote(SELECT))) == ["v0", "v1", "v9"]


def test_update_disabled_without_a_token():
    app = create_app({"store": ":memory:"}, store=small_store())
    r = app.test_client().post("/update", data=UPDATE, content_type="application/sparql-update",
                               headers={"Authorization": "Bearer anything"})
    assert r.status_code == 403 and b"--update-token" in r.data


def test_update_by_get_is_405(client):
    assert client.get("/update?update=CLEAR%20ALL", headers={"Authorization": "Bearer secret"}).status_code == 405


def test_bad_update_is_400(client):
    r = client.post("/update", data={"update": "CLEAR XYZ"}, headers={"Authorization": "Bearer secret"})
    assert r.status_code == 400 and r.data.startswith(b"bad update:")


# ---------------------------------------------------------------- caching and HTTP

def test_etag_and_conditional_get(client):
    url = "/sparql?query=" + quote(SELECT)
    r1 = client.get(url)
    etag = r1.headers["ETag"]
    assert r1.headers["Last-Modified"]
    r2 = client.get(url, headers={"If-None-Match": etag})
    assert r2.status_code == 304 and r2.data == b""
    client.post("/update", data=UPDATE, content_type="application/sparql-update",
                headers={"Authorization": "Bearer secret"})
    r3 = client.get(url, headers={"If-None-Match": etag})
    assert r3.status_code == 200 and r3.headers["ETag"] != etag


def test_repeated_query_is_served_from_the_cache(client):
    url = "/sparql?query=" + quote(SELECT)
    cache = client.application.extensions["newsgraph"].cache
    client.get(url)
    assert cache.size == 0                          # asked once: not kept
    client.get(url)
    hits = cache.hits
    assert client.get(url).data == client.get(url).data
    assert cache.hits == hits + 2


def test_cors_and_preflight(client):
    r = client.options("/sparql", headers={"Origin": "https://yasgui.example", "Access-Control-Request-Method": "POST",
                                           "Access-Control-Request-Headers": "content-type"})
    assert r.status_code == 200
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in r.headers["Access-Control-Allow-Methods"]
    assert r.headers["Access-Control-Allow-Headers"] == "content-type"
    assert client.get("/sparql?query=ASK%7B%7D").headers["Access-Control-Allow-Origin"] == "*"


def test_head(client):
    r = client.head("/sparql?query=" + quote(SELECT))
    assert r.status_code == 200 and r.data == b"" and r.headers["Content-Type"].startswith("application/sparql-results+json")


def test_gzip(client):
    q = "SELECT ?i WHERE { VALUES ?i { " + " ".join(f'"{i:05d} padding text"' for i in range(200)) + " } }"
    r = client.post("/sparql", data={"query": q}, headers={"Accept-Encoding": "gzip"})
    assert r.headers["Content-Encoding"] == "gzip"
    assert b"00199 padding text" in gzip.decompress(r.data)
    assert "Accept-Encoding" in r.headers["Vary"]


def test_result_limit_is_announced():
    app = create_app({"store": ":memory:", "max_results": 1}, store=small_store())
    r = app.test_client().get("/sparql?query=" + quote(SELECT))
    assert values(r) == ["v0"]
    assert r.headers["X-Newsgraph-Result-Limit"] == "1"


def test_runaway_query_is_cut_and_the_next_one_answers():
    store = open_store(":memory:")
    g = ox.NamedNode(EX + "big")
    store.replace_graphs({g: [ox.Quad(ox.NamedNode(f"{EX}s{i}"), ox.NamedNode(EX + "p"), ox.Literal(str(i)), g)
                              for i in range(3000)]})
    app = create_app({"store": ":memory:", "query_timeout": 0.5}, store=store)
    client = app.test_client()
    runaway = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?p ?x . ?b ?p ?y . ?c ?p ?z }"
    start = time.monotonic()
    r = client.get("/sparql?query=" + quote(runaway))
    took = time.monotonic() - start
    assert r.status_code == 503 and b"Query timeout" in r.data
    assert took < 3
    r = client.get("/sparql?query=" + quote("ASK { ?s ?p '7' }"))
    assert r.status_code == 200 and b"true" in r.data


def test_rdflib_engine_is_never_used(client, monkeypatch):
    """FACTS: oxrdflib silently falls back to rdflib's slow engine; the endpoint must not touch it."""
    import rdflib.plugins.sparql.evaluate as ev

    def boom(*a, **k):
        raise AssertionError("rdflib's evalQuery was called on the query path")

    monkeypatch.setattr(ev, "evalQuery", boom)
    assert client.get("/sparql?query=" + quote(SELECT)).status_code == 200
    assert client.post("/sparql", data={"query": CONSTRUCT}).status_code == 200


# ---------------------------------------------------------------- service description and pages

def test_service_description(client):
    r = client.get("/sparql", headers={"Accept": "text/turtle"})
    g = rdflib.Graph().parse(data=r.data, format="turtle")
    SD = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
    VOID = rdflib.Namespace("http://rdfs.org/ns/void#")
    service = rdflib.URIRef("http://localhost:8000/sparql")
    assert (service, rdflib.RDF.type, SD.Service) in g
    assert (service, SD.supportedLanguage, SD.SPARQL11Update) in g          # a token is set
    assert (service, SD.feature, SD.UnionDefaultGraph) in g
    dataset = g.value(service, SD.defaultDataset)
    assert int(g.value(dataset, VOID.triples)) == 2
    names = {str(g.value(ng, SD.name)) for ng in g.objects(dataset, SD.namedGraph)}
    assert names == {EX + "g1", EX + "g2"}
    examples = list(g.subjects(rdflib.RDF.type, rdflib.URIRef("http://www.w3.org/ns/shacl#SPARQLSelectExecutable")))
    assert len(examples) >= 3


def test_the_service_description_does_not_wait_for_slow_counts_and_workers_share_them(tmp_path, monkeypatch):
    import threading

    from server import service

    VOID_TRIPLES = "<http://rdfs.org/ns/void#triples>"
    store = open_store(tmp_path / "s")
    store.update(f"INSERT DATA {{ GRAPH <{EX}g1> {{ <{EX}a> <{EX}p> 1 , 2 }} }}")
    gate, counted = threading.Event(), []
    real = service._counts

    def slow(s):
        gate.wait(10)
        counted.append(1)
        return real(s)

    monkeypatch.setattr(service, "_counts", slow)
    monkeypatch.setattr(service, "STATS_WAIT_S", 0.05)
    client = create_app({"store": str(tmp_path / "s")}, store=store).test_client()
    started = time.monotonic()
    first = client.get("/sparql", headers={"Accept": "application/n-triples"}).data.decode()
    assert time.monotonic() - started < 5 and "SPARQL11Query" in first and VOID_TRIPLES not in first
    gate.set()
    for _ in range(100):
        later = client.get("/sparql", headers={"Accept": "application/n-triples"}).data.decode()
        if VOID_TRIPLES in later:
            break
        time.sleep(0.05)
    assert '"2"^^<http://www.w3.org/2001/XMLSchema#integer>' in later and counted == [1]
    # another worker process (nothing counted in memory) reads them from beside the store
    monkeypatch.setattr(service, "_done", {})
    monkeypatch.setattr(service, "_counts", lambda s: pytest.fail("counted again"))
    again = client.get("/sparql", headers={"Accept": "application/n-triples"}).data.decode()
    assert again.count(VOID_TRIPLES) == later.count(VOID_TRIPLES) >= 2
    store.close()


def test_the_counts_are_of_the_version_they_were_asked_for(tmp_path, monkeypatch):
    """A load that publishes a new version while the counts are made does not mix two versions:
    the counts are kept for the version asked for, read from that version alone."""
    import threading

    from server import service

    store = open_store(tmp_path / "s")
    store.update(f"INSERT DATA {{ GRAPH <{EX}g1> {{ <{EX}a> <{EX}p> 1 , 2 }} }}")
    asked = store.version()
    real = service._counts

    def meanwhile(s):       # another writer publishes a third triple before the counting starts
        t = threading.Thread(target=store.update, args=(f"INSERT DATA {{ GRAPH <{EX}g1> {{ <{EX}a> <{EX}p> 3 }} }}",))
        t.start()
        t.join()
        return real(s)

    monkeypatch.setattr(service, "_counts", meanwhile)
    monkeypatch.setattr(service, "_done", {})
    stats = service.statistics(store)
    assert store.version() != asked
    assert stats is not None and stats["triples"] == 2
    assert service._done[(id(store), asked)][1]["triples"] == 2
    store.close()


def test_service_description_as_json_ld(client):
    r = client.get("/sparql", headers={"Accept": "application/ld+json"})
    assert r.headers["Content-Type"].startswith("application/ld+json")
    assert len(rdflib.Graph().parse(data=r.data, format="json-ld")) > 20


def test_browser_gets_the_query_page(client):
    r = client.get("/sparql", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/html")
    page = r.data.decode()
    assert '<textarea id="query"' in page and "PREFIX ng: &lt;http://localhost:8000/ontology#&gt;" in page
    assert "Statements that deny" in page


def test_landing_page_counts(seeded):
    app = create_app({"store": ":memory:"}, store=seeded)
    page = app.test_client().get("/").data.decode()
    assert "Western Nations Revisit Troop Deployment to Ukraine" in page
    assert '<span class="num">2</span><span>articles</span>' in page


def test_the_cache_counts_a_body_once_however_many_keys_hold_it():
    from server.cache import ResponseCache

    cache = ResponseCache(max_bytes=100, admit_at_once=True)
    body = b"x" * 30
    cache.put("plan", body)
    cache.put("front", ("200 OK", [], body, "etag"), size=len(body), body=body)
    assert cache.size == 30
    cache.put("plan", b"y" * 10)                  # replaced: the body is still held by "front"
    assert cache.size == 40
    cache.put("other", b"z" * 50)
    assert cache.size == 90
    cache.put("more", b"w" * 20)                  # 110: the oldest entry goes, and its body with it
    assert cache.get("front") is None and cache.get("plan") == b"y" * 10
    assert cache.size == 80
    cache.clear()
    assert cache.size == 0


def test_a_query_answer_is_counted_once_in_the_cache(client):
    cache = client.application.extensions["newsgraph"].cache
    cache.clear()
    for _ in range(2):                            # kept the second time it is asked for
        r = client.get("/sparql?query=" + quote(SELECT), headers={"Accept": "application/sparql-results+json"})
    assert r.status_code == 200
    assert cache.size == len(r.data)              # kept under the front door's key and the plan's


def test_an_answer_is_kept_the_second_time_it_is_asked_for():
    """One-off requests (a crawler's) never fill the cache; a repeat is kept; a key seen once is
    remembered by its hash only, and only so many of them."""
    from server import cache as cache_module
    from server.cache import ResponseCache

    cache = ResponseCache(max_bytes=1000)
    for i in range(50):
        cache.put(("v1", f"q{i}"), b"x" * 10)
    assert cache.size == 0 and cache.get(("v1", "q3")) is None
    cache.put(("v1", "q3"), b"y" * 10)
    assert cache.get(("v1", "q3")) == b"y" * 10
    cache.put(("v2", "q3"), b"z" * 10)            # a new version of the store: asked once again
    assert cache.get(("v2", "q3")) is None
    cache.put(("v1", "q3"), b"w" * 10)            # a kept key is replaced at once
    assert cache.get(("v1", "q3")) == b"w" * 10
    small = ResponseCache(max_bytes=1000)
    for i in range(cache_module.SEEN_MAX + 1):    # the note of keys seen once is bounded
        small.put(i, b"x")
    assert len(small._seen) <= cache_module.SEEN_MAX and small.size == 0
