"""Article -> quads: the INTERFACE terms, provenance, and deterministic IRIs."""

from datetime import date, datetime, timedelta, timezone

import pyoxigraph as ox
import pytest

from loaders.article import Article
from loaders.to_rdf import Mapper, Run, article_slug
from newsgraph.terms import NIF, PROV, RDF, SCHEMA, XSD, ng

BASE = "http://example.org/news/"


def make(**kw) -> Article:
    values = dict(source="x.txt", headline="Talks Resume in Geneva",
                  body="Negotiators met again on Friday.", file_name="x.txt",
                  published=datetime(2025, 3, 7, 9, 30, tzinfo=timezone(timedelta(hours=1))),
                  authors=["Ann Lee"], section="World")
    values.update(kw)
    return Article(**values)


def triples(output):
    return {(q.subject, q.predicate, q.object) for q in output.quads}


def the(output, s, p):
    found = [q.object for q in output.quads + output.shared if q.subject == s and q.predicate == p]
    assert len(found) == 1, (s, p, found)
    return found[0]


@pytest.fixture
def mapped():
    mapper = Mapper(BASE)
    run = Run(BASE)
    art = make()
    return mapper, run, art, mapper.article(art, run, "h" * 64)


def article_iri(art):
    return ox.NamedNode(f"{BASE}id/article/{article_slug(art)}")


def test_article_carries_standard_and_own_types(mapped):
    _, _, art, out = mapped
    a = article_iri(art)
    t = triples(out)
    assert (a, RDF.type, SCHEMA.NewsArticle) in t
    assert (a, RDF.type, ng(BASE).Article) in t
    assert (a, RDF.type, PROV.Entity) in t


def test_headline_date_section_body(mapped):
    _, _, art, out = mapped
    a = article_iri(art)
    assert the(out, a, SCHEMA.headline).value == "Talks Resume in Geneva"
    d = the(out, a, SCHEMA.datePublished)
    assert d.datatype == XSD.dateTime and d.value == "2025-03-07T09:30:00+01:00"
    assert the(out, a, SCHEMA.articleSection).value == "World"
    assert the(out, a, SCHEMA.articleBody).value == art.body


def test_date_only_is_xsd_date():
    out = Mapper(BASE).article(make(published=date(2025, 3, 7)), Run(BASE), "h")
    d = the(out, article_iri(make(published=date(2025, 3, 7))), SCHEMA.datePublished)
    assert d.datatype == XSD.date and d.value == "2025-03-07"


def test_body_is_the_nif_context_string(mapped):
    _, _, art, out = mapped
    ctx = the(out, article_iri(art), ng(BASE).bodyContext)
    assert (ctx, RDF.type, NIF.Context) in triples(out)
    assert the(out, ctx, NIF.isString).value == art.body


def test_author_is_a_shared_person_with_label(mapped):
    mapper, _, art, out = mapped
    person = the(out, article_iri(art), SCHEMA.author)
    assert person.value == BASE + "id/person/ann-lee"
    shared = {(q.subject, q.predicate, q.object) for q in out.shared}
    assert (person, RDF.type, SCHEMA.Person) in shared
    assert all(q.graph_name == mapper.entities_graph for q in out.shared)


def test_graph_provenance(mapped):
    _, run, art, out = mapped
    g = out.graph
    assert g.value.startswith(BASE + "id/graph/")
    assert all(q.graph_name == g for q in out.quads)
    assert the(out, g, PROV.wasDerivedFrom) == article_iri(art)
    assert the(out, g, PROV.wasGeneratedBy) == run.iri


def test_run_records_software_and_times():
    mapper = Mapper(BASE)
    run = Run(BASE)
    start = {(q.subject, q.predicate): q.object for q in mapper.run_start(run)}
    assert start[(run.iri, PROV.startedAtTime)].datatype == XSD.dateTime
    software = start[(run.iri, PROV.wasAssociatedWith)]
    assert (software, RDF.type) in start
    assert start[(software, SCHEMA.softwareVersion)].value
    end = {(q.subject, q.predicate): q.object for q in mapper.run_end(run, 3)}
    assert end[(run.iri, ng(BASE).articleCount)].value == "3"


def test_same_article_same_quads():
    run = Run(BASE)
    one = Mapper(BASE).article(make(), run, "h")
    two = Mapper(BASE).article(make(), run, "h")
    assert set(one.quads) == set(two.quads) and one.graph == two.graph


def test_identity_is_headline_and_day_not_body():
    a = make()
    b = make(body="A corrected body text.", published=datetime(2025, 3, 7, 11, 0))
    assert article_slug(a) == article_slug(b)
    assert article_slug(a) != article_slug(make(headline="Another Story"))


def test_url_wins_over_headline():
    a = make(url="https://news.example/a/1", headline="First Headline")
    b = make(url="https://news.example/a/1", headline="Edited Headline")
    assert article_slug(a).split("-")[-1] == article_slug(b).split("-")[-1]


def test_base_changes_every_iri():
    out = Mapper("http://other.example/").article(make(), Run("http://other.example/"), "h")
    for q in out.quads:
        for term in (q.subject, q.graph_name):
            if isinstance(term, ox.NamedNode):
                assert not term.value.startswith(BASE)
