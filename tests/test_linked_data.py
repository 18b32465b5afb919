"""Every minted IRI dereferences: 303 to documents, every RDF form, pages with alternates."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest
import rdflib

from server import create_app

BASE = "http://localhost:8000/"


@pytest.fixture(scope="module")
def client(seeded):
    return create_app({"store": ":memory:"}, store=seeded).test_client()


@pytest.fixture(scope="module")
def samples(seeded):
    """One minted IRI of every kind in the seeds' graph."""
    out = {}
    for r in seeded.select("SELECT DISTINCT ?s WHERE { { ?s ?p ?o } UNION { ?x ?p ?s } FILTER (isIRI(?s)) }"):
        iri = r["s"].value
        if iri.startswith(BASE + "id/") and "#" not in iri:
            kind = iri[len(BASE + "id/"):].split("/")[0]
            out.setdefault(kind, iri)
    return out


def path(iri: str) -> str:
    return "/" + iri[len(BASE):]


EVERY_KIND = ["article", "statement", "event", "person", "organisation", "place", "mention", "source",
              "group", "context", "time", "amount", "graph", "run", "software", "dataset"]


def test_the_seeds_mint_every_kind(samples):
    assert set(EVERY_KIND) <= set(samples)


@pytest.mark.parametrize("kind", EVERY_KIND)
def test_turtle_by_303_describes_the_thing(client, samples, kind):
    iri = samples[kind]
    r = client.get(path(iri), headers={"Accept": "text/turtle"})
    assert r.status_code == 303
    assert r.headers["Location"].endswith(".ttl") and "/data/" in r.headers["Location"]
    assert r.headers["Vary"] == "Accept"
    doc = client.get(r.headers["Location"])
    assert doc.status_code == 200 and doc.headers["Content-Type"].startswith("text/turtle")
    g = rdflib.Graph().parse(data=doc.data, format="turtle")
    thing = rdflib.URIRef(iri)
    assert (thing, None, None) in g or (None, None, thing) in g
    docs = list(g.subjects(rdflib.URIRef("http://xmlns.com/foaf/0.1/primaryTopic"), thing))
    assert len(docs) == 1 and (thing, rdflib.RDFS.isDefinedBy, docs[0]) in g


@pytest.mark.parametrize("kind", ["person", "event", "statement", "article"])
def test_json_ld_with_a_context(client, samples, kind):
    r = client.get(path(samples[kind]), headers={"Accept": "application/ld+json"})
    assert r.status_code == 303 and r.headers["Location"].endswith(".jsonld")
    doc = client.get(r.headers["Location"])
    data = json.loads(doc.data)
    assert data["@context"]["schema"] == "http://schema.org/"
    g = rdflib.Graph().parse(data=doc.data, format="json-ld")
    assert (rdflib.URIRef(samples[kind]), None, None) in g


@pytest.mark.parametrize("ext, fmt", [("ttl", "turtle"), ("jsonld", "json-ld"), ("nt", "nt"), ("rdf", "xml")])
def test_file_extension_urls(client, samples, ext, fmt):
    slug = samples["person"].rsplit("/", 1)[-1]
    r = client.get(f"/data/person/{slug}.{ext}")
    assert r.status_code == 200
    assert len(rdflib.Graph().parse(data=r.data, format=fmt)) > 5


def test_quad_formats_keep_the_graphs(client, samples):
    slug = samples["person"].rsplit("/", 1)[-1]
    r = client.get(f"/data/person/{slug}.nq")
    ds = rdflib.Dataset()
    ds.parse(data=r.data, format="nquads")
    graphs = {str(c.identifier) for c in ds.graphs()}
    assert any(g.startswith(BASE + "id/graph/") for g in graphs)


def test_data_without_extension_negotiates_with_content_location(client, samples):
    slug = samples["event"].rsplit("/", 1)[-1]
    r = client.get(f"/data/event/{slug}", headers={"Accept": "application/n-triples"})
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("application/n-triples")
    assert r.headers["Content-Location"] == f"/data/event/{slug}.nt"
    assert r.headers["Vary"] == "Accept"


def test_browsers_get_the_page_with_alternates(client, samples):
    iri = samples["person"]
    r = client.get(path(iri), headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert r.status_code == 303 and r.headers["Location"].startswith("/page/person/")
    page = client.get(r.headers["Location"])
    html = page.data.decode()
    for media in ["text/turtle", "application/ld+json", "application/n-triples", "application/rdf+xml"]:
        assert f'<link rel="alternate" type="{media}"' in html
    assert 'rel="alternate"' in page.headers["Link"]


@pytest.mark.parametrize("kind", EVERY_KIND)
def test_every_kind_has_a_page(client, samples, kind):
    r = client.get("/page/" + samples[kind][len(BASE + "id/"):])
    assert r.status_code == 200 and b"<h1>" in r.data


def test_etag_on_documents(client, samples):
    url = "/data/person/" + samples["person"].rsplit("/", 1)[-1] + ".ttl"
    etag = client.get(url).headers["ETag"]
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304


# ---------------------------------------------------------------- never minted, odd, hostile

@pytest.mark.parametrize("url", [
    "/id/person/nobody-at-all", "/id/article/x", "/id/unicorn/x", "/data/person/nobody.ttl",
    "/page/person/nobody", "/id/person/a%20b", "/id/person/%00", "/id/person/x%3E%20%7D%20DROP%20ALL",
    "/id/person/%22%3E%3Cscript%3E", "/id/person/" + "x" * 5000, "/id/person/..%2F..%2Fetc", "/data/x/y.ttl",
    "/id/person/%E2%80%AE", "/id/person/%ZZ", "/page/person/%FF%FE",
])
def test_unknown_or_odd_iris_are_404_never_500(client, url):
    r = client.get(url, headers={"Accept": "text/turtle"})
    assert 400 <= r.status_code < 500, (url, r.status_code)


def test_an_injection_attempt_changes_nothing(client, seeded):
    before = len(seeded.select("SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }"))
    client.get("/id/person/x%3E%20%3Fp%20%3Fo%20%7D%20%3B%20CLEAR%20ALL%20%3B%20%7B%20%3Cx")
    assert len(seeded.select("SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }")) == before


# ---------------------------------------------------------------- what the pages say

def test_entity_page(client):
    html = client.get("/page/person/jean-noel-barrot").data.decode()
    assert "French Foreign Minister" in html
    assert "<mark>France is open to all possibilities</mark>" in html     # quote highlighted in its sentence
    assert html.count("<h3>") == 2                                         # grouped by article
    assert "/page/event/" in html or "/id/event/" in html                  # events he took part in


def test_entity_page_links_wikidata(client):
    html = client.get("/page/person/emmanuel-macron").data.decode()
    assert 'href="http://www.wikidata.org/entity/Q3052772"' in html


def test_event_page(client, seeded):
    iri = seeded.select("""SELECT ?e WHERE { ?e a <http://localhost:8000/ontology#Visit> ;
        <http://semanticweb.cs.vu.nl/2009/11/sem/hasPlace>/<http://www.w3.org/2000/01/rdf-schema#label> "Paris" }""")[0]["e"].value
    html = client.get("/page/" + iri[len(BASE + "id/"):]).data.decode()
    for needle in ["Visit", "Keir Starmer", "Paris", "occurred", "2024-11", "<mark>visit</mark>"]:
        assert needle in html, needle


def test_statement_page_shows_the_chain_and_span(client, seeded):
    iri = seeded.select("""SELECT ?s WHERE { ?s <http://localhost:8000/ontology#via> ?v ;
        <http://schema.org/text> ?t FILTER (STRSTARTS(?t, "the talks focus")) }""")[0]["s"].value
    html = client.get("/page/" + iri[len(BASE + "id/"):]).data.decode()
    assert "a British military source</a> → <a" in html and "Le Monde" in html
    assert "characters" in html and "<mark>the talks focus" in html


def test_article_page_links_its_mentions(client, samples):
    html = client.get("/page/" + samples["article"][len(BASE + "id/"):]).data.decode()
    assert 'class="mention Person" href="/id/person/' in html
    assert 'class="mention Place" href="/id/place/ukraine"' in html


def test_timeline(client):
    html = client.get("/timeline").data.decode()
    assert html.index("2022") < html.index("2024-02") < html.index("2025-01")


# ---------------------------------------------------------------- the ontology

def test_ontology_dereferences(client):
    r = client.get("/ontology", headers={"Accept": "text/turtle"})
    assert r.status_code == 303 and r.headers["Location"] == "/ontology.ttl"
    g = rdflib.Graph().parse(data=client.get("/ontology.ttl").data, format="turtle")
    assert (rdflib.URIRef(BASE + "ontology#Statement"), rdflib.RDF.type, rdflib.OWL.Class) in g
    r = client.get("/ontology", headers={"Accept": "text/html"})
    assert r.headers["Location"] == "/ontology.html"
    html = client.get("/ontology.html").data.decode()
    assert 'id="Statement"' in html and "prov:wasAttributedTo" in html and 'id="DirectQuote"' in html


# ---------------------------------------------------------------- an independent client

def test_rapper_reads_a_person(live):
    if shutil.which("rapper") is None:
        pytest.skip("rapper (Debian raptor2-utils) is not installed; .ci/run installs it")
    host = live["url"].replace("/sparql", "")
    out = subprocess.run(["rapper", "-c", "-g", f"{host}/id/person/emmanuel-macron"],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    import re

    n = int(re.search(r"returned (\d+) triples", out.stderr).group(1))
    assert n > 20
    full = subprocess.run(["rapper", "-q", "-g", f"{host}/id/person/emmanuel-macron"],
                          capture_output=True, text=True, timeout=60).stdout
    assert "<http://www.wikidata.org/entity/Q3052772>" in full


# ---------------------------------------------------------------- paged documents

DENOTED_BY = "http://groundedannotationframework.org/gaf#denotedBy"


@pytest.mark.parametrize("stable_order", [True, False], ids=["index-order", "sorted (a remote store)"])
def test_a_hubs_mentions_and_backlinks_are_paged_each_once(seeded, monkeypatch, stable_order):
    import pyoxigraph as ox

    from server import describe

    monkeypatch.setattr(seeded, "stable_order", stable_order)
    monkeypatch.setattr(describe, "MENTIONS_PER_PAGE", 2)
    monkeypatch.setattr(describe, "BACKLINKS_PER_PAGE", 3)
    hub = seeded.select(f"SELECT ?x (COUNT(?m) AS ?n) WHERE {{ ?x <{DENOTED_BY}> ?m }} "
                        "GROUP BY ?x ORDER BY DESC(?n) ?x LIMIT 1")[0]
    iri, n_mentions = hub["x"].value, int(hub["n"].value)
    backlinks = {(r["s"].value, r["p"].value, r["g"].value) for r in seeded.select(
        f"SELECT ?s ?p ?g WHERE {{ GRAPH ?g {{ ?s ?p <{iri}> }} "
        "FILTER (?p != <http://www.w3.org/1999/02/22-rdf-syntax-ns#first>) }")}
    assert n_mentions >= 5 and len(backlinks) >= 4, "the seeds should have a hub to page"
    client = create_app({"store": ":memory:"}, store=seeded).test_client()
    url, mentions, back, pages = "/data/" + iri[len(BASE + "id/"):] + ".nq", [], [], 0
    while url:
        r = client.get(url)
        assert r.status_code == 200, url
        pages += 1
        quads = list(ox.parse(r.data, format=ox.RdfFormat.N_QUADS))
        anchored = {q.subject.value for q in quads if q.predicate.value.endswith("nif-core#anchorOf")}
        page_mentions = [q.object.value for q in quads if q.subject.value == iri and q.predicate.value == DENOTED_BY]
        assert len(page_mentions) <= 2 and set(page_mentions) <= anchored   # each with its text
        mentions += page_mentions
        page_back = [(q.subject.value, q.predicate.value, q.graph_name.value) for q in quads
                     if isinstance(q.object, ox.NamedNode) and q.object.value == iri
                     and not isinstance(q.graph_name, ox.DefaultGraph)]
        assert len(page_back) <= 3
        back += page_back
        link = r.headers.get("Link", "")
        url = link[1:link.index(">")] if 'rel="next"' in link else None
        assert pages < 50
    assert len(mentions) == len(set(mentions)) == n_mentions
    assert len(back) == len(set(back)) and set(back) == backlinks
    assert pages == max(-(-n_mentions // 2), -(-len(backlinks) // 3))


def test_a_page_past_the_end_is_empty_but_not_missing(client, samples):
    person = "/data/" + samples["person"][len(BASE + "id/"):] + ".nt"
    last = client.get(person + "?page=1000")
    assert last.status_code == 200 and "Link" not in last.headers
    assert client.get("/data/person/nobody-at-all.nt?page=2").status_code == 404


def _html_pages(client, url):
    """The HTML pages of a thing, following rel="next" (header and link agree)."""
    pages = []
    while url:
        r = client.get(url, headers={"Accept": "text/html"})
        assert r.status_code == 200, url
        html = r.data.decode()
        pages.append(html)
        nxt = [part for part in r.headers.get("Link", "").split(", ") if 'rel="next"' in part]
        url = nxt[0][1:nxt[0].index(">")] if nxt else None
        assert (url is not None) == ('rel="next"' in html)
        assert len(pages) < 50
    return pages


def test_an_entity_page_is_paged_and_lists_each_statement_event_and_article_once(seeded, monkeypatch):
    import re

    from server import pages as pages_module

    monkeypatch.setattr(pages_module, "STATEMENTS_PER_PAGE", 2)
    monkeypatch.setattr(pages_module, "EVENTS_PER_PAGE", 1)
    monkeypatch.setattr(pages_module, "ARTICLES_PER_PAGE", 1)
    # the thing with most statements, events and articles mentioning it, all at once
    who = seeded.select(f"""PREFIX ng: <{BASE}ontology#> PREFIX sem: <http://semanticweb.cs.vu.nl/2009/11/sem/>
        SELECT ?x (COUNT(DISTINCT ?st) AS ?s) (COUNT(DISTINCT ?ev) AS ?e) WHERE {{
        ?st ng:speaker ?x . ?ev sem:hasActor ?x ; ng:reportedIn ?a }} GROUP BY ?x ORDER BY DESC(?s * ?e) ?x LIMIT 1""")[0]
    iri = who["x"].value
    said = {r["st"].value for r in seeded.select(f"SELECT ?st WHERE {{ ?st <{BASE}ontology#speaker> <{iri}> }}")}
    events = {r["ev"].value for r in seeded.select(
        f"SELECT ?ev WHERE {{ ?ev <http://semanticweb.cs.vu.nl/2009/11/sem/hasActor> <{iri}> }}")}
    articles = {r["a"].value for r in seeded.select(
        f"SELECT DISTINCT ?a WHERE {{ GRAPH ?g {{ <{iri}> <{DENOTED_BY}> ?m }} ?g <http://www.w3.org/ns/prov#wasDerivedFrom> ?a }}")}
    assert len(said) >= 3 and len(events) >= 2, "the seeds should have someone to page"
    client = create_app({"store": ":memory:"}, store=seeded).test_client()
    pages = _html_pages(client, "/page/" + iri[len(BASE + "id/"):])
    local = lambda hrefs: [BASE + h[1:] for h in hrefs]  # noqa: E731
    shown_st = local(h for p in pages for h in re.findall(r'href="(/id/statement/[^"]+)" title="the statement"', p))
    shown_ev = local(h for p in pages for h in re.findall(r'<li><a href="(/id/event/[^"]+)"', p))
    listed = [re.search(r"<dt>Mentioned in</dt><dd>(.*?)</dd>", p, re.S) for p in pages]
    shown_art = local(h for m in listed if m for h in re.findall(r'href="(/id/article/[^"]+)"', m.group(1)))
    assert len(shown_st) == len(set(shown_st)) and set(shown_st) == said
    assert len(shown_ev) == len(set(shown_ev)) and set(shown_ev) == events
    assert len(shown_art) == len(set(shown_art)) and set(shown_art) == articles
    assert len(pages) == max(-(-len(said) // 2), len(events), len(articles))
    assert f"{len(articles)} article" in pages[-1]                       # the totals on every page
    assert client.get("/page/" + iri[len(BASE + "id/"):] + "?page=x").status_code == 400


def test_the_timeline_is_paged_in_time_order_each_event_once(seeded, monkeypatch):
    import re

    from server import pages as pages_module

    monkeypatch.setattr(pages_module, "TIMELINE_PER_PAGE", 2)
    dated = {(r["ev"].value, r["t"].value) for r in seeded.select(
        "SELECT ?ev ?t WHERE { ?ev <http://semanticweb.cs.vu.nl/2009/11/sem/hasTimeStamp> ?t }")}
    assert len(dated) >= 5, "the seeds should have a timeline to page"
    client = create_app({"store": ":memory:"}, store=seeded).test_client()
    pages = _html_pages(client, "/timeline")
    shown = [(BASE + href[1:], when) for p in pages for when, href in
             re.findall(r'<span class="when">([^<]+)</span> <a href="(/id/event/[^"]+)"', p)]
    assert len(shown) == len(set(shown)) and set(shown) == dated
    assert [when for _, when in shown] == sorted(when for _, when in shown)
    assert len(pages) == -(-len(dated) // 2) and f"{len(dated)} dated events" in pages[0]
    first, second = client.get("/timeline"), client.get("/timeline?page=2")
    assert first.headers["ETag"] != second.headers["ETag"]               # a page's ETag is its own


def test_a_plain_pages_backlinks_are_paged_each_once(seeded, monkeypatch):
    import re

    from server import pages as pages_module

    monkeypatch.setattr(pages_module, "BACKLINKS_PER_HTML_PAGE", 2)
    run = seeded.select("SELECT ?r WHERE { ?r a <http://www.w3.org/ns/prov#Activity> } LIMIT 1")[0]["r"].value
    pointing = {r["s"].value for r in seeded.select(f"SELECT DISTINCT ?s WHERE {{ ?s ?p <{run}> }}")}
    assert len(pointing) >= 3, "the seeds' load run should be pointed at by its graphs"
    client = create_app({"store": ":memory:"}, store=seeded).test_client()
    pages = _html_pages(client, "/page/" + run[len(BASE + "id/"):])
    listed = [m.group(1) for p in pages for m in re.finditer(r"<h2>Pointing here</h2>(.*?)</ul>", p, re.S)]
    shown = [BASE + h[1:] if h.startswith("/") else h for part in listed for h in re.findall(r'<li><a href="([^"]+)"', part)]
    assert len(shown) == len(set(shown)) and set(shown) == pointing
    assert len(pages) == -(-len(pointing) // 2)


def test_an_entity_document_is_counted_once_in_the_cache(client, samples):
    cache = client.application.extensions["newsgraph"].cache
    cache.clear()
    for _ in range(2):                            # kept the second time it is asked for
        r = client.get(path(samples["organisation"]).replace("/id/", "/data/") + ".ttl")
    assert r.status_code == 200
    assert cache.size == len(r.data)              # kept by the view and by the front door


@pytest.mark.parametrize("kind", ["organisation", "person", "statement", "event", "mention", "article"])
@pytest.mark.parametrize("ext, headers", [("ttl", {}), ("nt", {"Accept-Encoding": "gzip"}), ("jsonld", {}),
                                          ("rdf", {"Accept-Encoding": "gzip, deflate"})])
def test_the_front_door_serves_a_document_as_the_app_does(seeded, monkeypatch, samples, kind, ext, headers):
    """GET /data/<kind>/<slug>.<ext> answered without Flask gives the view's status, body and
    headers (the Date aside); anything it does not handle is the app's."""
    from server.front import FrontDoor

    url = path(samples[kind]).replace("/id/", "/data/") + f".{ext}"
    fast_app = create_app({"store": ":memory:"}, store=seeded)
    calls = []
    real = FrontDoor._document
    monkeypatch.setattr(FrontDoor, "_document", lambda *a: calls.append(1) or real(*a))
    fast = fast_app.test_client().get(url, headers=headers)
    assert calls and fast.status_code == 200
    monkeypatch.setattr(FrontDoor, "_document", lambda *a: None)          # the Flask view only
    slow = create_app({"store": ":memory:"}, store=seeded).test_client().get(url, headers=headers)
    assert fast.status_code == slow.status_code
    if fast.headers.get("Content-Encoding") == "gzip":      # one ETag, one body: no time in the header
        assert fast.data[4:8] == slow.data[4:8] == bytes(4)
    assert fast.data == slow.data
    ignored = {"Date"}
    assert {k: v for k, v in fast.headers.items() if k not in ignored} == \
        {k: v for k, v in slow.headers.items() if k not in ignored}
    again = fast_app.test_client().get(url, headers={**headers, "If-None-Match": fast.headers["ETag"]})
    assert again.status_code == 304


def test_the_front_door_leaves_pages_and_conditional_requests_to_the_app(client, samples, monkeypatch):
    """Pages past the first, conditional requests and other paths go to the Flask view, untouched."""
    from server.front import FrontDoor

    calls = []
    real = FrontDoor._document
    monkeypatch.setattr(FrontDoor, "_document", lambda self, environ, *a: calls.append(environ["PATH_INFO"])
                        or real(self, environ, *a))
    org = path(samples["organisation"]).replace("/id/", "/data/")
    assert client.get(org + ".ttl?page=2").status_code == 200
    assert client.get(org + ".html").status_code == 301
    assert client.get(org + ".ttl", headers={"If-None-Match": '"x"'}).status_code == 200
    assert calls == [org + ".html"]                  # (which it hands on: no document's path)


@pytest.mark.parametrize("url", ["/data/person/nobody-at-all.ttl", "/data/nonsense/x.ttl", "/data/person/a/b.ttl"])
def test_the_front_door_answers_unknown_things_as_the_app_does(seeded, monkeypatch, url):
    from server.front import FrontDoor

    fast = create_app({"store": ":memory:"}, store=seeded).test_client().get(url)
    monkeypatch.setattr(FrontDoor, "_document", lambda *a: None)
    slow = create_app({"store": ":memory:"}, store=seeded).test_client().get(url)
    assert fast.status_code == slow.status_code == 404
    assert fast.data == slow.data
    ignored = {"Date", "X-Request-Id"}
    assert {k: v for k, v in fast.headers.items() if k not in ignored} == \
        {k: v for k, v in slow.headers.items() if k not in ignored}


def test_a_store_error_under_a_document_is_answered_once(seeded, samples, monkeypatch):
    """The front door answers a failing read with the app's error, without the app trying again
    (over a slow remote store that would double the wait)."""
    from server import linked_data

    calls = []

    def failing(*a, **k):
        calls.append(1)
        raise OSError("the store is gone")

    monkeypatch.setattr(linked_data, "describe", failing)       # (what both the view and the front door call)
    r = create_app({"store": ":memory:"}, store=seeded).test_client().get(
        path(samples["person"]).replace("/id/", "/data/") + ".ttl")
    assert r.status_code >= 500 and len(calls) == 1


@pytest.mark.parametrize("kind", EVERY_KIND)
def test_a_document_read_from_the_indexes_is_the_one_sparql_gives(seeded, samples, kind, monkeypatch):
    """An embedded store's documents are read with quads_for_pattern; a remote store's with
    SPARQL: the same quads either way."""
    import pyoxigraph as ox

    from server import describe

    iri = ox.NamedNode(samples[kind])
    doc = ox.NamedNode(iri.value.replace("/id/", "/data/") + ".nq")
    assert isinstance(describe.reads(seeded), describe._Index)
    fast, fast_more = describe.describe(seeded, iri, doc)
    monkeypatch.setattr(seeded, "snapshot", lambda: None)            # as a remote store is read
    assert isinstance(describe.reads(seeded), describe._Sparql)
    slow, slow_more = describe.describe(seeded, iri, doc)
    assert fast and not fast_more and not slow_more
    assert len(fast) == len(slow) and set(fast) == set(slow)


@pytest.mark.parametrize("kind", EVERY_KIND)
def test_a_document_for_a_triple_format_is_its_quads_triples_each_once(seeded, samples, kind):
    """describe(graphs=False), which a Turtle or N-Triples document is made from, gives the
    triples of the document's quads, each once (a triple several graphs hold, once)."""
    import pyoxigraph as ox

    from server import describe

    iri = ox.NamedNode(samples[kind])
    doc = ox.NamedNode(iri.value.replace("/id/", "/data/") + ".ttl")
    quads, _ = describe.describe(seeded, iri, doc)
    triples, _ = describe.describe(seeded, iri, doc, graphs=False)
    assert all(isinstance(t, ox.Triple) for t in triples) and len(triples) == len(set(triples))
    assert set(triples) == {ox.Triple(q.subject, q.predicate, q.object) for q in quads}
