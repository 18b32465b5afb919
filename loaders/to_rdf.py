"""Article -> quads: its own named graph, plus shared descriptions of the things it mentions.

Each article's facts go to the graph ``{base}id/graph/<article slug>``, which says what it was
derived from and which load run generated it. What every article would say alike about a
person, organisation or place (type, label, owl:sameAs) goes once to ``{base}id/graph/entities``,
so the union default graph holds it once. Standard terms are written beside ours.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import date, datetime, timezone

import pyoxigraph as ox

from newsgraph import __version__
from newsgraph.terms import (DCTERMS, NIF, OWL, PROV, RDF, RDFS, SCHEMA, VOID, XSD, mint, ng,
                             short_hash, slugify)

from .article import Article

WIKIDATA = "http://www.wikidata.org/entity/"


def literal(value, datatype=None) -> ox.Literal:
    if datatype is None:
        return ox.Literal(value)
    return ox.Literal(str(value), datatype=datatype)


def date_literal(value: datetime | date) -> ox.Literal:
    if isinstance(value, datetime):
        return ox.Literal(value.isoformat(), datatype=XSD.dateTime)
    return ox.Literal(value.isoformat(), datatype=XSD.date)


def now() -> datetime:
    return datetime.now(timezone.utc).replace(microsecond=0)


def article_slug(article: Article) -> str:
    readable = slugify(article.headline or article.file_name or "article", max_len=48) or "article"
    return f"{readable}-{short_hash(article.identity())}"


@dataclass
class Run:
    """One load run (a prov:Activity)."""

    base: str
    started: datetime = field(default_factory=now)
    iri: ox.NamedNode = None

    def __post_init__(self):
        if self.iri is None:
            stamp = self.started.strftime("%Y%m%dT%H%M%SZ")
            self.iri = mint(self.base, "run", f"{stamp}-{short_hash(str(os.getpid()), str(id(self)), length=6)}")

    @property
    def software(self) -> ox.NamedNode:
        return mint(self.base, "software", f"newsgraph-{__version__}")


@dataclass
class Output:
    """The quads for one article: its graph, and what it adds to shared graphs."""

    graph: ox.NamedNode
    quads: list
    shared: list


class Mapper:
    """Maps Articles to quads under one base IRI."""

    def __init__(self, base: str):
        self.base = base
        self.ng = ng(base)
        self.entities_graph = mint(base, "graph", "entities")
        self.runs_graph = mint(base, "graph", "runs")
        self.void_graph = mint(base, "graph", "void")

    # ------------------------------------------------------------ shared graphs

    def run_start(self, run: Run) -> list:
        g, n = self.runs_graph, self.ng
        q = [
            (run.iri, RDF.type, n.LoadRun), (run.iri, RDF.type, PROV.Activity),
            (run.iri, RDFS.label, literal(f"load run {run.started.isoformat()}")),
            (run.iri, PROV.startedAtTime, date_literal(run.started)),
            (run.iri, PROV.wasAssociatedWith, run.software),
            (run.software, RDF.type, PROV.SoftwareAgent),
            (run.software, RDFS.label, literal(f"newsgraph {__version__}")),
            (run.software, SCHEMA.softwareVersion, literal(__version__)),
        ]
        return [ox.Quad(s, p, o, g) for s, p, o in q]

    def run_end(self, run: Run, count: int) -> list:
        g = self.runs_graph
        return [ox.Quad(run.iri, PROV.endedAtTime, date_literal(now()), g),
                ox.Quad(run.iri, self.ng.articleCount, literal(count, XSD.integer), g)]

    def void(self) -> list:
        d = mint(self.base, "dataset", "newsgraph")
        g = self.void_graph
        q = [
            (d, RDF.type, VOID.Dataset),
            (d, DCTERMS.title, literal("newsgraph")),
            (d, DCTERMS.description, literal("News articles as a knowledge graph of events, "
                                             "attributed statements and sources, with provenance.")),
            (d, VOID.uriSpace, literal(self.base + "id/")),
            (d, VOID.sparqlEndpoint, ox.NamedNode(self.base + "sparql")),
            (d, VOID.uriLookupEndpoint, ox.NamedNode(self.base + "id/")),
            (d, VOID.vocabulary, ox.NamedNode(self.ng.iri[:-1])),
            (d, VOID.vocabulary, ox.NamedNode(SCHEMA.iri)),
            (d, VOID.vocabulary, ox.NamedNode(PROV.iri)),
        ]
        return [ox.Quad(s, p, o, g) for s, p, o in q]

    # ------------------------------------------------------------ one article

    def article(self, article: Article, run: Run, input_hash: str) -> Output:
        slug = article_slug(article)
        graph = mint(self.base, "graph", slug)
        a = mint(self.base, "article", slug)
        ctx = mint(self.base, "context", slug)
        n = self.ng
        t: list = []       # triples for the article's graph
        shared: list = []  # triples for the entities graph
        add = t.append

        add((graph, RDF.type, n.ArticleGraph))
        add((graph, RDF.type, PROV.Bundle))
        add((graph, PROV.wasDerivedFrom, a))
        add((graph, PROV.wasGeneratedBy, run.iri))
        add((graph, PROV.generatedAtTime, date_literal(run.started)))
        add((graph, n.inputHash, literal(input_hash)))

        for cls in (n.Article, SCHEMA.NewsArticle, PROV.Entity):
            add((a, RDF.type, cls))
        if article.headline:
            add((a, SCHEMA.headline, literal(article.headline)))
            add((a, RDFS.label, literal(article.headline)))
        if article.published is not None:
            add((a, SCHEMA.datePublished, date_literal(article.published)))
        if article.modified is not None:
            add((a, SCHEMA.dateModified, date_literal(article.modified)))
        if article.section:
            add((a, SCHEMA.articleSection, literal(article.section)))
        if article.url:
            add((a, SCHEMA.url, ox.NamedNode(article.url)))
        if article.language:
            add((a, SCHEMA.inLanguage, literal(article.language)))
        if article.file_name:
            add((a, n.sourceFile, literal(article.file_name)))
        add((a, n.contentHash, literal(article.content_hash())))
        add((a, SCHEMA.articleBody, literal(article.body)))
        add((a, n.bodyContext, ctx))
        for cls in (n.TextContext, NIF.Context):
            add((ctx, RDF.type, cls))
        add((ctx, NIF.isString, literal(article.body)))
        add((ctx, NIF.sourceUrl, a))

        for name in article.authors:
            person = self.person(name, shared)
            add((a, SCHEMA.author, person))
        if article.publisher:
            add((a, SCHEMA.publisher, self.outlet(article.publisher, shared)))

        quads = [ox.Quad(s, p, o, graph) for s, p, o in t]
        shared_quads = [ox.Quad(s, p, o, self.entities_graph) for s, p, o in shared]
        return Output(graph, quads, shared_quads)

    # ------------------------------------------------------------ things

    def person(self, name: str, shared: list, wikidata: str | None = None) -> ox.NamedNode:
        iri = mint(self.base, "person", slugify(name) or short_hash(name))
        n = self.ng
        for cls in (n.Person, SCHEMA.Person, PROV.Person, PROV.Agent):
            shared.append((iri, RDF.type, cls))
        shared.append((iri, RDFS.label, literal(name)))
        shared.append((iri, SCHEMA.name, literal(name)))
        if wikidata:
            shared.append((iri, OWL.sameAs, ox.NamedNode(WIKIDATA + wikidata)))
        return iri

    def outlet(self, name: str, shared: list, wikidata: str | None = None) -> ox.NamedNode:
        iri = mint(self.base, "organisation", slugify(name) or short_hash(name))
        n = self.ng
        for cls in (n.Outlet, n.Organization, SCHEMA.Organization, SCHEMA.NewsMediaOrganization,
                    PROV.Organization, PROV.Agent):
            shared.append((iri, RDF.type, cls))
        shared.append((iri, RDFS.label, literal(name)))
        shared.append((iri, SCHEMA.name, literal(name)))
        if wikidata:
            shared.append((iri, OWL.sameAs, ox.NamedNode(WIKIDATA + wikidata)))
        return iri
