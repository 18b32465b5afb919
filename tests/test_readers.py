"""Articles as they arrive in the wild: saved pages, RSS and Atom feeds, JSON Lines bulk files."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from loaders import load_paths
from loaders.article import canonical_url, url_key
from loaders.html import fragment_paragraphs
from loaders.jsonl import chunks
from loaders.read import read_task, tasks
from loaders.text import read_text
from newsgraph.store import open_store

WILD = Path(__file__).parent / "fixtures" / "wild"
STRIKE = "Port strike ends after ministers agree pay deal"
CANONICAL = "https://www.northern-courier.example/business/2025/04/14/port-strike-ends-pay-deal/"

Q_ARTICLE = """PREFIX schema: <http://schema.org/>
SELECT ?a ?url ?body WHERE { ?a a schema:NewsArticle ; schema:headline ?h ; schema:articleBody ?body .
  OPTIONAL { ?a schema:url ?url } FILTER(?h = "%s") }""" % STRIKE

Q_STATEMENTS = """PREFIX schema: <http://schema.org/> PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?s ?who ?text WHERE { ?s a schema:Claim ; prov:wasAttributedTo ?p ; schema:text ?text ;
  prov:wasDerivedFrom ?a . ?a schema:headline "%s" . ?p rdfs:label ?who }""" % STRIKE


def articles(name: str):
    return [a for t in tasks(WILD / name) for a in read_task(t)]


def load_one(tmp_path, name: str):
    folder = tmp_path / name.replace(".", "-")
    folder.mkdir()
    shutil.copy(WILD / name, folder / name)
    store = open_store(":memory:")
    report = load_paths(store, [folder])
    return store, report


# ------------------------------------------------------------ each format reads what a page carries

def test_a_saved_page_gives_its_main_text_and_its_own_metadata():
    [a] = articles("harbour-page.html")
    assert a.headline == STRIKE
    assert a.published.isoformat() == "2025-04-14T08:30:00+02:00"
    assert a.modified.isoformat() == "2025-04-14T11:05:00+02:00"
    assert a.authors == ["Maria de Vries", "Tom Baker"]
    assert (a.publisher, a.section, a.language) == ("Northern Courier", "Business", "en")
    assert a.url == CANONICAL                           # <link rel=canonical>, not og:url with utm_source
    assert a.dateline == "ROTTERDAM" and a.cited == ["Reuters"]
    assert a.body.startswith("Dock workers at the port of Rotterdam")
    for junk in ("cookies", "Advertisement", "Trending", "Read more", "Shipping rates", "Photo:",
                 "Privacy", "All rights reserved", "Home", "dataLayer", "By Maria"):
        assert junk not in a.body, junk
    assert a.body.endswith("raise prices for consumers.")


def test_feed_items_are_articles_with_their_links_dates_and_authors():
    items = articles("harbour-feed.rss")
    assert [i.headline for i in items[:2]] == [STRIKE, "Chip maker opens second factory in Eindhoven"]
    first, second, empty = items
    assert first.url == CANONICAL and first.authors == ["Maria de Vries", "Tom Baker"]
    assert first.published.isoformat() == "2025-04-14T06:30:00+00:00"
    assert first.publisher == "Northern Courier" and first.section == "Business" and not first.partial
    assert "Photo:" not in first.body and "Idle cranes" not in first.body
    assert second.authors == ["Sara Peeters"] and second.partial      # a summary only
    assert second.source.endswith("harbour-feed.rss#item2")
    assert empty.error and "without content" in empty.error
    [atom] = articles("harbour.atom")
    assert atom.url == CANONICAL and atom.authors == ["Maria de Vries", "Tom Baker"]
    assert atom.published.isoformat() == "2025-04-14T08:30:00+02:00" and atom.body == first.body


def test_jsonl_lines_are_articles_and_bad_lines_are_named_by_number():
    rows = articles("harbour.jsonl")
    assert [r.source.rsplit(":", 1)[1] for r in rows] == ["1", "2", "3", "4", "5"]
    good, ferry, broken, listed, typo = rows
    assert good.headline == STRIKE and good.authors == ["Maria de Vries", "Tom Baker"]
    assert ferry.authors == ["Sara Peeters"] and ferry.published.isoformat() == "2025-04-11"
    assert broken.error.startswith("not JSON") and "list" in listed.error
    assert any("headlne" in w for w in typo.warnings) and typo.body


def test_a_bulk_file_is_read_in_pieces_that_lose_and_repeat_no_line(tmp_path):
    path = tmp_path / "many.jsonl"
    with open(path, "w") as f:
        for n in range(1, 401):
            if n % 97 == 0:
                f.write("{oops\n")
            else:
                f.write(json.dumps({"headline": f"Story {n}", "body": f"The mayor said on Monday that road {n} "
                                    "would close for repairs next week.", "datePublished": "2025-01-02"}) + "\n")
    pieces = chunks(path, size=2000)
    assert len(pieces) > 10 and pieces[0][0] == 0 and pieces[-1][1] == path.stat().st_size
    assert all(a[1] == b[0] for a, b in zip(pieces, pieces[1:]))          # contiguous
    read = [a for s, e, n in pieces for a in read_task((str(path), s, e, n))]
    assert len(read) == 400
    assert [int(a.source.rsplit(":", 1)[1]) for a in read] == list(range(1, 401))
    assert [int(a.source.rsplit(":", 1)[1]) for a in read if a.error] == [97, 194, 291, 388]
    assert all(a.headline == f"Story {int(a.source.rsplit(':', 1)[1])}" for a in read if not a.error)


def test_a_huge_line_is_refused_and_the_rest_is_read(tmp_path, monkeypatch):
    monkeypatch.setattr("loaders.jsonl.MAX_LINE_BYTES", 200)
    path = tmp_path / "x.jsonl"
    path.write_text(json.dumps({"headline": "Big", "body": "word " * 100}) + "\n" +
                    json.dumps({"headline": "Small", "body": "The council said on Monday it would act."}) + "\n")
    big, small = [a for t in tasks(path) for a in read_task(t)]
    assert "longer than" in big.error and small.headline == "Small" and not small.error


# ------------------------------------------------------------ the same article, whatever the way in

@pytest.mark.parametrize("name", ["harbour-page.html", "harbour-feed.rss", "harbour.atom", "harbour.jsonl"])
def test_the_same_article_has_the_same_iri_and_statements_in_every_format(tmp_path, name):
    reference, _ = load_one(tmp_path, "harbour-page.html")
    store, _ = load_one(tmp_path, name) if name != "harbour-page.html" else (reference, None)
    [ref] = reference.select(Q_ARTICLE)
    [got] = store.select(Q_ARTICLE)
    assert got["a"] == ref["a"] and got["body"] == ref["body"]
    said = sorted((r["s"].value, r["who"].value, r["text"].value) for r in reference.select(Q_STATEMENTS))
    assert len(said) >= 3
    assert sorted((r["s"].value, r["who"].value, r["text"].value) for r in store.select(Q_STATEMENTS)) == said
    speakers = {w for _, w, _ in said}
    assert {"Niels Jansen", "Karin Bos"} <= speakers


def test_every_copy_in_one_load_is_one_article(tmp_path):
    store = open_store(":memory:")
    report = load_paths(store, [WILD])
    strike = store.select(Q_ARTICLE)
    assert len(strike) == 1 and strike[0]["url"].value == CANONICAL
    assert report.duplicates == 3                                        # feed, Atom and JSONL copies
    assert any("not loaded twice" in w for _, w in report.warnings)
    failed = dict(report.failed)
    assert {s.rsplit("/", 1)[1] for s in failed} == {"harbour-feed.rss#item3", "harbour.jsonl:3", "harbour.jsonl:4"}
    headlines = {r["h"].value for r in store.select("SELECT ?h WHERE { ?a <http://schema.org/headline> ?h }")}
    assert {"Chip maker opens second factory in Eindhoven", "Ferry operator cancels summer routes"} <= headlines
    # authors and the outlet are agents shared by every article that names them
    pubs = store.select("SELECT DISTINCT ?p WHERE { ?a <http://schema.org/publisher> ?p }")
    assert len(pubs) == 1 and pubs[0]["p"].value.endswith("/id/organisation/northern-courier")
    sara = store.select("""SELECT ?p (COUNT(DISTINCT ?a) AS ?n) WHERE { ?a <http://schema.org/author> ?p .
        ?p <http://schema.org/name> "Sara Peeters" } GROUP BY ?p""")
    assert len(sara) == 1 and int(sara[0]["n"].value) == 2                 # the chip story and the ferry story
    before = sorted(str(q) for q in store.query("SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }"))
    again = load_paths(store, [WILD])
    assert again.loaded == 0
    assert sorted(str(q) for q in store.query("SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }")) == before


def _summary_feed(folder: Path) -> Path:
    text = (WILD / "harbour-feed.rss").read_text()
    start, end = text.index("<content:encoded>"), text.index("</content:encoded>") + len("</content:encoded>")
    path = folder / "summary.rss"
    path.write_text(text[:start] + text[end:])
    return path


def test_a_summary_never_replaces_the_full_article(tmp_path):
    store = open_store(":memory:")
    load_paths(store, [WILD / "harbour-page.html"])
    [full] = store.select(Q_ARTICLE)
    report = load_paths(store, [_summary_feed(tmp_path)])
    [after] = store.select(Q_ARTICLE)
    assert after["body"] == full["body"]
    assert any("only a summary" in w for _, w in report.warnings)
    # and the other way round: the page, coming later, replaces the summary
    other = open_store(":memory:")
    load_paths(other, [_summary_feed(tmp_path)])
    [short] = other.select(Q_ARTICLE)
    assert short["body"].value == "Dock workers in Rotterdam return on Tuesday."
    load_paths(other, [WILD / "harbour-page.html"])
    [now] = other.select(Q_ARTICLE)
    assert now["a"] == short["a"] and now["body"] == full["body"]


def test_in_one_load_the_fuller_copy_wins_over_a_summary_met_first(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    _summary_feed(folder).rename(folder / "a-summary.rss")
    shutil.copy(WILD / "harbour-page.html", folder / "b-page.html")
    store = open_store(":memory:")
    report = load_paths(store, [folder], batch_size=1)                # the summary is written before the page
    [row] = store.select(Q_ARTICLE)
    assert row["body"].value.startswith("Dock workers at the port")
    assert len(store.select("SELECT ?m WHERE { ?m a <http://schema.org/NewsArticle> }")) == 2   # + the chip story
    assert [s.rsplit("/", 1)[1] for s, _ in report.failed] == ["a-summary.rss#item3"]    # the empty item


def test_the_links_of_a_replaced_copy_are_looked_up_once_it_is_written(tmp_path, monkeypatch, hold_spool):
    """The summary's batch may still wait in the writer's spool when the page replaces it: the
    loader lets the writer catch up before it asks the store which link records to drop."""
    from loaders.link import Linker
    from loaders.writer import Writer

    hold_spool()                        # batches wait in the spool

    folder = tmp_path / "in"
    folder.mkdir()
    _summary_feed(folder).rename(folder / "a-summary.rss")
    shutil.copy(WILD / "harbour-page.html", folder / "b-page.html")
    seen, real_stale = [], Linker.stale
    monkeypatch.setattr(Writer, "submit", lambda self, b, real=Writer.submit: seen.append(("submit", len(b.articles))) or real(self, b))
    monkeypatch.setattr(Writer, "wait", lambda self, real=Writer.wait: seen.append(("wait", len(self._queue))) or real(self))
    monkeypatch.setattr(Linker, "stale", lambda self, a: seen.append(("stale", len(a))) or real_stale(self, a))
    assert load_paths(open_store(":memory:"), [folder], batch_size=1).loaded == 3   # + the chip story
    i = seen.index(("stale", 1))
    assert seen[i - 1][0] == "wait" and seen[i - 1][1] >= 1      # the summary's batch was spooled


# ------------------------------------------------------------ details

def test_urls_are_compared_without_trackers_fragments_scheme_or_final_slash():
    a = canonical_url("HTTPS://News.Example:443/a/b/?utm_source=x&id=7&fbclid=1#comments")
    assert a == "https://news.example/a/b/?id=7"
    assert url_key("http://news.example/a/b?id=7") != url_key(a)          # the query differs: /b? vs /b/?
    assert url_key("http://news.example/x/") == url_key("https://news.example/x")


def test_a_page_in_a_declared_charset_is_decoded_by_it(tmp_path):
    html = ('<html><head><meta http-equiv="Content-Type" content="text/html; charset=iso-8859-2">'
            '<title>Sejm votes on budget</title></head><body><article><h1>Sejm votes on budget</h1>'
            '<p>WARSAW (PAP) - Poland\'s parliament approved the budget on Friday, Marshal Szymon Hołownia '
            'said, after a debate that lasted through the night in Łódź and Gdańsk.</p></article></body></html>')
    path = tmp_path / "pl.html"
    path.write_bytes(html.encode("iso-8859-2"))
    [a] = [x for t in tasks(path) for x in read_task(t)]
    assert "Hołownia" in a.body and "Łódź" in a.body and a.publisher == "PAP"


def test_feed_content_keeps_paragraphs_and_drops_captions_and_scripts():
    paragraphs = fragment_paragraphs('<div><p>One <b>bold</b> line.</p><figure><figcaption>Photo: AP</figcaption>'
                                     '</figure>Loose text<br>after a break<script>x()</script>'
                                     '<ul><li>First</li><li>Second</li></ul></div>')
    assert paragraphs == ["One bold line.", "Loose text", "after a break", "First", "Second"]


def test_plain_text_with_several_authors_and_an_agency_dateline():
    a = read_text("Floods Close Schools\nBy Ana Lima, Rui Costa and Joana Reis\nMarch 4, 2025\n"
                  "LISBON (Lusa) — Heavy rain closed schools across the region on Tuesday, the civil "
                  "protection agency said.\n", "t.txt")
    assert a.authors == ["Ana Lima", "Rui Costa", "Joana Reis"]
    assert a.publisher == "Lusa" and a.dateline == "LISBON" and a.body.startswith("Heavy rain")


def test_the_command_line_names_each_bad_item(tmp_path, runner):
    from newsgraph.cli import main

    result = runner.invoke(main, ["load", "--store", str(tmp_path / "s"), "--no-progress", str(WILD)])
    assert result.exit_code == 1
    assert "harbour.jsonl:3: not JSON" in result.output
    assert "harbour-feed.rss#item3" in result.output
    assert "3 duplicate(s)" in result.output


def test_a_headline_worded_differently_in_the_feed_is_still_the_same_article(tmp_path):
    page = open_store(":memory:")
    load_paths(page, [WILD / "harbour-page.html"])
    [ref] = page.select(Q_ARTICLE)
    text = (WILD / "harbour-feed.rss").read_text().replace(f"<title>{STRIKE}</title>",
                                                          "<title>Rotterdam dockers back at work</title>", 1)
    (tmp_path / "f.rss").write_text(text)
    feed = open_store(":memory:")
    load_paths(feed, [tmp_path / "f.rss"])
    rows = feed.select("SELECT ?a WHERE { ?a <http://schema.org/headline> 'Rotterdam dockers back at work' }")
    assert [r["a"] for r in rows] == [ref["a"]]
    assert ref["a"].value.rsplit("/", 1)[1].startswith("port-strike-ends-pay-deal-")
