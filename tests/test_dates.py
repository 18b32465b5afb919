"""Publication dates in the forms news pages print them."""

from datetime import date, datetime

import pytest

from loaders.dates import looks_like_date, parse_date


@pytest.mark.parametrize("text, iso", [
    ("November 25, 2024, Monday // 16:12", "2024-11-25T16:12:00"),
    ("Nov.25 - 2024 1:39 PM CET", "2024-11-25T13:39:00+01:00"),
    ("25 November 2024 13:39 GMT", "2024-11-25T13:39:00+00:00"),
    ("2024-11-25T13:39:00Z", "2024-11-25T13:39:00+00:00"),
    ("Updated 3:04 AM EST, March 2, 2025", "2025-03-02T03:04:00-05:00"),
    ("Published: March 2, 2025 3:04 AM EDT", "2025-03-02T03:04:00-04:00"),
    ("Monday, 25 November 2024", "2024-11-25"),
    ("2025-02-01", "2025-02-01"),
    ("Sept. 9, 2024", "2024-09-09"),
])
def test_parse(text, iso):
    value = parse_date(text)
    assert value is not None, text
    assert value.isoformat() == iso


def test_date_without_time_is_a_date_not_a_datetime():
    value = parse_date("Monday, 25 November 2024")
    assert type(value) is date


def test_time_without_zone_is_naive():
    value = parse_date("November 25, 2024, Monday // 16:12")
    assert isinstance(value, datetime) and value.tzinfo is None


@pytest.mark.parametrize("text", ["News", "Ukraine", "Trending Now", "A 55% stake",
                                  "The war, now in its third year", "Chapter 2024"])
def test_not_dates(text):
    assert parse_date(text) is None


def test_month_and_year_alone_are_not_a_publication_date():
    # a publication date names its day
    assert parse_date("January 2025") is None


def test_long_text_is_not_looked_at():
    assert not looks_like_date("On November 25, 2024 " + "word " * 30)


@pytest.mark.parametrize("text", ["Sun, 02 Mar 2025 10:15:00 +0100", "2025-03-02T10:15:00+01:00",
                                  "2025-03-02T09:15:00Z", "2025-03-02", "Sun, 02 Mar 2025 09:15:00 GMT",
                                  "November 25, 2024", "25 November 2024", "Nov. 3 2024", "2025-04-14 08:30:00.5-05:00"])
def test_the_fast_path_agrees_with_dateparser(text):
    from datetime import datetime as dt

    from loaders.dates import _clean, _fast, _parse

    fast, slow = _fast(text), _parse(_clean(text))
    assert fast is not None and slow is not None
    if isinstance(fast, dt):
        assert fast == slow and fast.utcoffset() == slow.utcoffset()
    else:
        assert fast == slow.date()


def test_the_fast_path_reads_dates_as_dateparser_does(monkeypatch):
    """Dates with a time and a zone skip dateparser (1-2 ms each): the answer must not change."""
    import itertools

    import loaders.dates as dates

    days = ["Jan 03 2024", "January 3, 2024", "3 January 2024", "Sept. 9, 2024", "9th Sept 2024", "Feb 30 2024"]
    clocks = ["", " 1:39 PM", " 12:05 AM", " 12:30 p.m.", " 13:39", " 23:59:59", " 13:39 PM", ", 10:30"]
    zones = ["", " CET", " EDT", " GMT", " +0100", " -05:00", " ET", " XYZ"]
    forms = ["".join(parts) for parts in itertools.product(days, clocks, zones)]
    # the same after cleaning: a label, a weekday, a month glued to its day, separators
    messy = ["Updated: Monday, Jan 03 2024", "Jan.03 - 2024 1:39 PM CET", "Wed. 3 January 2024 // 13:39",
             "Published Sept.9, 2024 | 12:30 p.m. EDT", "Jan.03 - 2024", "Friday, Feb 30 2024 1:39 PM",
             "posted on 9th Sept 2024 - 10:30 GMT", "January 3, 2024, Wednesday // 16:12", "Sun, 3 Jan 2024 10:30 XYZ"]
    forms += messy
    fast = {f: parse_date(f) for f in forms}
    assert sum(dates._fast(f) is not None for f in forms) > len(forms) // 2
    assert sum(dates._fast(dates._clean(f)) is not None for f in messy) > len(messy) // 2
    monkeypatch.setattr(dates, "_fast", lambda text: None)
    dates._parse.cache_clear()
    for f in forms:
        slow = parse_date(f)
        assert (fast[f] and (type(fast[f]), fast[f].isoformat())) == (slow and (type(slow), slow.isoformat())), f
