"""The RDF document about one thing: its triples (with the graph each comes from), the labels
of what it points to, and, paged, the mentions that ground it and the triples that point to it.

A hub (an outlet cited by thousands of articles) has thousands of mentions and backlinks: a page
holds at most MENTIONS_PER_PAGE of the one and BACKLINKS_PER_PAGE of the other, so a document
stays the same size however large the graph grows, and the next page is linked. Pages follow
the store's own index order, which is fixed for a version of the store (and the ETag carries
the version): an ORDER BY would have Oxigraph sort by the terms' text, which took 50-100 ms for
an outlet's 1,000 backlinks, where the first page in index order takes a few. A remote store
promises no order without ORDER BY (``Store.stable_order``), so there the pages are sorted.

An embedded store is read straight from its indexes (``quads_for_pattern`` on one checkpoint:
no query to parse or plan, about 40 % less CPU a document than the same reads as SPARQL). A
remote store gets SPARQL, where every query binds the thing with a VALUES block written by
pyoxigraph (``bind_values``): no request text is ever put into SPARQL.
"""

from __future__ import annotations

import re
from itertools import islice

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


class _Sparql:
    """The document's reads as SPARQL queries (a remote store: one request each)."""

    def __init__(self, store):
        self.store = store
        self.sort = not store.stable_order

    def about(self, iri, skip: str) -> list[tuple]:
        """(p, o, g) of the thing, but the predicate `skip`."""
        return _rows(self.store, f"SELECT ?p ?o ?g WHERE {{ GRAPH ?g {{ ?x ?p ?o }} FILTER (?p != <{skip}>) }}", iri)

    def objects(self, iri, p: str, offset: int, limit: int) -> list[tuple]:
        """(o, g) of the thing's `p`."""
        order = "ORDER BY ?o ?g" if self.sort else ""
        return _rows(self.store, f"SELECT ?o ?g WHERE {{ GRAPH ?g {{ ?x <{p}> ?o }} }} {order} "
                                 f"LIMIT {limit} OFFSET {offset}", iri)

    def pointing(self, iri, skip: str, offset: int, limit: int) -> list[tuple]:
        """(s, p, g) of the triples that point to the thing, but by the predicate `skip`."""
        order = "ORDER BY ?p ?s ?g" if self.sort else ""
        return _rows(self.store, f"SELECT ?s ?p ?g WHERE {{ GRAPH ?g {{ ?s ?p ?x }} FILTER (?p != <{skip}>) }} "
                                 f"{order} LIMIT {limit} OFFSET {offset}", iri)

    def of_each(self, things: list, p: ox.NamedNode | None = None) -> list[tuple]:
        """(s, p, o, g) of each of `things` (with the predicate `p` only, if given), 200 at a time
        (asked by value: joined in one query with the rest, the store would scan every label first)."""
        out = []
        for i in range(0, len(things), 200):
            values = values_block("s", things[i:i + 200])
            pattern = f"?s {p} ?o" if p is not None else "?s ?p ?o"
            select = "?s ?o ?g" if p is not None else "?s ?p ?o ?g"
            for row in self.store.query(f"SELECT {select} WHERE {{ {values} GRAPH ?g {{ {pattern} }} }}"):
                out.append((row[0], p, row[1], row[2]) if p is not None else tuple(row))
        return out


class _Index:
    """The same reads straight from one version of an embedded store's indexes: no query to parse
    or plan, and every read sees that one version. Pages follow index order."""

    def __init__(self, db: ox.Store):
        self.db = db

    def _quads(self, s, p, o):
        return (q for q in self.db.quads_for_pattern(s, p, o, None) if type(q.graph_name) is not ox.DefaultGraph)

    def about(self, iri, skip: str) -> list[tuple]:
        return [(q.predicate, q.object, q.graph_name) for q in self._quads(iri, None, None) if q.predicate.value != skip]

    def objects(self, iri, p: str, offset: int, limit: int) -> list[tuple]:
        quads = islice(self._quads(iri, ox.NamedNode(p), None), offset, offset + limit)
        return [(q.object, q.graph_name) for q in quads]

    def pointing(self, iri, skip: str, offset: int, limit: int) -> list[tuple]:
        quads = (q for q in self._quads(None, None, iri) if q.predicate.value != skip)
        return [(q.subject, q.predicate, q.graph_name) for q in islice(quads, offset, offset + limit)]

    def of_each(self, things: list, p: ox.NamedNode | None = None) -> list[tuple]:
        return [(q.subject, q.predicate, q.object, q.graph_name) for t in things for q in self._quads(t, p, None)]


def reads(store):
    """How the document's triples are read from this store."""
    db = store.snapshot() if store.stable_order else None
    return _Index(db) if db is not None else _Sparql(store)


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

    read = reads(store)
    # what the thing says, graph by graph (but its mentions, which are paged)
    own = read.about(iri, GAF_DENOTED_BY)
    for p, o, g in own:
        add(iri, p, o, g)
    # a page of the mentions that ground it, with their text
    listed = read.objects(iri, GAF_DENOTED_BY, (page - 1) * MENTIONS_PER_PAGE, MENTIONS_PER_PAGE + 1)
    more = len(listed) > MENTIONS_PER_PAGE
    listed = listed[:MENTIONS_PER_PAGE]
    denoted_by = ox.NamedNode(GAF_DENOTED_BY)
    for m, mg in listed:
        add(iri, denoted_by, m, mg)
    for row in read.of_each(list(dict.fromkeys(m for m, _ in listed))):
        add(*row)
    # a page of backlinks
    back = read.pointing(iri, RDF.first.value, (page - 1) * BACKLINKS_PER_PAGE, BACKLINKS_PER_PAGE + 1)
    more = more or len(back) > BACKLINKS_PER_PAGE
    back = back[:BACKLINKS_PER_PAGE]
    for s, p, g in back:
        add(s, p, iri, g)
    if not quads:
        return quads, False
    # labels of the things it points to and of those pointing here
    named = [t for t in dict.fromkeys([o for _, o, _ in own] + [s for s, _, _ in back]) if isinstance(t, ox.NamedNode)]
    for row in read.of_each(named, RDFS.label):
        add(*row)
    # the document and its topic
    default = ox.DefaultGraph()
    add(doc, RDF.type, FOAF.Document, default)
    add(doc, FOAF.primaryTopic, iri, default)
    add(iri, RDFS.isDefinedBy, doc, default)
    return quads, more
