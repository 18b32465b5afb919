"""The remote backend, for real: `oxigraph serve` started here, loaded and queried through
the SPARQL 1.1 Protocol like any other store."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from loaders import load_paths
from newsgraph import SEEDS_DIR
from newsgraph.store import open_store
from server import create_app

from .conftest import BIN, free_port
from .test_scale import canonical

OXIGRAPH = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")


@pytest.fixture
def remote(tmp_path):
    if not Path(OXIGRAPH).exists():
        pytest.skip("the `oxigraph` server is not installed (pip install oxigraph; it is in the test extra)")
    port = free_port()
    proc = subprocess.Popen([OXIGRAPH, "serve", "--location", str(tmp_path / "oxigraph"),
                             "--bind", f"127.0.0.1:{port}", "--union-default-graph"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}/query"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(url + "?query=ASK%7B%7D", timeout=2).read()
            break
        except OSError:
            if time.monotonic() > deadline or proc.poll() is not None:
                proc.kill()
                pytest.fail("oxigraph serve did not start: " + proc.stderr.read().decode())
            time.sleep(0.1)
    yield url
    proc.terminate()
    proc.wait(10)


def without_marker(quads: set) -> set:
    return {q for q in quads if "urn:newsgraph:meta" not in q}


def test_a_load_into_oxigraph_server_is_the_embedded_load(remote):
    store = open_store(remote)
    report = load_paths(store, [SEEDS_DIR])
    assert (report.loaded, report.failed) == (2, [])
    embedded = open_store(":memory:")
    load_paths(embedded, [SEEDS_DIR])
    assert without_marker(canonical(store)) == canonical(embedded)
    again = load_paths(store, [SEEDS_DIR])
    assert (again.loaded, again.unchanged) == (0, 2)


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


def test_a_store_that_is_not_there_is_a_clear_error():
    from newsgraph.store import StoreError

    with pytest.raises(StoreError, match="no SPARQL endpoint answers here"):
        open_store(f"http://127.0.0.1:{free_port()}/query")
