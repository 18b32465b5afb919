"""What the linker needs to know about an article, read off its quads.

The same function reads the quads a worker has just made and the quads already in the store
(when the link index is rebuilt), so an article is summarised the same way either way.
A summary is plain JSON: events (type, modality, time, place, participants), statements
(speaker, words, stance, the events they are about) and amounts (value, unit, what is counted).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from types import SimpleNamespace

import pyoxigraph as ox

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
SCHEMA = "http://schema.org/"
SEM = "http://semanticweb.cs.vu.nl/2009/11/sem/"
GAF_DENOTED_BY = "http://groundedannotationframework.org/gaf#denotedBy"
NIF = "http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#"


@dataclass
class Ev:
    iri: str
    type: str
    article: str
    pub: str
    modality: str
    time: str | None = None
    place: str | None = None
    place_label: str | None = None
    actors: set = field(default_factory=set)          # named agents (groups expanded)
    unnamed: dict = field(default_factory=dict)       # iri -> label, per-article agents
    labels: dict = field(default_factory=dict)        # actor iri -> label
    reacts_to: set = field(default_factory=set)

    def to_json(self) -> dict:
        return {"iri": self.iri, "type": self.type, "modality": self.modality, "time": self.time,
                "place": self.place, "place_label": self.place_label, "actors": sorted(self.actors),
                "unnamed": self.unnamed, "labels": self.labels, "reacts_to": sorted(self.reacts_to)}

    @classmethod
    def from_json(cls, d: dict, article: str, pub: str) -> Ev:
        return cls(d["iri"], d["type"], article, pub, d["modality"], d["time"], d["place"], d["place_label"],
                   set(d["actors"]), d["unnamed"], d["labels"], set(d["reacts_to"]))


@lru_cache(maxsize=4)
def _terms(ng_iri: str) -> SimpleNamespace:
    """The predicates and classes a summary reads, as terms (for the ontology at ng_iri)."""
    iri = ox.NamedNode
    ng = {k: iri(ng_iri + k) for k in ("Article", "UnnamedAgent", "AgentGroup", "Statement", "Amount",
                                        "bodyContext", "modality", "reportedIn", "member", "reactsTo",
                                        "speaker", "stance", "about", "utteredIn", "measures", "qualifier")}
    return SimpleNamespace(
        **ng, type=iri(RDF_TYPE), label=iri(LABEL), published=iri(SCHEMA + "datePublished"),
        text=iri(SCHEMA + "text"), value=iri(SCHEMA + "value"), unit=iri(SCHEMA + "unitText"),
        within=iri(SCHEMA + "containedInPlace"), time=iri(SEM + "hasTimeStamp"),
        place=iri(SEM + "hasPlace"), actor=iri(SEM + "hasActor"), denoted=iri(GAF_DENOTED_BY),
        begin=iri(NIF + "beginIndex"), end=iri(NIF + "endIndex"), context=iri(NIF + "referenceContext"),
        kinds={ng["UnnamedAgent"]: "UnnamedAgent", ng["AgentGroup"]: "AgentGroup"})


def _value(term) -> str:
    return term.value


def summarise(triples, ng_iri: str, article: str | None = None) -> dict | None:
    """The summary of the article (the one among these triples (ox terms), unless given), or
    None if there is none. Triples are grouped by their terms, not their strings (twice as
    fast): only what the summary keeps is turned into text."""
    t = _terms(ng_iri)
    by: dict = {}
    for s, p, o in triples:
        po = by.get(s)
        if po is None:
            po = by[s] = {}
        os_ = po.get(p)
        if os_ is None:
            po[p] = [o]
        else:
            os_.append(o)
    nothing: dict = {}

    def first(s, p):
        v = by.get(s, nothing).get(p)
        return v[0] if v else None

    def one(s, p):
        v = first(s, p)
        return None if v is None else v.value

    def local(iri):
        return iri.rsplit("#", 1)[-1] if iri else None

    def label(s):
        return one(s, t.label)

    if article is None:
        articles = [s for s, po in by.items() if t.Article in po.get(t.type, ())]
        if len(articles) != 1:
            return None
        art = articles[0]
    else:
        art = ox.NamedNode(article)
    pub = (one(art, t.published) or "")[:10]
    ctx = one(art, t.bodyContext)

    def kind(s):
        return next((t.kinds[c] for c in by.get(s, nothing).get(t.type, ()) if c in t.kinds), None)

    def reported(test):         # the subjects that pass the test and are reported in the article
        return sorted((s for s, po in by.items() if test(po) and art in po.get(t.reportedIn, ())), key=_value)

    events = []
    for s in reported(lambda po: t.modality in po):
        po = by[s]
        types = sorted(local(c.value) for c in po.get(t.type, ()) if c.value.startswith(ng_iri))
        specific = [c for c in types if c != "Event"]
        ev = Ev(s.value, specific[0] if specific else "Event", art.value, pub, local(po[t.modality][0].value),
                time=one(s, t.time))
        place = first(s, t.place)
        if place is not None:
            ev.place, ev.place_label = place.value, label(place)
        for actor in po.get(t.actor, ()):
            k = kind(actor)
            if k is None:
                ev.actors.add(actor.value)
                ev.labels[actor.value] = label(actor)
                continue
            ev.unnamed[actor.value] = label(actor)
            if k == "AgentGroup":
                for member in by.get(actor, nothing).get(t.member, ()):
                    ev.actors.add(member.value)
                    ev.labels[member.value] = label(member)
        ev.reacts_to.update(map(_value, po.get(t.reactsTo, ())))
        events.append(ev.to_json())

    spans = {}
    statements = []
    for s in reported(lambda po: t.Statement in po.get(t.type, ())):
        po = by[s]
        speaker = first(s, t.speaker)
        statements.append({"iri": s.value, "speaker": speaker.value if speaker is not None else None,
                           "unnamed": kind(speaker) is not None, "text": one(s, t.text),
                           "stance": local(one(s, t.stance)),
                           "events": sorted({o.value for p in (t.about, t.utteredIn) for o in po.get(p, ())})})
        spans[s.value] = [(int(one(m, t.begin)), int(one(m, t.end)))
                          for m in po.get(t.denoted, ()) if one(m, t.begin) is not None]

    amounts = []
    for s in sorted((s for s, po in by.items() if t.Amount in po.get(t.type, ())), key=_value):
        begins = [int(one(m, t.begin)) for m in by[s].get(t.denoted, ())
                  if one(m, t.context) == ctx and one(m, t.begin) is not None]
        if not begins:
            continue
        b = min(begins)
        # the statement whose words hold the amount (the shortest, if several)
        holders = sorted((e - sb, st) for st, ss in spans.items() for sb, e in ss if sb <= b < e)
        amounts.append({"iri": s.value, "value": one(s, t.value), "unit": one(s, t.unit),
                        "measures": one(s, t.measures), "qual": one(s, t.qualifier),
                        "label": label(s), "st": holders[0][1] if holders else None})
    within = sorted({(s.value, o.value) for s, po in by.items() for o in po.get(t.within, ())})
    return {"article": art.value, "pub": pub, "events": events, "statements": statements, "amounts": amounts,
            "within": [list(w) for w in within]}


def events_of(summary: dict) -> dict[str, Ev]:
    return {d["iri"]: Ev.from_json(d, summary["article"], summary["pub"]) for d in summary["events"]}
