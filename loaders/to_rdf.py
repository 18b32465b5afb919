"""Article -> quads: its own named graph, plus shared descriptions of the things it mentions.

Each article's facts go to the graph ``{base}id/graph/<article slug>``, which says what it was
derived from and which load run generated it. What every article would say alike about a
person, organisation or place (type, label, owl:sameAs) goes once to ``{base}id/graph/entities``,
so the union default graph holds it once. Standard terms are written beside ours.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timezone

import pyoxigraph as ox

from newsgraph import __version__
from newsgraph.terms import (
    DCTERMS,
    GAF,
    NIF,
    OWL,
    PROV,
    RDF,
    RDFS,
    SCHEMA,
    SEM,
    VOID,
    XSD,
    mint,
    ng,
    short_hash,
    slugify,
)

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
    """Readable words (the URL's own slug when there is a URL, so that a headline worded
    differently in a feed does not make another article), then a hash of the identity."""
    words = _url_words(article.url) if article.url else None
    readable = slugify(words or article.headline or article.file_name or "article", max_len=48) or "article"
    return f"{readable}-{short_hash(article.identity())}"


def _url_words(url: str) -> str | None:
    """'.../2025/04/14/port-strike-ends-pay-deal/' -> 'port-strike-ends-pay-deal'."""
    path = url.split("://", 1)[-1].split("?", 1)[0].split("#", 1)[0]
    for part in reversed(path.split("/")[1:]):
        part = re.sub(r"\.(?:s?html?|php|aspx?)$", "", part)
        if "-" in part and sum(c.isalpha() for c in part) >= 8:
            return part
    return None


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
    """One article's triples: those of its graph, and what it adds to the shared entities graph."""

    graph: ox.NamedNode
    triples: list
    shared_triples: list
    entities_graph: ox.NamedNode
    article: ox.NamedNode = None

    @property
    def quads(self) -> list:
        return [ox.Quad(s, p, o, self.graph) for s, p, o in self.triples]

    @property
    def shared(self) -> list:
        return [ox.Quad(s, p, o, self.entities_graph) for s, p, o in self.shared_triples]

    def __len__(self) -> int:
        return len(self.triples) + len(self.shared_triples)

    def nquads(self) -> tuple[bytes, bytes]:
        """N-Quads of the article's graph, and of its shared quads (which other articles repeat)."""
        return nquads([(self.triples, self.graph)]), nquads([(self.shared_triples, self.entities_graph)])


def nquads(parts) -> bytes:
    """N-Quads for (triples, graph) pairs. Each term is written by pyoxigraph (``str(term)`` is
    its N-Triples form), once: making a Quad object per triple would cost more than the rest."""
    text: dict = {}
    get = text.get
    lines = []
    for triples, g in parts:
        end = f" {g} .\n"
        for s, p, o in triples:          # (inlined: 20 % faster than a helper per term)
            a = get(s)
            if a is None:
                a = text[s] = str(s)
            b = get(p)
            if b is None:
                b = text[p] = str(p)
            c = get(o)
            if c is None:
                c = text[o] = str(o)
            lines.append(f"{a} {b} {c}{end}")
    return "".join(lines).encode()


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

    def graph_of(self, article: Article) -> ox.NamedNode:
        """The named graph an article's facts go to (known before extraction)."""
        return mint(self.base, "graph", article_slug(article))

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
        ents = _Things(self, article, slug, ctx, t, shared)
        if article.publisher:
            pub = article.entities.get(f"organisation:{slugify(article.publisher)}")
            add((a, SCHEMA.publisher, self.outlet(article.publisher, shared, pub.wikidata if pub else None)))
        for key in article.cited:
            if key in article.entities:
                add((a, n.cites, ents.iri(key)))
        ents.entities(a)
        ents.times()
        ents.events(a)
        ents.statements(a)
        ents.amounts(a)

        return Output(graph, t, list(dict.fromkeys(shared)), self.entities_graph, a)

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

    def named(self, kind: str, label: str, shared: list, wikidata=None, outlet=False,
              within: str | None = None, within_id: str | None = None) -> ox.NamedNode:
        if kind == "person":
            return self.person(label, shared, wikidata)
        if outlet:
            return self.outlet(label, shared, wikidata)
        n = self.ng
        slug = slugify(label) or short_hash(label)
        if kind == "organisation":
            iri = mint(self.base, "organisation", slug)
            types = (n.Organization, SCHEMA.Organization, PROV.Organization, PROV.Agent)
        else:
            iri = mint(self.base, "place", slug)
            types = (n.Place, SCHEMA.Place)
        for cls in types:
            shared.append((iri, RDF.type, cls))
        shared.append((iri, RDFS.label, literal(label)))
        shared.append((iri, SCHEMA.name, literal(label)))
        if wikidata:
            shared.append((iri, OWL.sameAs, ox.NamedNode(WIKIDATA + wikidata)))
        if within and kind == "place":
            shared.append((iri, SCHEMA.containedInPlace, self.named("place", within, shared, within_id)))
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


TIME_TYPES = {"day": XSD.date, "month": XSD.gYearMonth, "year": XSD.gYear}
PRECISION = {"day": "DayPrecision", "month": "MonthPrecision", "year": "YearPrecision"}


def _words(name: str) -> str:
    """'CeasefireProposal' -> 'Ceasefire proposal'."""
    words = re.findall(r"[A-Z][a-z]*", name) or [name]
    return " ".join([words[0]] + [w.lower() for w in words[1:]])


def _short(text: str, n: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1].rstrip() + "…"


class _Things:
    """Mints and describes the things of one article (its mentions, statements, events ...)."""

    def __init__(self, mapper: Mapper, article: Article, slug: str, ctx, triples: list, shared: list):
        self.m = mapper
        self.a = article
        self.slug = slug
        self.ctx = ctx
        self.t = triples
        self.shared = shared
        self.n = mapper.ng
        self._iris: dict = {}
        self._mentions: set = set()
        self._time_iris: dict = {}

    def add(self, s, p, o):
        self.t.append((s, p, o))

    def iri(self, key: str):
        if key in self._iris:
            return self._iris[key]
        ent = self.a.entities[key]
        n = self.n
        if ent.kind in ("source", "group", "agent"):
            first = ent.mentions[0].begin if ent.mentions else 0
            iri = mint(self.m.base, ent.kind, f"{self.slug}-{first}")
            classes = {"source": (n.UnnamedSource, n.UnnamedAgent), "group": (n.AgentGroup,),
                       "agent": (n.UnnamedAgent,)}[ent.kind]
            for c in (*classes, n.Agent, PROV.Agent):
                self.add(iri, RDF.type, c)
            self.add(iri, RDFS.label, literal(ent.label))
            self._iris[key] = iri
            for member in ent.members:
                self.add(iri, n.member, self.agent(member))
        else:
            iri = self.m.named(ent.kind, ent.label, self.shared, ent.wikidata, ent.outlet,
                               ent.within, ent.within_id)
            self._iris[key] = iri
        return iri

    def agent(self, key: str):
        """A thing that speaks or relays: a place doing so acts as an agent (this article says)."""
        iri = self.iri(key)
        if self.a.entities[key].kind == "place":
            self.add(iri, RDF.type, self.n.Agent)
            self.add(iri, RDF.type, PROV.Agent)
        return iri

    def mention(self, span, thing) -> ox.NamedNode:
        m = mint(self.m.base, "mention", f"{self.slug}-{span.begin}-{span.end}")
        if m not in self._mentions:
            self._mentions.add(m)
            n = self.n
            self.add(m, RDF.type, n.Mention)
            self.add(m, RDF.type, NIF.Phrase)     # nif:String follows (Phrase is a String)
            self.add(m, NIF.beginIndex, literal(span.begin, XSD.integer))
            self.add(m, NIF.endIndex, literal(span.end, XSD.integer))
            self.add(m, NIF.anchorOf, literal(span.text))
            self.add(m, NIF.referenceContext, self.ctx)
        self.add(thing, GAF.denotedBy, m)
        return m

    def entities(self, article_iri) -> None:
        n = self.n
        for key, ent in self.a.entities.items():
            thing = self.iri(key)
            for span in ent.mentions:
                self.mention(span, thing)
            for role in ent.roles:
                self.add(thing, n.statedRole, literal(role))
            if ent.kind in ("person", "organisation", "place"):
                # how this article's words became this thing, and what makes it the same thing
                # in every other article
                res = mint(self.m.base, "resolution", f"{self.slug}-{thing.value.rsplit('/', 1)[-1]}")
                self.add(res, RDF.type, n.Resolution)
                self.add(res, RDF.type, PROV.Entity)
                self.add(res, n.resolvedTo, thing)
                self.add(res, PROV.wasDerivedFrom, article_iri)
                key_text = f"wikidata:{ent.wikidata}" if ent.wikidata else thing.value.split("/id/", 1)[1].replace("/", ":")
                self.add(res, n.identityKey, literal(key_text))
                self.add(res, n.rule, literal(ent.rule or "metadata"))
                forms = sorted({m.text for m in ent.mentions})
                for form in forms:
                    self.add(res, n.surfaceForm, literal(form))
                self.add(res, RDFS.label, literal(f"{', '.join(forms) or ent.label} → {ent.label}"))

    def time(self, te) -> ox.NamedNode:
        k = (te.span.begin, te.span.end, te.value)
        if k in self._time_iris:
            return self._time_iris[k]
        n = self.n
        iri = mint(self.m.base, "time", f"{self.slug}-{te.span.begin}-{te.span.end}")
        self._time_iris[k] = iri
        for c in (n.TimeExpression, SEM.Time):
            self.add(iri, RDF.type, c)
        self.add(iri, n.value, literal(te.value, TIME_TYPES[te.precision]))
        self.add(iri, n.precision, n[PRECISION[te.precision]])
        self.add(iri, RDFS.label, literal(te.span.text))
        self.mention(te.span, iri)
        return iri

    def times(self) -> None:
        for te in self.a.times:
            self.time(te)

    def event_iri(self, key: str) -> ox.NamedNode:
        ev = self.a.events[key]
        return mint(self.m.base, "event", f"{self.slug}-{slugify(ev.type)}-{ev.trigger.begin}")

    def events(self, article_iri) -> None:
        n = self.n
        for key, ev in self.a.events.items():
            iri = self.event_iri(key)
            for c in (n[ev.type], n.Event, SCHEMA.Event, SEM.Event, PROV.Entity):
                self.add(iri, RDF.type, c)
            label = [_words(ev.type)]
            self.add(iri, n.trigger, literal(ev.trigger.text))
            self.add(iri, n.modality, n[ev.modality])
            for actor in ev.actors:
                thing = self.iri(actor)
                self.add(iri, n.actor, thing)
                self.add(iri, SEM.hasActor, thing)
                label.append(self.a.entities[actor].label)
            if ev.place:
                place = self.iri(ev.place)
                self.add(iri, n.place, place)
                self.add(iri, SEM.hasPlace, place)
                label.append("in " + self.a.entities[ev.place].label)
            if ev.time is not None:
                value = literal(ev.time.value, TIME_TYPES[ev.time.precision])
                self.add(iri, n.timeStamp, value)
                self.add(iri, SEM.hasTimeStamp, value)
                self.add(iri, n.hasTime, self.time(ev.time))
                label.append(ev.time.value)
            self.add(iri, RDFS.label, literal(f"{label[0]}: " + (", ".join(label[1:]) or f"“{ev.trigger.text}”")))
            self.add(iri, n.reportedIn, article_iri)
            self.add(iri, PROV.wasDerivedFrom, article_iri)
            for span in [ev.trigger, *ev.mentions]:
                self.mention(span, iri)
            for target in ev.reacts_to:
                if target in self.a.events:
                    self.add(iri, n.reactsTo, self.event_iri(target))
                    self.add(iri, PROV.wasInfluencedBy, self.event_iri(target))

    def statements(self, article_iri) -> None:
        n = self.n
        for st in self.a.statements:
            suffix = f"-{st.cue.begin}" if st.cue is not None else ""
            iri = mint(self.m.base, "statement", f"{self.slug}-{st.content.begin}-{st.content.end}{suffix}")
            types = [n.Statement, SCHEMA.Claim, PROV.Entity]
            if st.form == "DirectQuote":
                types.append(SCHEMA.Quotation)
            for c in types:
                self.add(iri, RDF.type, c)
            speaker = self.agent(st.speaker)
            self.add(iri, n.speaker, speaker)
            self.add(iri, PROV.wasAttributedTo, speaker)
            self.add(iri, n.content, literal(st.content.text))
            self.add(iri, SCHEMA.text, literal(st.content.text))
            self.add(iri, RDFS.label, literal(_short(f"{self.a.entities[st.speaker].label}: {st.content.text}")))
            self.add(iri, n.reportedIn, article_iri)
            self.add(iri, PROV.wasDerivedFrom, article_iri)
            if st.cue is not None:
                self.add(iri, n.cue, literal(st.cue.text))
            self.add(iri, n.form, n[st.form])
            self.add(iri, n.stance, n[st.stance])
            chain = [speaker]
            for v in st.via:
                agent = self.agent(v)
                self.add(iri, n.via, agent)
                self.add(iri, PROV.wasInfluencedBy, agent)
                chain.append(agent)
            chain.append(article_iri)
            self._list(iri, n.relayChain, chain)
            if st.channel:
                self.add(iri, n.channel, self.agent(st.channel))
            if st.uttered_in:
                self.add(iri, n.utteredIn, self.event_iri(st.uttered_in))
            if st.time is not None:
                self.add(iri, n.utteranceTime, self.time(st.time))
            for ev in st.about:
                e = self.event_iri(ev)
                self.add(iri, n.about, e)
                self.add(iri, SCHEMA.about, e)
            self.mention(st.content, iri)

    def _list(self, subject, predicate, items) -> None:
        """An RDF list whose cells are IRIs under the subject (deterministic, no blank nodes)."""
        cells = [ox.NamedNode(f"{subject.value}#chain{i}") for i in range(len(items))]
        self.add(subject, predicate, cells[0])
        for i, (cell, item) in enumerate(zip(cells, items)):
            self.add(cell, RDF.first, item)
            self.add(cell, RDF.rest, cells[i + 1] if i + 1 < len(cells) else RDF.nil)

    def amounts(self, article_iri) -> None:
        n = self.n
        for am in self.a.amounts:
            iri = mint(self.m.base, "amount", f"{self.slug}-{am.span.begin}-{am.span.end}")
            for c in (n.Amount, SCHEMA.QuantitativeValue):
                self.add(iri, RDF.type, c)
            value = am.value
            lit = literal(int(value), XSD.integer) if value == int(value) else literal(repr(value), XSD.decimal)
            self.add(iri, SCHEMA.value, lit)
            self.add(iri, SCHEMA.unitText, literal(am.unit))
            self.add(iri, n.measures, literal(am.measures))
            if am.qualifier:
                self.add(iri, n.qualifier, literal(am.qualifier))
            self.add(iri, RDFS.label, literal(am.span.text))
            if am.about and am.about in self.a.events:
                owner = self.event_iri(am.about)
            elif am.about and am.about in self.a.entities:
                owner = self.iri(am.about)
            else:
                owner = article_iri
            self.add(owner, n.quantity, iri)
            self.mention(am.span, iri)
