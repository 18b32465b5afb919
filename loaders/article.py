"""What the loader knows about one article, stage by stage. No RDF here."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit


#: query parameters that only say how a reader arrived (campaign and click trackers)
_TRACKERS = re.compile(r"^(?:utm_\w+|fbclid|gclid|dclid|msclkid|mc_cid|mc_eid|igshid|ocid|cmpid|"
                       r"ito|ref|ref_src|smid|sr_share|at_medium|at_campaign|CMP)$", re.I)


def canonical_url(url: str) -> str:
    """The URL as a page names itself: no trackers, no fragment, lower-case host, no default port."""
    parts = urlsplit(url.strip())
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return url.strip()
    host = parts.hostname.lower()
    if parts.port and parts.port not in (80, 443):
        host += f":{parts.port}"
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _TRACKERS.match(k)])
    return urlunsplit((parts.scheme.lower(), host, parts.path or "/", query, ""))


def url_key(url: str) -> str:
    """What makes two URLs the same article: the canonical URL less its scheme and a final slash."""
    u = canonical_url(url)
    return u.split("://", 1)[-1].rstrip("/")


@dataclass
class Span:
    """A stretch of the body: code point offsets, end exclusive."""

    begin: int
    end: int
    text: str

    def __post_init__(self):
        if not (0 <= self.begin <= self.end) or len(self.text) != self.end - self.begin:
            raise ValueError(f"bad span {self.begin}:{self.end} for {self.text!r}")


@dataclass
class Entity:
    """A person, organisation, place, unnamed source or group, as one article knows it."""

    key: str                      # article-local key, e.g. "person:emmanuel-macron"
    kind: str                     # person | organisation | place | source | group | agent
    label: str
    wikidata: str | None = None   # "Q3052772" when the identity is certain
    outlet: bool = False          # a news outlet
    roles: list[str] = field(default_factory=list)
    mentions: list[Span] = field(default_factory=list)
    members: list[str] = field(default_factory=list)   # keys, for groups
    aliases: list[str] = field(default_factory=list)
    rule: str | None = None       # how it was recognised (for the resolution record)
    within: str | None = None     # for a city: its country's label (gazetteer)
    within_id: str | None = None  # and that country's Wikidata id


@dataclass
class TimeExpr:
    span: Span
    value: str                    # "2024-02", "2024-11-20", "2022"
    precision: str                # day | month | year


@dataclass
class Amount:
    span: Span
    value: float
    unit: str                     # "percent", "troops", ...
    measures: str                 # what it measures, in the article's words
    qualifier: str | None = None  # "up to", "at least"
    about: str | None = None      # entity key or event key it measures, if known


@dataclass
class Event:
    key: str
    type: str                     # local name of an ng:Event subclass, e.g. "Visit"
    trigger: Span
    modality: str = "Occurred"
    actors: list[str] = field(default_factory=list)    # entity keys
    place: str | None = None
    time: TimeExpr | None = None
    sentence: Span | None = None
    mentions: list[Span] = field(default_factory=list)   # further triggers of the same event
    reacts_to: list[str] = field(default_factory=list)   # event keys (objections)


@dataclass
class Statement:
    speaker: str                  # entity key
    content: Span
    cue: Span | None
    form: str = "Paraphrase"      # DirectQuote | PartialQuote | Paraphrase
    stance: str = "Asserts"       # Asserts | Denies
    via: list[str] = field(default_factory=list)      # entity keys, nearest the speaker first
    channel: str | None = None
    uttered_in: str | None = None  # event key
    time: TimeExpr | None = None
    about: list[str] = field(default_factory=list)    # event keys
    sentence: Span | None = None


@dataclass
class Article:
    source: str                   # where it came from, for messages (file path, URL, file#item)
    headline: str | None = None
    body: str = ""
    published: datetime | date | None = None
    published_text: str | None = None
    modified: datetime | date | None = None
    authors: list[str] = field(default_factory=list)
    publisher: str | None = None
    section: str | None = None
    url: str | None = None
    language: str = "en"
    dateline: str | None = None
    file_name: str | None = None
    warnings: list[str] = field(default_factory=list)
    partial: bool = False         # only a summary (a feed item without its content)
    error: str | None = None      # a record that could not be read (one line of a bulk file)
    # filled by the extraction stages
    tokens: list = field(default_factory=list)         # nlp.Token, in body order
    sentences: list[Span] = field(default_factory=list)
    sentence_tokens: list = field(default_factory=list)  # (first, end) token index per sentence
    entities: dict[str, Entity] = field(default_factory=dict)
    times: list[TimeExpr] = field(default_factory=list)
    statements: list[Statement] = field(default_factory=list)
    events: dict[str, Event] = field(default_factory=dict)
    amounts: list[Amount] = field(default_factory=list)
    cited: list[str] = field(default_factory=list)     # entity keys of outlets it relies on
    stages: list[str] = field(default_factory=list)    # what has been done to it

    def span(self, begin: int, end: int) -> Span:
        return Span(begin, end, self.body[begin:end])

    def sentence_at(self, offset: int) -> int:
        """Index of the sentence holding a body offset (-1 if none)."""
        lo, hi = 0, len(self.sentences) - 1
        while lo <= hi:
            mid = (lo + hi) // 2
            s = self.sentences[mid]
            if offset < s.begin:
                hi = mid - 1
            elif offset >= s.end:
                lo = mid + 1
            else:
                return mid
        return -1

    def mentions(self):
        """(span, entity) for every entity mention, in body order."""
        pairs = [(m, e) for e in self.entities.values() for m in e.mentions]
        return sorted(pairs, key=lambda p: (p[0].begin, -p[0].end))

    def identity(self) -> str:
        """What makes two copies the same article: the canonical URL, else headline and day,
        else the text itself."""
        if self.url:
            return "url " + url_key(self.url)
        if self.headline:
            day = self.published.isoformat()[:10] if self.published else ""
            return "headline " + " ".join(self.headline.lower().split()) + " " + day
        return "text " + hashlib.sha256(" ".join(self.body.split()).encode("utf-8")).hexdigest()

    def content_hash(self) -> str:
        parts = [self.headline or "", str(self.published or ""), "|".join(self.authors),
                 self.publisher or "", self.section or "", self.url or "", self.body]
        return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()
