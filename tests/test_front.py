"""The front door: repeats from the cache, plain queries without Flask, the same answers either way."""

from __future__ import annotations

import gzip
import json
import threading
from urllib.parse import quote, quote_plus

import pytest

from server import create_app
from server.front import FrontDoor

from .test_protocol import SELECT, small_store

JSON = {"Accept": "application/sparql-results+json"}
IGNORED = {"Date", "Content-Length"}


@pytest.fixture
def app():
    return create_app({"store": ":memory:", "update_token": "secret", "base": "http://localhost:8000/"},
                      store=small_store())


def counting(app, monkeypatch) -> list:
    """Count the queries that reach the store."""
    store = app.extensions["newsgraph"].store
    calls = []
    real = store.query

    def query(text, **kw):
        calls.append(text)
        return real(text, **kw)

    monkeypatch.setattr(store, "query", query)
    return calls


def test_a_repeated_query_costs_no_evaluation(app, monkeypatch):
    calls = counting(app, monkeypatch)
    c = app.test_client()
    first = c.get(f"/sparql?query={quote(SELECT)}", headers=JSON)
    c.get(f"/sparql?query={quote(SELECT)}", headers=JSON)          # the second time: kept
    second = c.get(f"/sparql?query={quote(SELECT)}", headers=JSON)
    assert first.status_code == second.status_code == 200
    assert first.data == second.data and first.headers["ETag"] == second.headers["ETag"]
    assert len(calls) == 2
    again = c.get(f"/sparql?query={quote(SELECT)}", headers={**JSON, "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and not again.data and len(calls) == 2


def test_an_update_makes_cached_answers_unreachable(app):
    c = app.test_client()
    before = c.get(f"/sparql?query={quote(SELECT)}", headers=JSON)
    r = c.post("/update", data={"update": 'INSERT DATA { GRAPH <http://ex.org/g3> { <http://ex.org/s9> <http://ex.org/p> "v9" } }'},
               headers={"Authorization": "Bearer secret"})
    assert r.status_code == 204
    after = c.get(f"/sparql?query={quote(SELECT)}", headers=JSON)
    assert before.headers["ETag"] != after.headers["ETag"]
    assert [b["o"]["value"] for b in json.loads(after.data)["results"]["bindings"]] == ["v0", "v1", "v9"]


@pytest.mark.parametrize("path, headers", [
    (f"/sparql?query={quote(SELECT)}", JSON),
    (f"/sparql?query={quote(SELECT)}&format=csv", {}),
    (f"/sparql?query={quote(SELECT)}", {"Accept": "text/tab-separated-values"}),
    (f"/sparql?query={quote(SELECT)}", {"Accept": "application/sparql-results+xml", "Accept-Encoding": "gzip"}),
    ("/sparql?query=" + quote("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"), {"Accept": "text/turtle"}),
    ("/sparql?query=" + quote("ASK { ?s ?p ?o }"), {}),
    ("/sparql?query=" + quote("SELECT * WHERE { ?s ?p }"), JSON),           # a syntax error
    ("/sparql?query=" + quote("SELECT * WHERE { ?s ?p ?o }"), {"Accept": "image/png"}),
])
def test_the_front_door_answers_as_the_app_does(app, monkeypatch, path, headers):
    fast = app.test_client().get(path, headers=headers)
    monkeypatch.setattr(FrontDoor, "_query", lambda *a, **k: None)          # the Flask view only
    app.extensions["newsgraph"].cache.clear()
    slow = app.test_client().get(path, headers=headers)
    assert fast.status_code == slow.status_code
    assert fast.data == slow.data
    assert {k: v for k, v in fast.headers.items() if k not in IGNORED} == \
        {k: v for k, v in slow.headers.items() if k not in IGNORED}


@pytest.mark.parametrize("body, headers", [
    ("query=" + quote_plus(SELECT), {**JSON, "Content-Type": "application/x-www-form-urlencoded"}),
    ("query=" + quote_plus(SELECT) + "&format=csv", {"Content-Type": "application/x-www-form-urlencoded; charset=UTF-8"}),
    (SELECT, {"Accept": "application/sparql-results+xml", "Content-Type": "application/sparql-query"}),
    ("SELECT ?p ?o WHERE { <http://example.org/a> ?p ?o } # é", {**JSON, "Content-Type": "application/sparql-query"}),
    ("query=" + quote_plus("SELECT * WHERE { ?s ?p }"), {**JSON, "Content-Type": "application/x-www-form-urlencoded"}),
    ("query=" + quote_plus(SELECT) + "&default-graph-uri=http%3A%2F%2Fex.org%2Fg", {**JSON,
     "Content-Type": "application/x-www-form-urlencoded"}),                      # (left to the app)
    ("query=" + quote_plus(SELECT), {**JSON, "Content-Type": "text/plain"}),     # (the app's 415)
    ("query=" + quote_plus("SELECT ?p ?o WHERE { <http://example.org/a> ?p ?o }"), {**JSON,
     "Content-Type": "application/x-www-form-urlencoded", "Accept-Encoding": "gzip"}),
])
def test_a_posted_query_is_answered_as_the_app_answers_it(app, monkeypatch, body, headers):
    """A POST of a form or of the query itself, read by the front door: the same answer as the
    Flask view gives, which still reads the whole body when the front door leaves it the request."""
    answered = []
    real = FrontDoor._query
    monkeypatch.setattr(FrontDoor, "_query", lambda *a, **k: answered.append(1) or real(*a, **k))
    fast = app.test_client().post("/sparql", data=body.encode(), headers=headers)
    assert bool(answered) == ("default-graph-uri" not in body and "text/plain" not in str(headers))
    monkeypatch.setattr(FrontDoor, "_read_posted", lambda *a, **k: None)    # the Flask view only
    app.extensions["newsgraph"].cache.clear()
    slow = app.test_client().post("/sparql", data=body.encode(), headers=headers)
    assert fast.status_code == slow.status_code
    assert fast.data == slow.data and (fast.status_code >= 400 or len(fast.data) > 40)
    assert {k: v for k, v in fast.headers.items() if k not in IGNORED} == \
        {k: v for k, v in slow.headers.items() if k not in IGNORED}


def test_a_posted_point_lookup_takes_no_place(monkeypatch):
    """A point lookup sent by POST is bounded as one sent by GET: while it runs, the client's
    only place still answers a query that needs one."""
    app = create_app({"store": ":memory:", "base": "http://localhost:8000/", "max_per_client": 1},
                     store=small_store())
    release, log = _held(app, monkeypatch, "example.org/a>")
    out = {}
    form = {"Content-Type": "application/x-www-form-urlencoded", **JSON}
    held = threading.Thread(target=lambda: out.update(a=app.test_client().post(
        "/sparql", data="query=" + quote_plus("SELECT ?p ?o WHERE { <http://example.org/a> ?p ?o }"), headers=form)))
    held.start()
    while _at(log, "start", "example.org/a>") < 0 and held.is_alive():
        held.join(0.01)
    other = app.test_client().post("/sparql", data="query=" + quote_plus("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"),
                                   headers=form)
    release.set()
    held.join(10)
    assert other.status_code == 200 and out["a"].status_code == 200
    assert b'"o"' in out["a"].data


@pytest.mark.parametrize("handover", [16 * 1024, None])
def test_large_answers_are_gzipped_and_streamed_the_same(app, monkeypatch, handover):
    """An answer larger than execute.HANDOVER is streamed (no Content-Length), a smaller one is
    sent whole; either way gzip gives the same bytes back."""
    from server import execute

    if handover:
        monkeypatch.setattr(execute, "HANDOVER", handover)
    c = app.test_client()
    query = "SELECT ?n WHERE { VALUES ?n { " + " ".join(str(i) for i in range(3000)) + " } }"
    plain = c.get(f"/sparql?query={quote(query)}", headers=JSON)
    assert len(plain.data) > 16 * 1024 and len(json.loads(plain.data)["results"]["bindings"]) == 3000
    assert ("Content-Length" in plain.headers) == (handover is None)
    zipped = c.get(f"/sparql?query={quote(query)}", headers={**JSON, "Accept-Encoding": "gzip"})
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped.data) == plain.data
    assert zipped.headers["ETag"] != plain.headers["ETag"]


@pytest.mark.parametrize("front_door", [True, False])
def test_the_gzip_variants_etag_gets_a_304(app, monkeypatch, front_door):
    """A client that holds the gzip-encoded answer revalidates it with that ETag: 304, not the answer again."""
    if not front_door:
        monkeypatch.setattr(FrontDoor, "_query", lambda *a, **k: None)
    c = app.test_client()
    url = "/sparql?query=" + quote("SELECT ?n WHERE { VALUES ?n { " + " ".join(map(str, range(3000))) + " } }")
    zipped = c.get(url, headers={**JSON, "Accept-Encoding": "gzip"})
    assert zipped.headers["Content-Encoding"] == "gzip"
    again = c.get(url, headers={**JSON, "Accept-Encoding": "gzip", "If-None-Match": zipped.headers["ETag"]})
    assert again.status_code == 304 and again.headers["ETag"] == zipped.headers["ETag"]
    plain = c.get(url, headers={**JSON, "If-None-Match": zipped.headers["ETag"].replace("-gzip", "")})
    assert plain.status_code == 304
    weakened = c.get(url, headers={**JSON, "If-None-Match": "W/" + zipped.headers["ETag"]})   # as nginx passes it on
    assert weakened.status_code == 304
    other = c.get(url, headers={**JSON, "If-None-Match": zipped.headers["ETag"].replace("-gzip", "-br")})
    assert other.status_code == 200


TEXT = 'SELECT ("é+\\\\ 50% ж" AS ?x) {}'          # the value: é+\ 50% ж


@pytest.mark.parametrize("query_string", [
    "query=" + quote(TEXT),                                                 # %XX, an escaped + and a backslash
    "query=" + quote_plus(TEXT) + "&format=json",
    'query=SELECT+("é%2B\\\\+50%25+ж"+AS+?x)+{}',                               # raw UTF-8
    'query=SELECT+("é%2B\\\\+50%25+ж"+AS+?x)+{}&format=json',
    'query=SELECT+("é%2B\\\\+50%+ж"+AS+?x)+{}',                                 # a stray %, left as it is
])
def test_a_query_string_is_decoded_as_the_app_decodes_it(app, monkeypatch, query_string):
    """Percent escapes, '+', backslashes, a stray '%' and raw UTF-8 give the same text through
    the front door's own decoding as through Flask's."""
    raw = {"QUERY_STRING": query_string.encode().decode("latin-1")}           # as a WSGI server gives it
    fast = app.test_client().get("/sparql", environ_overrides=raw, headers=JSON)
    monkeypatch.setattr(FrontDoor, "_query", lambda *a, **k: None)
    app.extensions["newsgraph"].cache.clear()
    slow = app.test_client().get("/sparql", environ_overrides=raw, headers=JSON)
    assert fast.status_code == slow.status_code == 200, fast.data
    value = json.loads(fast.data)["results"]["bindings"][0]["x"]["value"]
    assert value == 'é+\\ 50% ж' == json.loads(slow.data)["results"]["bindings"][0]["x"]["value"]


def test_a_request_reads_one_checkpoint_and_looks_at_version_once(tmp_path, monkeypatch):
    """The front door pins the store for the request: VERSION is looked at once (not once for
    the version, once for the query and once for Last-Modified), and the request's reads all
    see the checkpoint its ETag names."""
    import os

    import pyoxigraph as ox

    from newsgraph import store as store_module
    from newsgraph.store import open_store

    st = open_store(tmp_path / "st")
    st.replace_graphs({ox.NamedNode("http://ex.org/g"): list(small_store().snapshot())})
    app = create_app({"store": str(tmp_path / "st")}, store=st)
    looked = []
    real_stat = os.stat
    monkeypatch.setattr(store_module.os, "stat", lambda p, *a, **k: (looked.append(p) if str(p).endswith("VERSION") else None)
                        or real_stat(p, *a, **k))
    # answered in the request thread: one look; through the query thread (not pinned): one more
    for query, looks in (("SELECT ?p ?o WHERE { <http://example.org/a> ?p ?o }", 1),
                         ("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", 2)):
        version = st.version()
        looked.clear()
        r = app.test_client().get("/sparql?query=" + quote_plus(query), headers=JSON)
        assert len(looked) == looks and st._pinned.state is None
        assert r.status_code == 200 and r.headers["ETag"].startswith(f'"{version}-')


def _held(app, monkeypatch, marker: str):
    """Make the store's queries whose text holds `marker` wait for the returned event; `log`
    records each query's start and end, in order (as given: a query may have a LIMIT added)."""
    import threading

    store = app.extensions["newsgraph"].store
    real = store.query
    release, log = threading.Event(), []

    def query(text, **kw):
        log.append(("start", text))
        if marker in text:
            assert release.wait(10)
        try:
            return real(text, **kw)
        finally:
            log.append(("end", text))

    def snapshot():             # how a document reads the embedded store
        log.append(("start", "snapshot"))
        return real_snapshot()

    real_snapshot = store.snapshot
    monkeypatch.setattr(store, "query", query)
    monkeypatch.setattr(store, "snapshot", snapshot)
    return release, log


def _at(log, event: str, needle: str) -> int:
    """Where in the log a query holding `needle` started or ended; -1 if it has not."""
    return next((i for i, (e, text) in enumerate(log) if e == event and needle in text), -1)


def _begun(app, path: str, out: dict, name: str, log, needle: str):
    """A thread that GETs `path` (its response in out[name]), once the store query holding
    `needle` has started in it (or the thread has ended)."""
    import threading

    t = threading.Thread(target=lambda: out.update({name: app.test_client().get(path, headers=JSON)}))
    t.start()
    while _at(log, "start", needle) < 0 and t.is_alive():
        t.join(0.01)
    return t


@pytest.mark.parametrize("second, needle", [
    ("/sparql?query=" + quote_plus("SELECT ?p ?o WHERE { <http://example.org/b> ?p ?o }"), "example.org/b>"),
    ("/data/person/nobody.ttl", "snapshot"),
])
def test_bounded_requests_of_one_worker_take_turns(app, monkeypatch, second, needle):
    """Bounded requests (a point lookup, then another or a page of a document) run one at a
    time in a worker while every core is busy: run at once, they would fight for the GIL each
    time the other's evaluation gives it up."""
    import threading

    monkeypatch.setattr(app.wsgi_app.busy, "cores", 1)       # the first one's is the only core
    first = "SELECT ?p ?o WHERE { <http://example.org/a> ?p ?o }"
    release, log = _held(app, monkeypatch, "example.org/a>")
    out = {}
    t1 = _begun(app, "/sparql?query=" + quote_plus(first), out, "a", log, "example.org/a>")
    t2 = threading.Thread(target=lambda: out.update(b=app.test_client().get(second, headers=JSON)))
    t2.start()
    t2.join(0.3)
    assert t2.is_alive() and _at(log, "start", needle) < 0      # waits for its turn
    release.set()
    t1.join(10)
    t2.join(10)
    assert out["a"].status_code == 200 and out["b"].status_code in (200, 404)
    assert 0 <= _at(log, "end", "example.org/a>") < _at(log, "start", needle)


def test_a_bounded_request_goes_beside_the_turn_when_a_core_is_idle(app, monkeypatch):
    """When the workers answer fewer requests than there are cores (a client's connections all
    went to one worker), a worker's second bounded request does not wait its turn: the first
    one's core is the only busy one."""
    monkeypatch.setattr(app.wsgi_app.busy, "cores", 2)
    first = "SELECT ?p ?o WHERE { <http://example.org/a> ?p ?o }"
    release, log = _held(app, monkeypatch, "example.org/a>")
    out = {}
    t1 = _begun(app, "/sparql?query=" + quote_plus(first), out, "a", log, "example.org/a>")
    assert app.wsgi_app.busy.marked() == 1               # marked busy while it runs
    second = app.test_client().get("/sparql?query=" + quote_plus("SELECT ?p ?o WHERE { <http://example.org/b> ?p ?o }"),
                                   headers=JSON)
    assert second.status_code == 200 and t1.is_alive() and _at(log, "end", "example.org/a>") < 0
    release.set()
    t1.join(10)
    assert out["a"].status_code == 200 and app.wsgi_app.busy.marked() == 0


def test_the_busy_threads_are_counted_across_workers(tmp_path):
    """Each worker's threads mark themselves in one shared file: another worker's Busy (here,
    a second one over the same file) sees them."""
    import threading

    from server.limits import Busy

    path = str(tmp_path / "busy")
    mine, theirs = Busy(path, cores=2), Busy(path, cores=2)
    assert mine.core_idle() and theirs.core_idle()
    marked, done = threading.Event(), threading.Event()

    def other():
        mine.mark(True)
        marked.set()
        done.wait(10)
        mine.mark(False)

    t = threading.Thread(target=other)
    t.start()
    marked.wait(10)
    theirs.mark(True)
    assert not mine.core_idle() and not theirs.core_idle()      # two busy, two cores
    theirs.mark(False)
    assert mine.core_idle()
    done.set()
    t.join(10)
    assert theirs.marked() == 0


def test_each_thread_has_a_byte_of_its_own_and_a_gone_process_none(tmp_path):
    """Threads claim bytes that no other live thread holds (hashing them shared one now and
    then); a byte left marked by a process that is gone (a worker killed mid-request) is freed
    by the next claim, and a thread's byte is freed when it ends."""
    import subprocess
    import sys

    from server.limits import Busy

    busy = Busy(str(tmp_path / "busy"), cores=1)
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    busy._own(7, gone.pid)
    busy.map[7] = 1                                     # marked by a process that is gone
    assert busy.marked() == 1 and not busy.core_idle()
    go, started = threading.Event(), []

    def work():
        busy.mark(True)
        started.append(1)
        go.wait(10)
        busy.mark(False)

    threads = [threading.Thread(target=work) for _ in range(40)]
    for t in threads:
        t.start()
    while len(started) < 40:
        threading.Event().wait(0.01)
    assert busy.marked() == 40                         # 40 bytes: none shared, the gone one freed
    go.set()
    for t in threads:
        t.join(10)
    import gc
    gc.collect()
    owners = {busy._owner(i) for i in range(Busy.SLOTS)}
    assert busy.marked() == 0 and owners == {0}, owners    # given back as the threads ended


def test_a_slow_query_does_not_hold_up_quick_ones(app, monkeypatch):
    """A query that is not bounded runs in the query thread and waits outside the turn: the
    worker's other thread answers a point lookup meanwhile."""
    slow = 'SELECT ?s WHERE { ?s ?p ?o FILTER (?o != "held") }'
    release, log = _held(app, monkeypatch, '"held"')
    out = {}
    t = _begun(app, "/sparql?query=" + quote_plus(slow), out, "slow", log, '"held"')
    quick = app.test_client().get("/sparql?query=" + quote_plus("SELECT ?p ?o WHERE { <http://example.org/a> ?p ?o }"),
                                  headers=JSON)
    assert quick.status_code == 200 and t.is_alive()
    release.set()
    t.join(10)
    assert out["slow"].status_code == 200
