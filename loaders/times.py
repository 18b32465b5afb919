"""Time expressions, normalised against the article's publication date.

"November 20" -> 2024-11-20 (day), "in May" -> 2024-05 (month), "January 2025" -> 2025-01,
"last year" -> 2023, "on Tuesday" -> the Tuesday of that week, "now in its third year" -> 2022
(when the thing began). A month or weekday without a year is put in the past unless the
sentence speaks of the future ("will", "next", "expected to").

dateparser is used for publication dates; these relative expressions are resolved here, because
it does not keep their precision and misreads expressions like "a 55%" (see FACTS).
"""

from __future__ import annotations

import calendar
import re
from datetime import date, datetime, timedelta

from .article import Article, TimeExpr
from .registry import stage

MONTHS = {m.lower(): i for i, m in enumerate(calendar.month_name) if m}
MONTHS.update({m.lower(): i for i, m in enumerate(calendar.month_abbr) if m})
MONTHS["sept"] = 9
WEEKDAYS = {d.lower(): i for i, d in enumerate(calendar.day_name)}
ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6,
            "seventh": 7, "eighth": 8, "ninth": 9, "tenth": 10}
NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
           "eight": 8, "nine": 9, "ten": 10, "a": 1}

_M = r"(?P<month>January|February|March|April|May|June|July|August|September|October|November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)(?![a-zA-Z])\.?"
_Y = r"(?P<year>(?:19|20)\d\d)"
_D = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
_WD = r"(?P<weekday>Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
_PREP = r"(?i:in|since|until|till|by|from|during|of|before|after|through|early|late|mid|last|next|this|between|and|or)"

# (name, regex): tried in this order; a later match may not overlap an earlier one
PATTERNS = [
    ("ordinal_year", re.compile(r"\b(?:now\s+)?in its (?P<ord>first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|\d+(?:st|nd|rd|th)) year\b", re.I)),
    ("anniversary", re.compile(r"\b(?:the )?(?P<ord>first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|\d+(?:st|nd|rd|th)) anniversary\b", re.I)),
    ("month_day_year", re.compile(rf"\b{_M}\s+{_D}(?:,?\s+{_Y})?(?![\d:])")),
    ("day_month_year", re.compile(rf"\b{_D}\s+{_M}(?:,?\s+{_Y})?(?!\d)")),
    ("month_year", re.compile(rf"\b{_M},?\s+{_Y}\b")),
    ("iso_date", re.compile(r"\b(?P<iso>(?:19|20)\d\d-[01]\d-[0-3]\d)\b")),
    ("relative_day", re.compile(r"\b(?P<rel>yesterday|today|tonight|tomorrow|last night|this morning|this afternoon|this evening)\b", re.I)),
    ("relative_period", re.compile(r"\b(?P<rel>(?:earlier|later) this (?:year|month|week)|(?:last|this|next|past) (?:year|month|week))\b", re.I)),
    ("ago", re.compile(r"\b(?P<n>\d+|one|two|three|four|five|six|seven|eight|nine|ten|a) (?P<unit>years?|months?) ago\b", re.I)),
    ("weekday", re.compile(rf"\b(?:(?P<which>last|next|this)\s+)?{_WD}\b")),
    ("month", re.compile(rf"\b{_PREP}[ -]{_M}(?!\s+\d)")),
    ("month", re.compile(rf"(?<=, ){_M}(?=,)")),                      # "earlier this year, in February"
    ("year", re.compile(rf"\b{_PREP} {_Y}\b(?!\s*%)")),
    ("year", re.compile(rf"\bthe {_Y}(?= [a-z])")),                   # "the 2023 earthquakes"
    ("year", re.compile(rf"\b{_Y}(?=\s*[-–]\s*(?:19|20)\d\d)")),
]

#: words every match of a pattern holds (lower case): a body without any is not scanned for it
#: (scanning a 1 KB body costs 30-90 µs a pattern)
NEEDS = {"ordinal_year": ("in its",), "anniversary": ("anniversary",), "ago": ("ago",)}

_FUTURE = re.compile(r"\b(?:will|'ll|next|upcoming|expected to|expects?|is to|are to|plans? to|scheduled|due to|set to|later this|intends? to|would|should|could|may|might)\b", re.I)
_PAST = re.compile(r"\b(?:since|ago|earlier|previously|last)\s*$", re.I)
_CLAUSE = re.compile(r"[^,;:—]+")


def _future(article: Article, begin: int, end: int) -> bool:
    """Does the clause around [begin, end) speak of the future?"""
    s = article.sentence_at(begin)
    if s < 0:
        return False
    sent = article.sentences[s]
    if _PAST.search(article.body[max(sent.begin, begin - 20):begin]):
        return False
    # the sentence without the expression itself ("in May" is no modal)
    text = sent.text[:begin - sent.begin] + " " * (end - begin) + sent.text[end - sent.begin:]
    for m in _CLAUSE.finditer(text):
        if m.start() <= begin - sent.begin < m.end():
            return bool(_FUTURE.search(m.group()))
    return False


def _anchor(article: Article) -> date | None:
    p = article.published
    if isinstance(p, datetime):
        return p.date()
    return p


def _shift_month(year: int, month: int, delta: int) -> tuple[int, int]:
    n = year * 12 + (month - 1) + delta
    return n // 12, n % 12 + 1


def resolve(name: str, m: re.Match, anchor: date | None, future: bool):
    """(value, precision) or None when the expression needs an anchor it does not have."""
    g = m.groupdict()
    if name == "iso_date":
        return g["iso"], "day"
    year = int(g["year"]) if g.get("year") else None
    if name in ("month_day_year", "day_month_year"):
        month, day = MONTHS[g["month"].lower().rstrip(".")], int(g["day"])
        if year is None:
            if anchor is None:
                return None
            year = anchor.year
            try:
                candidate = date(year, month, day)
            except ValueError:
                return None
            if not future and candidate > anchor + timedelta(days=1):
                year -= 1
            elif future and candidate < anchor:
                year += 1
        try:
            return date(year, month, day).isoformat(), "day"
        except ValueError:
            return None
    if name == "month_year":
        return f"{year:04d}-{MONTHS[g['month'].lower().rstrip('.')]:02d}", "month"
    if name == "year":
        return f"{year:04d}", "year"
    if anchor is None:
        return None
    if name == "month":
        month = MONTHS[g["month"].lower().rstrip(".")]
        y = anchor.year
        if future and month < anchor.month:
            y += 1
        elif not future and month > anchor.month:
            y -= 1
        return f"{y:04d}-{month:02d}", "month"
    if name in ("ordinal_year", "anniversary"):
        o = g["ord"].lower()
        n = ORDINALS.get(o) or int(re.match(r"\d+", o).group())
        # "now in its third year": began two years ago; "the third anniversary": three years ago
        return f"{anchor.year - (n - 1 if name == 'ordinal_year' else n):04d}", "year"
    if name == "relative_day":
        rel = g["rel"].lower()
        delta = {"yesterday": -1, "last night": -1, "tomorrow": 1}.get(rel, 0)
        return (anchor + timedelta(days=delta)).isoformat(), "day"
    if name == "relative_period":
        rel = g["rel"].lower()
        which, unit = rel.split()[0], rel.split()[-1]
        delta = {"last": -1, "past": -1, "next": 1}.get(which, 0)
        if unit == "year":
            return f"{anchor.year + delta:04d}", "year"
        if unit == "month":
            y, mo = _shift_month(anchor.year, anchor.month, delta)
            return f"{y:04d}-{mo:02d}", "month"
        d = anchor + timedelta(days=7 * delta)
        return f"{d.year:04d}-{d.month:02d}", "month"
    if name == "ago":
        n = NUMBERS.get(g["n"].lower()) or int(g["n"])
        if g["unit"].startswith("year"):
            return f"{anchor.year - n:04d}", "year"
        y, mo = _shift_month(anchor.year, anchor.month, -n)
        return f"{y:04d}-{mo:02d}", "month"
    if name == "weekday":
        wd = WEEKDAYS[g["weekday"].lower()]
        which = (g.get("which") or "").lower()
        back = (anchor.weekday() - wd) % 7
        if which == "next" or (future and which != "last" and back != 0):
            d = anchor + timedelta(days=(wd - anchor.weekday()) % 7 or 7)
        else:
            d = anchor - timedelta(days=back + (7 if which == "last" and back == 0 else 0))
        return d.isoformat(), "day"
    return None


def find_times(article: Article) -> list[TimeExpr]:
    body = article.body
    anchor = _anchor(article)
    taken: list[tuple[int, int]] = []
    found: list[TimeExpr] = []
    low = body.lower()
    for name, regex in PATTERNS:
        if name in NEEDS and not any(w in low for w in NEEDS[name]):
            continue
        for m in regex.finditer(body):
            key = "month" if name == "month" else "year" if name == "year" else 0
            b, e = m.span(key)
            if any(b < te and tb < e for tb, te in taken):
                continue
            if name == "month" and m.group("month") == "May" and body[max(0, b - 3):b].strip() == "":
                continue
            value = resolve(name, m, anchor, _future(article, b, e))
            if value is None:
                continue
            taken.append((b, e))
            found.append(TimeExpr(article.span(b, e), value[0], value[1]))
    found.sort(key=lambda t: t.span.begin)
    return found


@stage("times", requires=["tokens"], assigns=["times"])
def times_stage():
    def run(article: Article) -> Article:
        article.times = find_times(article)
        return article

    return run
