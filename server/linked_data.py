"""Linked Data: every minted IRI dereferences, for machines and for people.

    /id/<kind>/<slug>             the thing: 303 See Other to a document about it
    /data/<kind>/<slug>[.<ext>]   RDF about it (.ttl .jsonld .nt .rdf .nq .trig, or by Accept)
    /page/<kind>/<slug>[.html]    the page about it
    /ontology[.<ext>]             the vocabulary (hash namespace), the same way
    /timeline                     events in time order

303 keeps the thing and the document about it apart (Cool URIs for the Semantic Web, 4.3):
every document then has a URL of its own that caches keep without Vary.
"""

from __future__ import annotations

import re

import pyoxigraph as ox
import rdflib
from flask import (
    Blueprint,
    Response,
    current_app,
    redirect,
    render_template,
    request,
    url_for,
)

from newsgraph import formats
from newsgraph.terms import prefixes

from .describe import describe, exists, thing_iri
from .errors import HttpError
from .http import conditional
from .negotiation import HTML, negotiate
from .pages import View

bp = Blueprint("linked_data", __name__)

EXTENSIONS = {f.extension: f for f in formats.RDF_FORMATS}
TEMPLATES = {"person": "entity.html", "organisation": "entity.html", "place": "entity.html",
             "source": "entity.html", "group": "entity.html", "event": "event.html",
             "statement": "statement.html", "article": "article.html"}


def ctx():
    return current_app.extensions["newsgraph"]


def split_name(name: str) -> tuple[str, str | None]:
    m = re.fullmatch(r"(.+?)\.(ttl|jsonld|nt|rdf|nq|trig|html)", name)
    return (m.group(1), m.group(2)) if m else (name, None)


def _thing(kind: str, slug: str, check: bool = True) -> ox.NamedNode:
    """The thing's IRI; a 404 if it cannot be one we mint or (with `check`) the graph has
    nothing about it."""
    c = ctx()
    iri = thing_iri(c.base, kind, slug)
    if iri is None or (check and not exists(c.store, iri)):
        raise unknown(f"{c.base}id/{kind}/{slug}")
    return iri


def unknown(iri: str) -> HttpError:
    return HttpError(404, f"{iri} is not an IRI of this graph")


def alternates(kind: str, slug: str) -> list[dict]:
    out = [{"href": url_for("linked_data.data", kind=kind, name=f"{slug}.{f.extension}"), "type": f.media_type,
            "name": f.name} for f in formats.RDF_FORMATS]
    out.append({"href": url_for("linked_data.page", kind=kind, name=slug), "type": HTML, "name": "html"})
    return out


def _link_header(links: list[dict]) -> str:
    return ", ".join(f'<{a["href"]}>; rel="alternate"; type="{a["type"]}"' for a in links)


@bp.route("/id/<kind>/<slug>", methods=["GET", "HEAD"])
def thing(kind: str, slug: str):
    _thing(kind, slug)
    fmt = negotiate("rdf", html=True)
    if fmt == HTML:
        target = url_for("linked_data.page", kind=kind, name=slug)
    else:
        target = url_for("linked_data.data", kind=kind, name=f"{slug}.{fmt.extension}")
    resp = redirect(target, code=303)
    resp.headers["Vary"] = "Accept"
    resp.headers["Link"] = _link_header(alternates(kind, slug))
    return resp


@bp.route("/data/<kind>/<name>", methods=["GET", "HEAD"])
def data(kind: str, name: str):
    slug, ext = split_name(name)
    if ext == "html":
        return redirect(url_for("linked_data.page", kind=kind, name=slug), code=301)
    iri = _thing(kind, slug, check=False)      # (rdf_document finds out whether it is known)
    if ext is not None:
        fmt = EXTENSIONS[ext]
        headers = {}
    else:
        fmt = negotiate("rdf")
        headers = {"Vary": "Accept",
                   "Content-Location": url_for("linked_data.data", kind=kind, name=f"{slug}.{fmt.extension}")}
    return rdf_document(iri, fmt, page_number(), headers)


def page_number() -> int:
    """The ?page= of a paged document or page (1 when not given)."""
    try:
        return max(1, int(request.args.get("page", "1")))
    except ValueError:
        raise HttpError(400, "page must be a number") from None


def rdf_document(iri: ox.NamedNode, fmt, page: int, headers: dict, doc_path: str | None = None) -> Response:
    c = ctx()
    doc_path = doc_path or request.path
    version = c.store.version()          # read once: the body and its ETag are of the same version
    body, more = document_body(c, iri, fmt, page, doc_path, version)
    resp = Response(body, content_type=fmt.content_type)
    resp.headers.update(headers)
    if more:
        resp.headers["Link"] = f'<{doc_path}?page={page + 1}>; rel="next"'
    return conditional(resp, version, iri.value, fmt.name, page)


def document_body(c, iri: ox.NamedNode, fmt, page: int, doc_path: str, version: str) -> tuple[bytes, bool]:
    """(the document's page in `fmt`, whether a next page follows), from the response cache
    when it is there (also for server.front); a 404 for a thing the graph does not know."""
    key = (version, "doc", iri.value, fmt.name, page)
    body = c.cache.get(key)
    if body is not None:
        return body, False
    # (a triple format gets triples, each once, from describe: not quads, made and compared again)
    triples_only = not fmt.native.supports_datasets
    items, more = describe(c.store, iri, ox.NamedNode(c.base.rstrip("/") + doc_path), page, graphs=not triples_only)
    if not items and (page == 1 or not exists(c.store, iri)):
        raise unknown(iri.value)
    body = serialize_document(items, fmt, c.base, unique=triples_only)
    if not more:
        c.cache.put(key, body)
    return body, more


def serialize_document(quads, fmt, base: str, unique: bool = False) -> bytes:
    pfx = prefixes(base)
    if fmt.name == "jsonld":
        # JSON-LD with a context, compacted (pyoxigraph writes expanded JSON-LD only)
        g = rdflib.Graph()
        g.parse(data=ox.serialize([ox.Triple(q.subject, q.predicate, q.object) for q in quads],
                                  format=ox.RdfFormat.N_TRIPLES), format="ox-ntriples")
        context = {k: v for k, v in pfx.items()}
        return g.serialize(format="json-ld", context=context, auto_compact=True).encode("utf-8")
    return formats.serialize_graph(quads, fmt, prefixes=pfx, unique=unique)


@bp.route("/page/<kind>/<name>", methods=["GET", "HEAD"])
def page(kind: str, name: str):
    slug, ext = split_name(name)
    if ext not in (None, "html"):
        return redirect(url_for("linked_data.data", kind=kind, name=name), code=301)
    iri = _thing(kind, slug)
    c = ctx()
    version = c.store.version()          # before the page is made: an ETag never newer than its body
    view = View(c.store, c.base)
    links = alternates(kind, slug)
    context = {"base": c.base, "iri": iri.value, "kind": kind, "alternates": links,
               "summary": view.summary(iri), "view": view}
    template = TEMPLATES.get(kind, "thing.html")
    more = False
    if kind in ("person", "organisation", "place", "source", "group"):
        n = page_number()
        (said, more1), (relayed, more2) = view.statements_by(iri, page=n), view.statements_by(iri, "ng:via", page=n)
        (events, more3), (located, more4) = view.events_of(iri, page=n), view.events_of(iri, "sem:hasPlace", page=n)
        mentions = view.mentioned_in(iri, page=n)
        more = more1 or more2 or more3 or more4 or mentions["more"]
        context.update(statements=said, relayed=relayed, events=events, located=located, mentions=mentions,
                       roles=view.roles(iri), members=view.members(iri), page=n, more=more)
    elif kind == "event":
        context.update(event=view.event(iri), related=related_events(view, iri))
    elif kind == "statement":
        context.update(st=view.statement(iri))
    elif kind == "article":
        context.update(article=view.article(iri))
    else:
        n = page_number()
        backlinks, more = view.backlinks(iri, page=n)
        context.update(properties=view.properties(iri), backlinks=backlinks, page=n, more=more)
    resp = Response(render_template(template, **context), content_type="text/html; charset=utf-8")
    resp.headers["Link"] = _link_header([a for a in links if a["type"] != HTML])
    if more:
        resp.headers["Link"] += f', <{request.path}?page={context["page"] + 1}>; rel="next"'
    return conditional(resp, version, request.full_path, "html")


def related_events(view: View, iri: ox.NamedNode) -> list[dict]:
    """The same happening as other articles tell it (cross-source links, when there are any)."""
    try:
        rows = view.rows("""SELECT DISTINCT ?x ?other ?label ?time ?modality ?place ?headline ?publisher ?rule ?score WHERE {
            { ?link ng:event ?x , ?other } FILTER (?other != ?x)
            ?link a ng:EventLink . OPTIONAL { ?link ng:rule ?rule } OPTIONAL { ?link ng:score ?score }
            ?other rdfs:label ?label ; ng:modality/rdfs:label ?modality ; ng:reportedIn ?article .
            ?article schema:headline ?headline .
            OPTIONAL { ?article schema:publisher/rdfs:label ?publisher }
            OPTIONAL { ?other sem:hasTimeStamp ?time } OPTIONAL { ?other sem:hasPlace/rdfs:label ?place } }""", iri)
    except (SyntaxError, AttributeError):
        return []
    for r in rows:
        r["href"] = view.href(r["other"])
    return rows


@bp.route("/timeline")
def timeline():
    c = ctx()
    version = c.store.version()          # before the page is made: an ETag never newer than its body
    n = page_number()
    shown = View(c.store, c.base).timeline(n)
    resp = Response(render_template("timeline.html", base=c.base, page=n, **shown),
                    content_type="text/html; charset=utf-8")
    if shown["more"]:
        resp.headers["Link"] = f'<{request.path}?page={n + 1}>; rel="next"'
    return conditional(resp, version, request.full_path, "timeline")


# ---------------------------------------------------------------- the ontology

@bp.route("/ontology", methods=["GET", "HEAD"])
@bp.route("/ontology.<ext>", methods=["GET", "HEAD"])
def ontology(ext: str | None = None):
    c = ctx()
    graph = ox.NamedNode(c.base + "ontology")
    if ext is None:
        fmt = negotiate("rdf", html=True)
        target = url_for("linked_data.ontology", ext="html" if fmt == HTML else fmt.extension)
        resp = redirect(target, code=303)
        resp.headers["Vary"] = "Accept"
        return resp
    if ext == "html":
        return render_template("ontology.html", base=c.base, onto=ontology_view(c, graph),
                               alternates=[{"href": url_for("linked_data.ontology", ext=f.extension),
                                            "type": f.media_type, "name": f.name} for f in formats.RDF_FORMATS])
    fmt = EXTENSIONS.get(ext)
    if fmt is None:
        raise HttpError(404, f"/ontology.{ext}: no such format")
    # the graph name is the store's own base, never request text
    quads = list(c.store.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph.value}> {{ ?s ?p ?o }} }}"))
    return Response(serialize_document(quads, fmt, c.base), content_type=fmt.content_type)


def ontology_view(c, graph: ox.NamedNode) -> dict:
    view = View(c.store, c.base)
    g = f"<{graph.value}>"
    ns = c.base + "ontology#"

    def local(iri):
        return iri[len(ns):] if iri and iri.startswith(ns) else None

    terms: dict = {}
    for r in view.rows(f"""SELECT ?t ?kind ?label ?comment WHERE {{ GRAPH {g} {{ ?t a ?kind ; rdfs:label ?label ;
            rdfs:comment ?comment FILTER (?kind IN (owl:Class, owl:ObjectProperty, owl:DatatypeProperty)) }} }}"""):
        terms[r["t"]] = {"name": local(r["t"]), "iri": r["t"], "kind": r["kind"].rsplit("#", 1)[-1],
                         "label": r["label"], "comment": r["comment"], "super": [], "sub": [],
                         "domain": [], "range": [], "members": []}
    for pred, key in (("rdfs:subClassOf", "super"), ("rdfs:subPropertyOf", "super"), ("rdfs:domain", "domain"),
                      ("rdfs:range", "range")):
        for r in view.rows(f"SELECT ?t ?o WHERE {{ GRAPH {g} {{ ?t {pred} ?o }} }}"):
            if r["t"] in terms and isinstance(r["o"], str):
                terms[r["t"]][key].append({"name": local(r["o"]) or view.short(r["o"]),
                                           "href": ("#" + local(r["o"])) if local(r["o"]) else r["o"]})
                if key == "super" and r["o"] in terms:
                    terms[r["o"]]["sub"].append({"name": local(r["t"]), "href": "#" + local(r["t"])})
    for r in view.rows(f"""SELECT ?i ?cls ?label ?comment WHERE {{ GRAPH {g} {{ ?i a owl:NamedIndividual , ?cls ;
            rdfs:label ?label ; rdfs:comment ?comment FILTER (?cls != owl:NamedIndividual) }} }}"""):
        if r["cls"] in terms:
            terms[r["cls"]]["members"].append({"name": local(r["i"]), "label": r["label"], "comment": r["comment"]})
    info = view.rows(f"""SELECT ?label ?comment ?version WHERE {{ GRAPH {g} {{ ?o a owl:Ontology ; rdfs:label ?label ;
            rdfs:comment ?comment OPTIONAL {{ ?o owl:versionInfo ?version }} }} }}""")
    ordered = sorted(terms.values(), key=lambda t: t["name"] or "")
    return {"info": info[0] if info else {}, "namespace": ns,
            "classes": [t for t in ordered if t["kind"] == "Class"],
            "properties": [t for t in ordered if t["kind"] != "Class"]}

