"""The SPARQL 1.1 Service Description of /sparql, with a VoID description of the dataset."""

from __future__ import annotations

import threading

import pyoxigraph as ox
from flask import Response, current_app, render_template

from newsgraph import formats
from newsgraph.terms import DCTERMS, RDF, RDFS, VOID, XSD, mint
from newsgraph.terms import prefixes as base_prefixes

from .examples import EXAMPLES
from .negotiation import HTML, negotiate

SD = "http://www.w3.org/ns/sparql-service-description#"
FMT = "http://www.w3.org/ns/formats/"
SH = "http://www.w3.org/ns/shacl#"
SCHEMA = "http://schema.org/"
RESULT_FORMATS = ["SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV",
                  "SPARQL_Results_TSV", "Turtle", "N-Triples", "N-Quads", "TriG", "JSON-LD", "RDF_XML"]
MAX_GRAPHS = 500

_lock = threading.Lock()
_cache: dict = {}


def n(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def statistics(store) -> dict:
    """Counts for VoID, computed once per store version."""
    version = store.version()
    with _lock:
        if _cache.get("version") == version:
            return _cache["stats"]
    triples = int(store.select("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")[0]["n"].value)
    graphs = store.select("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } "
                          f"GROUP BY ?g ORDER BY DESC(?n) LIMIT {MAX_GRAPHS}")
    classes = store.select("SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c } GROUP BY ?c ORDER BY DESC(?n) LIMIT 200")
    examples = store.select("SELECT ?s WHERE { ?s a <http://schema.org/Person> ; "
                            "<http://www.w3.org/2002/07/owl#sameAs> ?w } LIMIT 3")
    stats = {"triples": triples, "graphs": graphs, "classes": classes,
             "examples": [r["s"] for r in examples]}
    with _lock:
        _cache.update(version=version, stats=stats)
    return stats


def description_quads(base: str, store, update_enabled: bool) -> list:
    endpoint = n(base + "sparql")
    dataset = mint(base, "dataset", "newsgraph")
    stats = statistics(store)
    t = []
    add = t.append
    add((endpoint, RDF.type, n(SD + "Service")))
    add((endpoint, n(SD + "endpoint"), endpoint))
    add((endpoint, n(SD + "supportedLanguage"), n(SD + "SPARQL11Query")))
    if update_enabled:
        add((endpoint, n(SD + "supportedLanguage"), n(SD + "SPARQL11Update")))
    for f in RESULT_FORMATS:
        add((endpoint, n(SD + "resultFormat"), n(FMT + f)))
    add((endpoint, n(SD + "feature"), n(SD + "UnionDefaultGraph")))
    add((endpoint, n(SD + "defaultEntailmentRegime"), n("http://www.w3.org/ns/entailment/Simple")))
    add((endpoint, n(SD + "defaultDataset"), dataset))
    add((dataset, RDF.type, n(SD + "Dataset")))
    add((dataset, RDF.type, VOID.Dataset))
    add((dataset, DCTERMS.title, ox.Literal("newsgraph")))
    add((dataset, VOID.sparqlEndpoint, endpoint))
    add((dataset, VOID.uriSpace, ox.Literal(base + "id/")))
    add((dataset, VOID.triples, ox.Literal(str(stats["triples"]), datatype=XSD.integer)))
    add((dataset, VOID.classes, ox.Literal(str(len(stats["classes"])), datatype=XSD.integer)))
    for ex in stats["examples"]:
        add((dataset, VOID.exampleResource, ex))
    default = ox.BlankNode("default")
    add((dataset, n(SD + "defaultGraph"), default))
    add((default, RDF.type, n(SD + "Graph")))
    add((default, VOID.triples, ox.Literal(str(stats["triples"]), datatype=XSD.integer)))
    for i, row in enumerate(stats["graphs"]):
        ng, gr = ox.BlankNode(f"ng{i}"), ox.BlankNode(f"g{i}")
        add((dataset, n(SD + "namedGraph"), ng))
        add((ng, RDF.type, n(SD + "NamedGraph")))
        add((ng, n(SD + "name"), row["g"]))
        add((ng, n(SD + "graph"), gr))
        add((gr, RDF.type, n(SD + "Graph")))
        add((gr, VOID.triples, row["n"]))
    for i, row in enumerate(stats["classes"]):
        part = ox.BlankNode(f"c{i}")
        add((dataset, VOID.classPartition, part))
        add((part, VOID["class"], row["c"]))
        add((part, VOID.entities, row["n"]))
    for ex in EXAMPLES:
        q = n(f"{base}sparql#{ex['id']}")
        add((q, RDF.type, n(SH + "SPARQLExecutable")))
        add((q, RDF.type, n(SH + "SPARQLSelectExecutable")))
        add((q, RDFS.label, ox.Literal(ex["label"], language="en")))
        add((q, RDFS.comment, ox.Literal(ex["comment"], language="en")))
        add((q, n(SH + "select"), ox.Literal(prologue(base) + ex["query"])))
        add((q, n(SCHEMA + "target"), endpoint))
    return [ox.Triple(*x) for x in t]


def prologue(base: str) -> str:
    p = base_prefixes(base)
    wanted = ["rdf", "rdfs", "owl", "xsd", "schema", "prov", "sem", "nif", "gaf", "ng"]
    return "".join(f"PREFIX {k}: <{p[k]}>\n" for k in wanted)


def description() -> Response:
    c = current_app.extensions["newsgraph"]
    fmt = negotiate("rdf", html=True)
    if fmt == HTML:
        return Response(render_template("query.html", base=c.base, prologue=prologue(c.base),
                                        examples=EXAMPLES), content_type="text/html; charset=utf-8")
    quads = description_quads(c.base, c.store, bool(c.settings.update_token))
    prefixes = {**base_prefixes(c.base), "sd": SD, "formats": FMT, "sh": SH}
    body = formats.serialize_graph(quads, fmt, prefixes=prefixes)
    return Response(body, content_type=fmt.content_type, headers={"Vary": "Accept"})
