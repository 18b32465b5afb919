"""The small SPARQL lexer: query forms, result caps, protocol datasets for updates."""

import pyoxigraph as ox
import pytest

from newsgraph.sparql_text import (DatasetConflict, _cap_by_tokens, _form_by_tokens, apply_using,
                                   cap_results, declares_base, declares_dataset, describes_one, one_pattern,
                                   query_form,
                                   star_join)


def parses(q: str) -> bool:
    ox.Store().query(q)
    return True


@pytest.mark.parametrize("q, form", [
    ("PREFIX ex: <http://ex.org/> SELECT * WHERE { ?s ?p ?o }", "SELECT"),
    ("# a comment with SELECT\nASK { ?s ?p 'SELECT' }", "ASK"),
    ("BASE <http://x/> CONSTRUCT WHERE { ?s ?p ?o }", "CONSTRUCT"),
    ("DESCRIBE <http://x/>", "DESCRIBE"),
    ("nonsense", None),
])
def test_query_form(q, form):
    assert query_form(q) == form


QUERIES = [
    "SELECT ?p ?o WHERE { <http://x/a> ?p ?o }",
    "select ?p ?o { <http://x/a> ?p ?o . } limit 5",
    "PREFIX ex: <http://ex.org/ns#> SELECT ?s ?t WHERE { ?s ex:speaker <http://x/b> ; ex:text ?t }",
    "PREFIX : <http://ex.org/> BASE <http://x/> ASK { <a> :p ?o }",
    "# SELECT in a comment\nCONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 200000",
    "SELECT * WHERE { ?s ?p ?o } ORDER BY ?s OFFSET 3",
    "SELECT ?x WHERE { ?x ?p 'a } b' }",
    "SELECT ?x WHERE { ?x <http://x/limit> ?y }",
    "SELECT ?s WHERE { ?s ?p ?o } VALUES ?s { <http://x/a> }",
    "SELECT ?s WHERE { { SELECT ?s WHERE { ?s ?p ?o } LIMIT 3 } }",
    "SELECT (COUNT(*) AS ?n) WHERE { ?s a <http://x/C> } GROUP BY ?s HAVING (COUNT(*) > 1)",
    "DESCRIBE <http://x/a>",
    "SELECT ?p ?o WHERE { <http://x/a> ?p ?o",
    "PREFIX select: <http://x/> SELECT ?o WHERE { select:a select:b ?o }",
    "ASK{}",
    # trailing LIMITs (read without the lexer when the text has no string or comment)
    "PREFIX ng: <http://x/ontology#> SELECT ?s ?t WHERE { ?s ng:speaker <http://x/a#b> ; ng:text ?t } LIMIT 1005",
    "PREFIX ng: <http://x/ontology#> SELECT ?s ?t WHERE { ?s ng:speaker <http://x/a> } LIMIT 900000 OFFSET 20",
    "SELECT ?x (COUNT(?s) AS ?n) WHERE { ?s <http://x/p> ?x } GROUP BY ?x ORDER BY DESC(?n) LIMIT 3",
    "CONSTRUCT { ?e ?p ?o } WHERE { ?e <http://x/in> <http://x/a> ; ?p ?o } limit 200001",
    "SELECT ?limit WHERE { ?s <http://x/LIMIT> ?limit } ORDER BY ?limit",
    "PREFIX ex: <http://x/> SELECT * WHERE { ?s ex:LIMIT ?o } OFFSET 5 LIMIT 7",
    "SELECT * WHERE { { SELECT ?s WHERE { ?s ?p ?o } LIMIT 3 } } LIMIT 500000",
    "SELECT * WHERE { ?s ?p ?o FILTER(?o<?b#c>) } LIMIT 200000",
    "SELECT * WHERE { ?s ?p ?o } # } LIMIT 5",
    "SELECT * WHERE { ?s ?p '#' } LIMIT 200000",
    "SELECT * WHERE { ?s ?p ?o } LIMIT 200000 VALUES ?s { <http://x/a> }",
]


@pytest.mark.parametrize("q", QUERIES)
def test_the_quick_readings_agree_with_the_lexer(q):
    """The regular expressions that spare the common queries a lexing say what the lexer says."""
    assert query_form(q) == _form_by_tokens(q)
    if query_form(q) in ("SELECT", "CONSTRUCT"):
        assert cap_results(q, 100_000) == _cap_by_tokens(q, 100_000)
        assert cap_results(q, 4) == _cap_by_tokens(q, 4)


def test_a_trailing_limit_is_read_without_the_lexer(monkeypatch):
    """A query with no string or comment that ends in a LIMIT (the commonest kind) is capped
    without lexing it; one with a string goes to the lexer."""
    from newsgraph import sparql_text

    lexed = []
    real = sparql_text._cap_by_tokens
    monkeypatch.setattr(sparql_text, "_cap_by_tokens", lambda *a: lexed.append(1) or real(*a))
    q = "PREFIX ng: <http://x/o#> SELECT ?s ?t WHERE { ?s ng:speaker <http://x/a> ; ng:text ?t } LIMIT 1005"
    assert cap_results(q, 100) == (q[:-4] + "100", True) and parses(q[:-4] + "100")
    assert cap_results(q, 100_000) == (q, False)
    assert lexed == []
    cap_results(q.replace("?t }", '"x" }'), 100)
    assert lexed == [1]


@pytest.mark.parametrize("q, form, limit", [
    ("SELECT ?p ?o WHERE { <http://x/a> ?p ?o }", "SELECT", None),
    ("select * { <http://x/a> ?p ?o . } LIMIT 7", "SELECT", 7),
    ("PREFIX ex: <http://ex.org/> SELECT ?s WHERE { ?s a ex:Person }", "SELECT", None),
    ("PREFIX : <http://ex.org/> ASK { :a :p ?o }", "ASK", None),
    ("SELECT ?s ?p WHERE { ?s ?p <http://x/a> }", "SELECT", None),
])
def test_one_pattern_finds_one_pattern_with_a_fixed_term(q, form, limit):
    assert one_pattern(q) == (form, limit)


@pytest.mark.parametrize("q", [
    "SELECT * WHERE { ?s ?p ?o }",                                   # no fixed term: the whole store
    "SELECT ?p WHERE { <http://x/a> ?p ?o . ?o ?q ?r }",             # two patterns
    "SELECT DISTINCT ?p WHERE { ?s ?p <http://x/a> }",               # DISTINCT may read far for few answers
    "SELECT ?p WHERE { <http://x/a> ?p ?o } OFFSET 10",              # so may OFFSET
    "SELECT ?p WHERE { <http://x/a> ?p ?o } ORDER BY ?p",
    "SELECT ?p WHERE { <http://x/a> ?p ?o FILTER(?o > 1) }",
    "SELECT ?p WHERE { <http://x/a> <http://x/p>+ ?o }",             # a path
    "SELECT ?p FROM <http://x/g> WHERE { <http://x/a> ?p ?o }",
    "SELECT ?o WHERE { _:b ?p ?o }",                                 # a blank node is a variable
    "# c\nSELECT ?p ?o WHERE { <http://x/a> ?p ?o }",
    "CONSTRUCT WHERE { <http://x/a> ?p ?o }",
    "SELECT ?p ?o WHERE { GRAPH ?g { <http://x/a> ?p ?o } }",
])
def test_one_pattern_refuses_everything_else(q):
    assert one_pattern(q) is None


@pytest.mark.parametrize("q, one", [
    ("DESCRIBE <http://x/a>", True),
    ("PREFIX ex: <http://x/> describe ex:a ", True),
    ("DESCRIBE <http://x/a> <http://x/b>", False),
    ("DESCRIBE ?x WHERE { ?x ?p <http://x/a> }", False),
    ("DESCRIBE *", False),
    ("# a comment\nDESCRIBE <http://x/a>", False),
])
def test_describes_one(q, one):
    assert describes_one(q) is one


def test_cap_appends_a_limit():
    q, capped = cap_results("SELECT * WHERE { ?s ?p ?o } ORDER BY ?s", 10)
    assert capped and q.endswith("LIMIT 10") and parses(q)


def test_cap_keeps_a_smaller_limit_and_lowers_a_larger_one():
    assert cap_results("SELECT * WHERE { ?s ?p ?o } LIMIT 5", 10) == ("SELECT * WHERE { ?s ?p ?o } LIMIT 5", False)
    q, capped = cap_results("SELECT * WHERE { ?s ?p ?o } LIMIT 500 OFFSET 2", 10)
    assert capped and "LIMIT 10 OFFSET 2" in q and parses(q)


def test_cap_ignores_limits_in_subqueries_and_strings():
    q, capped = cap_results('SELECT * WHERE { { SELECT ?s WHERE { ?s ?p "LIMIT 1" } LIMIT 1 } }', 10)
    assert capped and q.rstrip().endswith("LIMIT 10") and parses(q)


def test_cap_goes_before_a_trailing_values_block():
    q, capped = cap_results("SELECT * WHERE { ?s ?p ?o }VALUES (?s) {(<http://a>)}", 10)
    assert capped and parses(q) and q.index("LIMIT") < q.index("VALUES")


def test_no_cap_on_ask_or_broken_queries():
    assert cap_results("ASK { ?s ?p ?o }", 1)[1] is False
    assert cap_results("SELECT * WHERE { ?s", 1)[1] is False


def test_declares_dataset():
    assert declares_dataset("SELECT * FROM <http://g> WHERE { ?s ?p ?o }")
    assert not declares_dataset('SELECT * WHERE { ?s ?p "FROM" }')


def test_declares_base():
    """Only a BASE in the prologue counts: not the word in an IRI, a prefix, a comment or later."""
    assert declares_base("BASE <http://ex.org/> SELECT * WHERE { ?s ?p <x> }")
    assert declares_base("PREFIX ex: <http://ex.org/>\nPREFIX : <http://ex.org/d#> base <http://b/> ASK {}")
    assert not declares_base("CLEAR SILENT GRAPH <http://example.org/protocol-base-test/>")
    assert not declares_base("PREFIX base: <http://ex.org/> SELECT * WHERE { ?s base:p ?o }")
    assert not declares_base("# BASE <http://b/>\nSELECT * WHERE { ?s ?p ?o }")
    assert not declares_base("INSERT DATA { <a> <b> <c> } ; BASE <http://b/> INSERT DATA { <d> <e> <f> }")


def test_apply_using_to_insert_where():
    u = apply_using("PREFIX ex: <http://ex.org/> INSERT { ?s a ex:C } WHERE { ?s a ex:D }",
                    ["http://g1"], ["http://g2"])
    assert "USING <http://g1> USING NAMED <http://g2> WHERE" in u
    ox.Store().update(u)


def test_apply_using_leaves_insert_data_alone_and_handles_several_operations():
    u = apply_using("CLEAR ALL ; INSERT DATA { <http://a> <http://b> 1 } ; DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
                    ["http://g1"], [])
    assert u.count("USING <http://g1>") == 1
    ox.Store().update(u)


def test_apply_using_conflicts_with_with_or_using():
    with pytest.raises(DatasetConflict):
        apply_using("WITH <http://g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }", ["http://g1"], [])
    with pytest.raises(DatasetConflict):
        apply_using("DELETE { ?s ?p ?o } USING <http://x> WHERE { ?s ?p ?o }", [], ["http://g1"])


def test_bind_values_opens_the_top_level_group():
    import pyoxigraph as ox

    from newsgraph.sparql_text import bind_values

    q = bind_values('SELECT ?x ?o WHERE { ?x ?p ?o } ORDER BY ?o', {"x": ox.NamedNode("http://ex.org/a")})
    assert q == 'SELECT ?x ?o WHERE { VALUES (?x) { (<http://ex.org/a>) }  ?x ?p ?o } ORDER BY ?o'
    q = bind_values('# a { comment\nPREFIX a: <http://x/> ASK { { ?x ?p ?o } UNION { ?s ?p ?x } }',
                    {"x": ox.Literal('a "quoted" } value')})
    assert 'ASK { VALUES (?x) { ("a \\"quoted\\" } value") }' in q
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode("http://ex.org/a"), ox.NamedNode("http://ex.org/p"), ox.Literal("1")))
    assert [r["o"].value for r in store.query(bind_values("SELECT ?x ?o WHERE { ?x ?p ?o }",
                                                          {"x": ox.NamedNode("http://ex.org/a")}))] == ["1"]
    with pytest.raises(ValueError):
        bind_values("SELECT * WHERE { ?x ?p ?o }", {"x": "<http://ex.org/a> } DROP ALL #"})
    with pytest.raises(ValueError):
        bind_values("SELECT * WHERE { ?x ?p ?o }", {"x y": ox.NamedNode("http://ex.org/a")})


def test_a_values_block_takes_terms_only():
    import pyoxigraph as ox

    from newsgraph.sparql_text import values_block

    a, one = ox.NamedNode("http://ex.org/a"), ox.Literal("2024-11", datatype=ox.NamedNode(
        "http://www.w3.org/2001/XMLSchema#gYearMonth"))
    assert values_block("x", [a, one]) == 'VALUES ?x { <http://ex.org/a> "2024-11"^^<http://www.w3.org/2001/XMLSchema#gYearMonth> }'
    store = ox.Store()
    store.add(ox.Quad(a, a, one))
    assert len(list(store.query(f"SELECT ?x WHERE {{ {values_block('x', [a])} ?x ?p ?o }}"))) == 1
    with pytest.raises(ValueError):
        values_block("x", ["<http://ex.org/a> } DROP ALL #"])
    with pytest.raises(ValueError):
        values_block("x y", [a])


@pytest.mark.parametrize("q, subject, anchors", [
    ("PREFIX ng: <http://x/> SELECT ?s ?t WHERE { ?s ng:speaker <http://x/y> ; ng:text ?t } LIMIT 10",
     "s", (("ng:speaker", "<http://x/y>"),)),
    ("SELECT * { ?s a <http://x/C> . ?s <http://x/p> ?o . }", "s", (("a", "<http://x/C>"),)),
    ("select ?o where { $s <http://x/p> ?o ; a <http://x/C> ; }", "s", (("a", "<http://x/C>"),)),
    ("SELECT ?s { ?s a <http://x/C> ; <http://x/p> <http://x/D> }", "s",
     (("a", "<http://x/C>"), ("<http://x/p>", "<http://x/D>"))),
    ("SELECT ?s ?t { ?s <http://x/o#speaker> <http://x/a#b> ; <http://x/o#text> ?t }", "s",    # '#' in IRIs
     (("<http://x/o#speaker>", "<http://x/a#b>"),)),
])
def test_star_join_finds_a_star_with_fixed_objects(q, subject, anchors):
    assert parses(q)
    star = star_join(q)
    assert star is not None and (star.subject, star.anchors) == (subject, anchors)
    assert star.limit == (10 if "LIMIT" in q else None)
    assert star.prologue.strip() == q[:q.upper().index("SELECT")].strip()


@pytest.mark.parametrize("q", [
    "SELECT * { ?s <http://x/p> ?o }",                               # nothing fixed to start from
    "SELECT * { ?s a <http://x/C> . ?t <http://x/p> ?o }",           # two subjects
    "SELECT * { ?s a <http://x/C> ; ?p ?o }",                        # a variable predicate
    "SELECT * { ?s a <http://x/C> ; <http://x/p> ?s }",              # the subject again
    "SELECT * { ?s a <http://x/C> ; <http://x/p> ?o ; <http://x/q> ?o }",   # a shared object
    "SELECT * { ?s a <http://x/C> FILTER(?s != <http://x/a>) }",
    "SELECT * { ?s a <http://x/C> ; <http://x/p> \"x\" }",           # a literal
    "SELECT DISTINCT ?s { ?s a <http://x/C> }",
    "SELECT ?s { ?s a <http://x/C> } ORDER BY ?s",
    "SELECT ?s { ?s a <http://x/C> } OFFSET 5",
    "SELECT ?s { ?s a <http://x/C> OPTIONAL { ?s <http://x/p> ?o } }",
    "SELECT ?s { GRAPH ?g { ?s a <http://x/C> } }",
    "SELECT ?s FROM <http://x/g> { ?s a <http://x/C> }",
    "ASK { ?s a <http://x/C> }",
    "SELECT ?s { ?s a <http://x/C> ; <http://x/p>/<http://x/q> ?o }",   # a path
    "SELECT ?s { ?s a <http://x/C> # a comment\n ; <http://x/p> ?o }",
    "SELECT ?s { ?s a <http://x/C> ; <http://x/p> ?o } # { ?s ?p ?o }",
])
def test_star_join_refuses_everything_else(q):
    assert star_join(q) is None
