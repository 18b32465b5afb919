"""SHACL: the seeds' graph conforms, and the shapes do catch what is wrong."""

import pyoxigraph as ox

from loaders.validate import validate_store
from newsgraph.terms import NIF, RDF, SCHEMA, XSD, ng

BASE = "http://localhost:8000/"


def test_seeds_conform(seeded):
    result = validate_store(seeded, BASE)
    assert result.conforms, result.text
    assert result.triples > 400


def test_the_seeds_conform_in_small_pieces_too(seeded):
    """Things are validated a piece at a time, each with the types of what it points to: cut
    into pieces of 25 things, the seeds conform as they do whole, with the same triples."""
    whole, pieces = validate_store(seeded, BASE), validate_store(seeded, BASE, piece=25)
    assert pieces.conforms, pieces.text
    assert pieces.triples == whole.triples > 400


def test_article_without_headline_is_a_violation(store):
    g = ox.NamedNode(BASE + "id/graph/x")
    a = ox.NamedNode(BASE + "id/article/x")
    store.replace_graphs({g: [ox.Quad(a, RDF.type, ng(BASE).Article, g),
                              ox.Quad(a, SCHEMA.articleBody, ox.Literal("text"), g)]})
    result = validate_store(store, BASE)
    assert not result.conforms
    assert "headline" in result.text


def test_mention_whose_anchor_is_not_its_span_is_a_violation(store):
    g = ox.NamedNode(BASE + "id/graph/x")
    ctx, m = ox.NamedNode(BASE + "id/context/x"), ox.NamedNode(BASE + "id/mention/x-0-5")
    n = ng(BASE)
    quads = [
        (ctx, RDF.type, NIF.Context), (ctx, NIF.isString, ox.Literal("Kyiv is a city")),
        (m, RDF.type, n.Mention), (m, NIF.referenceContext, ctx),
        (m, NIF.beginIndex, ox.Literal("0", datatype=XSD.integer)),
        (m, NIF.endIndex, ox.Literal("5", datatype=XSD.integer)),
        (m, NIF.anchorOf, ox.Literal("Kyiv ")),
    ]
    store.replace_graphs({g: [ox.Quad(*t, g) for t in quads]})
    assert validate_store(store, BASE).conforms
    store.replace_graphs({g: [ox.Quad(*t, g) for t in quads[:-1]] +
                          [ox.Quad(m, NIF.anchorOf, ox.Literal("Kyiv"), g)]})
    result = validate_store(store, BASE)
    assert not result.conforms
    assert "anchorOf is not the text" in result.text


def test_negative_offset_is_a_violation(store):
    g = ox.NamedNode(BASE + "id/graph/x")
    m = ox.NamedNode(BASE + "id/mention/x")
    store.replace_graphs({g: [ox.Quad(m, RDF.type, ng(BASE).Mention, g),
                              ox.Quad(m, NIF.beginIndex, ox.Literal("-1", datatype=XSD.integer), g)]})
    result = validate_store(store, BASE)
    assert not result.conforms and "beginIndex" in result.text
