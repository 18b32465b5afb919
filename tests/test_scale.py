"""Loading at scale: worker processes, the write session, the linker's index, the fast writer."""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import sys
import time
from pathlib import Path

import pyoxigraph as ox
import pytest

from loaders import load_paths
from loaders.link import Linker
from loaders.link_data import summarise
from loaders.read import read_file
from loaders.to_rdf import Mapper, Run
from loaders.pipeline import build_pipeline
from newsgraph import PROJECT_DIR, SEEDS_DIR
from newsgraph.store import open_store

sys.path.insert(0, str(PROJECT_DIR / "bench"))
from synth import generate  # noqa: E402

CORPUS = PROJECT_DIR / "bench" / "corpus"
BASE = "http://localhost:8000/"


def canonical(store) -> set[str]:
    """The store's quads, with what differs from one load run to another made equal: the run's
    IRI and times, the runs graph itself, and the blank nodes of the ontology's lists."""
    out = set()
    for q in store.query("SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }"):
        if q["g"].value.endswith("/id/graph/runs") or isinstance(q["s"], ox.BlankNode) \
                or isinstance(q["o"], ox.BlankNode):
            continue
        line = f"{q['s']} {q['p']} {q['o']} {q['g']}"
        line = re.sub(r"/id/run/[^>]+>", "/id/run/RUN>", line)
        if "generatedAtTime" in line:
            line = re.sub(r'"[^"]+"\^\^', '"T"^^', line)
        out.add(line)
    return out


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory) -> Path:
    """More articles than the pool threshold, in stories told by several outlets."""
    return generate(60, tmp_path_factory.mktemp("synth") / "articles", seed=3)


def test_worker_processes_make_the_same_graph_as_one_process(synthetic):
    one, two = open_store(":memory:"), open_store(":memory:")
    r1 = load_paths(one, [synthetic], jobs=1)
    r2 = load_paths(two, [synthetic], jobs=2)
    assert r1.loaded == r2.loaded == 60 and not r1.failed and not r2.failed
    a, b = canonical(one), canonical(two)
    assert a == b
    assert any("/id/link/event-" in line for line in a)      # the stories were linked


def test_fast_nquads_are_what_pyoxigraph_would_write():
    mapper, pipeline = Mapper(BASE), build_pipeline()
    run = Run(BASE)
    for path in sorted(SEEDS_DIR.glob("*.txt")) + sorted(CORPUS.glob("*.txt"))[:6]:
        for article in read_file(path):
            out = mapper.article(pipeline(article), run, "h")
            own, shared = out.nquads()
            assert set(ox.parse(own, format=ox.RdfFormat.N_QUADS)) == set(out.quads), path.name
            assert set(ox.parse(shared, format=ox.RdfFormat.N_QUADS)) == set(out.shared), path.name


def test_summaries_read_the_same_from_fresh_quads_and_from_the_store():
    store = open_store(":memory:")
    load_paths(store, [SEEDS_DIR, CORPUS], link=False)
    mapper, pipeline, run = Mapper(BASE), build_pipeline(), Run(BASE)
    fresh = {}
    for path in sorted(SEEDS_DIR.glob("*.txt")) + sorted(CORPUS.glob("*.txt")):
        for article in read_file(path):
            out = mapper.article(pipeline(article), run, "h")
            fresh[out.article.value] = summarise(out.triples + out.shared_triples, mapper.ng.iri,
                                                 article=out.article.value)
    linker = Linker(store, BASE)
    stored = {s["article"]: s for s in linker.summaries_from_store(sorted(fresh))}
    assert set(stored) == set(fresh)
    for iri, summary in fresh.items():
        s = stored[iri]
        # the store knows containment from every article; the fresh summary only its own
        assert {k: v for k, v in s.items() if k != "within"} == {k: v for k, v in summary.items() if k != "within"}, iri
        assert set(map(tuple, summary["within"])) <= set(map(tuple, s["within"])) | set(map(tuple, summary["within"]))
    assert sum(len(s["events"]) for s in fresh.values()) > 50
    assert sum(len(s["statements"]) for s in fresh.values()) > 100


def test_the_link_index_is_rebuilt_when_it_is_lost(tmp_path):
    seed_a, seed_b = sorted(SEEDS_DIR.glob("*.txt"))
    with open_store(tmp_path / "store") as store:
        load_paths(store, [seed_a])
    index = tmp_path / "store" / "links.sqlite3"
    assert index.exists()
    index.unlink()
    with open_store(tmp_path / "store") as store:
        load_paths(store, [seed_b])                      # links to what is there, index or not
        apart = canonical(store)
    together = open_store(":memory:")
    load_paths(together, [seed_a, seed_b])
    assert apart == canonical(together)
    with sqlite3.connect(index) as db:
        assert db.execute("SELECT COUNT(*) FROM summaries").fetchone()[0] == 2


def test_linking_asks_the_store_nothing_once_the_linker_is_made(synthetic, monkeypatch):
    """During a load the writer thread writes and makes checkpoints (closing and opening the
    database) while the next batch is linked, so the linker reads the store only when made."""
    store = open_store(":memory:")
    load_paths(store, [synthetic], link=False)
    linker = Linker(store, BASE)
    articles = [r["a"].value for r in store.select(
        "SELECT ?a WHERE { ?g a <http://localhost:8000/ontology#ArticleGraph> ; <http://www.w3.org/ns/prov#wasDerivedFrom> ?a }")]
    summaries = linker.summaries_from_store(sorted(articles))
    asked = []
    monkeypatch.setattr(type(store), "query", lambda self, *a, **k: asked.append(a[0][-80:]))
    records = linker.link(summaries, Run(BASE))
    assert records and asked == []


def test_a_stale_index_is_rebuilt(tmp_path):
    """An index that says more than the store (a rolled-back load) is not trusted."""
    seed_a, seed_b = sorted(SEEDS_DIR.glob("*.txt"))
    with open_store(tmp_path / "store") as store:
        load_paths(store, [seed_a, seed_b])
    with sqlite3.connect(tmp_path / "store" / "links.sqlite3") as db:
        db.execute("INSERT INTO summaries VALUES ('http://x/ghost', '{}')")
    with open_store(tmp_path / "store") as store:
        linker = Linker(store, BASE, str(tmp_path / "store" / "links.sqlite3"))
        assert linker.index.counts()[0] == 2
        linker.close()


def test_the_index_keeps_few_summaries_in_memory_and_reads_the_rest_back(monkeypatch):
    from loaders import link_index
    from loaders.link_index import LinkIndex

    monkeypatch.setattr(link_index, "CACHED_ARTICLES", 2)
    index = LinkIndex(":memory:")
    summaries = [{"article": f"http://x/a{i}", "pub": "2024-05-0%d" % (i + 1), "amounts": [], "statements": [],
                  "within": [], "events": [{"iri": f"http://x/e{i}", "type": "Talks", "modality": "Occurred",
                                            "time": None, "place": None, "place_label": None,
                                            "actors": ["http://x/p"], "unnamed": {}, "labels": {},
                                            "reacts_to": []}]} for i in range(5)]
    for x in summaries:
        index.put(x)
    assert len(index._cache) == 2                          # bounded
    assert index.summary("http://x/a0") == summaries[0]    # read back from SQLite when evicted
    assert index.events("http://x/a1")["http://x/e1"].pub == "2024-05-02"
    assert index.article_of("http://x/e3") == "http://x/a3"
    index.forget_articles(["http://x/a0", "http://x/a4"])
    assert index.summary("http://x/a0") is None and index.summary("http://x/a4") is None
    assert index.events("http://x/a4") == {} and index.article_of("http://x/e4") is None


def test_workers_are_given_a_bounded_amount_of_work_ahead():
    from loaders.work import AHEAD, _weight

    assert _weight("a.txt") == _weight(("a.html", 0, None, 1)) == 1
    piece = _weight(("a.jsonl", 0, 1 << 20, 1))
    assert piece == _weight(("a.jsonl", 5 << 20, None, 900)) == _weight(("b.jsonl", 0, None, 1))
    assert 100 < piece < AHEAD and _weight(("a.jsonl", 0, 4096, 1)) == 1


def test_a_large_load_compacts_the_store_and_a_small_one_does_not(tmp_path, synthetic, monkeypatch):
    from newsgraph import store as store_module

    compacted = []
    real = store_module.Session.compact
    monkeypatch.setattr(store_module.Session, "compact", lambda self: (compacted.append(1), real(self)))
    files = sorted(p for p in synthetic.rglob("*") if p.is_file())
    with open_store(tmp_path / "store") as store:
        assert load_paths(store, files[:40]).loaded == 40
        assert compacted == [1]                            # all of the store is new
        assert load_paths(store, files[40:42]).loaded == 2
        assert compacted == [1]                            # 2 of 42: not worth compacting it all
        assert load_paths(store, files[42:]).loaded == 18
        assert compacted == [1, 1]
        assert store.ask("ASK { ?s a <http://schema.org/NewsArticle> }")
        n = store.select("SELECT (COUNT(*) AS ?n) WHERE { ?a a <http://schema.org/NewsArticle> }")[0]["n"]
        assert int(n.value) == 60


def test_a_failed_compaction_loses_nothing(tmp_path, synthetic, monkeypatch):
    from newsgraph import store as store_module

    def broken(self):
        raise OSError("disk full")

    monkeypatch.setattr(store_module.Session, "compact", broken)
    with open_store(tmp_path / "store") as store:
        report = load_paths(store, [synthetic])
        assert report.loaded == 60 and report.ok
        assert any("not compacted: OSError: disk full" in w for _, w in report.warnings)
        n = store.select("SELECT (COUNT(*) AS ?n) WHERE { ?a a <http://schema.org/NewsArticle> }")[0]["n"]
        assert int(n.value) == 60


def test_the_bench_reads_the_cpu_of_each_thread():
    import importlib.util

    spec = importlib.util.spec_from_file_location("bench_run", PROJECT_DIR / "bench" / "run.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    spin = ("import threading, time\n"
            "def spin(s):\n"
            "    t = time.thread_time()\n"
            "    while time.thread_time() - t < s: pass\n"
            "spin(0.6)\n"
            "t = threading.Thread(target=spin, args=(0.6,)); t.start(); t.join()\n"
            "time.sleep(0.2)\n")
    res, peak = bench.peak_rss_mb([sys.executable, "-c", spin])
    cpu = res["cpu_s"]
    assert peak > 0
    assert 0.4 <= cpu["main"] <= 1.0 and 0.4 <= cpu["other"] <= 1.0, cpu   # each spun 0.6 s
    assert cpu["rocksdb"] == 0 and cpu["all"] >= cpu["main"] + cpu["other"] - 0.2, cpu


def test_the_bench_counts_a_servers_child_processes():
    import importlib.util
    import subprocess

    spec = importlib.util.spec_from_file_location("bench_run", PROJECT_DIR / "bench" / "run.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    if bench.tree_cpu_s(os.getpid()) is None:
        pytest.skip("no /proc here: the bench reads process trees from it")
    # a parent that only waits, and its child that spins 0.6 s and then holds ~100 MB
    child = ("import time\nt = time.process_time()\nwhile time.process_time() - t < 0.6: pass\n"
             "size = 100 << 20\nx = b'x' * size\ntime.sleep(30)\n")
    parent = subprocess.Popen([sys.executable, "-c",
                               f"import subprocess, sys; subprocess.run([sys.executable, '-c', {child!r}])"])
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and bench._tree_rss(parent.pid) < 100_000:
            time.sleep(0.1)
        assert len(bench._tree(parent.pid)) == 2
        assert bench._tree_rss(parent.pid) >= 100_000          # KB: the child's 100 MB counted
        assert bench.tree_cpu_s(parent.pid) >= 0.5             # the child's spin counted
        # two servers that answer together (newsgraph over a remote store): both counted
        alone, here = bench.tree_cpu_s(parent.pid), bench.tree_cpu_s(os.getpid())
        assert bench.servers_cpu_s((parent.pid, os.getpid())) >= alone + here
    finally:
        for pid in bench._tree(parent.pid):        # the child too, or it would outlive the test
            os.kill(pid, signal.SIGKILL)
        parent.wait()
    assert bench.tree_cpu_s(parent.pid) is None and bench._tree(parent.pid) == {}
    assert bench.servers_cpu_s((os.getpid(), parent.pid)) is None     # one of them unknown: no sum


def test_the_bench_floor_answers_queries_and_only_queries():
    """bench/floor.py (the bench's third server): a query's own serialisation from pyoxigraph,
    a graph as Turtle when asked for it, and a 400 for a query that does not parse."""
    from urllib.parse import urlencode

    from floor import make_app

    store = open_store(None)
    store.update('INSERT DATA { GRAPH <http://g/1> { <http://x/a> <http://x/p> "one" } '
                 'GRAPH <http://g/2> { <http://x/a> <http://x/p> "two" } }')
    app = make_app(store)

    def get(query: str, accept: str = "") -> tuple[str, dict, bytes]:
        seen = {}
        body = b"".join(app({"QUERY_STRING": urlencode({"query": query}), "HTTP_ACCEPT": accept},
                            lambda status, headers: seen.update(status=status, headers=dict(headers))))
        assert seen["headers"]["Content-Length"] == str(len(body))
        return seen["status"], seen["headers"], body

    status, headers, body = get("SELECT ?o WHERE { <http://x/a> <http://x/p> ?o } ORDER BY ?o")
    assert status == "200 OK" and headers["Content-Type"] == "application/sparql-results+json"
    # the default graph is the union of the named graphs, as at the endpoint
    assert [b["o"]["value"] for b in json.loads(body)["results"]["bindings"]] == ["one", "two"]
    status, headers, body = get("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")
    assert headers["Content-Type"] == "application/n-triples" and body.count(b" .\n") == 2
    status, headers, body = get("DESCRIBE <http://x/a>", "text/turtle")
    assert headers["Content-Type"] == "text/turtle" and b'"one"' in body and b'"two"' in body
    status, headers, body = get("SELEC ?o")
    assert status == "400 Bad Request" and body


def _written_lines(monkeypatch) -> list:
    """Spy on the load's writes: the N-Quads lines of each bulk write, a list per write."""
    from newsgraph.store import Session

    writes, real = [], Session.add_graphs

    def spy(self, data):
        writes.append([line for line in data.splitlines() if line])
        return real(self, data)

    monkeypatch.setattr(Session, "add_graphs", spy)
    return writes


def test_an_entity_description_is_written_once_a_load(synthetic, monkeypatch):
    """Every article repeats the description of the things it names; a load writes each such
    line once (8 % of a synthetic load's lines came again), and the store is the same."""
    from loaders import writer

    entities = f"<{Mapper(BASE).entities_graph.value}> .".encode()
    writes = _written_lines(monkeypatch)
    once = open_store(":memory:")
    assert load_paths(once, [synthetic], batch_size=10, jobs=1).loaded == 60
    shared = [line for w in writes for line in w if line.endswith(entities)]
    assert shared and len(shared) == len(set(shared))
    writes.clear()
    monkeypatch.setattr(writer, "WRITTEN_MAX", 0)         # remembers nothing from batch to batch
    again = open_store(":memory:")
    assert load_paths(again, [synthetic], batch_size=10, jobs=1).loaded == 60
    repeated = [line for w in writes for line in w if line.endswith(entities)]
    assert len(repeated) > len(set(repeated)) == len(set(shared))
    assert canonical(once) == canonical(again)


def test_a_lost_article_leaves_no_thing_undescribed(synthetic, monkeypatch):
    """An article that cannot be written is lost alone; the descriptions it would have written
    first are not taken as written, so later articles naming the same things still give them."""
    from newsgraph.store import Session

    real = Session.add_graphs
    headline = sorted(synthetic.rglob("*.txt"))[3].read_text().splitlines()[0]
    lost = f'<http://schema.org/headline> "{headline}"'.encode()

    def flaky(self, data):
        if lost in data:
            raise OSError("disk full")
        return real(self, data)

    monkeypatch.setattr(Session, "add_graphs", flaky)
    store = open_store(":memory:")
    report = load_paths(store, [synthetic], batch_size=10, jobs=1)
    assert report.loaded == 59 and len(report.failed) == 1
    undescribed = store.select("""SELECT DISTINCT ?t WHERE {
        GRAPH ?g { ?g a <http://localhost:8000/ontology#ArticleGraph> . ?x ?p ?t }
        FILTER (REGEX(STR(?t), "/id/(person|organisation|place)/"))
        FILTER NOT EXISTS { ?t <http://www.w3.org/2000/01/rdf-schema#label> ?label } }""")
    assert undescribed == []
    # the link records made with it, spooled before it was lost, are dropped
    dangling = store.select("""SELECT ?r WHERE { GRAPH ?r { ?r <http://localhost:8000/ontology#fromArticle> ?a }
        FILTER NOT EXISTS { GRAPH ?g { ?g <http://www.w3.org/ns/prov#wasDerivedFrom> ?a } } }""")
    assert dangling == []


def test_spooled_batches_are_written_back_to_back(synthetic, tmp_path, monkeypatch, hold_spool):
    """Batches wait in the spool until a group is there, then are bulk-loaded one after the
    other (RocksDB merges bulk loads that come back to back); the spool is gone afterwards, and
    the store is the same as a load that writes each batch as it comes."""
    from loaders import writer
    from newsgraph.store import Session

    events, real_submit, real_add, real_group = [], writer.Writer.submit, Session.add_graphs, writer.group_bytes
    monkeypatch.setattr(writer.Writer, "submit", lambda self, b: events.append("spool") or real_submit(self, b))
    monkeypatch.setattr(Session, "add_graphs", lambda self, d: events.append("write") or real_add(self, d))
    hold_spool()
    with open_store(tmp_path / "grouped") as grouped:
        assert load_paths(grouped, [synthetic], batch_size=10, jobs=1).loaded == 60
        grouped_quads = canonical(grouped)
    assert events == ["spool"] * 6 + ["write"] * 6       # 60 articles: all in one group
    assert not (tmp_path / "grouped" / "spool").exists()
    events.clear()
    monkeypatch.setattr(writer, "group_bytes", real_group)
    with open_store(tmp_path / "single") as single:
        assert load_paths(single, [synthetic], batch_size=10, jobs=1).loaded == 60
        assert canonical(single) == grouped_quads
    # by default a group is half of what the load has written: here, a batch or two
    assert events.count("write") == 6 and events.index("write") < 5


def test_a_reload_of_changed_articles_does_not_depend_on_when_the_writer_writes(synthetic, tmp_path, hold_spool):
    """Some articles loaded, then changed and loaded again with the rest, in another order:
    the store ends the same whether the writer wrote each batch at once or held them all
    until the end (a changed article's old link records may still be in the spool)."""
    import random
    import shutil

    folder = tmp_path / "articles"
    shutil.copytree(synthetic, folder)
    files = sorted(folder.rglob("*.txt"))
    rng = random.Random(5)
    first = [f for f in files if rng.random() < 0.6]
    changed = rng.sample(first, 12)
    order = rng.sample(files, len(files))
    originals = {f: f.read_text(encoding="utf-8") for f in files}

    def load_twice() -> set[str]:
        for f, text in originals.items():
            f.write_text(text, encoding="utf-8")
        store = open_store(":memory:")
        load_paths(store, first, batch_size=7)
        for f in changed:
            f.write_text(originals[f].rstrip("\n") + " Officials in Berlin said talks would continue.\n", encoding="utf-8")
        report = load_paths(store, order, batch_size=7)
        assert report.loaded == len(files) - len(first) + len(changed) and not report.failed
        return canonical(store)

    at_once = load_twice()
    hold_spool()
    held = load_twice()
    assert held == at_once
    assert any("/id/disagreement/" in line for line in held)


def test_a_group_grows_with_what_the_load_has_written_up_to_a_bound():
    from loaders.writer import SPOOL_BYTES, group_bytes

    assert group_bytes(0) == 0                              # the first batch is written at once
    assert 0 < group_bytes(2**20) < group_bytes(2**26) < group_bytes(2**28) <= SPOOL_BYTES
    assert group_bytes(2**40) == SPOOL_BYTES


def test_a_group_that_fills_only_near_the_end_is_not_waited_for(tmp_path, monkeypatch):
    """Near the end of a load each batch is written as it comes: a group waited for would be
    written after the extraction, with nothing left to overlap it. A group is waited for only
    if a group's worth is still to come after it fills (its write takes about as long as the
    extraction of as much)."""
    from loaders import writer

    monkeypatch.setattr(writer, "group_bytes", lambda loaded: 1000)
    w = writer.Writer(None, ox.NamedNode("http://x/fromArticle"), print, str(tmp_path / "spool"))
    with w._cond:               # (held throughout: the writer thread never sees this queue)
        w._queue.append("a batch")
        w._waiting = 400
        assert not w._due()                 # the end not in sight: wait for a group
        w.expect(10_000)
        assert not w._due()                 # more to come than fills the group
        w.expect(1600)
        assert not w._due()                 # 400 + 1600: it fills, and a group's worth comes after
        w.expect(1599)
        assert w._due()                     # 400 + 1599: it would be written after the rest: write now
        w._queue.clear()
    w.close()


def test_batches_shrink_towards_the_end_of_a_load(synthetic, tmp_path, monkeypatch):
    """The last batch is written after the extraction ends, with nothing to overlap it: near
    the end a batch is flushed once it holds as many articles as are still to come, so the
    batches shrink to TAPER_MIN. (60 articles in batches of 50 would be 50 then 10.)"""
    from loaders.load import TAPER_MIN
    from loaders.writer import Writer

    sizes, real, said, real_expect = [], Writer.submit, [], Writer.expect
    monkeypatch.setattr(Writer, "submit", lambda self, b: sizes.append(len(b.articles)) or real(self, b))
    monkeypatch.setattr(Writer, "expect", lambda self, left: said.append(left) or real_expect(self, left))
    assert load_paths(open_store(":memory:"), [synthetic], batch_size=50, jobs=1).loaded == 60
    assert sum(sizes) == 60 and len(sizes) >= 3
    assert sizes == sorted(sizes, reverse=True) and max(sizes) < 50 and sizes[-1] <= TAPER_MIN
    # the same articles in one JSON Lines file come in one piece, all read at once: those not
    # taken yet are still to come, so the batches shrink only towards the end as well
    files = sorted(synthetic.rglob("*.txt"))
    lines = []
    for f in files:
        head, _, body = f.read_text(encoding="utf-8").partition("\n")
        lines.append(json.dumps({"headline": head, "body": body, "url": f"https://example.org/{f.stem}"}))
    bulk = tmp_path / "all.jsonl"
    bulk.write_text("\n".join(lines) + "\n", encoding="utf-8")
    sizes.clear()
    said.clear()
    assert load_paths(open_store(":memory:"), [bulk], batch_size=50, jobs=1).loaded == 60
    assert sizes[0] > TAPER_MIN and sizes == sorted(sizes, reverse=True), sizes
    # and the writer is told the same: N-Quads are still to come after the first batch
    assert said[0] > 0 and said[-1] == 0, said


def test_the_loader_tells_the_writer_how_much_is_still_to_come(synthetic, monkeypatch):
    """After each batch, the N-Quads still to come, at the rate the articles taken so far made
    them: ~5 batches' worth after the first of six, none after the last."""
    from loaders.writer import Writer

    said, real = [], Writer.expect
    monkeypatch.setattr(Writer, "expect", lambda self, left: said.append((left, self.spooled)) or real(self, left))
    assert load_paths(open_store(":memory:"), [synthetic], batch_size=10, jobs=1).loaded == 60
    assert len(said) == 6 and said[-1][0] == 0
    assert [left for left, _ in said] == sorted((left for left, _ in said), reverse=True)
    first, spooled = said[0]
    assert 3 < first / spooled < 8, said


def test_checkpoints_wait_their_turn_in_the_writer(synthetic, tmp_path, monkeypatch):
    """The loader asks for a checkpoint and goes on; the writer makes it once the batches
    submitted before it are written, so a checkpoint never publishes part of them."""
    import threading

    from loaders import writer
    from newsgraph.store import Session

    spooled, written, asked, made = [0], [0], [], []
    real_submit, real_add = writer.Writer.submit, Session.add_graphs
    real_ask, real_make = writer.Writer.checkpoint, Session.checkpoint
    monkeypatch.setattr(writer.Writer, "submit", lambda self, b: spooled.__setitem__(0, spooled[0] + 1) or real_submit(self, b))
    monkeypatch.setattr(Session, "add_graphs", lambda self, d: written.__setitem__(0, written[0] + 1) or real_add(self, d))

    def ask(self):
        with self._cond:                     # a request that finds one waiting is not queued
            if not self._checkpoints:
                asked.append(spooled[0])
            real_ask(self)

    monkeypatch.setattr(writer.Writer, "checkpoint", ask)
    monkeypatch.setattr(Session, "checkpoint", lambda self: made.append((written[0], threading.current_thread().name)) or real_make(self))
    with open_store(tmp_path / "store") as store:
        assert load_paths(store, [synthetic], batch_size=10, jobs=1, checkpoint_every=0).loaded == 60
    in_writer = [n for n, thread in made if thread == "newsgraph-writer"]
    assert len(in_writer) == len(asked) >= 2
    # each came after the writes of every batch spooled before it was asked for
    assert all(n >= a for n, a in zip(in_writer, asked))
    assert made[-1][1] == threading.current_thread().name    # the last: the session's, at the end


def test_a_spool_left_by_a_broken_off_load_is_cleared(synthetic, tmp_path):
    with open_store(tmp_path / "store") as store:
        (tmp_path / "store" / "spool").mkdir()
        (tmp_path / "store" / "spool" / "7.nq").write_text("<http://x/s> <http://x/p> <http://x/o> .\n")
        assert load_paths(store, [synthetic], batch_size=30, jobs=1).loaded == 60
        assert not store.ask("ASK { <http://x/s> ?p ?o }")
    assert not (tmp_path / "store" / "spool").exists()


def test_the_bench_store_alone_loads_every_quad_in_batches(tmp_path):
    """bench/batched.py (the load curve's reference): a dump split into parts by graph, each
    graph whole in one part, then loaded part by part, gives the same quads as the dump."""
    from batched import load, split

    dump = tmp_path / "dump.nq"
    dump.write_text("".join(f'<http://x/s{i}> <http://x/p> "{i} {i}" <http://g/{i % 5}> .\n' for i in range(40)))
    parts = split(str(dump), 3, tmp_path)
    graphs = [{line.rsplit(" ", 2)[-2] for line in p.read_text().splitlines()} for p in parts]
    assert sum(len(g) for g in graphs) == 5 and len(set().union(*graphs)) == 5   # each graph in one part
    assert load([str(p) for p in parts], str(tmp_path / "store")) == sum(1 for g in graphs if g)
    store = ox.Store.read_only(str(tmp_path / "store"))
    assert len(store) == 40 and set(store) == set(ox.parse(path=dump, format=ox.RdfFormat.N_QUADS))


def test_each_written_batch_gives_its_memory_back(tmp_path, synthetic, monkeypatch):
    from loaders import writer

    given, kept = [], []
    real_spool = writer.Writer._spool

    def spool(self, b):
        item = real_spool(self, b)
        kept.append(sum(len(x.data) for x, _ in b.articles))
        return item

    monkeypatch.setattr(writer, "give_back_memory", lambda: given.append(1) or True)
    monkeypatch.setattr(writer.Writer, "_spool", spool)
    with open_store(tmp_path / "store") as store:
        assert load_paths(store, [synthetic], batch_size=25, jobs=1).loaded == 60
    assert len(given) == 3                  # batches of 25, 25 and 10, each given back once written
    assert kept == [0, 0, 0]                # the spooled articles' N-Quads are let go


GLIBC_HEAP = """
import os, sys
from loaders.writer import give_back_memory
def resident_mb():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
before = resident_mb()
size = 2000
blocks = [b"x" * size for _ in range(60_000)]          # ~120 MB from malloc, pages touched
blocks = blocks[::64]                                  # freed, but a block kept every 128 KB
held = resident_mb()
print(held - before, int(give_back_memory()), held - resident_mb())
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="malloc_trim is glibc's (Linux)")
def test_freed_heap_memory_goes_back_to_the_system():
    import subprocess

    out = subprocess.run([sys.executable, "-c", GLIBC_HEAP], capture_output=True, text=True,
                         cwd=PROJECT_DIR, check=True).stdout.split()
    if out[1] == "0":
        pytest.skip("this C library has no malloc_trim (not glibc)")
    grown, given_back = float(out[0]), float(out[2])
    assert grown > 80                   # free() alone kept the pages (blocks between them live)
    assert given_back > 60              # malloc_trim gave most of them back


def test_the_bench_takes_turns_on_disjoint_requests_and_shows_medians():
    import importlib.util

    spec = importlib.util.spec_from_file_location("bench_run", PROJECT_DIR / "bench" / "run.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    paths = [f"/q{i}" for i in range(10)]
    shares = [bench.share(paths, r, 3) for r in range(3)]
    assert sorted(sum(shares, [])) == sorted(paths)                     # every request, once
    assert all(not set(a) & set(b) for a in shares for b in shares if a is not b)
    assert bench.share(["/one"], 2, 3) == ["/one"]                        # the repeated query: itself
    runs = [{"rps": 900.0, "p99_ms": 9.0, "non_200": 1, "cpu_us_per_request": None},
            {"rps": 100.0, "p99_ms": 1.0, "non_200": 0, "cpu_us_per_request": 50},
            {"rps": 500.0, "p99_ms": 3.0, "non_200": 2, "cpu_us_per_request": 70}]
    assert bench.median_run(runs) == {"rps": 500.0, "p99_ms": 3.0, "non_200": 3, "cpu_us_per_request": 70}
