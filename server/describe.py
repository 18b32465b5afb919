"""The RDF document about one thing: its triples (with the graph each comes from), the labels
of what it points to, and, paged, the mentions that ground it and the triples that point to it.

A hub (an outlet cited by thousands of articles) has thousands of mentions and backlinks: a page
holds at most MENTIONS_PER_PAGE of the one and BACKLINKS_PER_PAGE of the other, so a document
stays the same size however large the graph grows, and the next page is linked. Pages follow
the store's own index order, which is fixed for a version of the store (and the ETag carries
the version): an ORDER BY would have Oxigraph sort by the terms' text, which took 50-100 ms for
an outlet's 1,000 backlinks, where the first page in index order takes a few. A remote store
promises no order without ORDER BY (``Store.stable_order``), so there the pages are sorted.

Every query binds the thing with a VALUES block written by pyoxigraph (``bind_values``): no
request text is ever put into SPARQL.
"""

from __future__ import annotations

import re

import pyoxigraph as ox

from newsgraph.sparql_text import bind_values, values_block
from newsgraph.terms import FOAF, KINDS, RDF, RDFS

BACKLINKS_PER_PAGE = 500
MENTIONS_PER_PAGE = 100
GAF_DENOTED_BY = "http://groundedannotationframework.org/gaf#denotedBy"
_SLUG = re.compile(r"[A-Za-z0-9._~-]{1,200}")


def thing_iri(base: str, kind: str, slug: str) -> ox.NamedNode | None:
    """The IRI for a request path, or None when it cannot be one the project minted."""
    if kind not in KINDS or not _SLUG.fullmatch(slug or ""):
        return None
    return ox.NamedNode(f"{base}id/{kind}/{slug}")


def exists(store, iri: ox.NamedNode) -> bool:
    return bool(store.query(bind_values("ASK { { ?x ?p ?o } UNION { ?s ?p ?x } }", {"x": iri})))


def _rows(store, query: str, iri: ox.NamedNode) -> list[tuple]:
    """The solutions as tuples, in the order of the query's variables."""
    return [tuple(row) for row in store.query(bind_values(query, {"x": iri}))]


def _labels(store, things, add) -> None:
    """Add the rdfs:label of each IRI among `things` (terms from the store, written by pyoxigraph)."""
    iris = list(dict.fromkeys(t for t in things if isinstance(t, ox.NamedNode)))
    for i in range(0, len(iris), 200):
        for s, label, g in store.query(f"SELECT ?s ?l ?g WHERE {{ {values_block('s', iris[i:i + 200])} "
                                       "GRAPH ?g { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?l } }"):
            add(s, RDFS.label, label, g)


def describe(store, iri: ox.NamedNode, doc: ox.NamedNode, page: int = 1) -> tuple[list, bool]:
    """(quads, more mentions or backlinks on a next page); no quads if the graph has nothing
    about the thing on this page."""
    quads: list = []
    seen = set()

    def add(s, p, o, g):
        q = ox.Quad(s, p, o, g)
        if q not in seen:
            seen.add(q)
            quads.append(q)

    # what the thing says, graph by graph (but its mentions, which are paged)
    own = _rows(store, f"""SELECT ?p ?o ?g WHERE {{ GRAPH ?g {{ ?x ?p ?o }}
            FILTER (?p != <{GAF_DENOTED_BY}>) }}""", iri)
    for p, o, g in own:
        add(iri, p, o, g)
    # a page of the mentions that ground it, with their text
    offset = (page - 1) * MENTIONS_PER_PAGE
    sorted_mentions, sorted_back = ("", "") if store.stable_order else ("ORDER BY ?m ?mg", "ORDER BY ?p ?s ?g")
    listed = _rows(store, f"""SELECT ?m ?mg WHERE {{ GRAPH ?mg {{ ?x <{GAF_DENOTED_BY}> ?m }} }} {sorted_mentions}
            LIMIT {MENTIONS_PER_PAGE + 1} OFFSET {offset}""", iri)
    more = len(listed) > MENTIONS_PER_PAGE
    listed = listed[:MENTIONS_PER_PAGE]
    denoted_by = ox.NamedNode(GAF_DENOTED_BY)
    for m, mg in listed:
        add(iri, denoted_by, m, mg)
    if listed:
        values = values_block("m", dict.fromkeys(m for m, _ in listed))
        for m, p, o, g in store.query(f"SELECT ?m ?p ?o ?g WHERE {{ {values} GRAPH ?g {{ ?m ?p ?o }} }}"):
            add(m, p, o, g)
    # a page of backlinks
    back = _rows(store, f"""SELECT ?s ?p ?g WHERE {{ GRAPH ?g {{ ?s ?p ?x }}
            FILTER (?p != <http://www.w3.org/1999/02/22-rdf-syntax-ns#first>) }} {sorted_back}
            LIMIT {BACKLINKS_PER_PAGE + 1} OFFSET {(page - 1) * BACKLINKS_PER_PAGE}""", iri)
    more = more or len(back) > BACKLINKS_PER_PAGE
    back = back[:BACKLINKS_PER_PAGE]
    for s, p, g in back:
        add(s, p, iri, g)
    if not quads:
        return quads, False
    # labels of the things it points to and of those pointing here (asked by value: joined in
    # one query with the rest, the store would scan every label first)
    _labels(store, [o for _, o, _ in own] + [s for s, _, _ in back], add)
    # the document and its topic
    default = ox.DefaultGraph()
    add(doc, RDF.type, FOAF.Document, default)
    add(doc, FOAF.primaryTopic, iri, default)
    add(iri, RDFS.isDefinedBy, doc, default)
    return quads, more
