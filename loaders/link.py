"""The cross-source view: links between articles, made as each new article arrives.

* Event links: two articles' events of compatible type and reality, with evidence from shared
  participants, compatible time and place, close publication dates, or reactions to events
  already linked; then, in articles that tell the same story, the remaining events of the same
  type that have one candidate each. Each link says which rule and which score.
* Statement links: the same speaker about linked events, or in much the same words.
* Disagreements: linked events that differ in place, time or participants; the same kind of
  number given differently; one statement denying what another asserts.

Each link, statement link and disagreement is a named graph of its own, named by its IRI, with
the run that made it and the articles it came from. No IRI is ever rewritten: a wrong link is
undone with DROP GRAPH <link>, and a changed article's links are dropped and made again.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

import pyoxigraph as ox

from newsgraph.terms import PROV, RDF, RDFS, XSD, mint, ng, short_hash

from .to_rdf import literal

FAMILY = {"Talks": "talks", "Meeting": "talks", "Summit": "talks"}
REAL = {"Occurred", "Ongoing"}
THRESHOLD = 0.55
WINDOW_DAYS = 14
SYNONYMS = [{"soldiers", "servicemen", "troops", "fighters", "prisoners"},
            {"vessels", "tankers", "ships", "boats"},
            {"people", "persons", "civilians", "residents"}]
_STOP = set("""a an the of to in on at for from by with and or but that this these those is are was were be been
has have had will would could should may might not no its their his her it they he she we our you your as
about into over under after before than more most less such some any all each other there here which who whom
whose what when where why how said says also very just only then now new""".split())


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


class Linker:
    def __init__(self, store, base: str):
        self.store = store
        self.base = base
        self.n = ng(base)
        self._articles: dict[str, str] = {}
        self._shortcut: dict = {}
        self.prologue = (f"PREFIX ng: <{self.n.iri}>\nPREFIX schema: <http://schema.org/>\n"
                         "PREFIX sem: <http://semanticweb.cs.vu.nl/2009/11/sem/>\n"
                         "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
                         "PREFIX prov: <http://www.w3.org/ns/prov#>\n"
                         "PREFIX gaf: <http://groundedannotationframework.org/gaf#>\n"
                         "PREFIX nif: <http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#>\n")

    # ------------------------------------------------------------ reading the store

    def rows(self, query: str) -> list[dict]:
        out = []
        result = self.store.query(self.prologue + query)
        names = [v.value for v in result.variables]
        for r in result:
            out.append({k: (r[k].value if r[k] is not None else None) for k in names})
        return out

    def events(self, where: str) -> dict[str, Ev]:
        rows = self.rows(f"""SELECT ?e ?type ?article ?pub ?mod ?time ?place ?plabel ?actor ?alabel ?akind ?member ?mlabel ?target WHERE {{
            {where}
            ?e ng:reportedIn ?article ; a ?type ; ng:modality ?m .
            ?type rdfs:subClassOf+ ng:Event .
            BIND (STRAFTER(STR(?m), "#") AS ?mod)
            OPTIONAL {{ ?article schema:datePublished ?pub }}
            OPTIONAL {{ ?e sem:hasTimeStamp ?time }}
            OPTIONAL {{ ?e sem:hasPlace ?place . ?place rdfs:label ?plabel }}
            OPTIONAL {{ ?e sem:hasActor ?actor . ?actor rdfs:label ?alabel .
                        OPTIONAL {{ ?actor a ?akind FILTER (?akind IN (ng:UnnamedAgent, ng:AgentGroup)) }}
                        OPTIONAL {{ ?actor ng:member ?member . ?member rdfs:label ?mlabel }} }}
            OPTIONAL {{ ?e ng:reactsTo ?target }}
        }}""")
        evs: dict[str, Ev] = {}
        for r in rows:
            t = r["type"].rsplit("#", 1)[-1]
            ev = evs.get(r["e"])
            if ev is None:
                ev = evs[r["e"]] = Ev(r["e"], t, r["article"], (r["pub"] or "")[:10], r["mod"])
            elif ev.type in ("Meeting", "Event") and t not in ("Meeting", "Event"):
                ev.type = t                                   # the most specific type
            ev.time = ev.time or r["time"]
            if r["place"]:
                ev.place, ev.place_label = r["place"], r["plabel"]
            if r["actor"]:
                kind = (r["akind"] or "").rsplit("#", 1)[-1]
                if kind == "UnnamedAgent":
                    ev.unnamed[r["actor"]] = r["alabel"]
                elif kind == "AgentGroup":
                    ev.unnamed[r["actor"]] = r["alabel"]
                    if r["member"]:
                        ev.actors.add(r["member"])
                        ev.labels[r["member"]] = r["mlabel"]
                else:
                    ev.actors.add(r["actor"])
                    ev.labels[r["actor"]] = r["alabel"]
            if r["target"]:
                ev.reacts_to.add(r["target"])
        return evs

    def containment(self) -> dict[str, set]:
        rows = self.rows("SELECT ?a ?b WHERE { ?a schema:containedInPlace ?b }")
        out: dict = defaultdict(set)
        for r in rows:
            out[r["a"]].add(r["b"])
        return out

    # ------------------------------------------------------------ linking

    def link(self, articles: list[str], run) -> list:
        """Quads for the links of these (new or changed) articles."""
        if not articles:
            return []
        self._articles.clear()
        self._shortcut.clear()
        values = " ".join(f"<{a}>" for a in articles)
        new = self.events(f"VALUES ?article {{ {values} }}")
        if not new:
            return []
        within = self.containment()
        candidates = self.candidates(new, articles)
        pool = {**candidates, **new}
        existing = self.existing_links(set(pool))
        direct = self.event_links(new, pool, within, existing, passes=("direct",))
        # the partners' other events, for reactions and for events of the same story
        partners = {pool[e].article for pair in list(direct) + list(existing) for e in pair if e in pool}
        partners -= set(articles)
        if partners:
            more = self.events(f"VALUES ?article {{ {' '.join(f'<{a}>' for a in sorted(partners))} }}")
            pool.update(more)
        self._articles.update({e.iri: e.article for e in pool.values()})
        links = self.event_links(new, pool, within, existing | set(direct), passes=("reactions", "story"))
        links.update(direct)
        triples = self.event_link_quads(links, pool, run)
        triples += self.disagreement_quads(links, pool, within, run)
        triples += self.statement_quads(articles, links, existing, run)
        triples += self.number_quads(articles, links, pool, run)
        return [ox.Quad(s, p, o, self._graph_of(s, p, o)) for s, p, o in triples]

    def _graph_of(self, s, p, o) -> ox.NamedNode:
        """The record a triple belongs to: the link (or disagreement) it is about."""
        if p in (self.n.sameHappeningAs, self.n.alignedWith):
            return self._shortcut[(s.value, o.value)]
        return ox.NamedNode(s.value.split("#", 1)[0])

    def candidates(self, new: dict, articles: list[str]) -> dict:
        """Other articles' events that share a named participant, the place or the time with a new
        event, of a compatible kind, published within the window (or at the same time)."""
        actors = sorted({a for e in new.values() for a in e.actors})
        places = sorted({e.place for e in new.values() if e.place})
        times = sorted({e.time for e in new.values() if e.time})
        branches = []
        if actors:
            branches.append(f"{{ VALUES ?shared {{ {' '.join(f'<{a}>' for a in actors)} }} ?e sem:hasActor ?shared }}")
        if places:
            branches.append(f"{{ VALUES ?shared {{ {' '.join(f'<{a}>' for a in places)} }} ?e sem:hasPlace ?shared }}")
        if times:
            branches.append("{ ?e sem:hasTimeStamp ?tt FILTER (STR(?tt) IN (" + ", ".join(f'"{t}"' for t in times) + ")) }")
        if not branches:
            return {}
        types = " ".join(f"ng:{t}" for t in sorted({t2 for e in new.values() for t2 in _family_members(e.type)}))
        dates = sorted(e.pub for e in new.values() if e.pub)
        window = ""
        if dates:
            lo, hi = _shift(dates[0], -WINDOW_DAYS), _shift(dates[-1], WINDOW_DAYS)
            same_time = (" || STR(?t0) IN (" + ", ".join(f'"{t}"' for t in times) + ")") if times else ""
            window = ("OPTIONAL { ?article schema:datePublished ?p0 } BIND (SUBSTR(STR(?p0), 1, 10) AS ?d0) "
                      "OPTIONAL { ?e sem:hasTimeStamp ?t0 } "
                      f'FILTER ((BOUND(?d0) && ?d0 >= "{lo}" && ?d0 <= "{hi}"){same_time})')
        found = self.rows(f"""SELECT DISTINCT ?e WHERE {{ {' UNION '.join(branches)}
            VALUES ?t1 {{ {types} }} ?e a ?t1 ; ng:reportedIn ?article .
            FILTER (?article NOT IN ({', '.join(f'<{a}>' for a in articles)})) {window} }} LIMIT 5000""")
        if not found:
            return {}
        iris = " ".join(f"<{r['e']}>" for r in found)
        return self.events(f"VALUES ?e {{ {iris} }}")

    def existing_links(self, events: set) -> set:
        rows = self.rows("SELECT ?a ?b WHERE { ?l a ng:EventLink ; ng:event ?a , ?b FILTER (STR(?a) < STR(?b)) }")
        return {(r["a"], r["b"]) for r in rows if r["a"] in events or r["b"] in events}

    def event_links(self, new: dict, pool: dict, within: dict, existing: set,
                    passes=("direct", "reactions", "story")) -> dict:
        """{(iri, iri): (score, rule)} for links from the new events."""
        links: dict = {}
        linked = set(existing)

        def record(a, b, score, rule):
            key = tuple(sorted((a.iri, b.iri)))
            if key not in links or links[key][0] < score:
                links[key] = (round(score, 3), rule)
                linked.add(key)

        for step in ("direct", "reactions"):
            if step not in passes:
                continue
            for a in new.values():
                if (a.type == "Objection") != (step == "reactions"):
                    continue
                best: dict = {}
                for b in pool.values():
                    if b.article == a.article or not _same_family(a.type, b.type):
                        continue
                    if (a.modality in REAL) != (b.modality in REAL):
                        continue
                    first, second = sorted((a, b), key=lambda e: e.iri)    # the same words whichever came first
                    score, rule = self.score(first, second, within, linked)
                    if score >= THRESHOLD and score > best.get(b.article, (0, None, None))[0]:
                        best[b.article] = (score, rule, b)
                for score, rule, b in best.values():
                    record(a, b, score, rule)
        if "story" not in passes:
            return links
        # the same story: one leftover event of a type on each side
        story = {tuple(sorted((pool[x].article, pool[y].article))) for x, y in linked if x in pool and y in pool}
        linked_events = {x for pair in linked for x in pair}
        for art_a, art_b in story:
            left = [e for e in pool.values() if e.article == art_a and e.iri not in linked_events]
            right = [e for e in pool.values() if e.article == art_b and e.iri not in linked_events]
            for a in left:
                same = [b for b in right if b.type == a.type and b.modality == a.modality]
                mine = [x for x in left if x.type == a.type and x.modality == a.modality]
                if len(same) == 1 and len(mine) == 1 and (a.iri in new or same[0].iri in new):
                    b = same[0]
                    conflict = (a.time and b.time and not _time_ok(a.time, b.time)) or \
                        (a.place and b.place and not _place_ok(a.place, b.place, within))
                    if not conflict:
                        record(a, b, 0.6, f"same story: the only {a.type} ({a.modality.lower()}) on each side, "
                                          "in articles that share other linked events")
        return links

    def score(self, a: Ev, b: Ev, within: dict, linked: set) -> tuple[float, str]:
        score, why, evidence = 0.3, [f"same kind ({a.type}/{b.type})" if a.type != b.type else f"same kind ({a.type})"], False
        if a.actors and b.actors:
            shared = a.actors & b.actors
            if shared:
                score += 0.4 * len(shared) / min(len(a.actors), len(b.actors))
                why.append("shared participants: " + ", ".join(sorted(a.labels.get(x, x) for x in shared)))
                evidence = True
            else:
                score -= 0.2
                why.append("no shared participant")
        if a.time and b.time:
            if a.time == b.time:
                score += 0.2
                why.append(f"same time {a.time}")
                evidence = True
            elif _time_ok(a.time, b.time):
                score += 0.14
                why.append(f"compatible times {a.time} ~ {b.time}")
                evidence = True
            else:
                score -= 0.4
                why.append(f"different times {a.time} / {b.time}")
        if a.place and b.place:
            if a.place == b.place:
                score += 0.15
                why.append(f"same place {a.place_label}")
                evidence = True
            elif _place_ok(a.place, b.place, within):
                score += 0.1
                why.append(f"places {a.place_label} / {b.place_label}, one within the other")
                evidence = True
            else:
                score -= 0.1
                why.append(f"different places {a.place_label} / {b.place_label}")
        if a.reacts_to and b.reacts_to and any(tuple(sorted((x, y))) in linked for x in a.reacts_to for y in b.reacts_to):
            score += 0.4
            why.append("reactions to the same linked happening")
            evidence = True
        if a.pub and b.pub and abs(_days(a.pub, b.pub)) <= 2:
            score += 0.1
            why.append("published within two days")
        return (min(1.0, max(0.0, score)) if evidence else 0.0), "; ".join(why)

    # ------------------------------------------------------------ writing

    def _side(self, d, key: str, says: str, article: str, event: str | None = None,
              statement: str | None = None) -> list:
        n = self.n
        side = ox.NamedNode(f"{d.value}#{key}")
        q = [(d, n.side, side), (side, RDF.type, n.DisagreementSide), (side, RDF.type, PROV.Entity),
             (side, n.says, literal(says)), (side, n.fromArticle, ox.NamedNode(article))]
        if event:
            q.append((side, n.event, ox.NamedNode(event)))
        if statement:
            q.append((side, n.statement, ox.NamedNode(statement)))
        return q

    def _record(self, iri, cls, rule: str, score: float | None, articles, run) -> list:
        n = self.n
        q = [(iri, RDF.type, cls), (iri, RDF.type, PROV.Entity), (iri, n.rule, literal(rule)),
             (iri, PROV.wasGeneratedBy, run.iri)]
        if score is not None:
            q.append((iri, n.score, ox.Literal(f"{score:.3f}", datatype=XSD.decimal)))
        for a in sorted(set(articles)):
            q.append((iri, n.fromArticle, ox.NamedNode(a)))
        return q

    def event_link_quads(self, links: dict, pool: dict, run) -> list:
        n, out = self.n, []
        for (x, y), (score, rule) in links.items():
            iri = mint(self.base, "link", "event-" + short_hash(x, y))
            t = self._record(iri, n.EventLink, rule, score, [pool[x].article, pool[y].article], run)
            self._shortcut[(x, y)] = self._shortcut[(y, x)] = iri
            t += [(iri, n.event, ox.NamedNode(x)), (iri, n.event, ox.NamedNode(y)),
                  (ox.NamedNode(x), n.sameHappeningAs, ox.NamedNode(y)),
                  (ox.NamedNode(y), n.sameHappeningAs, ox.NamedNode(x)),
                  (iri, RDFS.label, literal(f"same happening: {pool[x].type} ({score:.2f})"))]
            out += t
        return out

    def disagreement_quads(self, links: dict, pool: dict, within: dict, run) -> list:
        n, out = self.n, []
        for (x, y) in links:
            a, b = pool[x], pool[y]
            diffs = []
            if a.place and b.place and a.place != b.place:
                diffs.append(("place", a.place_label, b.place_label, _place_ok(a.place, b.place, within)))
            if a.time and b.time and a.time != b.time:
                diffs.append(("time", a.time, b.time, _time_ok(a.time, b.time)))
            who_a = ", ".join(sorted(a.unnamed.values()))
            who_b = ", ".join(sorted(b.unnamed.values()))
            named_a = {a.labels[k] for k in a.actors}
            named_b = {b.labels[k] for k in b.actors}
            if (who_a and who_b and who_a.lower() != who_b.lower()) or (
                    a.type == "Objection" and named_a and named_b and named_a != named_b):
                diffs.append(("participants", who_a or ", ".join(sorted(named_a)),
                              who_b or ", ".join(sorted(named_b)), True))
            for aspect, va, vb, ok in diffs:
                d = mint(self.base, "disagreement", f"{aspect}-" + short_hash(x, y))
                rule = f"the same {a.type} (linked) with different {aspect}"
                t = self._record(d, n.Disagreement, rule, None, [a.article, b.article], run)
                t += [(d, n.aspect, literal(aspect)), (d, n.compatible, ox.Literal("true" if ok else "false", datatype=XSD.boolean)),
                      (d, n.event, ox.NamedNode(x)), (d, n.event, ox.NamedNode(y)),
                      (d, RDFS.label, literal(f"{aspect}: {va} / {vb}"))]
                t += self._side(d, "a", str(va), a.article, event=x)
                t += self._side(d, "b", str(vb), b.article, event=y)
                out += t
        return out

    def statement_quads(self, articles: list[str], links: dict, existing: set, run) -> list:
        """Statement links (same speaker, linked events or close words) and stance disagreements."""
        n = self.n
        linked_events = set(links) | set(existing)
        pairs = {tuple(sorted((x, y))) for x, y in linked_events}
        story_articles = set(articles)
        related = set(articles) | {self._article_of(e) for pair in linked_events for e in pair}
        related.discard("")
        st = self.rows(f"""SELECT ?s ?speaker ?skind ?text ?stance ?article ?about ?uttered WHERE {{
            VALUES ?article {{ {' '.join(f'<{a}>' for a in sorted(related))} }}
            ?s a ng:Statement ; ng:speaker ?speaker ; schema:text ?text ; ng:stance ?st ; ng:reportedIn ?article .
            BIND (STRAFTER(STR(?st), "#") AS ?stance)
            OPTIONAL {{ ?speaker a ?skind FILTER (?skind IN (ng:UnnamedAgent, ng:AgentGroup)) }}
            OPTIONAL {{ ?s ng:about ?about }} OPTIONAL {{ ?s ng:utteredIn ?uttered }}
        }}""")
        by: dict = {}
        for r in st:
            if r["article"] not in related:
                continue
            s = by.setdefault(r["s"], {"speaker": r["speaker"], "unnamed": bool(r["skind"]), "text": r["text"],
                                        "stance": r["stance"], "article": r["article"], "events": set()})
            for e in (r["about"], r["uttered"]):
                if e:
                    s["events"].add(e)
        story_pairs = {(self._article_of(x), self._article_of(y)) for x, y in pairs}
        out = []
        words = {k: _words(v["text"]) for k, v in by.items()}
        mine = [k for k, v in by.items() if v["article"] in story_articles]
        by_speaker: dict = defaultdict(list)
        for k, v in by.items():
            by_speaker[v["speaker"]].append(k)
        done = set()
        for s1 in mine:
            a = by[s1]
            # the same speaker elsewhere: a statement link
            for s2 in by_speaker[a["speaker"]]:
                b = by[s2]
                pair = tuple(sorted((s1, s2)))
                if s2 == s1 or pair in done or b["article"] == a["article"] or a["unnamed"]:
                    continue
                done.add(pair)
                via = any(tuple(sorted((x, y))) in pairs for x in a["events"] for y in b["events"])
                closeness = _overlap_sets(words[s1], words[s2])
                if via or closeness >= 0.5:
                    rule = "same speaker, about the same linked happening" if via else "same speaker, much the same words"
                    score = 0.9 if via else round(min(1.0, closeness), 3)
                    iri = mint(self.base, "link", "statement-" + short_hash(*pair))
                    self._shortcut[pair] = self._shortcut[pair[::-1]] = iri
                    t = self._record(iri, n.StatementLink, rule, score, [a["article"], b["article"]], run)
                    t += [(iri, n.statement, ox.NamedNode(pair[0])), (iri, n.statement, ox.NamedNode(pair[1])),
                          (ox.NamedNode(pair[0]), n.alignedWith, ox.NamedNode(pair[1])),
                          (ox.NamedNode(pair[1]), n.alignedWith, ox.NamedNode(pair[0]))]
                    out += t
            # the opposite stance on the same claim, in the same article or the same story
            for s2, b in by.items():
                if s2 == s1 or b["stance"] == a["stance"] or tuple(sorted((s1, s2))) + ("d",) in done:
                    continue
                if b["article"] != a["article"] and (a["article"], b["article"]) not in story_pairs \
                        and (b["article"], a["article"]) not in story_pairs:
                    continue
                if not (a["text"] == b["text"] or _same_claim_sets(words[s1], words[s2])):
                    continue
                done.add(tuple(sorted((s1, s2))) + ("d",))
                x, y = sorted((s1, s2))
                ax, by_ = by[x], by[y]
                d = mint(self.base, "disagreement", "stance-" + short_hash(x, y))
                t = self._record(d, n.Disagreement, "one asserts what the other denies", None,
                                 [ax["article"], by_["article"]], run)
                t += [(d, n.aspect, literal("stance")), (d, n.compatible, ox.Literal("false", datatype=XSD.boolean)),
                      (d, n.statement, ox.NamedNode(x)), (d, n.statement, ox.NamedNode(y)),
                      (d, RDFS.label, literal(f"stance: {ax['stance'].lower()} / {by_['stance'].lower()}"))]
                t += self._side(d, "a", f"{ax['stance'].lower()}: {ax['text']}", ax["article"], statement=x)
                t += self._side(d, "b", f"{by_['stance'].lower()}: {by_['text']}", by_["article"], statement=y)
                out += t
        return out

    def _article_of(self, event_iri: str) -> str:
        if event_iri in self._articles:
            return self._articles[event_iri]
        rows = self.store.query(self.prologue + "SELECT ?a ?e WHERE { ?e ng:reportedIn ?a }",
                                substitutions={ox.Variable("e"): ox.NamedNode(event_iri)})
        for r in rows:
            self._articles[event_iri] = r["a"].value
            return r["a"].value
        return ""

    def number_quads(self, articles: list[str], links: dict, pool: dict, run) -> list:
        """The same kind of count given differently by two articles that tell the same story."""
        n = self.n
        story = {tuple(sorted((pool[x].article, pool[y].article))) for x, y in links if x in pool and y in pool}
        if not story:
            return []
        arts = sorted({a for pair in story for a in pair})
        rows = self.rows(f"""SELECT ?q ?value ?unit ?measures ?qual ?label ?article ?st WHERE {{
            VALUES ?article {{ {' '.join(f'<{a}>' for a in arts)} }}
            ?article ng:bodyContext ?ctx .
            ?q a ng:Amount ; schema:value ?value ; schema:unitText ?unit ; ng:measures ?measures ;
               rdfs:label ?label ; gaf:denotedBy ?m . ?m nif:referenceContext ?ctx ; nif:beginIndex ?b .
            OPTIONAL {{ ?q ng:qualifier ?qual }}
            OPTIONAL {{ ?st ng:reportedIn ?article ; gaf:denotedBy ?sm . ?sm nif:beginIndex ?sb ; nif:endIndex ?se
                        FILTER (?sb <= ?b && ?b < ?se) }}
        }}""")
        amounts = {}
        for r in rows:
            amounts.setdefault(r["q"], r)
        out = []
        for art_a, art_b in story:
            for qa in [r for r in amounts.values() if r["article"] == art_a]:
                for qb in [r for r in amounts.values() if r["article"] == art_b]:
                    if qa["unit"] != qb["unit"] or float(qa["value"]) == float(qb["value"]):
                        continue
                    if not _same_measure(qa["measures"], qb["measures"]):
                        continue
                    if not {art_a, art_b} & set(articles):
                        continue
                    d = mint(self.base, "disagreement", "number-" + short_hash(qa["q"], qb["q"]))
                    ok = bool(qa["qual"] or qb["qual"])
                    t = self._record(d, n.Disagreement, f"the same story counts {qa['measures']} differently",
                                     None, [art_a, art_b], run)
                    t += [(d, n.aspect, literal("number")), (d, n.compatible, ox.Literal("true" if ok else "false", datatype=XSD.boolean)),
                          (d, RDFS.label, literal(f"number: {qa['label']} / {qb['label']}"))]
                    t += self._side(d, "a", f"{qa['label']} ({qa['measures']})", art_a, statement=qa["st"])
                    t += self._side(d, "b", f"{qb['label']} ({qb['measures']})", art_b, statement=qb["st"])
                    out += t
        return out

    def stale(self, articles: list[str]) -> list[ox.NamedNode]:
        """The records (named graphs) made from these articles, to drop before making them again."""
        values = " ".join(f"<{a}>" for a in articles)
        rows = self.store.select(f"SELECT DISTINCT ?g WHERE {{ VALUES ?a {{ {values} }} "
                                 f"GRAPH ?g {{ ?g <{self.n.fromArticle.value}> ?a }} }}")
        return [r["g"] for r in rows]


def _family_members(t: str) -> set:
    fam = FAMILY.get(t)
    return {k for k, v in FAMILY.items() if v == fam} if fam else {t}


def _same_family(a: str, b: str) -> bool:
    return a == b or (FAMILY.get(a) is not None and FAMILY.get(a) == FAMILY.get(b))


def _time_ok(a: str, b: str) -> bool:
    return a.startswith(b) or b.startswith(a)


def _place_ok(a: str, b: str, within: dict) -> bool:
    return a == b or b in within.get(a, ()) or a in within.get(b, ())


def _days(a: str, b: str) -> int:
    from datetime import date

    try:
        return (date.fromisoformat(a[:10]) - date.fromisoformat(b[:10])).days
    except ValueError:
        return 999


def _shift(day: str, days: int) -> str:
    from datetime import date, timedelta

    try:
        return (date.fromisoformat(day[:10]) + timedelta(days=days)).isoformat()
    except ValueError:
        return day


def _words(text: str) -> set:
    return {w for w in re.findall(r"[a-z][a-z'’-]+", text.lower()) if w not in _STOP and len(w) > 2}


def _overlap_sets(wa: set, wb: set) -> float:
    return len(wa & wb) / min(len(wa), len(wb)) if wa and wb else 0.0


def _same_claim_sets(wa: set, wb: set) -> bool:
    """Two claims about the same thing: at least half the words of the shorter (two or more),
    one of them specific ("exemptions")."""
    return min(len(wa), len(wb)) >= 2 and _overlap_sets(wa, wb) >= 0.5 and any(len(w) >= 6 for w in wa & wb)


def _same_measure(a: str, b: str) -> bool:
    """'Russian servicemen returned' and 'Russian soldiers returned' count the same thing;
    'people killed' and 'people treated' do not."""
    pa, pb = a.lower().split(" · "), b.lower().split(" · ")
    if (pa[1:] or [""]) != (pb[1:] or [""]):
        return False
    wa, wb = pa[0].split(), pb[0].split()
    if wa[-1] == wb[-1] or any(wa[-1] in g and wb[-1] in g for g in SYNONYMS):
        extra = set(wa[:-1]) ^ set(wb[:-1])
        return extra <= {"additional", "more", "of", "its", "their", "the", "new"}
    return False
