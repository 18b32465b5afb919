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

import pyoxigraph as ox

from newsgraph.terms import PROV, RDF, RDFS, XSD, mint, ng, short_hash

from .link_data import Ev, summarise
from .link_index import LinkIndex
from .to_rdf import literal

FAMILY = {"Talks": "talks", "Meeting": "talks", "Summit": "talks"}
REAL = {"Occurred", "Ongoing"}
THRESHOLD = 0.55
WINDOW_DAYS = 14
CANDIDATES = 12          # the best few candidates per new event (see link_index)
SYNONYMS = [{"soldiers", "servicemen", "troops", "fighters", "prisoners"},
            {"vessels", "tankers", "ships", "boats"},
            {"people", "persons", "civilians", "residents"}]
_STOP = set("""a an the of to in on at for from by with and or but that this these those is are was were be been
has have had will would could should may might not no its their his her it they he she we our you your as
about into over under after before than more most less such some any all each other there here which who whom
whose what when where why how said says also very just only then now new""".split())


class Linker:
    def __init__(self, store, base: str, index_path: str = ":memory:"):
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
                         "PREFIX nif: <http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#>\n"
                         "PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>\n")
        self.index = LinkIndex(index_path)
        self._sync_index()
        # read now, while the loader alone uses the store (its writer thread makes checkpoints)
        self._within: dict = defaultdict(set)
        for r in self.rows("SELECT DISTINCT ?a ?b WHERE { ?a schema:containedInPlace ?b }"):
            self._within[r["a"]].add(r["b"])

    def close(self) -> None:
        self.index.close()

    def _sync_index(self) -> None:
        """Rebuild the index when it does not describe the store (new, deleted, or a store that
        was rolled back or written by someone else)."""
        n_articles = int(self.rows("SELECT (COUNT(*) AS ?n) WHERE { ?g a ng:ArticleGraph }")[0]["n"])
        n_links = int(self.rows("SELECT (COUNT(*) AS ?n) WHERE { ?l a ng:EventLink }")[0]["n"])
        if self.index.counts() == (n_articles, n_links):
            return
        self.index.clear()
        articles = [r["a"] for r in self.rows("SELECT ?a WHERE { ?g a ng:ArticleGraph ; prov:wasDerivedFrom ?a }")]
        for i in range(0, len(articles), 100):
            for summary in self.summaries_from_store(articles[i:i + 100]):
                self.index.put(summary)
        self.index.add_links((r["a"], r["b"]) for r in self.rows(
            "SELECT ?a ?b WHERE { ?l a ng:EventLink ; ng:event ?a , ?b FILTER (STR(?a) < STR(?b)) }"))
        self.index.commit()

    def summaries_from_store(self, articles: list[str]) -> list[dict]:
        """Summaries of articles already in the store, read off their graphs."""
        values = " ".join(f"<{a}>" for a in articles)
        own = self.store.query(self.prologue + f"""SELECT ?a ?s ?p ?o WHERE {{ VALUES ?a {{ {values} }}
            GRAPH ?g {{ ?g a ng:ArticleGraph ; prov:wasDerivedFrom ?a . ?s ?p ?o }} }}""")
        triples: dict = defaultdict(list)
        for r in own:
            triples[r["a"].value].append((r["s"], r["p"], r["o"]))
        about = self.store.query(self.prologue + f"""SELECT DISTINCT ?s ?p ?o WHERE {{ VALUES ?a {{ {values} }}
            GRAPH ?g {{ ?g a ng:ArticleGraph ; prov:wasDerivedFrom ?a . ?x ?q ?s FILTER (isIRI(?s)) }}
            ?s ?p ?o FILTER (?p IN (rdfs:label, rdf:type)) }}""")
        shared = [(r["s"], r["p"], r["o"]) for r in about]
        out = []
        for a in articles:
            summary = summarise(triples.get(a, []) + shared, self.n.iri, article=a)
            if summary is not None:
                out.append(summary)
        return out

    # ------------------------------------------------------------ reading the store

    def rows(self, query: str) -> list[dict]:
        out = []
        result = self.store.query(self.prologue + query)
        names = [v.value for v in result.variables]
        for r in result:
            out.append({k: (r[k].value if r[k] is not None else None) for k in names})
        return out

    def containment(self, summaries=()) -> dict[str, set]:
        """Which place lies within which: in the store, and in the articles not written yet.
        Read from the store once, when the linker is made (every article repeats the facts it
        relies on, so reading them for each batch grew with the store), then kept up to date
        from the batches."""
        for x in summaries:
            for a, b in x.get("within", ()):
                self._within[a].add(b)
        return self._within

    # ------------------------------------------------------------ linking

    def link(self, summaries: list[dict], run) -> dict:
        """The link records for these (new or changed) articles, given their summaries:
        {record IRI: [(s, p, o)]}, each record a named graph of its own."""
        if not summaries:
            return {}
        self._shortcut.clear()
        articles = list(dict.fromkeys(x["article"] for x in summaries))
        self.index.forget_articles(articles)
        new: dict = {}
        for x in summaries:
            self.index.put(x)
            new.update(self.index.events(x["article"]))
        within = self.containment(summaries)
        if not new:
            self.index.commit()
            return {}
        cands = {iri: self.index.candidates(ev, sorted(_family_members(ev.type)), WINDOW_DAYS, CANDIDATES)
                 for iri, ev in new.items()}
        pool = {**self.events_by_iri({c for cs in cands.values() for c in cs} - set(new)), **new}
        existing = self.index.links_of(pool)
        direct = self.event_links(new, pool, cands, within, existing, passes=("direct",))
        # the partners' other events, for reactions and for events of the same story
        partners = {self._article_of(e) for pair in list(direct) + list(existing) for e in pair}
        partners -= set(articles)
        for a in sorted(partners):
            pool.update(self.index.events(a))
        links = self.event_links(new, pool, cands, within, existing | set(direct), passes=("reactions", "story"))
        links.update(direct)
        self.index.add_links(links)
        self.index.commit()
        triples = self.event_link_quads(links, pool, run)
        triples += self.disagreement_quads(links, pool, within, run)
        # statements meet through links that touch this batch's events (not through every
        # link of every candidate, which grew with the store and changed nothing)
        touching = {p for p in existing if p[0] in new or p[1] in new}
        triples += self.statement_quads(articles, links, touching, run)
        triples += self.number_quads(articles, links, pool, run)
        records: dict = {}
        for t in dict.fromkeys(triples):
            records.setdefault(self._graph_of(*t), []).append(t)
        return records

    def _summary(self, article: str) -> dict:
        """From the index (which keeps the batch's and recent ones decoded)."""
        return self.index.summary(article) or {
            "article": article, "pub": "", "events": [], "statements": [], "amounts": []}

    def _article_of(self, event: str) -> str:
        return self.index.article_of(event) or ""

    def events_by_iri(self, iris) -> dict[str, Ev]:
        out: dict = {}
        wanted = set(iris)
        for a in sorted({self._article_of(e) for e in wanted} - {""}):
            out.update({k: v for k, v in self.index.events(a).items() if k in wanted})
        return out

    def _graph_of(self, s, p, o) -> ox.NamedNode:
        """The record a triple belongs to: the link (or disagreement) it is about."""
        if p in (self.n.sameHappeningAs, self.n.alignedWith):
            return self._shortcut[(s.value, o.value)]
        return ox.NamedNode(s.value.split("#", 1)[0])

    def event_links(self, new: dict, pool: dict, cands: dict, within: dict, existing: set,
                    passes=("direct", "reactions", "story")) -> dict:
        """{(iri, iri): (score, rule)} for links from the new events to their candidates (and,
        for reactions, to the events of articles already linked)."""
        links: dict = {}
        linked = set(existing)
        by_article: dict = defaultdict(list)
        for e in pool.values():
            by_article[e.article].append(e)
        linked_articles = {pool[e].article for pair in linked for e in pair if e in pool}

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
                options = [pool[c] for c in cands.get(a.iri, ()) if c in pool]
                if step == "reactions":
                    options += [e for art in linked_articles for e in by_article[art] if e.type == "Objection"]
                for b in options:
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
            left = [e for e in by_article[art_a] if e.iri not in linked_events]
            right = [e for e in by_article[art_b] if e.iri not in linked_events]
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
        by: dict = {}
        for a in sorted(related):
            for st in self._summary(a)["statements"]:
                by[st["iri"]] = dict(st, article=a)
        story_pairs = {(self._article_of(x), self._article_of(y)) for x, y in pairs}
        out = []
        words = {k: _words(v["text"]) for k, v in by.items()}
        mine = [k for k, v in by.items() if v["article"] in story_articles]
        by_speaker: dict = defaultdict(list)
        by_article: dict = defaultdict(list)
        for k, v in by.items():
            by_speaker[v["speaker"]].append(k)
            by_article[v["article"]].append(k)
        story_of: dict = defaultdict(set)        # an article and the articles it shares a story with
        for art in related:
            story_of[art].add(art)
        for x, y in story_pairs:
            story_of[x].add(y)
            story_of[y].add(x)
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
            for s2 in (x for art in story_of[a["article"]] for x in by_article[art]):
                b = by[s2]
                if s2 == s1 or b["stance"] == a["stance"] or tuple(sorted((s1, s2))) + ("d",) in done:
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

    def number_quads(self, articles: list[str], links: dict, pool: dict, run) -> list:
        """The same kind of count given differently by two articles that tell the same story."""
        n = self.n
        story = {tuple(sorted((pool[x].article, pool[y].article))) for x, y in links if x in pool and y in pool}
        if not story:
            return []
        amounts = {a: self._summary(a)["amounts"] for pair in story for a in pair}
        out = []
        for art_a, art_b in sorted(story):
            for qa in amounts[art_a]:
                for qb in amounts[art_b]:
                    if qa["unit"] != qb["unit"] or float(qa["value"]) == float(qb["value"]):
                        continue
                    if not _same_measure(qa["measures"], qb["measures"]):
                        continue
                    if not {art_a, art_b} & set(articles):
                        continue
                    d = mint(self.base, "disagreement", "number-" + short_hash(qa["iri"], qb["iri"]))
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
