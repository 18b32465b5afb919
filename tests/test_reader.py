"""The plain-text reader on the seeds and on messy layouts of our own."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from loaders.text import read_text
from newsgraph import SEEDS_DIR


def seed(name: str):
    path = SEEDS_DIR / name
    return read_text(path.read_text(encoding="utf-8"), str(path), file_name=name)


@pytest.mark.parametrize("name", ["000_070d2e050e535de4.txt", "004_1a78bd8008b8f7a8.txt"])
def test_seed_headline_section_and_body_start(expected, name):
    exp = expected["articles"][name]
    a = seed(name)
    assert a.headline == exp["headline"]
    assert a.section == exp["section"]
    assert a.body.startswith(exp["body_starts"])
    for junk in exp["boilerplate"]:
        assert junk not in a.body, junk
    assert not a.warnings


def test_seed_000_date_without_zone(expected):
    a = seed("000_070d2e050e535de4.txt")
    assert a.published == datetime(2024, 11, 25, 16, 12)
    assert a.published.tzinfo is None
    assert a.published.isoformat().startswith(expected["articles"]["000_070d2e050e535de4.txt"]["published"])
    assert a.authors == []


def test_seed_004_date_with_cet_and_author(expected):
    a = seed("004_1a78bd8008b8f7a8.txt")
    assert a.published.isoformat() == expected["articles"]["004_1a78bd8008b8f7a8.txt"]["published"]
    assert a.published.utcoffset() == timedelta(hours=1)
    assert a.authors == ["Camilla Jessen"]


def test_seed_bodies_end_with_the_last_sentence():
    a = seed("000_070d2e050e535de4.txt")
    assert a.body.endswith("geopolitical uncertainties.")
    b = seed("004_1a78bd8008b8f7a8.txt")
    assert b.body.endswith("nuclear threats from Russia.")
    assert b.body.count("\n\n") >= 10          # paragraphs kept apart


def test_glued_view_counter_with_number_is_cut():
    text = ("Storm Hits Coast\nWeather | March 3, 2025 // 08:00 | 1,204 viewsHeavy rain fell across "
            "the coast on Monday, flooding several streets in the old town.\n")
    a = read_text(text, "t")
    assert a.section == "Weather"
    assert a.published == datetime(2025, 3, 3, 8, 0)
    assert a.body.startswith("Heavy rain fell")


def test_genuine_first_word_views_is_kept():
    text = ("Poll Results\nMay 2, 2025\nViews on the new budget differ widely between the regions, "
            "a survey published on Thursday found.\n")
    assert read_text(text, "t").body.startswith("Views on the new budget")


def test_captions_credits_and_navigation_are_dropped():
    text = "\n".join([
        "Farmers Protest in Brussels",
        "By Jane Doe and John Roe",
        "12 March 2025 09:30 GMT",
        "Image: Getty Images",
        "Hundreds of farmers drove tractors into the centre of Brussels on Tuesday to protest.",
        "Advertisement",
        "Police said the protest was largely peaceful, though some roads were closed for hours.",
        "Read more: Farmers across Europe rally",
        "Most Popular",
        "Share this article",
        "Back to top",
    ])
    a = read_text(text, "t")
    assert a.authors == ["Jane Doe", "John Roe"]
    assert a.published.isoformat() == "2025-03-12T09:30:00+00:00"
    assert a.body == ("Hundreds of farmers drove tractors into the centre of Brussels on Tuesday to protest."
                      "\n\nPolice said the protest was largely peaceful, though some roads were closed "
                      "for hours.")


def test_repeated_short_lines_are_dropped_but_subheadings_kept():
    text = "\n".join([
        "Budget Passes After Long Night",
        "June 30, 2025",
        "The parliament approved the budget early on Sunday after a debate that lasted all night.",
        "What comes next",
        "The budget now goes to the senate, which is expected to vote on it next week.",
        "What comes next",
    ])
    a = read_text(text, "t")
    assert a.body.count("What comes next") == 1
    assert "\n\nWhat comes next\n\n" in a.body


def test_agency_byline_sets_publisher():
    text = ("Quake Shakes Island\nBy Reuters\nJanuary 5, 2025\nA strong earthquake shook the island "
            "early on Sunday, officials said, with no immediate reports of damage.\n")
    a = read_text(text, "t")
    assert a.publisher == "Reuters"
    assert a.authors == []


def test_byline_with_outlet_after_bar():
    a = read_text("Talks Resume\nBy Maria Rossi | Il Giornale\n4 April 2025\n"
                  "Negotiators met again in Geneva on Friday to resume the talks that stalled in March.\n", "t")
    assert a.authors == ["Maria Rossi"]


def test_dateline_is_taken_off_the_body():
    text = ("Pope Meets Leaders\nBy Frances D'Emilio\nFebruary 9, 2025\n"
            "ROME (AP) — Pope Francis met world leaders at the Vatican on Sunday to discuss peace.\n")
    a = read_text(text, "t")
    assert a.dateline == "ROME"
    assert a.publisher == "AP"
    assert a.body.startswith("Pope Francis met")


def test_dateline_with_country():
    a = read_text("Ceasefire Holds\nMarch 1, 2025\nKYIV, Ukraine (Reuters) - The ceasefire held "
                  "for a second day on Saturday, officials on both sides said.\n", "t")
    assert a.dateline == "KYIV, Ukraine"
    assert a.body.startswith("The ceasefire held")


def test_capitalised_first_word_is_not_a_dateline():
    a = read_text("Hello\nMay 1, 2025\nNATO - the alliance - said on Monday that it would meet "
                  "again in June to decide on the new plan.\n", "t")
    assert a.dateline is None or a.body.startswith("NATO")


def test_source_line():
    a = read_text("Grain Deal Extended\nSource: Kyiv Independent, as reported by Ukrinform\n"
                  "July 18, 2025\nThe grain deal was extended for another 120 days, the ministry "
                  "announced on Friday.\n", "t")
    assert a.publisher == "Kyiv Independent"
    assert a.cited == ["Ukrinform"]


def test_section_above_headline():
    a = read_text("World\nLeaders Gather for Climate Summit\nNovember 11, 2024\nLeaders from almost "
                  "200 countries gathered in Baku on Monday for the annual climate summit.\n", "t")
    assert a.section == "World"
    assert a.headline == "Leaders Gather for Climate Summit"


def test_no_headline_and_no_date_are_warned():
    body = ("This text starts straight away with a long paragraph that has no headline above it "
            "and no date anywhere, as some exported files do, and it keeps going for a while.")
    a = read_text(body, "t")
    assert a.headline is None
    assert "no headline found" in a.warnings
    assert "no publication date found" in a.warnings
    assert a.body == body


def test_windows_line_endings_nbsp_and_zero_width():
    text = ("Rates\u00a0Rise\r\n\r\nBy\u00a0Ann Lee\r\n2025-02-01\r\n\ufeffThe central\u200b bank "
            "raised\u00a0rates by half a point on Saturday, its first rise in a year.\r\n")
    a = read_text(text, "t")
    assert a.headline == "Rates Rise"
    assert a.authors == ["Ann Lee"]
    assert a.published == date(2025, 2, 1)
    assert a.body == "The central bank raised rates by half a point on Saturday, its first rise in a year."


def test_bar_inside_body_paragraph_is_kept():
    text = ("Scores\nMarch 3, 2025\nThe match ended 2-1 | a result that sends the team through to "
            "the final for the first time since 1998.\nFans celebrated late into the night in the square.\n")
    a = read_text(text, "t")
    assert a.body.startswith("The match ended 2-1 | a result")


def test_empty_lines_only_text_gives_no_body():
    a = read_text("Just A Headline\n\n\n", "t")
    assert a.headline == "Just A Headline"
    assert "no body text found" in a.warnings


def test_time_in_its_own_segment_joins_the_date():
    a = read_text("Night Vote\nJanuary 12, 2025 | 23:10\nThe parliament voted late on Sunday to approve "
                  "the new cabinet after a long debate.\n", "t")
    assert a.published == datetime(2025, 1, 12, 23, 10)


def test_corpus_layouts_read_as_annotated():
    """Every article of bench/corpus reads with the annotated headline, date, byline, body start."""
    from pathlib import Path

    import yaml

    from loaders.read import read_file
    from newsgraph import PROJECT_DIR

    corpus = PROJECT_DIR / "bench" / "corpus"
    annotations = yaml.safe_load((corpus / "annotations.yaml").read_text())["articles"]
    for name, exp in annotations.items():
        (a,) = read_file(Path(corpus / name))
        assert a.headline == exp["headline"], name
        if exp["published"] is None:
            assert a.published is None and "no publication date found" in a.warnings, name
        else:
            assert a.published.isoformat() == exp["published"], name
        assert a.authors == exp.get("authors", []), name
        assert a.publisher == exp.get("publisher"), name
        assert a.section == exp.get("section"), name
        assert a.dateline == exp.get("dateline"), name
        assert a.body.startswith(exp["body_starts"]), name
        for row in exp["statements"]:
            assert row[5] in a.body, (name, row[5])
