"""SHACL: the seeds' graph conforms, and the shapes do catch what is wrong."""

from collections import Counter

import pyoxigraph as ox
import pytest
import rdflib
from pyshacl import validate

from loaders import load_paths
from loaders.validate import SH, shapes_graph, validate_store
from newsgraph import SEEDS_DIR
from newsgraph.terms import NIF, RDF, SCHEMA, XSD, ng

BASE = "http://localhost:8000/"
SH_SHAPES = rdflib.Namespace(BASE + "ontology/shapes#")


def test_seeds_conform(seeded):
    result = validate_store(seeded, BASE)
    assert result.conforms, result.text
    assert result.triples > 400


def test_the_seeds_conform_in_small_pieces_too(seeded):
    """Things are validated a piece at a time: cut into pieces of 25 things, the seeds
    conform as they do whole, with the same triples."""
    whole, pieces = validate_store(seeded, BASE), validate_store(seeded, BASE, piece=25)
    assert pieces.conforms, pieces.text
    assert pieces.triples == whole.triples > 400


def test_article_without_headline_is_a_violation(store):
    g = ox.NamedNode(BASE + "id/graph/x")
    a = ox.NamedNode(BASE + "id/article/x")
    store.replace_graphs({g: [ox.Quad(a, RDF.type, ng(BASE).Article, g),
                              ox.Quad(a, SCHEMA.articleBody, ox.Literal("text"), g)]})
    result = validate_store(store, BASE)
    assert not result.conforms
    assert "headline" in result.text


def test_mention_whose_anchor_is_not_its_span_is_a_violation(store):
    g = ox.NamedNode(BASE + "id/graph/x")
    ctx, m = ox.NamedNode(BASE + "id/context/x"), ox.NamedNode(BASE + "id/mention/x-0-5")
    n = ng(BASE)
    quads = [
        (ctx, RDF.type, NIF.Context), (ctx, NIF.isString, ox.Literal("Kyiv is a city")),
        (m, RDF.type, n.Mention), (m, NIF.referenceContext, ctx),
        (m, NIF.beginIndex, ox.Literal("0", datatype=XSD.integer)),
        (m, NIF.endIndex, ox.Literal("5", datatype=XSD.integer)),
        (m, NIF.anchorOf, ox.Literal("Kyiv ")),
    ]
    store.replace_graphs({g: [ox.Quad(*t, g) for t in quads]})
    assert validate_store(store, BASE).conforms
    store.replace_graphs({g: [ox.Quad(*t, g) for t in quads[:-1]] +
                          [ox.Quad(m, NIF.anchorOf, ox.Literal("Kyiv"), g)]})
    result = validate_store(store, BASE)
    assert not result.conforms
    assert "anchorOf is not the text" in result.text


def test_negative_offset_is_a_violation(store):
    g = ox.NamedNode(BASE + "id/graph/x")
    m = ox.NamedNode(BASE + "id/mention/x")
    store.replace_graphs({g: [ox.Quad(m, RDF.type, ng(BASE).Mention, g),
                              ox.Quad(m, NIF.beginIndex, ox.Literal("-1", datatype=XSD.integer), g)]})
    result = validate_store(store, BASE)
    assert not result.conforms and "beginIndex" in result.text


def _whole(store, shapes) -> set:
    """pyshacl's violations over the store's whole union, as (focus, path, value, component)."""
    data = rdflib.Graph()
    data.parse(data=store.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }").serialize(format=ox.RdfFormat.N_TRIPLES),
               format="ox-ntriples")   # (as validate_store reads it: typed xsd:string)
    _, report, _ = validate(data, shacl_graph=shapes, inference="none", allow_warnings=True)
    return {tuple(report.value(r, p) for p in (SH.focusNode, SH.resultPath, SH.value, SH.sourceConstraintComponent))
            for r in report.subjects(SH.resultSeverity, SH.Violation)}


def _broken(store) -> tuple[dict, ox.NamedNode]:
    """The seeds, with a relay that is an event, an event that is a literal, an article that is
    untyped, a mention whose anchor is not its span, and a relay typed by a subclass of
    prov:Agent alone (which is right)."""
    assert load_paths(store, [SEEDS_DIR]).loaded == 2
    n = ng(BASE)
    row = store.select(f"""SELECT ?st ?ev ?m WHERE {{ ?st a <{n.Statement.value}> . ?ev a <{n.Event.value}> .
                           ?m a <{n.Mention.value}> }} LIMIT 1""")[0]
    g = ox.NamedNode(BASE + "id/graph/broken")
    agent = ox.NamedNode(BASE + "id/organisation/some-agency")
    store.replace_graphs({g: [ox.Quad(*t, g) for t in [
        (row["st"], n.via, row["ev"]),
        (row["st"], n.about, ox.Literal("an event")),
        (row["st"], n.reportedIn, ox.NamedNode(BASE + "id/article/nowhere")),
        (row["st"], n.via, agent), (agent, RDF.type, n.UnnamedAgent), (agent, RDF.type, n.Agent),
        (row["m"], NIF.anchorOf, ox.Literal("not the span")),
    ]]})
    return row, agent


def _as_whole(store, whole: set) -> None:
    """validate_store finds, in pieces large and small, the violations pyshacl finds whole. Of
    a value that breaks a shape reached by sh:node, pyshacl also reports what inside it broke,
    as a result about that value: a piece keeps such a result only if the value is its own."""
    nested = {value for _, _, value, component in whole if component == SH.NodeConstraintComponent}
    for piece in (25, 2000):
        result = validate_store(store, BASE, piece=piece)
        assert not result.conforms
        ours = {(focus, path, value, component) for _, focus, path, value, component, _ in result.results}
        assert {r for r in ours if r[3] != SH.SPARQLConstraintComponent} <= whole
        # (a SPARQL constraint's result names no path or value here; pyshacl's names the focus node)
        ours, theirs = {r[:2] + r[3:] for r in ours}, {r[:2] + r[3:] for r in whole}
        assert ours <= theirs
        assert all(focus in nested and path is None for focus, path, _ in theirs - ours), theirs - ours


def test_values_of_the_wrong_class_are_found_as_pyshacl_finds_them_over_the_whole_graph(store):
    """sh:class and the SPARQL constraints are run by the store, the rest by pyshacl piece by
    piece: the violations are those pyshacl finds over the whole graph at once."""
    row, agent = _broken(store)
    whole = _whole(store, shapes_graph(BASE))
    kinds = {c.split("#")[-1] for *_, c in whole}
    assert {"ClassConstraintComponent", "SPARQLConstraintComponent"} <= kinds, whole
    via = (rdflib.URIRef(row["st"].value), rdflib.URIRef(ng(BASE).via.value))
    assert via + (rdflib.URIRef(row["ev"].value), SH.ClassConstraintComponent) in whole
    assert via + (rdflib.URIRef(agent.value), SH.ClassConstraintComponent) not in whole
    _as_whole(store, whole)


def test_a_class_left_to_pyshacl_gets_the_types_of_what_a_piece_points_to(store, monkeypatch):
    """A class the store does not check (here, in a shape reached by sh:node) is left to
    pyshacl, and each piece then holds the types of what its things point to."""
    import loaders.validate

    def shapes(base):
        g = shapes_graph(base)
        g.parse(format="turtle", data=f"""
            @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ng: <{ng(BASE).Event.value[:-5]}> .
            <urn:test:relays> sh:targetClass ng:Statement ;
                sh:property [ sh:path ng:via ; sh:node [ sh:class <http://www.w3.org/ns/prov#Agent> ] ] .""")
        return g

    row, _ = _broken(store)
    whole = _whole(store, shapes(BASE))
    assert (rdflib.URIRef(row["st"].value), rdflib.URIRef(ng(BASE).via.value), rdflib.URIRef(row["ev"].value),
            SH.NodeConstraintComponent) in whole
    monkeypatch.setattr(loaders.validate, "shapes_graph", shapes)
    _as_whole(store, whole)


@pytest.mark.parametrize("deactivated", [False, True])
def test_the_store_runs_each_constraint_once_a_focus_node_and_not_at_all_when_deactivated(store, monkeypatch,
                                                                                          deactivated):
    """A thing that is an instance of two of a shape's targets (every mention is a nif:Phrase,
    every statement a schema:Claim) is one focus node: each of its results comes once, as
    pyshacl gives them over the whole graph. A constraint with sh:deactivated gives none."""
    import loaders.validate

    def shapes(base):
        g = shapes_graph(base)
        g.add((SH_SHAPES.Mention, SH.targetClass, rdflib.URIRef(NIF.Phrase.value)))
        g.add((SH_SHAPES.Statement, SH.targetClass, rdflib.URIRef(SCHEMA.Claim.value)))
        if deactivated:     # the SPARQL constraint, and the sh:class of ng:via
            g.add((g.value(SH_SHAPES.Mention, SH.sparql), SH.deactivated, rdflib.Literal(True)))
            via = rdflib.URIRef(ng(BASE).via.value)
            g.add((next(p for p in g.objects(SH_SHAPES.Statement, SH.property) if g.value(p, SH.path) == via),
                   SH.deactivated, rdflib.Literal(True)))
        return g

    def key(focus, path, value, component):
        return focus, path, value if component == SH.ClassConstraintComponent else None, component

    row, _ = _broken(store)
    picked = (SH.ClassConstraintComponent, SH.SPARQLConstraintComponent)
    data = rdflib.Graph()
    data.parse(data=store.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }").serialize(format=ox.RdfFormat.N_TRIPLES),
               format="ox-ntriples")
    _, report, _ = validate(data, shacl_graph=shapes(BASE), inference="none", allow_warnings=True)
    theirs = Counter(key(*(report.value(r, p) for p in (SH.focusNode, SH.resultPath, SH.value, SH.sourceConstraintComponent)))
                     for r in report.subjects(SH.resultSeverity, SH.Violation))
    theirs = Counter({k: n for k, n in theirs.items() if k[3] in picked})
    monkeypatch.setattr(loaders.validate, "shapes_graph", shapes)
    ours = Counter(key(*r[1:5]) for r in validate_store(store, BASE).results if r[4] in picked)
    st, m = rdflib.URIRef(row["st"].value), rdflib.URIRef(row["m"].value)
    sparql = (m, None, None, SH.SPARQLConstraintComponent)
    via = (st, rdflib.URIRef(ng(BASE).via.value), rdflib.URIRef(row["ev"].value), SH.ClassConstraintComponent)
    assert ours == theirs
    if deactivated:
        assert sparql not in ours and via not in ours, ours
    else:
        assert ours[sparql] == 1 and ours[via] == 1, ours


def test_only_a_class_on_a_focus_node_itself_needs_no_types_of_what_it_points_to():
    """sh:class left to pyshacl needs the types of what a piece points to unless its value
    nodes are the focus nodes themselves: on a node shape, or in its sh:or."""
    from loaders.validate import _on_focus

    shapes = rdflib.Graph().parse(format="turtle", data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix : <http://example.org/> .
        :Node sh:targetClass :A ; sh:class :B ; sh:or ( [ sh:class :C ] [ sh:not [ sh:class :D ] ] ) ;
              sh:property [ sh:path :p ; sh:class :E ; sh:or ( [ sh:class :F ] ) ] ;
              sh:property [ sh:path :q ; sh:node :Other ] .
        :Other sh:class :G .""")
    kinds = {str(k)[-1]: _on_focus(shapes, s) for s, k in shapes.subject_objects(SH["class"])}
    assert kinds == {"B": True, "C": True, "D": True, "E": False, "F": False, "G": False}


def test_pieces_checked_in_other_processes_give_the_same_report(tmp_path, monkeypatch):
    """With more than one piece, processes of their own check them, reading the store
    themselves: the same results and triples as this process alone finds."""
    import loaders.validate
    from newsgraph.store import open_store

    store = open_store(tmp_path / "store")
    _broken(store)
    here = []       # pieces checked in this process (the others import the module unchanged)
    check = loaders.validate._check
    monkeypatch.setattr(loaders.validate, "_check", lambda *a: here.append(1) or check(*a))
    alone = validate_store(store, BASE, piece=25, jobs=1)
    assert len(here) > 10
    here.clear()
    shared = validate_store(store, BASE, piece=25, jobs=2)
    assert here == []
    assert not alone.conforms and alone.violations >= 5
    assert sorted(map(repr, shared.results)) == sorted(map(repr, alone.results))
    assert shared.triples == alone.triples > 3000
    assert shared.text == alone.text


def test_a_process_that_reads_another_version_gives_its_pieces_back(tmp_path):
    """A checking process that opened another version of the store than the one validated
    (a load published a checkpoint in between) checks nothing: the piece is checked again
    by the validating process."""
    from loaders import validate as v
    from newsgraph.store import open_store

    store = open_store(tmp_path / "store")
    assert load_paths(store, [SEEDS_DIR]).loaded == 2
    shapes, schema = shapes_graph(BASE).serialize(format="turtle"), ox.serialize([], format=ox.RdfFormat.N_TRIPLES)
    things = [r["s"].value for r in store.select("SELECT DISTINCT ?s WHERE { ?s a ?c } LIMIT 5")]
    v._start_worker(str(tmp_path / "store"), store.version(), shapes, schema, False)
    try:
        found = v._worker_check(things)
        assert found is not None and found[1] > 0
        v._start_worker(str(tmp_path / "store"), "another", shapes, schema, False)
        assert v._worker_check(things) is None
    finally:
        v._worker["store"].unpin()
        v._worker.clear()
