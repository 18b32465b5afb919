"""SHACL validation of a store against ontology/shapes.ttl (pyshacl, over rdflib)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import partial
from typing import Callable, NamedTuple

import pyoxigraph as ox
import rdflib
from pyshacl import validate

from newsgraph import ONTOLOGY_DIR
from newsgraph.sparql_text import values_block
from newsgraph.store import Store

SHAPES_FILE = ONTOLOGY_DIR / "shapes.ttl"


@dataclass
class Validation:
    conforms: bool
    text: str
    triples: int
    violations: int
    #: (severity, focus node, path, value, constraint component, message), rdflib terms or None
    results: list = field(default_factory=list)


def shapes_graph(base: str) -> rdflib.Graph:
    g = rdflib.Graph()
    g.parse(SHAPES_FILE, format="turtle", publicID=base)
    return g


class Constraint(NamedTuple):
    """A constraint run by the store over all its targets: ?this is each SHACL instance of
    the `targets`; for sh:class, "$kinds" in the SELECT stands for `kind` and its subclasses."""

    targets: list
    select: str
    result: Callable        # a row -> (severity, focus, path, value, component, message)
    kind: rdflib.URIRef | None = None


#: typed things validated at a time: memory stays bounded however large the store
PIECE = 2000
SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")
LOGICAL = (rdflib.RDF.first, rdflib.RDF.rest, SH["or"], SH["and"], SH.xone, SH["not"])


def validate_store(store: Store, base: str, piece: int = PIECE) -> Validation:
    """Validate every typed thing in the store, `piece` at a time (pyshacl over rdflib holds
    what it validates in memory). Each piece's graph holds its things' triples and the
    ontology's subclass axioms; things come graph by graph, so that a piece holds whole
    articles, and only the results about the piece's own things are kept.

    Two kinds of constraint are run by the store instead, once each over all their targets:
    - the shapes' SPARQL constraints: pyshacl parses one anew for every focus node (34 ms a
      mention: 25 minutes of the 1,000 articles' 43,000 mentions);
    - sh:class on a property: in pyshacl it needs the types of what a piece points to, and
      those things then become focus nodes of their own shapes in a piece without their
      triples: thousands of results a piece, made and dropped."""
    shapes = shapes_graph(base)
    constraints = _sparql_constraints(shapes) + _class_constraints(shapes)
    # what sh:class pyshacl still has may need the types of what a piece points to
    typed = not all(_on_focus(shapes, s) for s in shapes.subjects(SH["class"], None))
    schema = list(store.query("CONSTRUCT { ?a ?p ?b } WHERE { ?a ?p ?b FILTER (?p IN (<%s>, <%s>)) }"
                              % (rdflib.RDFS.subClassOf, rdflib.RDFS.subPropertyOf)))
    below = _subclasses(schema)
    results, triples, things = [], 0, []
    store.pin()             # one version of the store throughout
    try:
        # (the filter, where "?s a ?c" would not, has Oxigraph read its graph-first index)
        for row in store.query("SELECT DISTINCT ?s WHERE { GRAPH ?g { ?s ?p ?c } FILTER (?p = <%s> && isIRI(?s)) }"
                               % rdflib.RDF.type):
            things.append(row["s"])
            if len(things) == piece:
                triples += _check(store, things, shapes, schema, typed, results)
                things = []
        if things:
            triples += _check(store, things, shapes, schema, typed, results)
        for c in constraints:
            # $this bound to each target in turn is, for these SELECTs, ?this joined with the targets
            instances = values_block("target_", map(ox.NamedNode, sorted({k for t in c.targets for k in below(t)})))
            select = c.select if c.kind is None else c.select.replace("$kinds", _iris(below(c.kind)))
            query = re.sub(r"(?i)\bWHERE\s*\{", lambda m: f"WHERE {{ {instances} ?this a ?target_ .", select, count=1)
            # (a focus node is one of the targets once, however many of them it is an instance of)
            results += dict.fromkeys(c.result(row) for row in store.query(query))
    finally:
        store.unpin()
    violations = sum(1 for r in results if r[0] == SH.Violation)
    return Validation(violations == 0, _report(results), triples, violations, results)


def _sparql_constraints(shapes: rdflib.Graph) -> list[Constraint]:
    """The shapes' SPARQL constraints (a SELECT, on a shape targeted by class), taken out of
    pyshacl's copy of the shapes."""
    constraints = []
    prefixes = "".join(f"PREFIX {shapes.value(d, SH.prefix)}: <{shapes.value(d, SH.namespace)}>\n"
                       for d in shapes.objects(None, SH.declare))
    for shape, c in list(shapes.subject_objects(SH.sparql)):
        targets = list(shapes.objects(shape, SH.targetClass))
        if not targets or shapes.value(c, SH.select) is None or _deactivated(shapes, shape, c):
            continue        # (targeted another way, not a SELECT, or off: left to pyshacl)
        select = prefixes + str(shapes.value(c, SH.select)).replace("$this", "?this")
        severity = shapes.value(shape, SH.severity) or SH.Violation
        message = rdflib.Literal(str(shapes.value(c, SH.message) or ""))
        constraints.append(Constraint(targets, select, lambda row, s=severity, m=message: (
            s, rdflib.URIRef(row["this"].value), None, None, SH.SPARQLConstraintComponent, m)))
        shapes.remove((shape, SH.sparql, c))
    return constraints


def _class_constraints(shapes: rdflib.Graph) -> list[Constraint]:
    """The sh:class of property shapes whose path is one predicate, on node shapes targeted
    by class alone, taken out of pyshacl's copy of the shapes."""
    constraints, done = [], []
    for prop, kind in shapes.subject_objects(SH["class"]):
        path = shapes.value(prop, SH.path)
        owners = list(shapes.subjects(SH.property, prop))
        if not isinstance(path, rdflib.URIRef) or not owners or not all(map(partial(_by_class_alone, shapes), owners)) \
                or _deactivated(shapes, prop, *owners):
            continue
        select = f"SELECT DISTINCT ?this ?v WHERE {{ ?this <{path}> ?v FILTER NOT EXISTS {{ VALUES ?kind_ {{ $kinds }} ?v a ?kind_ }} }}"
        severity = shapes.value(prop, SH.severity) or SH.Violation
        message = rdflib.Literal(str(shapes.value(prop, SH.message) or f"Value does not have class {kind}"))
        targets = [t for n in owners for t in shapes.objects(n, SH.targetClass)]
        constraints.append(Constraint(targets, select, lambda row, s=severity, p=path, m=message: (
            s, rdflib.URIRef(row["this"].value), p, _rdflib(row["v"]), SH.ClassConstraintComponent, m), kind))
        done.append((prop, SH["class"], kind))
    for t in done:
        shapes.remove(t)
    return constraints


def _deactivated(shapes: rdflib.Graph, *nodes) -> bool:
    """Whether any of these shapes or constraints is switched off (left to pyshacl, which skips it)."""
    return any(shapes.value(n, SH.deactivated) == rdflib.Literal(True) for n in nodes)


def _by_class_alone(shapes: rdflib.Graph, node) -> bool:
    """Whether a node shape's targets are all classes (the store's query then sees them all)."""
    return shapes.value(node, SH.targetClass) is not None and all(
        shapes.value(node, p) is None for p in (SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target))


def _on_focus(shapes: rdflib.Graph, node) -> bool:
    """Whether a shape's value nodes are its focus nodes themselves (a node shape, or a part of
    one's sh:or, sh:and, sh:xone or sh:not): its sh:class then needs only a piece's own types."""
    if shapes.value(node, SH.path) is not None:
        return False
    return all(p in LOGICAL and _on_focus(shapes, parent) for parent, p in shapes.subject_predicates(node))


def _subclasses(schema: list) -> Callable:
    """A function: class -> it and its subclasses (by the schema's rdfs:subClassOf), sorted."""
    below: dict = {}
    for t in schema:
        if t.predicate.value == str(rdflib.RDFS.subClassOf):
            below.setdefault(t.object.value, set()).add(t.subject.value)

    def closure(kind) -> list:
        seen, todo = {str(kind)}, [str(kind)]
        while todo:
            new = below.get(todo.pop(), set()) - seen
            seen |= new
            todo += new
        return sorted(seen)
    return closure


def _iris(names) -> str:
    return " ".join(f"<{n}>" for n in names)


def _rdflib(term):
    if isinstance(term, ox.NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return rdflib.BNode(term.value)
    return rdflib.Literal(term.value, lang=term.language,
                          datatype=None if term.language else rdflib.URIRef(term.datatype.value))


def _check(store: Store, things: list, shapes: rdflib.Graph, schema: list, typed: bool, results: list) -> int:
    """Validate these things; their results go into `results`; the number of their triples.
    `typed`: the piece holds the types of what its things point to too."""
    values = values_block("s", things)
    own = list(store.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {values} ?s ?p ?o }}"))
    around = list(store.query(f"""CONSTRUCT {{ ?o ?q ?v }} WHERE {{ {values} ?s ?p ?o FILTER (isIRI(?o))
        ?o ?q ?v FILTER (?q = <{rdflib.RDF.type}>) }}""")) if typed else []
    data = rdflib.Graph()
    data.parse(data=ox.serialize(own + around + schema, format=ox.RdfFormat.N_TRIPLES), format="ox-ntriples")
    _, report, _ = validate(data, shacl_graph=shapes, inference="none", inplace=True, allow_warnings=True)
    mine = {rdflib.URIRef(t.value) for t in things}
    for r in report.subjects(rdflib.RDF.type, SH.ValidationResult):
        if report.value(r, SH.focusNode) in mine:
            results.append((report.value(r, SH.resultSeverity),
                            *(report.value(r, p) for p in (SH.focusNode, SH.resultPath, SH.value,
                                                            SH.sourceConstraintComponent, SH.resultMessage))))
    return len(own)


def _report(results: list) -> str:
    lines = ["Validation Report", f"Conforms: {not any(r[0] == SH.Violation for r in results)}",
             f"Results ({len(results)}):"]
    for severity, focus, path, value, component, message in sorted(results, key=lambda r: tuple(map(str, r[1:3]))):
        lines.append(f"{severity.split('#')[-1]} in {component.split('#')[-1]}:")
        lines += [f"\t{k}: {v}" for k, v in (("Focus Node", focus), ("Result Path", path), ("Value Node", value),
                                              ("Message", message)) if v is not None]
    return "\n".join(lines) + "\n"
