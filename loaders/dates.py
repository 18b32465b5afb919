"""Publication dates in the forms news pages print them, with their time zone when given."""

from __future__ import annotations

import re
import warnings
from datetime import date, datetime
from email.utils import parsedate_to_datetime
from functools import lru_cache

import dateparser
from dateparser.timezone_parser import pop_tz_offset_from_string

_MONTH = (r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
          r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?")
_HAS_MONTH = re.compile(rf"\b(?:{_MONTH})\b\.?", re.I)
_HAS_YEAR = re.compile(r"(?<!\d)(?:19|20)\d\d(?!\d)")
_NUMERIC_DATE = re.compile(r"(?<!\d)(?:\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[/.]\d{1,2}[/.](?:\d{4}|\d{2}))(?!\d)")
_TIME = re.compile(r"(?<!\d)\d{1,2}[:.h]\d{2}(?::\d{2})?(?:\s*[ap]\.?m\.?)?|\b\d{1,2}\s*[ap]\.?m\.?(?!\w)", re.I)
_LABEL = re.compile(r"^\s*(?:last\s+)?(?:updated|published|posted|modified|created|date|on|at)\b\s*:?\s*",
                    re.I)
_WEEKDAY = re.compile(r"\b(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)(?:day|sday|nesday|rsday|urday)?\b\.?,?",
                      re.I)
_GLUE = re.compile(rf"\b({_MONTH})\.(?=\d)", re.I)   # "Nov.25" -> "Nov 25"
_ZONE_TIME = re.compile(r"(?<!\d)(\d{1,2}[:.]\d{2}(?::\d{2})?\s*(?:[ap]\.?m\.?)?\s*(?:[A-Z]{2,5}|[+-]\d{2}:?\d{2})?)", re.I)

_SETTINGS = {
    # "3 hours ago" on a saved page is relative to a moment nobody recorded: absolute dates only
    "PARSERS": ["timestamp", "custom-formats", "absolute-time"],
    "REQUIRE_PARTS": ["day", "month", "year"],
    "PREFER_DAY_OF_MONTH": "first",
    "RETURN_TIME_AS_PERIOD": False,
}


def looks_like_date(text: str) -> bool:
    """Cheap test before parsing: a year with a month name or a numeric date."""
    if len(text) > 80:
        return False
    if _NUMERIC_DATE.search(text):
        return True
    return bool(_HAS_YEAR.search(text) and _HAS_MONTH.search(text))


def _clean(text: str) -> str:
    text = _LABEL.sub("", text)
    text = _GLUE.sub(r"\1 ", text)
    text = _WEEKDAY.sub(" ", text)
    text = re.sub(r"\s*(?://|\||·|•|—|–)\s*", " ", text)
    text = re.sub(r"(?<=\d)\s+-\s+(?=\d)", " ", text)        # "Nov 25 - 2024"
    return " ".join(text.replace(",", " , ").split()).replace(" , ", ", ").strip(" ,")


_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$")
_RFC822 = re.compile(r"^(?:[A-Za-z]{3},\s*)?\d{1,2}\s+[A-Za-z]{3}\s+\d{4}\s+\d{2}:\d{2}(?::\d{2})?\s+"
                     r"(?:[+-]\d{4}|GMT|UTC?|Z)$")
_DATE = (rf"(?:(?P<m1>{_MONTH})\.?\s+(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?,?|"
         rf"(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<m2>{_MONTH})\.?,?)\s+(?P<y>(?:19|20)\d\d)")
_DATE_CLOCK = re.compile(rf"^{_DATE}(?:,?\s+(?P<h>\d{{1,2}}):(?P<mi>\d{{2}})(?::(?P<s>\d{{2}}))?"
                         r"(?:\s*(?P<ap>[ap])\.?m\.?)?)?$", re.I)     # the time is optional
_ZONE_AT_END = re.compile(r"\s(?:[A-Za-z]{1,5}|[+-]\d{2}:?\d{2})$")
_AM_PM_AT_END = re.compile(r"\d\s*[ap]\.?m\.?$", re.I)
_MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]


@lru_cache(maxsize=4096)          # (bylines repeat; the zone table costs 60-330 µs a look)
def _fast(text: str) -> datetime | date | None:
    """The forms feeds, page metadata and most bylines use, without dateparser (1-2 ms each):
    ISO 8601, RFC 822, and a day, a month name and a year, with a time and a zone or not.
    A zone is read by dateparser's own zone table, so it means what dateparser says it means."""
    text = text.strip()
    try:
        if _ISO.match(text):
            value = datetime.fromisoformat(text.replace(" ", "T", 1))
            return value.date() if len(text) == 10 else value
        if _RFC822.match(text):
            return parsedate_to_datetime(text)
    except (ValueError, TypeError, OverflowError):
        return None
    zone = None
    if _ZONE_AT_END.search(text) and not _AM_PM_AT_END.search(text):
        text, zone = pop_tz_offset_from_string(text)
        if zone is None:
            return None
        text = text.strip()
    m = _DATE_CLOCK.match(text)
    if m is None or (zone is not None and m.group("h") is None):     # a zone with no time: dateparser's
        return None
    month = (m.group("m1") or m.group("m2"))[:3].lower()
    try:
        day = date(int(m.group("y")), _MONTHS.index(month) + 1, int(m.group("d1") or m.group("d2")))
        if m.group("h") is None:
            return day
        hour, ap = int(m.group("h")), (m.group("ap") or "").lower()
        if ap and not 1 <= hour <= 12:
            return None
        if ap:
            hour = hour % 12 + (12 if ap == "p" else 0)
        value = datetime(day.year, day.month, day.day, hour, int(m.group("mi")), int(m.group("s") or 0))
    except ValueError:
        return None
    return value.replace(tzinfo=zone) if zone is not None else value


def parse_date(text: str) -> datetime | date | None:
    """A datetime (aware if the text names a zone) when the text has a time, else a date."""
    if not looks_like_date(text):
        return None
    fast = _fast(text)
    if fast is not None:
        return fast
    cleaned = _clean(text)
    fast = _fast(cleaned)            # "Nov.25 - 2024 1:39 PM CET", "Monday, 25 November 2024"
    if fast is not None:
        return fast
    value = _parse(cleaned)
    if value is None:
        # "3:04 AM EST, March 2, 2025": put the time after the date
        m = _ZONE_TIME.search(cleaned)
        if m:
            rest = (cleaned[: m.start()] + " " + cleaned[m.end():]).strip(" ,")
            value = _parse(f"{rest} {m.group(1)}")
    if value is None:
        return None
    if not _TIME.search(cleaned):
        return value.date()
    return value


@lru_cache(maxsize=4096)
def _parse(text: str) -> datetime | None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return dateparser.parse(text, languages=["en"], settings=_SETTINGS)
        except (ValueError, OverflowError, TypeError, AttributeError):
            return None
