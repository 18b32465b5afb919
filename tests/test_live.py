"""A live `newsgraph serve` (Granian, on a loopback port) used by real clients.

SPARQLWrapper, rdflib's SPARQLStore, a SERVICE clause evaluated by rdflib, and Rasqal's roqet;
then what only a real process model shows: a runaway query cut at the timeout while simple
queries keep answering, and a load or an update visible without a restart.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from newsgraph.serve import MALLOC_TUNABLES

from .conftest import BIN, TOKEN

pytestmark = pytest.mark.slow
COUNT = "SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE { ?a a <http://schema.org/NewsArticle> }"


def get(url: str, query: str, accept: str = "application/sparql-results+json", timeout: float = 20):
    req = urllib.request.Request(url + "?" + urllib.parse.urlencode({"query": query}), headers={"Accept": accept})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def count(url: str) -> int:
    status, body = get(url, COUNT)
    assert status == 200, body
    return int(json.loads(body)["results"]["bindings"][0]["n"]["value"])


def test_serve_loaded_the_seeds(live):
    assert count(live["url"]) == 2


@pytest.mark.parametrize("fmt, check", [
    ("json", lambda r: r["results"]["bindings"][0]["h"]["value"]),
    ("xml", lambda r: r.getElementsByTagName("literal")[0].firstChild.data),
    ("csv", lambda r: r.decode().splitlines()[1]),
    ("tsv", lambda r: r.decode().splitlines()[1]),
])
def test_sparqlwrapper_result_formats(live, fmt, check):
    SPARQLWrapper = pytest.importorskip("SPARQLWrapper")
    sw = SPARQLWrapper.SPARQLWrapper(live["url"])
    sw.setQuery("SELECT ?h WHERE { ?a <http://schema.org/headline> ?h } ORDER BY ?h")
    sw.setReturnFormat(fmt)
    assert "Deployment of Troops" in check(sw.query().convert())


def test_sparqlwrapper_construct(live):
    SPARQLWrapper = pytest.importorskip("SPARQLWrapper")
    sw = SPARQLWrapper.SPARQLWrapper(live["url"])
    sw.setQuery("CONSTRUCT { ?a <http://schema.org/headline> ?h } WHERE { ?a <http://schema.org/headline> ?h }")
    sw.setReturnFormat(SPARQLWrapper.TURTLE)
    import rdflib

    g = rdflib.Graph().parse(data=sw.query().convert(), format="turtle")
    assert len(g) == 2


def test_rdflib_sparqlstore(live):
    import rdflib
    from rdflib.plugins.stores.sparqlstore import SPARQLStore

    g = rdflib.Graph(store=SPARQLStore(query_endpoint=live["url"]))
    rows = list(g.query("SELECT ?name WHERE { ?p a <http://schema.org/Person> ; "
                        "<http://www.w3.org/2002/07/owl#sameAs> <http://www.wikidata.org/entity/Q3052772> ; "
                        "<http://www.w3.org/2000/01/rdf-schema#label> ?name }"))
    assert [str(r.name) for r in rows] == ["Emmanuel Macron"]


def test_rdflib_service_clause(live):
    import rdflib

    local = rdflib.Graph()
    local.add((rdflib.URIRef("http://local/x"), rdflib.URIRef("http://local/wants"),
               rdflib.URIRef("http://www.wikidata.org/entity/Q14917")))
    rows = local.query(f"""SELECT ?name WHERE {{
        ?x <http://local/wants> ?wd .
        SERVICE <{live['url']}> {{ ?p <http://www.w3.org/2002/07/owl#sameAs> ?wd ;
                                     <http://www.w3.org/2000/01/rdf-schema#label> ?name }} }}""")
    assert [str(r.name) for r in rows] == ["Keir Starmer"]


def test_roqet(live):
    if shutil.which("roqet") is None:
        pytest.skip("roqet (Debian rasqal-utils) is not installed; .ci/run installs it")
    out = subprocess.run(["roqet", "-q", "-p", live["url"], "-r", "csv", "-e",
                          "SELECT ?h WHERE { ?a <http://schema.org/headline> ?h } ORDER BY ?h"],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert "Western Nations Revisit Troop Deployment to Ukraine" in out.stdout


def test_runaway_query_is_cut_while_others_answer(live):
    import threading

    runaway = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?p ?x . ?b ?q ?y . ?c ?r ?z }"
    result = {}

    def slow():
        start = time.monotonic()
        result["status"], result["body"] = get(live["url"], runaway)
        result["took"] = time.monotonic() - start

    t = threading.Thread(target=slow)
    t.start()
    time.sleep(0.3)
    quick = []
    while t.is_alive():
        start = time.monotonic()
        status, _ = get(live["url"], "ASK { ?s ?p ?o }")
        quick.append((status, time.monotonic() - start))
        time.sleep(0.1)
    t.join()
    assert result["status"] == 503 and b"Query timeout" in result["body"]
    assert result["took"] < 2 + 3
    assert quick and all(s == 200 for s, _ in quick)
    assert max(d for _, d in quick) < 1.5          # the other worker answered all along
    assert get(live["url"], "ASK { ?s ?p ?o }")[0] == 200


def test_a_load_is_visible_without_restart(live, tmp_path):
    before = count(live["url"])
    article = tmp_path / "new.txt"
    article.write_text("Ports Reopen After Strike\nMarch 2, 2025\nThe country's main ports reopened on "
                       "Sunday after a week-long strike, the transport ministry said.\n")
    out = subprocess.run([str(BIN), "load", "--store", str(live["store"]), str(article)],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert count(live["url"]) == before + 1
    assert count(live["url"]) == before + 1          # both workers


def test_an_update_is_visible_to_every_worker(live):
    body = "INSERT DATA { GRAPH <http://ex.org/live> { <http://ex.org/a> <http://ex.org/p> 'live-update' } }"
    req = urllib.request.Request(live["url"].replace("/sparql", "/update"), data=body.encode(), method="POST",
                                 headers={"Content-Type": "application/sparql-update",
                                          "Authorization": f"Bearer {TOKEN}"})
    with urllib.request.urlopen(req, timeout=30) as r:
        assert r.status == 204
    for _ in range(4):
        status, answer = get(live["url"], "ASK { ?s ?p 'live-update' }")
        assert json.loads(answer)["boolean"] is True


def test_update_with_wrong_token_is_refused(live):
    req = urllib.request.Request(live["url"].replace("/sparql", "/update"), data=b"CLEAR ALL", method="POST",
                                 headers={"Content-Type": "application/sparql-update",
                                          "Authorization": "Bearer nope"})
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(req, timeout=30)
    assert e.value.code == 403
    assert count(live["url"]) >= 2


def _children(pid: int) -> list[int]:
    out = []
    for t in Path(f"/proc/{pid}/task").iterdir():
        try:
            out += [int(c) for c in (t / "children").read_text().split()]
        except OSError:                 # a thread that has just ended
            pass
    return out


@pytest.mark.skipif(not Path(f"/proc/{os.getpid()}/task/{os.getpid()}/children").exists(),
                    reason="needs Linux /proc to find the workers and read their environment")
def test_the_workers_start_with_the_malloc_tunables(live):
    """glibc reads GLIBC_TUNABLES when a process starts: a forked worker would run without them
    (its /proc environment is its parent's at start), a spawned one has them."""
    count(live["url"])                          # the workers are up
    wanted = os.environ.get("GLIBC_TUNABLES", MALLOC_TUNABLES)
    workers = [p for p in _children(live["proc"].pid)
               if b"resource_tracker" not in Path(f"/proc/{p}/cmdline").read_bytes()]
    assert len(workers) >= 2
    for p in workers:
        env = Path(f"/proc/{p}/environ").read_bytes().split(b"\0")
        assert f"GLIBC_TUNABLES={wanted}".encode() in env, p
