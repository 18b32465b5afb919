"""Loading: the seeds, idempotent reloads, replaced articles, broken files, RDF files."""

import pyoxigraph as ox
import pytest

from loaders import load_paths
from newsgraph.store import Session
from newsgraph.store import StoreError

Q_ARTICLES = """PREFIX schema: <http://schema.org/>
SELECT ?a ?headline ?date ?author WHERE {
  ?a a schema:NewsArticle ; schema:headline ?headline ; schema:datePublished ?date .
  OPTIONAL { ?a schema:author/schema:name ?author } } ORDER BY ?headline"""

GOOD = ("Harbour Reopens\nMarch 1, 2025\nThe harbour reopened on Saturday after two weeks of "
        "repairs, the port authority said.\n")


def dump(store):
    return sorted(str(q) for q in store.query("SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }"))


def test_seeds_headlines_dates_author(seeded, expected):
    rows = seeded.select(Q_ARTICLES)
    assert [r["headline"].value for r in rows] == sorted(
        a["headline"] for a in expected["articles"].values())
    assert all(r["date"].value.startswith("2024-11-25") for r in rows)
    assert [r["author"].value for r in rows if "author" in r] == ["Camilla Jessen"]


def test_bodies_are_free_of_furniture(seeded, expected):
    bodies = [r["b"].value for r in seeded.select(
        "SELECT ?b WHERE { ?a <http://schema.org/articleBody> ?b }")]
    assert len(bodies) == 2
    for body in bodies:
        for art in expected["articles"].values():
            for junk in art["boilerplate"]:
                assert junk not in body
        assert any(body.startswith(a["body_starts"]) for a in expected["articles"].values())


def test_reload_changes_nothing(store, seeds_copy):
    first = load_paths(store, [seeds_copy])
    before = dump(store)
    second = load_paths(store, [seeds_copy])
    assert (first.loaded, second.loaded, second.unchanged) == (2, 0, 2)
    assert second.run is None
    assert dump(store) == before


def test_changed_article_replaces_its_graph(store, seeds_copy):
    load_paths(store, [seeds_copy])
    article_graphs = ("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?g a <http://localhost:8000/ontology#ArticleGraph> } }")
    graphs_before = {r["g"] for r in store.select(article_graphs)}
    path = next(seeds_copy.glob("004_*.txt"))
    path.write_text(path.read_text().replace("Barrot also previously confirmed", "Barrot later confirmed"))
    report = load_paths(store, [seeds_copy])
    assert (report.loaded, report.unchanged) == (1, 1)
    bodies = [r["b"].value for r in store.select("SELECT ?b WHERE { ?a <http://schema.org/articleBody> ?b }")]
    assert len(bodies) == 2
    assert any("Barrot later confirmed" in b for b in bodies)
    assert not any("Barrot also previously confirmed" in b for b in bodies)
    graphs_after = {r["g"] for r in store.select(article_graphs)}
    assert graphs_after == graphs_before


def test_broken_files_are_named_and_the_rest_load(store, tmp_path):
    (tmp_path / "good.txt").write_text(GOOD)
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "binary.txt").write_bytes(b"\x00\x01\x02\x03" * 50)
    (tmp_path / "notes.md").write_text("# not an article")
    report = load_paths(store, [tmp_path])
    assert report.loaded == 1
    failed = dict(report.failed)
    assert failed[str(tmp_path / "empty.txt")] == "empty file"
    assert "binary" in failed[str(tmp_path / "binary.txt")]
    assert report.skipped == [str(tmp_path / "notes.md")]
    assert store.ask('ASK { ?a <http://schema.org/headline> "Harbour Reopens" }')


def test_explicit_unknown_or_missing_file_fails(store, tmp_path):
    (tmp_path / "notes.md").write_text("x")
    report = load_paths(store, [tmp_path / "notes.md", tmp_path / "missing.txt"])
    reasons = dict(report.failed)
    assert "unknown file type '.md'" in reasons[str(tmp_path / "notes.md")]
    assert reasons[str(tmp_path / "missing.txt")] == "no such file"


def test_a_failing_write_loses_only_that_article(store, tmp_path, monkeypatch):
    (tmp_path / "a.txt").write_text(GOOD)
    (tmp_path / "b.txt").write_text(GOOD.replace("Harbour Reopens", "Bridge Closes"))
    real = Session.add_graphs

    def flaky(self, data):
        if b"bridge-closes" in data:
            raise OSError("disk full")
        return real(self, data)

    monkeypatch.setattr(Session, "add_graphs", flaky)
    report = load_paths(store, [tmp_path])
    assert report.loaded == 1
    assert [s for s, _ in report.failed] == [str(tmp_path / "b.txt")]
    assert "disk full" in report.failed[0][1]
    assert not store.ask('ASK { ?a <http://schema.org/headline> "Bridge Closes" }')
    monkeypatch.undo()
    again = load_paths(store, [tmp_path])         # the failed one loads when the fault is gone
    assert (again.loaded, again.unchanged) == (1, 1)


def test_rdf_files_into_a_graph_idempotently(store, tmp_path):
    ttl = tmp_path / "extra.ttl"
    ttl.write_text("@prefix ex: <http://ex.org/> . ex:a ex:p [ ex:q 1 ] .\n")
    g = "http://ex.org/graph"
    first = load_paths(store, [ttl], graph=g)
    assert first.rdf_files == 1
    n = len(store.select("SELECT * WHERE { GRAPH <http://ex.org/graph> { ?s ?p ?o } }"))
    assert n == 2
    second = load_paths(store, [ttl], graph=g)
    assert (second.rdf_files, second.unchanged) == (0, 1)
    assert len(store.select("SELECT * WHERE { GRAPH <http://ex.org/graph> { ?s ?p ?o } }")) == n


def test_invalid_rdf_file_is_reported(store, tmp_path):
    bad = tmp_path / "bad.ttl"
    bad.write_text("@prefix ex: <http://ex.org/> . ex:a ex:p .")
    report = load_paths(store, [bad])
    assert report.failed and report.failed[0][0] == str(bad)
    assert "not valid Turtle: Parser error at line 1" in report.failed[0][1]


def test_ontology_is_in_its_own_graph(seeded):
    base = seeded.recorded_base()
    assert base == "http://localhost:8000/"
    assert seeded.ask("ASK { GRAPH <http://localhost:8000/ontology> { "
                      "<http://localhost:8000/ontology#Statement> a <http://www.w3.org/2002/07/owl#Class> } }")


def test_base_is_recorded_and_a_different_one_is_refused(store, seeds_copy):
    load_paths(store, [seeds_copy], base="http://news.example/")
    assert store.recorded_base() == "http://news.example/"
    with pytest.raises(StoreError, match="loaded with base http://news.example/"):
        load_paths(store, [seeds_copy], base="http://other.example/")


def test_bad_base_is_refused(store, seeds_copy):
    with pytest.raises(ValueError, match="--base"):
        load_paths(store, [seeds_copy], base="not an iri")


def test_load_run_provenance(store, seeds_copy):
    report = load_paths(store, [seeds_copy])
    rows = store.select("""PREFIX prov: <http://www.w3.org/ns/prov#>
        SELECT ?g ?run ?start ?end ?sw WHERE { ?g prov:wasGeneratedBy ?run ; a <http://localhost:8000/ontology#ArticleGraph> .
          ?run prov:startedAtTime ?start ; prov:endedAtTime ?end ; prov:wasAssociatedWith ?sw }""",
                        substitutions={ox.Variable("run"): ox.NamedNode(report.run)})
    assert len(rows) == 2
    assert all(r["start"].value <= r["end"].value for r in rows)


def test_a_bad_stage_list_fails_before_anything_is_written(store, seeds_copy, monkeypatch):
    from loaders import registry
    from loaders.load import Loader

    built = []
    for name, info in list(registry._STAGES.items()):
        monkeypatch.setitem(registry._STAGES, name, info.__class__(
            info.name, lambda f=info.factory: built.append(1) or f(), info.requires, info.assigns))
    with pytest.raises(KeyError, match="no extraction stage named 'nope'"):
        Loader(store, stages=["tokens", "nope"])
    with pytest.raises(ValueError, match="requires tokens"):
        Loader(store, stages=["entities", "tokens"])
    assert built == [], "checking the list should not build the stages (spaCy takes a second)"
    assert dump(store) == []


def test_a_load_collects_less_often_and_puts_the_thresholds_back(store, tmp_path, monkeypatch):
    import gc

    from loaders.work import LOAD_GC_THRESHOLD

    (tmp_path / "a.txt").write_text(GOOD)
    before = gc.get_threshold()
    seen = []
    real = Session.add_graphs

    def spy(self, data):
        seen.append(gc.get_threshold())
        return real(self, data)

    monkeypatch.setattr(Session, "add_graphs", spy)
    assert load_paths(store, [tmp_path]).loaded == 1
    assert seen and set(seen) == {LOAD_GC_THRESHOLD}
    assert gc.get_threshold() == before
    monkeypatch.setattr(Session, "add_graphs", lambda self, data: 1 / 0)
    (tmp_path / "a.txt").write_text(GOOD.replace("Harbour Reopens", "Bridge Closes"))
    with pytest.raises(ZeroDivisionError):   # the store itself fails: the thresholds are back anyway
        load_paths(store, [tmp_path])
    assert gc.get_threshold() == before
