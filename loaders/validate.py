"""SHACL validation of a store against ontology/shapes.ttl (pyshacl, over rdflib)."""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox
import rdflib
from pyshacl import validate

from newsgraph import ONTOLOGY_DIR
from newsgraph.store import Store

SHAPES_FILE = ONTOLOGY_DIR / "shapes.ttl"


@dataclass
class Validation:
    conforms: bool
    text: str
    triples: int
    violations: int


def shapes_graph(base: str) -> rdflib.Graph:
    g = rdflib.Graph()
    g.parse(SHAPES_FILE, format="turtle", publicID=base)
    return g


def union_graph(store: Store) -> rdflib.Graph:
    """All triples of all graphs as one rdflib graph (parsed by oxrdflib's native parser)."""
    triples = store.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")
    data = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
    g = rdflib.Graph()
    g.parse(data=data, format="ox-ntriples")
    return g


def validate_store(store: Store, base: str) -> Validation:
    data = union_graph(store)
    conforms, report, text = validate(data, shacl_graph=shapes_graph(base), inference="none",
                                      advanced=True, allow_warnings=True)
    sh = rdflib.Namespace("http://www.w3.org/ns/shacl#")
    violations = len(set(report.subjects(rdflib.RDF.type, sh.ValidationResult)))
    return Validation(bool(conforms), text, len(data), violations)
