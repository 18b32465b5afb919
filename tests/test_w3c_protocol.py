"""The W3C SPARQL 1.1 Protocol test suite, read from ../shared/conformance when it is there.

Query tests run against a store holding data1..data3 as named graphs; update tests against a
throw-away store, with the update token. Each runs on the embedded store and, through the
remote backend, on `oxigraph serve` and on Virtuoso (where they are installed). Each request is sent as the manifest writes it, to
/sparql for queries and to /update for updates (the manifest allows separate endpoints).
"""

from __future__ import annotations

import json
import re
from urllib.parse import unquote

import pytest
import rdflib

from newsgraph.store import open_store
from server import create_app

from .conftest import SHARED

SUITE = SHARED / "conformance" / "sparql11-protocol"
MF = rdflib.Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = rdflib.Namespace("http://www.w3.org/2011/http#")
CNT = rdflib.Namespace("http://www.w3.org/2011/content#")
HTS = rdflib.Namespace("http://www.w3.org/2011/http-statusCodes#")
TOKEN = "w3c-test-token"


def load_manifest():
    if not (SUITE / "manifest.ttl").exists():
        return None
    g = rdflib.Graph()
    g.parse(SUITE / "manifest.ttl", format="turtle", publicID="http://example.org/manifest.ttl")
    manifest = next(g.subjects(rdflib.RDF.type, MF.Manifest))
    entries = list(rdflib.collection.Collection(g, g.value(manifest, MF.entries)))
    tests = []
    for t in entries:
        name = str(t).rsplit("#", 1)[-1]
        action = g.value(t, MF.action)
        requests = []
        for r in rdflib.collection.Collection(g, g.value(action, HT.requests)):
            headers = {}
            hlist = g.value(r, HT.headers)
            if hlist is not None:
                for h in rdflib.collection.Collection(g, hlist):
                    headers[str(g.value(h, HT.fieldName)).lower()] = str(g.value(h, HT.fieldValue))
            body = g.value(r, HT.body)
            chars = encoding = None
            if body is not None:
                chars = str(g.value(body, CNT.chars))
                encoding = str(g.value(body, CNT.characterEncoding) or "UTF-8")
            resp = g.value(r, HT.resp)
            requests.append({
                "method": str(g.value(r, HT.methodName)),
                "path": str(g.value(r, HT.absolutePath)),
                "headers": headers,
                "body": chars,
                "encoding": encoding,
                "status": {str(s).rsplit("#", 1)[-1] for s in g.objects(resp, MF.expectedStatus)},
                "format": str(g.value(resp, MF.expectedFormat) or ""),
                "boolean": g.value(resp, MF.expectedBoolean),
            })
        tests.append((name, requests))
    return tests


TESTS = load_manifest()
pytestmark = pytest.mark.skipif(TESTS is None, reason=f"the W3C suite is not at {SUITE} (it is "
                                                      "read from ../shared/conformance, never copied)")


def _server(kind: str, tmp_path_factory):
    """A remote store of this kind for the module's tests (each test empties it first)."""
    from .test_remote import _oxigraph, _virtuoso

    with pytest.MonkeyPatch.context() as mp:
        url, proc = {"oxigraph": _oxigraph, "virtuoso": _virtuoso}[kind](tmp_path_factory.mktemp(kind), mp)
        yield url
        proc.terminate()
        proc.wait(30)


@pytest.fixture(scope="module")
def oxigraph_url(tmp_path_factory):
    yield from _server("oxigraph", tmp_path_factory)


@pytest.fixture(scope="module")
def virtuoso_url(tmp_path_factory):
    yield from _server("virtuoso", tmp_path_factory)


@pytest.fixture(params=["embedded", "oxigraph", "virtuoso"])
def location(request):
    """Where the test's store is: in memory, or a store through the remote backend, emptied
    of every graph that queries see (Virtuoso's private ones are left alone)."""
    if request.param == "embedded":
        return ":memory:"
    url = request.getfixturevalue(f"{request.param}_url")
    store = open_store(url)
    for r in store.select("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"):
        store.update(f"DROP SILENT GRAPH <{r['g'].value}>")
    return url


def dataset_store(location: str = ":memory:"):
    store = open_store(location)
    import pyoxigraph as ox

    for i in (1, 2, 3):
        g = ox.NamedNode(f"http://kasei.us/2009/09/sparql/data/data{i}.rdf")
        quads = [ox.Quad(t.subject, t.predicate, t.object, g)
                 for t in ox.parse(path=str(SUITE / f"data{i}.nt"), format=ox.RdfFormat.N_TRIPLES)]
        store.replace_graphs({g: quads})
    return store


def is_update(req) -> bool:
    ctype = req["headers"].get("content-type", "")
    path = unquote(req["path"])
    return ("sparql-update" in ctype or (req["body"] or "").startswith("update=")
            or "using-graph-uri" in path or "using-named-graph-uri" in path) and req["method"] == "POST"


def send(client, req):
    path = req["path"]
    target = "/update" if is_update(req) else "/sparql"
    path = re.sub(r"^/sparql/?", target, path)
    headers = {k: v for k, v in req["headers"].items() if k != "content-type"}
    if target == "/update":
        headers["Authorization"] = f"Bearer {TOKEN}"
    data = None
    if req["body"] is not None:
        text = req["body"].encode("utf-8").decode("unicode_escape") if "\\" in req["body"] else req["body"]
        data = text.encode("utf-16" if req["encoding"].upper() == "UTF-16" else "utf-8")
    kwargs = {"headers": headers, "data": data}
    if "content-type" in req["headers"]:
        kwargs["content_type"] = req["headers"]["content-type"]
    return client.open(path, method=req["method"], **kwargs)


def check(resp, req, name):
    classes = {f"StatusCode{resp.status_code // 100}xx"}
    assert classes & req["status"], f"{name}: {resp.status_code} {resp.data[:300]!r}"
    if resp.status_code >= 300:
        return
    fmt = req["format"]
    ctype = resp.headers.get("Content-Type", "")
    if fmt == "boolean":
        if "json" in ctype:
            value = json.loads(resp.data)["boolean"]
        else:
            value = re.search(rb"<boolean>(true|false)</boolean>", resp.data).group(1) == b"true"
        if req["boolean"] is not None:
            assert value == bool(req["boolean"].toPython()), name
    elif fmt == "tabular":
        assert "sparql-results" in ctype or "csv" in ctype or "tab-separated" in ctype, ctype
        json.loads(resp.data)
    elif fmt == "RDF":
        g = rdflib.Graph()
        g.parse(data=resp.data, format="turtle" if "turtle" in ctype else "xml")


@pytest.mark.parametrize("name, requests", TESTS or [], ids=[t[0] for t in TESTS or []])
def test_w3c(name, requests, location):
    store = dataset_store(location)
    app = create_app({"store": location, "update_token": TOKEN}, store=store)
    client = app.test_client()
    for req in requests:
        check(send(client, req), req, name)


def test_all_34_are_run():
    assert len(TESTS) == 34
    assert sum(1 for name, _ in TESTS if "update" in name) == 14
