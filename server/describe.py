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
no query to parse or plan, about 30 % less CPU a document than the same reads as SPARQL). A
remote store gets two SPARQL requests a document (one more for every 200 things a page
names); every IRI in them is written by pyoxigraph (``values_block``): no request text is ever
put into SPARQL.
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
_DENOTED_BY = ox.NamedNode(GAF_DENOTED_BY)
_SLUG = re.compile(r"[A-Za-z0-9._~-]{1,200}")


def thing_iri(base: str, kind: str, slug: str) -> ox.NamedNode | None:
    """The IRI for a request path, or None when it cannot be one the project minted."""
    if kind not in KINDS or not _SLUG.fullmatch(slug or ""):
        return None
    return ox.NamedNode(f"{base}id/{kind}/{slug}")


def exists(store, iri: ox.NamedNode) -> bool:
    return bool(store.query(bind_values("ASK { { ?x ?p ?o } UNION { ?s ?p ?x } }", {"x": iri})))


class _Sparql:
    """The document's reads as SPARQL, for a store in another process: two requests, one for
    what is about the thing and one for what that names (each read a subquery of its own, with
    the thing written into it by pyoxigraph: a subquery is evaluated before any outer binding)."""

    def __init__(self, store):
        self.store = store
        self.sort = not store.stable_order

    def first(self, iri, page: int) -> tuple[list, list, list]:
        """The thing's own (p, o, g) but its mentions; a page of its mentions (m, g), and one of
        what points to it (s, p, g) but list members."""
        x = values_block("x", [iri])
        mentions, back = ("ORDER BY ?m ?mg", "ORDER BY ?bp ?s ?bg") if self.sort else ("", "")
        rows = self.store.query(f"""SELECT ?p ?o ?g ?m ?mg ?s ?bp ?bg WHERE {{
            {{ SELECT ?p ?o ?g WHERE {{ {x} GRAPH ?g {{ ?x ?p ?o }} FILTER (?p != <{GAF_DENOTED_BY}>) }} }}
            UNION {{ SELECT ?m ?mg WHERE {{ {x} GRAPH ?mg {{ ?x <{GAF_DENOTED_BY}> ?m }} }} {mentions}
                     LIMIT {MENTIONS_PER_PAGE + 1} OFFSET {(page - 1) * MENTIONS_PER_PAGE} }}
            UNION {{ SELECT ?s ?bp ?bg WHERE {{ {x} GRAPH ?bg {{ ?s ?bp ?x }} FILTER (?bp != <{RDF.first.value}>) }} {back}
                     LIMIT {BACKLINKS_PER_PAGE + 1} OFFSET {(page - 1) * BACKLINKS_PER_PAGE} }} }}""")
        own, listed, pointing = [], [], []
        for p, o, g, m, mg, s, bp, bg in rows:
            if p is not None:
                own.append((p, o, g))
            elif m is not None:
                listed.append((m, mg))
            elif s is not None:
                pointing.append((s, bp, bg))
        return own, listed, pointing

    def named(self, mentions: list, labelled: list) -> list[tuple]:
        """(s, p, o, g): every triple of the mentions, and the rdfs:label of each of `labelled`,
        200 things a request (asked by value: joined in one query with the rest, the store would
        scan every label first)."""
        out = []
        todo = [(t, True) for t in mentions] + [(t, False) for t in labelled]
        for i in range(0, len(todo), 200):
            part = todo[i:i + 200]
            whole = [t for t, all_of in part if all_of]
            labels = [t for t, all_of in part if not all_of]
            branches = []
            if whole:
                branches.append(f"{{ {values_block('s', whole)} GRAPH ?g {{ ?s ?p ?o }} }}")
            if labels:
                branches.append(f"{{ {values_block('s', labels)} GRAPH ?g {{ ?s {RDFS.label} ?o }} BIND ({RDFS.label} AS ?p) }}")
            out += [tuple(r) for r in self.store.query(f"SELECT ?s ?p ?o ?g WHERE {{ {' UNION '.join(branches)} }}")]
        return out


class _Index:
    """The same reads straight from one version of an embedded store's indexes: no query to parse
    or plan, and every read sees that one version. Pages follow index order."""

    def __init__(self, db: ox.Store):
        self.db = db

    def _quads(self, s, p, o):
        return (q for q in self.db.quads_for_pattern(s, p, o, None) if type(q.graph_name) is not ox.DefaultGraph)

    def first(self, iri, page: int) -> tuple[list, list, list]:
        own = [(q.predicate, q.object, q.graph_name) for q in self._quads(iri, None, None)
               if q.predicate.value != GAF_DENOTED_BY]
        offset = (page - 1) * MENTIONS_PER_PAGE
        listed = [(q.object, q.graph_name) for q in
                  islice(self._quads(iri, _DENOTED_BY, None), offset, offset + MENTIONS_PER_PAGE + 1)]
        offset = (page - 1) * BACKLINKS_PER_PAGE
        pointing = (q for q in self._quads(None, None, iri) if q.predicate != RDF.first)
        back = [(q.subject, q.predicate, q.graph_name) for q in islice(pointing, offset, offset + BACKLINKS_PER_PAGE + 1)]
        return own, listed, back

    def named(self, mentions: list, labelled: list) -> list[tuple]:
        return [(q.subject, q.predicate, q.object, q.graph_name)
                for things, p in ((mentions, None), (labelled, RDFS.label)) for t in things for q in self._quads(t, p, None)]


def reads(store):
    """How the document's triples are read from this store."""
    db = store.snapshot() if store.stable_order else None
    return _Index(db) if db is not None else _Sparql(store)


def describe(store, iri: ox.NamedNode, doc: ox.NamedNode, page: int = 1,
             graphs: bool = True) -> tuple[list, bool]:
    """(quads, more mentions or backlinks on a next page); no quads if the graph has nothing
    about the thing on this page. Without `graphs`, triples, each once (for a triple format:
    made and compared once, not as quads first)."""
    quads: list = []
    seen = set()

    def add(s, p, o, g):
        q = ox.Quad(s, p, o, g) if graphs else ox.Triple(s, p, o)
        if q not in seen:
            seen.add(q)
            quads.append(q)

    read = reads(store)
    own, listed, back = read.first(iri, page)
    # what the thing says, graph by graph (but its mentions, which are paged)
    for p, o, g in own:
        add(iri, p, o, g)
    # a page of the mentions that ground it, with their text, and one of backlinks
    more = len(listed) > MENTIONS_PER_PAGE or len(back) > BACKLINKS_PER_PAGE
    listed, back = listed[:MENTIONS_PER_PAGE], back[:BACKLINKS_PER_PAGE]
    for m, mg in listed:
        add(iri, _DENOTED_BY, m, mg)
    for s, p, g in back:
        add(s, p, iri, g)
    if not quads:
        return quads, False
    # the mentions' triples, and the labels of the things it points to and of those pointing here
    labelled = [t for t in dict.fromkeys([o for _, o, _ in own] + [s for s, _, _ in back]) if isinstance(t, ox.NamedNode)]
    for row in read.named(list(dict.fromkeys(m for m, _ in listed)), labelled):
        add(*row)
    # the document and its topic
    default = ox.DefaultGraph()
    add(doc, RDF.type, FOAF.Document, default)
    add(doc, FOAF.primaryTopic, iri, default)
    add(iri, RDFS.isDefinedBy, doc, default)
    return quads, more
