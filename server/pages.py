"""What the HTML pages show, read from the store (the templates only lay it out)."""

from __future__ import annotations

import re
from collections import OrderedDict
from itertools import groupby

import pyoxigraph as ox
from markupsafe import Markup, escape

from newsgraph.sparql_text import bind_values, values_block
from newsgraph.terms import prefixes

STATEMENTS_PER_PAGE = 20
EVENTS_PER_PAGE = 50
ARTICLES_PER_PAGE = 50
BACKLINKS_PER_HTML_PAGE = 200      # (an RDF document holds describe.BACKLINKS_PER_PAGE)
TIMELINE_PER_PAGE = 200

_BOUNDARY = re.compile(r"(?<=[.!?…])[\"'”’)]*\s+|\n\n")


class View:
    """Queries about one thing under one base."""

    def __init__(self, store, base: str):
        self.store = store
        self.base = base
        p = prefixes(base)
        self.prologue = "".join(f"PREFIX {k}: <{v}>\n" for k, v in p.items())

    def rows(self, query: str, iri: ox.NamedNode | None = None) -> list[dict]:
        text = self.prologue + query
        if iri is not None:
            text = bind_values(text, {"x": iri})
        result = self.store.query(text)
        names = [v.value for v in result.variables]
        return [dict(zip(names, map(_py, row))) for row in result]

    def href(self, iri: str) -> str:
        """Where a link to a term goes: our things to their pages, others as they are."""
        if iri.startswith(self.base + "id/"):
            return "/" + iri[len(self.base):]
        if iri.startswith(self.base + "ontology"):
            return "/" + iri[len(self.base):]
        return iri

    # ------------------------------------------------------------ common

    def summary(self, iri: ox.NamedNode) -> dict:
        rows = self.rows("""SELECT ?x ?label ?type ?same WHERE { OPTIONAL { ?x rdfs:label ?label }
            OPTIONAL { ?x a ?type } OPTIONAL { ?x owl:sameAs ?same } }""", iri)
        return {
            "label": next((r["label"] for r in rows if r["label"]), iri.value.rsplit("/", 1)[-1]),
            "types": sorted({r["type"] for r in rows if r["type"]}),
            "same": sorted({r["same"] for r in rows if r["same"]}),
        }

    def properties(self, iri: ox.NamedNode) -> list[dict]:
        rows = self.rows("""SELECT ?x ?p ?o ?olabel WHERE { ?x ?p ?o OPTIONAL { ?o rdfs:label ?olabel } }
            ORDER BY ?p""", iri)
        out, seen = [], set()
        for r in rows:
            key = (r["p"], r["o"])
            if key in seen:
                continue
            seen.add(key)
            out.append({"p": r["p"], "p_short": self.short(r["p"]), "o": r["o"], "label": r["olabel"],
                        "is_iri": isinstance(r["o"], Iri)})
        return out

    def short(self, iri: str) -> str:
        for k, v in sorted(prefixes(self.base).items(), key=lambda kv: -len(kv[1])):
            if iri.startswith(v) and re.fullmatch(r"[\w.-]*", iri[len(v):]):
                return f"{k}:{iri[len(v):]}"
        return iri

    def backlinks(self, iri: ox.NamedNode, page: int = 1, per_page: int | None = None) -> tuple[list[dict], bool]:
        """A page of what points here, and whether more follow. In the store's index order
        where that is fixed for a version (a run has a backlink from every graph it made:
        sorting 160,000 of them by text took Oxigraph 20 s), sorted where it is not."""
        per_page = per_page or BACKLINKS_PER_HTML_PAGE
        order = "" if self.store.stable_order else "ORDER BY ?p ?s"
        rows = self.rows(f"""SELECT DISTINCT ?x ?s ?p WHERE {{ ?s ?p ?x
            FILTER (?p NOT IN (gaf:denotedBy, rdf:first)) }} {order}
            LIMIT {per_page + 1} OFFSET {(page - 1) * per_page}""", iri)
        more, rows = len(rows) > per_page, rows[:per_page]
        if rows:
            labels = {r["s"]: r["label"] for r in self.rows(f"""SELECT ?s ?label WHERE {{
                {values_block("s", {ox.NamedNode(r["s"]) for r in rows if isinstance(r["s"], Iri)})} ?s rdfs:label ?label }}""")}
            for r in rows:
                r["label"] = labels.get(r["s"])
        return sorted(rows, key=lambda r: (r["p"], r["s"])), more

    # ------------------------------------------------------------ entities

    def statements_by(self, iri: ox.NamedNode, role: str = "ng:speaker", page: int = 1,
                      per_page: int | None = None) -> tuple["OrderedDict", bool]:
        """A page of its statements, newest article first, grouped by article; and whether
        there are more. The page is chosen first (a few terms a statement), then its details."""
        per_page = per_page or STATEMENTS_PER_PAGE
        chosen, more = self._page(f"""SELECT ?x ?st ?date ?article ?b WHERE {{ ?st {role} ?x ; ng:reportedIn ?article .
            OPTIONAL {{ ?article schema:datePublished ?date }} OPTIONAL {{ ?st gaf:denotedBy/nif:beginIndex ?b }}
            }} ORDER BY DESC(?date)""", iri, "date", "st", lambda r: (r["article"], int(r["b"] or 0)), page, per_page)
        # (the thing is not bound here: with both bound, Oxigraph's plan took 130 ms instead of 3)
        rows = self.rows(f"""SELECT ?st ?text ?form ?stance ?cue ?article ?headline ?date ?b ?e ?body ?speaker WHERE {{
            {values_block("st", map(ox.NamedNode, chosen))}
            ?st schema:text ?text ; ng:form/rdfs:label ?form ; ng:stance/rdfs:label ?stance ;
                ng:reportedIn ?article ; gaf:denotedBy ?m ; ng:speaker/rdfs:label ?speaker .
            ?m nif:beginIndex ?b ; nif:endIndex ?e ; nif:referenceContext/nif:isString ?body .
            ?article schema:headline ?headline .
            OPTIONAL {{ ?article schema:datePublished ?date }} OPTIONAL {{ ?st ng:cue ?cue }}
        }}""") if chosen else []
        rank = {st: i for i, st in enumerate(chosen)}
        by_article: OrderedDict = OrderedDict()
        for r in sorted(rows, key=lambda r: rank[r["st"]]):
            art = by_article.setdefault(r["article"], {"headline": r["headline"], "date": r["date"],
                                                       "href": self.href(r["article"]), "statements": []})
            art["statements"].append({"href": self.href(r["st"]), "form": r["form"], "stance": r["stance"],
                                      "cue": r["cue"], "speaker": r["speaker"],
                                      "sentence": highlight(r["body"], int(r["b"]), int(r["e"]))})
        return by_article, more

    def events_of(self, iri: ox.NamedNode, role: str = "sem:hasActor", page: int = 1,
                  per_page: int | None = None) -> tuple[list[dict], bool]:
        """A page of the events it took part in (or that happened there), earliest first."""
        per_page = per_page or EVENTS_PER_PAGE
        chosen, more = self._page(f"""SELECT ?x ?ev ?time ?label WHERE {{ ?ev {role} ?x ; ng:reportedIn ?article .
            OPTIONAL {{ ?ev sem:hasTimeStamp ?time }} OPTIONAL {{ ?ev rdfs:label ?label }} }} ORDER BY ?time""",
                                  iri, "time", "ev", lambda r: r["label"] or "", page, per_page)
        rows = self.rows(f"""SELECT DISTINCT ?ev ?label ?time ?modality ?place ?headline ?article WHERE {{
            {values_block("ev", map(ox.NamedNode, chosen))}
            ?ev rdfs:label ?label ; ng:modality/rdfs:label ?modality ; ng:reportedIn ?article .
            ?article schema:headline ?headline .
            OPTIONAL {{ ?ev sem:hasTimeStamp ?time }} OPTIONAL {{ ?ev sem:hasPlace/rdfs:label ?place }}
        }}""") if chosen else []
        rank = {ev: i for i, ev in enumerate(chosen)}
        rows.sort(key=lambda r: (rank[r["ev"]], r["label"]))
        for r in rows:
            r["href"] = self.href(r["ev"])
            r["article_href"] = self.href(r["article"])
        return rows, more

    def roles(self, iri: ox.NamedNode) -> list[str]:
        return sorted({r["role"] for r in self.rows("SELECT ?x ?role WHERE { ?x ng:statedRole ?role }", iri)})

    def members(self, iri: ox.NamedNode) -> list[dict]:
        return [{"href": self.href(r["m"]), "label": r["label"]} for r in self.rows(
            "SELECT ?x ?m ?label WHERE { ?x ng:member ?m . ?m rdfs:label ?label }", iri)]

    def mentioned_in(self, iri: ox.NamedNode, page: int = 1, per_page: int | None = None) -> dict:
        """A page of the articles that mention it, most mentions first, with the totals. The
        mentions are counted by the article graph they are in (read from the index, no join)."""
        per_page = per_page or ARTICLES_PER_PAGE
        counts = [(g, int(n.value)) for g, n in self.store.query(bind_values(
            """SELECT ?g (COUNT(?m) AS ?n) WHERE { GRAPH ?g { ?x <http://groundedannotationframework.org/gaf#denotedBy> ?m } }
            GROUP BY ?g""", {"x": iri})) if isinstance(g, ox.NamedNode)]
        counts.sort(key=lambda gn: (-gn[1], gn[0].value))      # the same order on every request
        start = (page - 1) * per_page
        shown = counts[start:start + per_page]
        rows = self.rows(f"""SELECT ?g ?article ?headline WHERE {{ {values_block("g", [g for g, _ in shown])}
            ?g prov:wasDerivedFrom ?article . ?article schema:headline ?headline }}""") if shown else []
        found = {r["g"]: r for r in rows}
        articles = [{"href": self.href(found[g.value]["article"]), "headline": found[g.value]["headline"], "n": n}
                    for g, n in shown if g.value in found]
        return {"articles": articles, "more": start + per_page < len(counts),
                "total_articles": len(counts), "total_mentions": sum(n for _, n in counts)}

    # ------------------------------------------------------------ paging

    def _page(self, query: str, iri: ox.NamedNode, by: str, key: str, tie, page: int,
              per_page: int) -> tuple[list[str], bool]:
        """A page of `key` IRIs in the query's ORDER BY `by`, each once, and whether more
        follow. Ties are broken here, by `tie(row)` and then the IRI: a store promises no order
        among equals, and Oxigraph compares terms by their text, a lookup per comparison."""
        ordered: list[str] = []
        seen: set = set()
        for _, group in groupby(self.rows(query, iri), key=lambda r: r[by]):
            for r in sorted(group, key=lambda r: (tie(r), r[key])):
                if r[key] not in seen:
                    seen.add(r[key])
                    ordered.append(r[key])
        start = (page - 1) * per_page
        return ordered[start:start + per_page], start + per_page < len(ordered)

    # ------------------------------------------------------------ events

    def event(self, iri: ox.NamedNode) -> dict:
        rows = self.rows("""SELECT ?x ?type ?typelabel ?trigger ?modality ?time ?place ?placelabel ?article ?headline
            ?publisher WHERE {
            ?x a ?type . ?type rdfs:subClassOf* ng:Event ; rdfs:label ?typelabel .
            ?x ng:modality/rdfs:label ?modality ; ng:reportedIn ?article . ?article schema:headline ?headline .
            OPTIONAL { ?article schema:publisher/rdfs:label ?publisher }
            OPTIONAL { ?x ng:trigger ?trigger } OPTIONAL { ?x sem:hasTimeStamp ?time }
            OPTIONAL { ?x sem:hasPlace ?place . ?place rdfs:label ?placelabel } }""", iri)
        if not rows:
            return {}
        specific = [r for r in rows if r["type"] != self.base + "ontology#Event"] or rows
        r = specific[0]
        actors = [{"href": self.href(a["a"]), "label": a["label"]} for a in self.rows(
            "SELECT DISTINCT ?x ?a ?label WHERE { ?x sem:hasActor ?a . ?a rdfs:label ?label } ORDER BY ?label", iri)]
        mentions = [highlight(m["body"], int(m["b"]), int(m["e"])) for m in self.rows(
            """SELECT ?x ?b ?e ?body WHERE { ?x gaf:denotedBy ?m . ?m nif:beginIndex ?b ; nif:endIndex ?e ;
            nif:referenceContext/nif:isString ?body } ORDER BY ?b""", iri)]
        about = self.rows("""SELECT ?x ?st ?text ?speaker ?stance WHERE { ?st ng:about ?x ; schema:text ?text ;
            ng:speaker/rdfs:label ?speaker ; ng:stance/rdfs:label ?stance }""", iri)
        for s in about:
            s["href"] = self.href(s["st"])
        return {"type": r["typelabel"], "trigger": r["trigger"], "modality": r["modality"], "time": r["time"],
                "place": r["placelabel"], "place_href": self.href(r["place"]) if r["place"] else None,
                "article": r["headline"], "article_href": self.href(r["article"]), "publisher": r["publisher"],
                "actors": actors, "mentions": mentions, "about": about}

    # ------------------------------------------------------------ statements

    def statement(self, iri: ox.NamedNode) -> dict:
        rows = self.rows("""SELECT ?x ?text ?speaker ?speakerlabel ?form ?stance ?cue ?article ?headline ?b ?e ?body
            ?time ?channel ?channellabel WHERE {
            ?x schema:text ?text ; ng:speaker ?speaker ; ng:form/rdfs:label ?form ; ng:stance/rdfs:label ?stance ;
               ng:reportedIn ?article ; gaf:denotedBy ?m .
            ?speaker rdfs:label ?speakerlabel . ?article schema:headline ?headline .
            ?m nif:beginIndex ?b ; nif:endIndex ?e ; nif:referenceContext/nif:isString ?body .
            OPTIONAL { ?x ng:cue ?cue } OPTIONAL { ?x ng:utteranceTime/ng:value ?time }
            OPTIONAL { ?x ng:channel ?channel . ?channel rdfs:label ?channellabel } }""", iri)
        if not rows:
            return {}
        r = rows[0]
        chain = []
        cell = self.rows("SELECT ?x ?l WHERE { ?x ng:relayChain ?l }", iri)
        node = ox.NamedNode(cell[0]["l"]) if cell else None
        while node is not None and len(chain) < 20:
            step = self.rows("""SELECT ?x ?first ?label ?rest WHERE { ?x rdf:first ?first ; rdf:rest ?rest .
                OPTIONAL { ?first rdfs:label ?label } OPTIONAL { ?first schema:headline ?label } }""", node)
            if not step:
                break
            chain.append({"href": self.href(step[0]["first"]), "label": step[0]["label"] or step[0]["first"]})
            rest = step[0]["rest"]
            node = None if rest.endswith("#nil") else ox.NamedNode(rest)
        about = [{"href": self.href(a["ev"]), "label": a["label"]} for a in self.rows(
            "SELECT ?x ?ev ?label WHERE { ?x ng:about ?ev . ?ev rdfs:label ?label }", iri)]
        return {"text": r["text"], "speaker": r["speakerlabel"], "speaker_href": self.href(r["speaker"]),
                "form": r["form"], "stance": r["stance"], "cue": r["cue"], "time": r["time"],
                "channel": r["channellabel"], "channel_href": self.href(r["channel"]) if r["channel"] else None,
                "article": r["headline"], "article_href": self.href(r["article"]),
                "begin": int(r["b"]), "end": int(r["e"]),
                "sentence": highlight(r["body"], int(r["b"]), int(r["e"])), "chain": chain, "about": about}

    # ------------------------------------------------------------ articles

    def article(self, iri: ox.NamedNode) -> dict:
        rows = self.rows("""SELECT ?x ?headline ?date ?body ?ctx ?section ?url ?file WHERE {
            ?x schema:headline ?headline ; schema:articleBody ?body ; ng:bodyContext ?ctx .
            OPTIONAL { ?x schema:datePublished ?date } OPTIONAL { ?x schema:articleSection ?section }
            OPTIONAL { ?x schema:url ?url } OPTIONAL { ?x ng:sourceFile ?file } }""", iri)
        if not rows:
            return {}
        r = rows[0]
        people = lambda prop: [{"href": self.href(a["a"]), "label": a["label"]} for a in self.rows(  # noqa: E731
            f"SELECT ?x ?a ?label WHERE {{ ?x {prop} ?a . ?a rdfs:label ?label }}", iri)]
        mentions = self.rows("""SELECT ?x ?b ?e ?thing ?kind WHERE { ?x ng:bodyContext ?ctx .
            ?m nif:referenceContext ?ctx ; nif:beginIndex ?b ; nif:endIndex ?e . ?thing gaf:denotedBy ?m .
            OPTIONAL { ?thing a ?kind FILTER (?kind IN (schema:Person, schema:Organization, schema:Place,
                ng:UnnamedSource, ng:TimeExpression, ng:Amount)) } }""", iri)
        spans = []
        for m in mentions:
            if m["kind"]:
                spans.append((int(m["b"]), int(m["e"]), self.href(m["thing"]), m["kind"].rsplit("/", 1)[-1].rsplit("#", 1)[-1]))
        statements = [{"href": self.href(s["st"]), "speaker": s["speaker"], "text": s["text"], "form": s["form"],
                       "stance": s["stance"]} for s in self.rows(
            """SELECT ?x ?st ?speaker ?text ?form ?stance ?b WHERE { ?st ng:reportedIn ?x ; schema:text ?text ;
               ng:speaker/rdfs:label ?speaker ; ng:form/rdfs:label ?form ; ng:stance/rdfs:label ?stance ;
               gaf:denotedBy/nif:beginIndex ?b } ORDER BY ?b""", iri)]
        events = self.rows("""SELECT ?x ?ev ?label ?modality ?time WHERE { ?ev ng:reportedIn ?x ; a ng:Event ;
            rdfs:label ?label ; ng:modality/rdfs:label ?modality OPTIONAL { ?ev sem:hasTimeStamp ?time } } ORDER BY ?label""", iri)
        for e in events:
            e["href"] = self.href(e["ev"])
        return {"headline": r["headline"], "date": r["date"], "section": r["section"], "url": r["url"],
                "file": r["file"], "authors": people("schema:author"), "publisher": people("schema:publisher"),
                "cites": people("ng:cites"), "body": marked_body(r["body"], spans),
                "statements": statements, "events": events}

    # ------------------------------------------------------------ timeline

    def timeline(self, page: int = 1, per_page: int | None = None) -> dict:
        """A page of the dated events, earliest first (a year before its months, a month before
        its days), by month. The page's timestamps are found from the count of events at each
        distinct one (a few hundred values, not the events), and only their events are read."""
        per_page = per_page or TIMELINE_PER_PAGE
        counts = sorted(((t.value, t, int(n.value)) for t, n in self.store.query(self.prologue + """
            SELECT ?time (COUNT(DISTINCT ?ev) AS ?n) WHERE { ?ev sem:hasTimeStamp ?time } GROUP BY ?time""")),
                        key=lambda c: (c[0], str(c[1])))
        start, end = (page - 1) * per_page, page * per_page
        chosen, pos, first = [], 0, None
        for _, term, n in counts:
            if pos < end and pos + n > start:
                first = pos if first is None else first
                chosen.append(term)
            pos += n
        rows = self.rows("""SELECT ?ev ?time ?label ?modality ?headline ?article WHERE {
            %s ?ev sem:hasTimeStamp ?time .
            OPTIONAL { ?ev rdfs:label ?label } OPTIONAL { ?ev ng:modality/rdfs:label ?modality }
            OPTIONAL { ?ev ng:reportedIn ?article . ?article schema:headline ?headline } }""" % values_block("time", chosen)
                         ) if chosen else []
        events: dict = {}
        for r in sorted(rows, key=lambda r: (r["time"], r["label"] or "", r["ev"])):
            events.setdefault((r["ev"], r["time"]), r)    # once, however many articles report it
        months: OrderedDict = OrderedDict()
        for r in list(events.values())[start - first:end - first] if chosen else []:
            r["href"] = self.href(r["ev"])
            r["article_href"] = self.href(r["article"]) if r["article"] else None
            months.setdefault(str(r["time"])[:7], []).append(r)
        return {"months": months, "total": pos, "more": end < pos}


class Iri(str):
    """A str that was an IRI in the store (so templates can link it)."""


def _py(term):
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return Iri(term.value)
    if isinstance(term, ox.BlankNode):
        return "_:" + term.value
    return term.value


def sentence_bounds(body: str, begin: int, end: int) -> tuple[int, int]:
    start = 0
    for m in _BOUNDARY.finditer(body, 0, begin):
        start = m.end()
    m = _BOUNDARY.search(body, end)
    stop = m.start() if m else len(body)
    return start, max(stop, end)


def highlight(body: str, begin: int, end: int) -> Markup:
    """The sentence(s) around [begin, end), with that span marked."""
    s, e = sentence_bounds(body, begin, end)
    return Markup(f"{escape(body[s:begin])}<mark>{escape(body[begin:end])}</mark>{escape(body[end:e])}")


def marked_body(body: str, spans: list) -> list[Markup]:
    """Paragraphs of the body, each mention a link to what it denotes (no overlaps)."""
    spans = sorted(spans, key=lambda s: (s[0], -(s[1] - s[0])))
    chosen, last = [], -1
    for b, e, href, kind in spans:
        if b >= last:
            chosen.append((b, e, href, kind))
            last = e
    out, pos = [], 0
    html = []
    for b, e, href, kind in chosen:
        html.append(escape(body[pos:b]))
        html.append(Markup(f'<a class="mention {escape(kind)}" href="{escape(href)}" title="{escape(kind)}">')
                    + escape(body[b:e]) + Markup("</a>"))
        pos = e
    html.append(escape(body[pos:]))
    text = Markup("").join(html)
    for para in str(text).split("\n\n"):
        out.append(Markup(para))
    return out
