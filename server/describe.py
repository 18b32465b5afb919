"""The RDF document about one thing: its triples (with the graph each comes from), the labels
of what it points to, the triples that point to it (paged), and the mentions that ground it.

Every query binds the thing with a VALUES block written by pyoxigraph (``bind_values``): no
request text is ever put into SPARQL.
"""

from __future__ import annotations

import re

import pyoxigraph as ox

from newsgraph.sparql_text import bind_values
from newsgraph.terms import FOAF, KINDS, RDF, RDFS

BACKLINKS_PER_PAGE = 500
_SLUG = re.compile(r"[A-Za-z0-9._~-]{1,200}")


def thing_iri(base: str, kind: str, slug: str) -> ox.NamedNode | None:
    """The IRI for a request path, or None when it cannot be one the project minted."""
    if kind not in KINDS or not _SLUG.fullmatch(slug or ""):
        return None
    return ox.NamedNode(f"{base}id/{kind}/{slug}")


def exists(store, iri: ox.NamedNode) -> bool:
    return bool(store.query(bind_values("ASK { { ?x ?p ?o } UNION { ?s ?p ?x } }", {"x": iri})))


def _rows(store, query: str, iri: ox.NamedNode) -> list:
    result = store.query(bind_values(query, {"x": iri}))
    names = [v.value for v in result.variables]
    return [{n: row[n] for n in names} for row in result]


def _labels(store, things, add) -> None:
    """Add the rdfs:label of each IRI among `things` (terms from the store, written by pyoxigraph)."""
    iris = list(dict.fromkeys(t for t in things if isinstance(t, ox.NamedNode)))
    for i in range(0, len(iris), 200):
        values = " ".join(str(s) for s in iris[i:i + 200])
        for r in store.query(f"SELECT ?s ?l ?g WHERE {{ VALUES ?s {{ {values} }} "
                             "GRAPH ?g { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?l } }"):
            add(r["s"], RDFS.label, r["l"], r["g"])


def describe(store, iri: ox.NamedNode, doc: ox.NamedNode, page: int = 1) -> tuple[list, bool]:
    """(quads, more backlinks on a next page)."""
    quads: list = []
    seen = set()

    def add(s, p, o, g):
        q = ox.Quad(s, p, o, g if g is not None else ox.DefaultGraph())
        if q not in seen:
            seen.add(q)
            quads.append(q)

    # what the thing says, graph by graph
    own = _rows(store, "SELECT ?x ?p ?o ?g WHERE { GRAPH ?g { ?x ?p ?o } }", iri)
    for r in own:
        add(iri, r["p"], r["o"], r["g"])
    # (the labels of the things it points to are asked with those of the backlinks, below)
    # the mentions that ground it, with their text
    for r in _rows(store, """SELECT ?x ?m ?p ?o ?g WHERE { ?x <http://groundedannotationframework.org/gaf#denotedBy> ?m .
            GRAPH ?g { ?m ?p ?o } }""", iri):
        add(r["m"], r["p"], r["o"], r["g"])
    # backlinks, paged
    offset = (page - 1) * BACKLINKS_PER_PAGE
    back = _rows(store, f"""SELECT ?x ?s ?p ?g WHERE {{ GRAPH ?g {{ ?s ?p ?x }}
            FILTER (?p != <http://www.w3.org/1999/02/22-rdf-syntax-ns#first>) }}
            ORDER BY ?p ?s LIMIT {BACKLINKS_PER_PAGE + 1} OFFSET {offset}""", iri)
    more = len(back) > BACKLINKS_PER_PAGE
    for r in back[:BACKLINKS_PER_PAGE]:
        add(r["s"], r["p"], iri, r["g"])
    # labels of the things it points to and of those pointing here (asked by value: joined in
    # one query with the rest, the store would scan every label first)
    _labels(store, [r["o"] for r in own] + [r["s"] for r in back[:BACKLINKS_PER_PAGE]], add)
    # the document and its topic
    add(doc, RDF.type, FOAF.Document, None)
    add(doc, FOAF.primaryTopic, iri, None)
    add(iri, RDFS.isDefinedBy, doc, None)
    return quads, more
