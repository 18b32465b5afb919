"""Result and RDF formats: names, media types, and native (pyoxigraph) serialisation."""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox


@dataclass(frozen=True)
class Format:
    name: str                 # canonical short name
    media_type: str
    kind: str                 # "results" (SELECT/ASK) or "rdf" (graphs)
    native: object            # ox.QueryResultsFormat or ox.RdfFormat
    aliases: tuple = ()
    extension: str = ""

    @property
    def content_type(self) -> str:
        textual = self.media_type.startswith("text/") or self.media_type.endswith(
            ("json", "xml", "n-triples", "n-quads", "trig", "turtle"))
        return self.media_type + ("; charset=utf-8" if textual else "")


RESULT_FORMATS = [
    Format("json", "application/sparql-results+json", "results", ox.QueryResultsFormat.JSON,
           ("srj",), "srj"),
    Format("xml", "application/sparql-results+xml", "results", ox.QueryResultsFormat.XML,
           ("srx",), "srx"),
    Format("csv", "text/csv", "results", ox.QueryResultsFormat.CSV, (), "csv"),
    Format("tsv", "text/tab-separated-values", "results", ox.QueryResultsFormat.TSV, (), "tsv"),
]

RDF_FORMATS = [
    Format("ttl", "text/turtle", "rdf", ox.RdfFormat.TURTLE, ("turtle",), "ttl"),
    Format("nt", "application/n-triples", "rdf", ox.RdfFormat.N_TRIPLES,
           ("ntriples", "n-triples"), "nt"),
    Format("nq", "application/n-quads", "rdf", ox.RdfFormat.N_QUADS, ("nquads", "n-quads"), "nq"),
    Format("trig", "application/trig", "rdf", ox.RdfFormat.TRIG, (), "trig"),
    Format("jsonld", "application/ld+json", "rdf", ox.RdfFormat.JSON_LD, ("json-ld",), "jsonld"),
    Format("rdf", "application/rdf+xml", "rdf", ox.RdfFormat.RDF_XML, ("rdfxml", "rdf/xml", "owl"),
           "rdf"),
]

#: other media types clients send for the same formats
MEDIA_ALIASES = {
    "application/json": "json",            # SPARQL JSON for results (JSON-LD for graphs, see server)
    "application/xml": "xml",
    "text/xml": "xml",
    "application/x-turtle": "ttl",
    "text/n3": "ttl",
    "text/plain": "nt",
    "application/x-trig": "trig",
    "text/x-nquads": "nq",
    "application/sparql-results+json; charset=utf-8": "json",
}

_BY_NAME = {}
for _f in RESULT_FORMATS + RDF_FORMATS:
    for _n in (_f.name, *_f.aliases, _f.media_type):
        _BY_NAME[_n] = _f


def by_name(name: str, kind: str | None = None) -> Format | None:
    """A format by short name, alias or media type ('ttl', 'turtle', 'text/turtle')."""
    name = (name or "").strip().lower()
    fmt = _BY_NAME.get(name)
    if fmt is None and name in MEDIA_ALIASES:
        fmt = _BY_NAME[MEDIA_ALIASES[name]]
        if kind == "rdf" and name == "application/json":
            fmt = _BY_NAME["jsonld"]
    if fmt is not None and kind is not None and fmt.kind != kind:
        return None
    return fmt


def names(kind: str) -> list[str]:
    return [f.name for f in (RESULT_FORMATS if kind == "results" else RDF_FORMATS)]


def as_quads(triples):
    """Triples into the default graph, for quad formats."""
    for t in triples:
        yield ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph())


def _unique(triples):
    """A triple held by several graphs is written once in a triple format."""
    seen = set()
    for t in triples:
        if t not in seen:
            seen.add(t)
            yield t


def serialize_graph(triples, fmt: Format, output=None, prefixes=None, unique: bool = False):
    """Triples (or quads) in an RDF format, by pyoxigraph's serialisers; `unique`: the caller
    gives triples, each once, for a triple format (not checked again)."""
    with_prefixes = prefixes and fmt.native in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG, ox.RdfFormat.RDF_XML,
                                                ox.RdfFormat.JSON_LD, ox.RdfFormat.N3)
    if isinstance(triples, ox.QueryTriples):
        # a CONSTRUCT's answer: pyoxigraph gives each triple once; written without Python
        if not with_prefixes:
            return triples.serialize(output, fmt.native)
        return ox.serialize(triples, output, format=fmt.native, prefixes=prefixes)
    items = triples
    if fmt.native.supports_datasets:
        items = (t if isinstance(t, ox.Quad) else ox.Quad(t.subject, t.predicate, t.object,
                                                           ox.DefaultGraph()) for t in triples)
    elif not unique:
        items = _unique(ox.Triple(t.subject, t.predicate, t.object) if isinstance(t, ox.Quad) else t
                        for t in triples)
    kwargs = {"format": fmt.native}
    if with_prefixes:
        kwargs["prefixes"] = prefixes
    return ox.serialize(items, output, **kwargs)
