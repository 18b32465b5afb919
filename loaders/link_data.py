"""What the linker needs to know about an article, read off its quads.

The same function reads the quads a worker has just made and the quads already in the store
(when the link index is rebuilt), so an article is summarised the same way either way.
A summary is plain JSON: events (type, modality, time, place, participants), statements
(speaker, words, stance, the events they are about) and amounts (value, unit, what is counted).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

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


def summarise(triples, ng_iri: str, article: str | None = None) -> dict | None:
    """The summary of the article (the one among these triples (ox terms), unless given), or
    None if there is none."""
    by: dict = defaultdict(lambda: defaultdict(list))
    for s, p, o in triples:
        by[s.value][p.value].append(o.value)

    def one(s, p):
        v = by.get(s, {}).get(p)
        return v[0] if v else None

    def local(iri):
        return iri.rsplit("#", 1)[-1] if iri else None

    def label(s):
        return one(s, LABEL)

    if article is None:
        articles = [s for s, po in by.items() if ng_iri + "Article" in po.get(RDF_TYPE, ())]
        if len(articles) != 1:
            return None
        article = articles[0]
    pub = (one(article, SCHEMA + "datePublished") or "")[:10]
    ctx = one(article, ng_iri + "bodyContext")
    kinds = {ng_iri + "UnnamedAgent": "UnnamedAgent", ng_iri + "AgentGroup": "AgentGroup"}

    def kind(s):
        types = by.get(s, {}).get(RDF_TYPE, ())
        return next((kinds[t] for t in types if t in kinds), None)

    events = []
    for s in sorted(by):
        po = by[s]
        if ng_iri + "modality" not in po or article not in po.get(ng_iri + "reportedIn", ()):
            continue
        types = sorted(local(t) for t in po.get(RDF_TYPE, ()) if t.startswith(ng_iri))
        specific = [t for t in types if t != "Event"]
        ev = Ev(s, specific[0] if specific else "Event", article, pub, local(po[ng_iri + "modality"][0]),
                time=one(s, SEM + "hasTimeStamp"))
        place = one(s, SEM + "hasPlace")
        if place:
            ev.place, ev.place_label = place, label(place)
        for actor in po.get(SEM + "hasActor", ()):
            k = kind(actor)
            if k is None:
                ev.actors.add(actor)
                ev.labels[actor] = label(actor)
                continue
            ev.unnamed[actor] = label(actor)
            if k == "AgentGroup":
                for member in by.get(actor, {}).get(ng_iri + "member", ()):
                    ev.actors.add(member)
                    ev.labels[member] = label(member)
        ev.reacts_to.update(po.get(ng_iri + "reactsTo", ()))
        events.append(ev.to_json())

    spans = {}
    statements = []
    for s in sorted(by):
        po = by[s]
        if ng_iri + "Statement" not in po.get(RDF_TYPE, ()) or article not in po.get(ng_iri + "reportedIn", ()):
            continue
        speaker = one(s, ng_iri + "speaker")
        statements.append({"iri": s, "speaker": speaker, "unnamed": kind(speaker) is not None,
                           "text": one(s, SCHEMA + "text"), "stance": local(one(s, ng_iri + "stance")),
                           "events": sorted(set(po.get(ng_iri + "about", ())) | set(po.get(ng_iri + "utteredIn", ())))})
        spans[s] = [(int(one(m, NIF + "beginIndex")), int(one(m, NIF + "endIndex")))
                    for m in po.get(GAF_DENOTED_BY, ()) if one(m, NIF + "beginIndex") is not None]

    amounts = []
    for s in sorted(by):
        po = by[s]
        if ng_iri + "Amount" not in po.get(RDF_TYPE, ()):
            continue
        begins = [int(one(m, NIF + "beginIndex")) for m in po.get(GAF_DENOTED_BY, ())
                  if one(m, NIF + "referenceContext") == ctx and one(m, NIF + "beginIndex") is not None]
        if not begins:
            continue
        b = min(begins)
        # the statement whose words hold the amount (the shortest, if several)
        holders = sorted((e - sb, st) for st, ss in spans.items() for sb, e in ss if sb <= b < e)
        amounts.append({"iri": s, "value": one(s, SCHEMA + "value"), "unit": one(s, SCHEMA + "unitText"),
                        "measures": one(s, ng_iri + "measures"), "qual": one(s, ng_iri + "qualifier"),
                        "label": label(s), "st": holders[0][1] if holders else None})
    within = sorted({(s, o) for s, po in by.items() for o in po.get(SCHEMA + "containedInPlace", ())})
    return {"article": article, "pub": pub, "events": events, "statements": statements, "amounts": amounts,
            "within": [list(w) for w in within]}


def events_of(summary: dict) -> dict[str, Ev]:
    return {d["iri"]: Ev.from_json(d, summary["article"], summary["pub"]) for d in summary["events"]}
