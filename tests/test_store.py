"""The embedded store on disk: checkpoints for readers, one writer, clear errors."""

import multiprocessing
import time

import pyoxigraph as ox
import pytest

from newsgraph.store import EmbeddedStore, StoreBusy, StoreError, open_store

EX = "http://ex.org/"


def quad(i, g="g"):
    return ox.Quad(ox.NamedNode(f"{EX}s{i}"), ox.NamedNode(EX + "p"), ox.Literal(str(i)),
                   ox.NamedNode(EX + g))


def count(store):
    return len(store.select("SELECT ?s WHERE { ?s ?p ?o }"))


def test_a_reader_sees_a_later_write_without_reopening(tmp_path):
    reader = open_store(tmp_path / "st")
    writer = open_store(tmp_path / "st")
    assert count(reader) == 0
    v0 = reader.version()
    writer.replace_graphs({ox.NamedNode(EX + "g"): [quad(1), quad(2)]})
    assert count(reader) == 2
    assert reader.version() != v0


def test_a_pinned_thread_reads_one_version_until_unpinned(tmp_path):
    """A request pins the store: its ETag, Last-Modified and body come from one checkpoint even
    when a load publishes another meanwhile; other threads see the new one at once."""
    import threading

    reader = open_store(tmp_path / "st")
    writer = open_store(tmp_path / "st")
    writer.replace_graphs({ox.NamedNode(EX + "g"): [quad(1)]})
    reader.pin()
    v1, m1 = reader.version(), reader.last_modified()
    time.sleep(0.02)            # (a later modification time for the next checkpoint)
    writer.replace_graphs({ox.NamedNode(EX + "g"): [quad(1), quad(2), quad(3)]})
    assert count(reader) == 1 and reader.version() == v1 and reader.last_modified() == m1
    elsewhere = []
    t = threading.Thread(target=lambda: elsewhere.append((count(reader), reader.version())))
    t.start()
    t.join()
    assert elsewhere[0][0] == 3 and elsewhere[0][1] != v1
    reader.unpin()
    assert count(reader) == 3 and reader.version() != v1 and reader.last_modified() > m1


def test_replace_graph_is_whole(tmp_path):
    st = open_store(tmp_path / "st")
    g = ox.NamedNode(EX + "g")
    st.replace_graphs({g: [quad(1), quad(2), quad(3)]})
    st.replace_graphs({g: [quad(4)]})
    assert [r["o"].value for r in st.select("SELECT ?o WHERE { GRAPH ?g { ?s ?p ?o } }")] == ["4"]


def test_shared_quads_are_added_not_replaced(store):
    g, shared = ox.NamedNode(EX + "g"), quad(9, "shared")
    store.replace_graphs({g: [quad(1)]}, [shared])
    store.replace_graphs({g: [quad(2)]}, [quad(10, "shared")])
    assert count(store) == 3


def _hold_write_lock(path, ready, release):
    st = EmbeddedStore(path)
    with st.writing():
        ready.set()
        release.wait(10)


def test_second_writer_waits_then_gives_a_clear_busy_error(tmp_path):
    path = tmp_path / "st"
    EmbeddedStore(path)
    ctx = multiprocessing.get_context("spawn")
    ready, release = ctx.Event(), ctx.Event()
    p = ctx.Process(target=_hold_write_lock, args=(str(path), ready, release))
    p.start()
    try:
        assert ready.wait(20)
        st = EmbeddedStore(path)
        start = time.monotonic()
        with pytest.raises(StoreBusy, match="another process is writing"):
            with st.writing(wait=0.5):
                pass
        assert time.monotonic() - start < 5
        assert count(st) == 0                    # reading is not blocked by the writer
    finally:
        release.set()
        p.join(20)


def test_missing_store_is_not_created_for_reading(tmp_path):
    with pytest.raises(StoreError, match="no store here"):
        open_store(tmp_path / "nothing", create=False)
    assert not (tmp_path / "nothing").exists()


def test_folder_that_is_not_a_store_is_refused(tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "thesis.tex").write_text("x")
    with pytest.raises(StoreError, match="not a newsgraph store"):
        open_store(tmp_path / "docs")
    assert sorted(p.name for p in (tmp_path / "docs").iterdir()) == ["thesis.tex"]


def test_file_is_refused(tmp_path):
    (tmp_path / "f").write_text("x")
    with pytest.raises(StoreError, match="not a directory"):
        open_store(tmp_path / "f")


def test_data_survives_reopening(tmp_path):
    st = open_store(tmp_path / "st")
    st.replace_graphs({ox.NamedNode(EX + "g"): [quad(1)]})
    st.close()
    assert count(open_store(tmp_path / "st", create=False)) == 1


def test_old_checkpoints_are_pruned(tmp_path, monkeypatch):
    import newsgraph.store as store_mod

    monkeypatch.setattr(store_mod, "SNAPSHOT_GRACE_S", 0)
    st = open_store(tmp_path / "st")
    for i in range(6):
        st.replace_graphs({ox.NamedNode(EX + "g"): [quad(i)]})
    snaps = sorted(int(p.name) for p in (tmp_path / "st" / "snapshots").iterdir())
    assert snaps == [int((tmp_path / "st" / "VERSION").read_text())]     # past their grace: only the newest
    assert count(st) == 1


def test_a_long_lived_reader_removes_checkpoints_superseded_long_ago(tmp_path, monkeypatch):
    """After the last write nothing else would: the checkpoints a load left behind would keep
    the files its final compaction dropped on disk until the next write."""
    import newsgraph.store as store_mod

    writer = open_store(tmp_path / "st")
    for i in range(4):
        writer.replace_graphs({ox.NamedNode(EX + "g"): [quad(i)]})
    snaps = tmp_path / "st" / "snapshots"
    newest = int((tmp_path / "st" / "VERSION").read_text())
    assert len(list(snaps.iterdir())) == 5                   # all within their grace
    reader = open_store(tmp_path / "st", create=False)
    assert count(reader) == 1 and reader._tidier is None     # a short-lived reader leaves them
    monkeypatch.setattr(store_mod, "SNAPSHOT_GRACE_S", 0.5)
    reader._tidy_at = 0                                      # as a worker would, a while later
    time.sleep(0.6)
    assert count(reader) == 1
    reader._tidier.join(10)
    assert sorted(int(p.name) for p in snaps.iterdir()) == [newest]
    assert count(reader) == 1 and count(open_store(tmp_path / "st", create=False)) == 1


def test_the_loaders_nquads_come_back_term_for_term(tmp_path):
    """A session's add_graphs trusts the loaders' N-Quads (it does not check their IRIs again):
    whatever terms nquads() writes, however odd, are stored exactly as they were."""
    from loaders.to_rdf import nquads

    g = ox.NamedNode(EX + "g/é")
    triples = [
        (ox.NamedNode(EX + "Zürich/%C3%A9?q=a&b=c#f"), ox.NamedNode(EX + "p"), ox.Literal('say "no"\n\tthen\\go')),
        (ox.NamedNode(EX + "s"), ox.NamedNode(EX + "p"), ox.Literal("Grüße \U0001F600", language="de-AT")),
        (ox.NamedNode(EX + "s"), ox.NamedNode(EX + "p"),
         ox.Literal("2024-02-25", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#date"))),
        (ox.NamedNode(EX + "s"), ox.NamedNode(EX + "q"), ox.NamedNode("urn:isbn:0451450523")),
        (ox.NamedNode(EX + "s"), ox.NamedNode(EX + "q"), ox.Literal("")),
    ]
    st = open_store(tmp_path / "st")
    with st.session() as w:
        w.add_graphs(nquads([(triples, g)]))
    rows = st.select(f"SELECT ?s ?p ?o WHERE {{ GRAPH <{g.value}> {{ ?s ?p ?o }} }}")
    assert {(r["s"], r["p"], r["o"]) for r in rows} == set(triples)
