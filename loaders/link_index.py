"""A blocking index for the linker: which events could be the same happening as a new one.

Without it, each new article would be compared with every event that shares a popular
participant ("NATO", "Trump"), and loading would slow down as the store grows. The index keys
each event by (type, participant | place | time, publication day), so the candidates for a new
event are found by a range lookup on a few days around its own, ranked by how much they share,
and only the best few are fetched from the store.

It also keeps each article's summary (see link_data), so that linking a batch reads no more
than the articles it touches, without a query to the store.

It is a derived file (SQLite, in the store's folder): deleting it is safe, it is rebuilt from
the store whenever its counts disagree with the store's.
"""

from __future__ import annotations

import json
import sqlite3
from collections import OrderedDict
from datetime import date

from .link_data import events_of

#: decoded summaries kept in memory: a load in time order keeps meeting the same recent articles.
#: A decoded summary takes about 50 KB; measured on a 10k load in date order, 1,000 link as fast
#: as 4,000 did (4-6 s per 1,000 articles) and keep the heap flat after the first 1,000
CACHED_ARTICLES = 1000

SCHEMA = """
CREATE TABLE IF NOT EXISTS summaries (article TEXT PRIMARY KEY, summary TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS events (event TEXT PRIMARY KEY, article TEXT NOT NULL, type TEXT NOT NULL,
                                   day INTEGER) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS events_article ON events(article);
CREATE TABLE IF NOT EXISTS features (type TEXT, kind TEXT, value TEXT, day INTEGER, event TEXT,
                                     PRIMARY KEY (type, kind, value, day, event)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS features_event ON features(event);
CREATE TABLE IF NOT EXISTS links (a TEXT, b TEXT, PRIMARY KEY (a, b)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS links_b ON links(b);
"""


def _keep(lru: OrderedDict, key, value, size: int) -> None:
    """Put a value in an LRU map of at most `size` entries (the least recently used goes)."""
    lru[key] = value
    lru.move_to_end(key)
    if len(lru) > size:
        lru.popitem(last=False)


def day_number(iso: str | None) -> int | None:
    try:
        return date.fromisoformat(iso[:10]).toordinal() if iso else None
    except ValueError:
        return None


class LinkIndex:
    def __init__(self, path: str):
        self.path = path
        self.db = sqlite3.connect(path, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL" if path != ":memory:" else "PRAGMA journal_mode=MEMORY")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.executescript(SCHEMA)
        self.db.execute("BEGIN")
        self._cache: OrderedDict = OrderedDict()     # article -> [summary, its events or None]
        self._article_of: OrderedDict = OrderedDict()  # event -> article

    def counts(self) -> tuple[int, int]:
        """(articles, links)"""
        ev = self.db.execute("SELECT COUNT(*) FROM summaries").fetchone()[0]
        ln = self.db.execute("SELECT COUNT(*) FROM links").fetchone()[0]
        return ev, ln

    def clear(self) -> None:
        for table in ("summaries", "events", "features", "links"):
            self.db.execute(f"DELETE FROM {table}")
        self._cache.clear()
        self._article_of.clear()

    def forget_articles(self, articles) -> None:
        """Drop the events of these articles (about to be replaced) and their links."""
        for a in articles:
            self._cache.pop(a, None)
        q = ",".join("?" * len(articles))
        events = [r[0] for r in self.db.execute(f"SELECT event FROM events WHERE article IN ({q})", articles)]
        for i in range(0, len(events), 500):
            chunk = events[i:i + 500]
            marks = ",".join("?" * len(chunk))
            self.db.execute(f"DELETE FROM features WHERE event IN ({marks})", chunk)
            self.db.execute(f"DELETE FROM links WHERE a IN ({marks}) OR b IN ({marks})", chunk + chunk)
            self.db.execute(f"DELETE FROM events WHERE event IN ({marks})", chunk)
            for e in chunk:
                self._article_of.pop(e, None)
        self.db.execute(f"DELETE FROM summaries WHERE article IN ({q})", articles)

    def put(self, summary: dict) -> None:
        """Keep an article's summary and index its events."""
        self.db.execute("INSERT OR REPLACE INTO summaries VALUES (?, ?)",
                        (summary["article"], json.dumps(summary, separators=(",", ":"))))
        events = events_of(summary)
        _keep(self._cache, summary["article"], [summary, events], CACHED_ARTICLES)
        for ev in events.values():
            self.add(ev)

    def summary(self, article: str) -> dict | None:
        entry = self._entry(article)
        return entry[0] if entry else None

    def events(self, article: str) -> dict:
        """The article's events (``Ev``, shared: not to be changed), by IRI."""
        entry = self._entry(article)
        if entry is None:
            return {}
        if entry[1] is None:
            entry[1] = events_of(entry[0])
        return entry[1]

    def _entry(self, article: str) -> list | None:
        entry = self._cache.get(article)
        if entry is not None:
            self._cache.move_to_end(article)
            return entry
        row = self.db.execute("SELECT summary FROM summaries WHERE article = ?", (article,)).fetchone()
        if row is None:
            return None
        entry = [json.loads(row[0]), None]
        _keep(self._cache, article, entry, CACHED_ARTICLES)
        return entry

    def article_of(self, event: str) -> str | None:
        article = self._article_of.get(event)
        if article is None:
            row = self.db.execute("SELECT article FROM events WHERE event = ?", (event,)).fetchone()
            if row is None:
                return None
            article = row[0]
        _keep(self._article_of, event, article, CACHED_ARTICLES * 8)
        return article

    def add(self, ev) -> None:
        """Index one event (an ``Ev`` of the linker)."""
        day = day_number(ev.pub)
        self.db.execute("INSERT OR REPLACE INTO events VALUES (?, ?, ?, ?)", (ev.iri, ev.article, ev.type, day))
        rows = [(ev.type, "a", a, day, ev.iri) for a in ev.actors]
        if ev.place:
            rows.append((ev.type, "p", ev.place, day, ev.iri))
        if ev.time:
            rows.append((ev.type, "t", ev.time, day, ev.iri))
        self.db.executemany("INSERT OR IGNORE INTO features VALUES (?, ?, ?, ?, ?)", rows)

    def add_links(self, pairs) -> None:
        self.db.executemany("INSERT OR IGNORE INTO links VALUES (?, ?)", [tuple(sorted(p)) for p in pairs])

    def candidates(self, ev, types, window: int, limit: int) -> list[str]:
        """Events of these types, in other articles, that share a participant or the place within
        `window` days of publication, or the same time; most shared first, then nearest."""
        day = day_number(ev.pub)
        keyed = [("a", a) for a in ev.actors] + ([("p", ev.place)] if ev.place else [])
        parts, args = [], []
        type_marks = ",".join("?" * len(types))
        if keyed and day is not None:
            for kind, value in keyed:
                parts.append(f"SELECT event, day FROM features WHERE type IN ({type_marks}) AND kind = ? "
                             "AND value = ? AND day BETWEEN ? AND ?")
                args += [*types, kind, value, day - window, day + window]
        if ev.time:
            parts.append(f"SELECT event, day FROM features WHERE type IN ({type_marks}) AND kind = 't' AND value = ?")
            args += [*types, ev.time]
        if not parts:
            return []
        sql = (f"SELECT f.event FROM ({' UNION ALL '.join(parts)}) f JOIN events e ON e.event = f.event "
               "WHERE e.article != ? GROUP BY f.event "
               "ORDER BY COUNT(*) DESC, MIN(ABS(COALESCE(f.day, 0) - ?)), f.event LIMIT ?")
        args += [ev.article, day or 0, limit]
        return [r[0] for r in self.db.execute(sql, args)]

    def links_of(self, events) -> set:
        """The linked pairs that involve any of these events."""
        out = set()
        events = list(events)
        for i in range(0, len(events), 400):
            chunk = events[i:i + 400]
            marks = ",".join("?" * len(chunk))
            out.update(self.db.execute(f"SELECT a, b FROM links WHERE a IN ({marks}) UNION "
                                       f"SELECT a, b FROM links WHERE b IN ({marks})", chunk + chunk))
        return out

    def commit(self) -> None:
        self.db.execute("COMMIT")
        self.db.execute("BEGIN")

    def close(self) -> None:
        try:
            self.db.execute("COMMIT")
        finally:
            self.db.close()
