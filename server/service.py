"""The SPARQL 1.1 Service Description of /sparql, with a VoID description of the dataset."""

from __future__ import annotations

import json
import logging
import os
import threading

import pyoxigraph as ox
from flask import Response, current_app, render_template

from newsgraph import formats
from newsgraph.store import MEMORY
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
log = logging.getLogger(__name__)

#: how long a request waits for the dataset's counts before it is answered without them
STATS_WAIT_S = 0.5

_lock = threading.Lock()
_done: dict = {}        # (id of the store, version) -> (the store, its counts): the last few;
                        # the store is held so that its id cannot be another store's meanwhile
_running: dict = {}     # (id of the store, version) -> the thread counting them


def n(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def statistics(store) -> dict | None:
    """Counts for VoID, made once per store version in a thread of their own; None while they
    are being made. They read the whole store (at 10,000 articles: 10 s), so a request waits
    for them at most STATS_WAIT_S and is otherwise answered without them; the worker processes
    share them through a file beside the store."""
    version = store.version()
    key = (id(store), version)
    with _lock:
        if key in _done:
            return _done[key][1]
        job = _running.get(key)
        if job is None:
            job = threading.Thread(target=_count, args=(store, key), daemon=True, name="newsgraph-void")
            _running[key] = job
            job.start()
    job.join(STATS_WAIT_S)
    with _lock:
        return _done[key][1] if key in _done else None


def _count(store, key) -> None:
    store.pin()         # the four counts from one version (where the store keeps versions)
    try:
        stats = _read_kept(store, key[1])
        if stats is None:
            if store.version() != key[1]:
                return                   # a newer version already: the next request counts that
            stats = _counts(store)
            if store.version() != key[1]:
                return                   # a store without versions to pin changed meanwhile
            _keep(store, key[1], stats)
        with _lock:
            while len(_done) >= 4:
                _done.pop(next(iter(_done)))
            _done[key] = (store, stats)
    except Exception:  # noqa: BLE001 - the description goes out without counts
        log.exception("the dataset's counts could not be made")
    finally:
        store.unpin()
        with _lock:
            _running.pop(key, None)


def _counts(store) -> dict:
    triples = int(store.select("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")[0]["n"].value)
    graphs = store.select("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } "
                          f"GROUP BY ?g ORDER BY DESC(?n) LIMIT {MAX_GRAPHS}")
    classes = store.select("SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c } GROUP BY ?c ORDER BY DESC(?n) LIMIT 200")
    examples = store.select("SELECT ?s WHERE { ?s a <http://schema.org/Person> ; "
                            "<http://www.w3.org/2002/07/owl#sameAs> ?w } LIMIT 3")
    return {"triples": triples,
            "graphs": [(str(r["g"]), int(r["n"].value)) for r in graphs],
            "classes": [(str(r["c"]), int(r["n"].value)) for r in classes if not isinstance(r["c"], ox.Literal)],
            "examples": [str(r["s"]) for r in examples]}


def _kept_path(store) -> str | None:
    path = store.side_file("void-counts.json")
    return None if path == MEMORY else path


def _read_kept(store, version: str) -> dict | None:
    path = _kept_path(store)
    try:
        with open(path, encoding="utf-8") as f:
            kept = json.load(f)
    except (TypeError, OSError, ValueError):
        return None
    return kept["stats"] if isinstance(kept, dict) and kept.get("version") == version else None


def _keep(store, version: str, stats: dict) -> None:
    path = _kept_path(store)
    if path is None:
        return
    try:
        tmp = f"{path}.{os.getpid()}.tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump({"version": version, "stats": stats}, f)
        os.replace(tmp, path)
    except OSError as e:
        log.warning("the dataset's counts were not kept in %s: %s", path, e)


def _term(nt: str):
    """A term kept in its N-Triples form (IRIs and blank nodes: graph and class names)."""
    return ox.BlankNode(nt[2:]) if nt.startswith("_:") else ox.NamedNode(nt[1:-1])


def description_quads(base: str, store, update_enabled: bool) -> list:
    endpoint = n(base + "sparql")
    dataset = mint(base, "dataset", "newsgraph")
    stats = statistics(store)
    t: list = []
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
    default = ox.BlankNode("default")
    add((dataset, n(SD + "defaultGraph"), default))
    add((default, RDF.type, n(SD + "Graph")))
    if stats is not None:
        _add_counts(add, dataset, default, stats)
    for ex in EXAMPLES:
        q = n(f"{base}sparql#{ex['id']}")
        add((q, RDF.type, n(SH + "SPARQLExecutable")))
        add((q, RDF.type, n(SH + "SPARQLSelectExecutable")))
        add((q, RDFS.label, ox.Literal(ex["label"], language="en")))
        add((q, RDFS.comment, ox.Literal(ex["comment"], language="en")))
        add((q, n(SH + "select"), ox.Literal(prologue(base) + ex["query"])))
        add((q, n(SCHEMA + "target"), endpoint))
    return [ox.Triple(*x) for x in t]


def _add_counts(add, dataset, default, stats: dict) -> None:
    count = lambda k: ox.Literal(str(k), datatype=XSD.integer)  # noqa: E731
    add((dataset, VOID.triples, count(stats["triples"])))
    add((dataset, VOID.classes, count(len(stats["classes"]))))
    for ex in stats["examples"]:
        add((dataset, VOID.exampleResource, _term(ex)))
    add((default, VOID.triples, count(stats["triples"])))
    for i, (name, k) in enumerate(stats["graphs"]):
        ng, gr = ox.BlankNode(f"ng{i}"), ox.BlankNode(f"g{i}")
        add((dataset, n(SD + "namedGraph"), ng))
        add((ng, RDF.type, n(SD + "NamedGraph")))
        add((ng, n(SD + "name"), _term(name)))
        add((ng, n(SD + "graph"), gr))
        add((gr, RDF.type, n(SD + "Graph")))
        add((gr, VOID.triples, count(k)))
    for i, (cls, k) in enumerate(stats["classes"]):
        part = ox.BlankNode(f"c{i}")
        add((dataset, VOID.classPartition, part))
        add((part, VOID["class"], _term(cls)))
        add((part, VOID.entities, count(k)))


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
