"""SHACL validation of a store against ontology/shapes.ttl (pyshacl, over rdflib)."""

from __future__ import annotations

import multiprocessing
import os
import re
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from functools import partial
from typing import Callable, NamedTuple

import pyoxigraph as ox
import rdflib
from pyshacl import validate

from newsgraph import ONTOLOGY_DIR
from newsgraph.sparql_text import values_block
from newsgraph.store import MEMORY, Store, open_store

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


def validate_store(store: Store, base: str, piece: int = PIECE, jobs: int = 0) -> Validation:
    """Validate every typed thing in the store, `piece` at a time (pyshacl over rdflib holds
    what it validates in memory). Each piece's graph holds its things' triples and the
    ontology's subclass axioms; things come graph by graph, so that a piece holds whole
    articles, and only the results about the piece's own things are kept. With more than one
    piece, `jobs` processes (0: one a core) check them (pyshacl is Python: a core each).

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
    results, things = [], []
    store.pin()             # one version of the store throughout
    pieces = _Pieces(store, shapes, schema, typed, jobs or os.cpu_count() or 1)
    try:
        # (the filter, where "?s a ?c" would not, has Oxigraph read its graph-first index)
        for row in store.query("SELECT DISTINCT ?s WHERE { GRAPH ?g { ?s ?p ?c } FILTER (?p = <%s> && isIRI(?s)) }"
                               % rdflib.RDF.type):
            things.append(row["s"])
            if len(things) == piece:
                pieces.add(things)
                things = []
        if things:
            pieces.add(things)
        # (while the pieces are checked in the other processes)
        for c in constraints:
            # $this bound to each target in turn is, for these SELECTs, ?this joined with the targets
            instances = values_block("target_", map(ox.NamedNode, sorted({k for t in c.targets for k in below(t)})))
            select = c.select if c.kind is None else c.select.replace("$kinds", _iris(below(c.kind)))
            query = re.sub(r"(?i)\bWHERE\s*\{", lambda m: f"WHERE {{ {instances} ?this a ?target_ .", select, count=1)
            # (a focus node is one of the targets once, however many of them it is an instance of)
            results += dict.fromkeys(c.result(row) for row in store.query(query))
        results[:0], triples = pieces.results()
    finally:
        pieces.close()
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


class _Pieces:
    """Pieces checked in this process, or, from the second one on, by a pool of processes that
    read the store themselves, at this process's version of it (a piece whose process found
    another version is checked here again)."""

    def __init__(self, store: Store, shapes: rdflib.Graph, schema: list, typed: bool, jobs: int):
        self.store, self.shapes, self.schema, self.typed = store, shapes, schema, typed
        self.parallel = jobs > 1 and store.location != MEMORY
        self.jobs = jobs
        self.pool: ProcessPoolExecutor | None = None
        self.waiting: list = []     # pieces not handed out yet, as IRIs
        self.handed: list = []      # (piece, its future)
        self.found: list = []       # the results of pieces checked here
        self.triples = 0

    def add(self, things: list) -> None:
        if not self.parallel:
            self.triples += _check(self.store, things, self.shapes, self.schema, self.typed, self.found)
            return
        self.waiting.append([t.value for t in things])
        if self.pool is None and len(self.waiting) < 2:
            return      # (a single piece is not worth starting processes for)
        if self.pool is None:
            self.pool = ProcessPoolExecutor(
                min(self.jobs, len(self.waiting) + 1), mp_context=multiprocessing.get_context("spawn"),
                initializer=_start_worker,
                initargs=(self.store.location, self.store.version() if self.store.in_process else None,
                          self.shapes.serialize(format="turtle"),
                          ox.serialize(self.schema, format=ox.RdfFormat.N_TRIPLES), self.typed))
        try:
            self.handed += [(p, self.pool.submit(_worker_check, p)) for p in self.waiting]
        except BrokenProcessPool:       # (its pieces are checked here; so are those to come)
            self.parallel = False
            self.handed += [(p, None) for p in self.waiting]
        self.waiting = []

    def results(self) -> tuple[list, int]:
        """Every piece's results, and the number of their triples."""
        for p in self.waiting:
            self._here(p)
        for p, future in self.handed:
            try:
                done = future and future.result()
            except BrokenProcessPool:
                done = None
            if done is None:
                self._here(p)
            else:
                self.found += done[0]
                self.triples += done[1]
        return self.found, self.triples

    def _here(self, iris: list) -> None:
        self.triples += _check(self.store, list(map(ox.NamedNode, iris)), self.shapes, self.schema, self.typed,
                               self.found)

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)


_worker: dict = {}


def _start_worker(location: str, version: str | None, shapes: str, schema: bytes, typed: bool) -> None:
    store = open_store(location, create=False)
    store.pin()
    _worker.update(store=store, same=version is None or store.version() == version,
                   shapes=rdflib.Graph().parse(data=shapes, format="turtle"),
                   schema=list(ox.parse(schema, format=ox.RdfFormat.N_TRIPLES)), typed=typed)


def _worker_check(iris: list) -> tuple[list, int] | None:
    """A piece's results and number of triples; None if this process reads another version."""
    w = _worker
    if not w["same"]:
        return None
    results: list = []
    triples = _check(w["store"], list(map(ox.NamedNode, iris)), w["shapes"], w["schema"], w["typed"], results)
    return results, triples


def _report(results: list) -> str:
    lines = ["Validation Report", f"Conforms: {not any(r[0] == SH.Violation for r in results)}",
             f"Results ({len(results)}):"]
    for severity, focus, path, value, component, message in sorted(results, key=lambda r: tuple(map(str, r[1:3]))):
        lines.append(f"{severity.split('#')[-1]} in {component.split('#')[-1]}:")
        lines += [f"\t{k}: {v}" for k, v in (("Focus Node", focus), ("Result Path", path), ("Value Node", value),
                                              ("Message", message)) if v is not None]
    return "\n".join(lines) + "\n"
