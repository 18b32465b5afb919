"""Closed namespaces and IRI minting.

Every term the code uses comes from a closed namespace, so a typo raises at once instead of
writing a wrong IRI into the store. Our own terms are read from ``ontology/newsgraph.ttl``:
the ontology is the one list of them.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from functools import lru_cache

import pyoxigraph as ox

from . import ONTOLOGY_DIR


class Vocab:
    """A namespace that only knows the terms it was given."""

    def __init__(self, iri: str, terms):
        self.iri = iri
        self.terms = frozenset(terms)
        self._nodes = {t: ox.NamedNode(iri + t) for t in self.terms}
        # as attributes too, so that a term is read without calling __getattr__
        self.__dict__.update({t: node for t, node in self._nodes.items() if t not in self.__dict__})

    def __getattr__(self, name: str) -> ox.NamedNode:
        try:
            return self._nodes[name]
        except KeyError:
            raise AttributeError(f"{name!r} is not a term of <{self.iri}>") from None

    __getitem__ = __getattr__

    def __contains__(self, iri) -> bool:
        value = getattr(iri, "value", iri)
        return value.startswith(self.iri) and value[len(self.iri):] in self.terms


RDF = Vocab("http://www.w3.org/1999/02/22-rdf-syntax-ns#", ["type", "first", "rest", "nil", "List"])
RDFS = Vocab("http://www.w3.org/2000/01/rdf-schema#",
             ["label", "comment", "subClassOf", "subPropertyOf", "domain", "range",
              "isDefinedBy", "seeAlso", "Class"])
OWL = Vocab("http://www.w3.org/2002/07/owl#",
            ["sameAs", "Ontology", "Class", "ObjectProperty", "DatatypeProperty",
             "NamedIndividual", "versionInfo"])
XSD = Vocab("http://www.w3.org/2001/XMLSchema#",
            ["string", "integer", "decimal", "double", "boolean", "date", "dateTime",
             "gYearMonth", "gYear", "nonNegativeInteger"])
SCHEMA = Vocab("http://schema.org/",
               ["NewsArticle", "Claim", "Quotation", "Event", "Person", "Organization", "Place",
                "headline", "datePublished", "dateModified", "author", "publisher", "url",
                "articleBody", "articleSection", "inLanguage", "text", "about", "name",
                "jobTitle", "value", "unitText", "QuantitativeValue", "member",
                "softwareVersion", "NewsMediaOrganization", "containedInPlace"])
PROV = Vocab("http://www.w3.org/ns/prov#",
             ["Entity", "Activity", "Agent", "SoftwareAgent", "Bundle", "Person", "Organization",
              "wasAttributedTo", "wasDerivedFrom", "wasGeneratedBy", "wasAssociatedWith",
              "startedAtTime", "endedAtTime", "wasInfluencedBy", "wasQuotedFrom",
              "generatedAtTime"])
SEM = Vocab("http://semanticweb.cs.vu.nl/2009/11/sem/",
            ["Event", "Actor", "Place", "Time", "hasActor", "hasPlace", "hasTime",
             "hasTimeStamp", "hasBeginTimeStamp", "hasEndTimeStamp"])
NIF = Vocab("http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#",
            ["Context", "Phrase", "String", "OffsetBasedString", "beginIndex", "endIndex",
             "anchorOf", "referenceContext", "isString", "sourceUrl"])
GAF = Vocab("http://groundedannotationframework.org/gaf#", ["denotedBy", "denotes"])
VOID = Vocab("http://rdfs.org/ns/void#",
             ["Dataset", "uriSpace", "triples", "entities", "classes", "properties",
              "distinctSubjects", "sparqlEndpoint", "exampleResource", "vocabulary",
              "classPartition", "class", "uriLookupEndpoint", "rootResource"])
FOAF = Vocab("http://xmlns.com/foaf/0.1/", ["primaryTopic", "Document", "page"])
DCTERMS = Vocab("http://purl.org/dc/terms/", ["title", "description", "created", "modified", "source"])

#: Prefixes for serialisations and query editors; ``ng`` and ``id`` are added per base.
PREFIXES = {
    "rdf": RDF.iri, "rdfs": RDFS.iri, "owl": OWL.iri, "xsd": XSD.iri,
    "schema": SCHEMA.iri, "prov": PROV.iri, "sem": SEM.iri, "nif": NIF.iri, "gaf": GAF.iri,
    "void": VOID.iri, "foaf": FOAF.iri, "dcterms": DCTERMS.iri,
    "wd": "http://www.wikidata.org/entity/",
}

ONTOLOGY_FILE = ONTOLOGY_DIR / "newsgraph.ttl"


@lru_cache(maxsize=1)
def _ontology_terms() -> frozenset[str]:
    """Local names declared in the ontology (anything it gives an rdfs:label)."""
    names = set()
    base = "http://newsgraph.invalid/"
    ns = base + "ontology#"
    for quad in ox.parse(path=str(ONTOLOGY_FILE), format=ox.RdfFormat.TURTLE, base_iri=base):
        s = quad.subject
        if isinstance(s, ox.NamedNode) and s.value.startswith(ns) and quad.predicate == RDFS.label:
            names.add(s.value[len(ns):])
    return frozenset(names)


def ontology_iri(base: str) -> str:
    return base + "ontology"


@lru_cache(maxsize=8)
def ng(base: str) -> Vocab:
    """Our ontology's namespace under a base IRI: ``{base}ontology#``."""
    return Vocab(ontology_iri(base) + "#", _ontology_terms())


def prefixes(base: str) -> dict[str, str]:
    return {**PREFIXES, "ng": ng(base).iri, "id": base + "id/"}


# ---------------------------------------------------------------- minting

#: The kinds of thing the project mints IRIs for: ``{base}id/<kind>/<slug>``.
KINDS = frozenset({
    "article", "statement", "event", "person", "organisation", "place", "mention",
    "source", "group", "agent", "context", "time", "amount", "graph", "run", "software", "dataset",
    "resolution", "link", "disagreement",
})

_SLUG_BAD = re.compile(r"[^a-z0-9]+")


def slugify(text: str, max_len: int = 60) -> str:
    """A readable ASCII slug: 'Jean-Noël Barrot' -> 'jean-noel-barrot'."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = _SLUG_BAD.sub("-", folded.lower()).strip("-")
    return slug[:max_len].rstrip("-")


def short_hash(*parts: str, length: int = 10) -> str:
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()
    return digest[:length]


_SLUG = re.compile(r"[A-Za-z0-9._~-]+")


def mint(base: str, kind: str, slug: str) -> ox.NamedNode:
    if kind not in KINDS:
        raise ValueError(f"unknown kind of IRI: {kind!r}")
    if not slug or "/" in slug or not _SLUG.fullmatch(slug):
        raise ValueError(f"bad slug for {kind}: {slug!r}")
    return ox.NamedNode(f"{base}id/{kind}/{slug}")


def check_base(base: str) -> str:
    """A base IRI must be absolute http(s) and end with '/'."""
    if not re.fullmatch(r"https?://[^\s<>\"{}|\\^`]+/", base or ""):
        raise ValueError(f"--base must be an absolute http(s) IRI ending in '/', got {base!r}")
    return base
