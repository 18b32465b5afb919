"""Named entities: people, organisations, outlets and places, with their mentions and roles.

1. The gazetteer (data/gazetteer.yaml) finds well-known actors and links them to Wikidata.
2. Capitalised token sequences find names it has never seen; a name's kind comes from a title
   before it ("Health Minister Kemal Memişoğlu"), its head word ("... Ministry", "... Survey"),
   a given name ("Nika Melia"), or a place preposition ("in Malatya").
3. Within the article, surnames and possessives ("Barrot", "Starmer's") go to the full name,
   "X (ABC)" makes ABC an alias of X, and roles are read around people's mentions.
"""

from __future__ import annotations

import re

from newsgraph.terms import slugify

from . import lexicon
from .article import Article, Entity, Span
from .registry import stage

_CONNECTORS = {"of", "for", "de", "von", "der", "van", "bin", "al", "el", "da", "di", "du", "la",
               "le", "del", "dos", "ibn", "abu", "and"}
_PARTICLES = {"de", "von", "der", "van", "bin", "al", "el", "da", "di", "du", "la", "le", "del",
              "dos", "ibn", "abu"}
_NAME_FOLLOWERS = {"'s", "’s", "has", "have", "had", "is", "was", "will", "would", "did", "does",
                   "and", "or", "in", "on", "at", "to", "for", "of", "with", "from"}
_ORG_DESCRIPTORS = {"company", "firm", "group", "chipmaker", "carmaker", "automaker", "bank",
                    "lender", "insurer", "retailer", "airline", "broadcaster", "newspaper", "daily",
                    "agency", "party", "startup", "giant", "maker", "manufacturer", "producer",
                    "operator", "supplier", "conglomerate", "brand", "club", "app", "platform",
                    "outlet", "magazine", "website", "network", "union", "movement", "militia"}
_PLACE_PREPS = {"in", "near", "to", "from", "at", "across", "outside", "inside", "around",
                "toward", "towards", "into", "within", "throughout"}
_NOT_ACRONYMS = {"I", "AM", "PM", "GMT", "UTC", "CET", "CEST", "EST", "EDT", "PST", "PDT", "BST",
                 "TV", "OK", "CEO", "ID", "II", "III", "IV", "VI", "A", "US", "UK", "PR", "Q", "X"}
_NAME_CHARS = re.compile(r"^[^\W\d_][\w'’.-]*$")


def entity_key(kind: str, label: str) -> str:
    return f"{kind}:{slugify(label) or label}"


def add_mention(article: Article, kind: str, label: str, span: Span, known=None, rule: str | None = None) -> Entity:
    """The entity for (kind, label), created if new, with this mention added and how it was
    recognised noted (for the resolution record)."""
    if known is not None:
        kind, label = known.kind, known.label
    key = entity_key(kind, label)
    ent = article.entities.get(key)
    if ent is None:
        ent = article.entities[key] = Entity(key=key, kind=kind, label=label)
        if known is not None:
            ent.wikidata = known.wikidata
            ent.outlet = known.outlet
            ent.within = known.country
    if all((m.begin, m.end) != (span.begin, span.end) for m in ent.mentions):
        ent.mentions.append(span)
        ent.mentions.sort(key=lambda m: m.begin)
    if rule:
        rules = ent.rule.split("; ") if ent.rule else []
        if rule not in rules:
            ent.rule = "; ".join(rules + [rule])
    return ent


class _Finder:
    def __init__(self, article: Article, lex: lexicon.Lexicon):
        self.a = article
        self.lex = lex
        self.tokens = article.tokens
        self.covered: set[int] = set()          # token indexes inside a found name
        self.tok_at = {t.begin: i for i, t in enumerate(self.tokens)}
        self.acronyms: dict[str, Entity] = {}

    # ------------------------------------------------------------ helpers

    def tok_range(self, begin: int, end: int) -> range:
        first = next((i for i, t in enumerate(self.tokens) if t.begin >= begin), len(self.tokens))
        last = first
        while last < len(self.tokens) and self.tokens[last].end <= end:
            last += 1
        return range(first, last)

    def cover(self, span: Span) -> None:
        self.covered.update(self.tok_range(span.begin, span.end))

    def is_cap(self, i: int) -> bool:
        t = self.tokens[i].text
        return t[:1].isupper() and bool(_NAME_CHARS.match(t)) and i not in self.covered

    def sentence_start(self, i: int) -> bool:
        first, _ = self.a.sentence_tokens[self.tokens[i].sent]
        j = first
        while j < i and self.tokens[j].text in {'"', "“", "‘", "'", "(", "—", "-"}:
            j += 1
        return i == j

    def mid_sentence_count(self, word: str) -> int:
        """How often a word is used as a name: mid-sentence, and at least once standing alone
        (before punctuation, 's or a verb), not always before a noun like an adjective."""
        hits = [i for i, t in enumerate(self.tokens) if t.text == word and not self.sentence_start(i)]
        alone = any(i + 1 >= len(self.tokens) or not self.tokens[i + 1].text[:1].isalpha()
                    or self.tokens[i + 1].lower in _NAME_FOLLOWERS
                    or self.tokens[i + 1].lower in self.lex.cues_assert | self.lex.cues_deny for i in hits)
        return len(hits) if alone else 0

    def seen_mid_sentence(self, word: str) -> bool:
        return any(t.text == word and not self.sentence_start(i) for i, t in enumerate(self.tokens))

    def quoted(self, first: int, last: int) -> bool:
        before = self.tokens[first - 1].text if first > 0 else ""
        after = self.tokens[last + 1].text if last + 1 < len(self.tokens) else ""
        after2 = self.tokens[last + 2].text if last + 2 < len(self.tokens) else ""
        return before in {'"', "“"} and (after in {'"', "”"} or after2 in {'"', "”"})

    # ------------------------------------------------------------ passes

    def gazetteer(self) -> None:
        body = self.a.body
        for m in self.lex.alias_re.finditer(body):
            known = self.lex.by_alias[m.group()]
            alias = m.group()
            if known.kind == "person" and alias == known.label.split()[-1] and alias != known.label:
                # a bare surname: not when another given name stands before it ("Lara Trump")
                i = self.tok_at.get(m.start())
                if i and self.is_cap(i - 1) and not self.lex.is_title_word(self.tokens[i - 1].text) \
                        and self.tokens[i - 1].lower not in self.lex.not_names \
                        and not self.tokens[i - 1].text.isupper():
                    continue
            span = self.a.span(m.start(), m.end())
            add_mention(self.a, known.kind, known.label, span, known,
                        rule="gazetteer" if alias == known.label else "gazetteer alias")
            self.cover(span)

    def sequences(self):
        """Runs of capitalised tokens within a sentence, joined by hyphens and name particles."""
        for first, end in self.a.sentence_tokens:
            i = first
            while i < end:
                if not self.is_cap(i):
                    i += 1
                    continue
                j = i
                while True:
                    n = j + 1
                    if n + 1 < end and self.tokens[n].text == "-" and self.tokens[n].begin == self.tokens[j].end \
                            and self.is_cap(n + 1) and self.tokens[n + 1].begin == self.tokens[n].end:
                        j = n + 1
                        continue
                    if n < end and self.is_cap(n):
                        j = n
                        continue
                    k = n
                    while k < end and k - n < 2 and self.tokens[k].lower in _CONNECTORS | {"the"}:
                        k += 1
                    if k > n and k < end and self.is_cap(k) and self._may_join(i, j, n):
                        j = k
                        continue
                    break
                yield i, j
                i = j + 1

    def _may_join(self, i: int, j: int, n: int) -> bool:
        link = self.tokens[n].lower
        if link in _PARTICLES:
            return True
        if link == "and":
            return False
        words = {t.lower for t in self.tokens[i:j + 1]}
        return bool(words & (self.lex.organisation_heads | self.lex.place_heads))

    def candidates(self) -> None:
        lex = self.lex
        for i, j in self.sequences():
            while i <= j and self.tokens[i].lower in lex.not_names and self.tokens[i].text not in lex.first_names:
                i += 1
            if i > j or self.quoted(i, j):
                continue
            words = [t.text for t in self.tokens[i:j + 1]]
            if all(self.lex.is_title_word(w) or w in lex.demonyms for w in words) \
                    and any(w.lower() in lex.title_heads for w in words) \
                    and words[-1].lower() not in lex.organisation_heads:
                continue                                  # "French President": a role, no name
            # a title before the name: "Prime Minister Irakli Kobakhidze"
            k = self._title_end(i, j)
            titled = k is not None
            if titled:
                i = k + 1
                words = [t.text for t in self.tokens[i:j + 1]]
                if not words or words[0].lower() in _CONNECTORS:
                    continue
            span = self.a.span(self.tokens[i].begin, self.tokens[j].end)
            if words[0] in lex.demonyms and len(words) == 1:
                continue
            kind = self._kind(i, j, words, titled)
            if kind is None:
                continue
            label = span.text
            if kind == "organisation":
                label = self._possessor_label(i, label, len(words))
                if label != span.text and label.endswith(" " + span.text) and \
                        self.a.body[span.begin - len(label) + len(span.text):span.begin] == label[:-len(span.text)]:
                    span = self.a.span(span.begin - len(label) + len(span.text), span.end)  # "US Geological Survey"
            elif kind == "place" and len(words) == 1 and j + 1 < len(self.tokens) \
                    and self.tokens[j + 1].lower in {"corridor", "province", "region", "oblast", "strip"}:
                span = self.a.span(span.begin, self.tokens[j + 1].end)   # "Philadelphi corridor"
                label = span.text
            ent = add_mention(self.a, kind, label, span, rule=self._why)
            self.cover(span)
            self._acronym_after(ent, j)

    def _title_end(self, i: int, j: int):
        """Index of the last title head of the run that has a name after it
        ("Civil Protection Minister Giannis Kefalogiannis")."""
        lex = self.lex
        last_head = None
        for k in range(i, j):
            if self.tokens[k].lower in lex.title_heads and self.tokens[k + 1].lower not in lex.title_heads \
                    and self.tokens[k + 1].lower not in _CONNECTORS and self.tokens[k + 1].lower not in lex.organisation_heads:
                last_head = k
        if last_head is not None and any(self.tokens[x].lower in lex.organisation_heads for x in range(last_head + 1, j + 1)):
            return None                                    # "Minister of Defence Office": an organisation
        return last_head

    def _kind(self, i: int, j: int, words: list[str], titled: bool):
        kind, self._why = self._classify(i, j, words, titled)
        return kind

    def _classify(self, i: int, j: int, words: list[str], titled: bool):
        """(kind or None, the rule that decided it)."""
        lex = self.lex
        lower = [w.lower() for w in words]
        single = len(words) == 1
        if single and words[0] in self.acronyms:
            return None, None
        if self._surname(i, j):
            return None, None
        if single and words[0].isupper() and 2 <= len(words[0]) <= 6 and words[0][0].isalpha() \
                and words[0].isalnum() and words[0] not in _NOT_ACRONYMS and lower[0] not in lex.title_heads:
            return "organisation", "acronym"
        connected = bool(set(lower) & _CONNECTORS)
        if lower[-1] in lex.organisation_heads or (not single and set(lower) & {"ministry", "department", "office"}) \
                or (connected and set(lower) & lex.organisation_heads):
            return (None, None) if single else ("organisation", "head word")
        if lower[-1] in lex.place_heads and not single:
            return "place", "head word"
        if titled:
            return "person", "title before the name"
        prev = self.tokens[i - 1].lower if i > 0 else ""
        prev2 = self.tokens[i - 2].lower if i > 1 else ""
        if prev in _PLACE_PREPS or (prev == "of" and prev2 in {"city", "province", "region", "town",
                                                                  "village", "district", "outskirts",
                                                                  "capital", "port", "island", "north",
                                                                  "south", "east", "west", "northeast",
                                                                  "northwest", "southeast", "southwest"}) \
                or (prev == "as" and prev2 == "away"):
            if not single or words[0] not in lex.first_names:
                return "place", "place preposition"
        if words[0] in lex.first_names and not single:
            return "person", "given name"
        if single:
            if lower[0] in lex.not_names:
                return None, None
            prev_word = self.tokens[i - 1].lower if i > 0 else ""
            if prev_word in _ORG_DESCRIPTORS:
                return "organisation", "descriptor"        # "chipmaker Nordtek", "the party D66"
            if self.sentence_start(i) and not self.seen_mid_sentence(words[0]):
                return None, None
            if self.mid_sentence_count(words[0]) >= 2:
                return "organisation", "repeated name"     # a name used again and again, not a word
            if self.sentence_start(i):
                return None, None
            nxt = self.tokens[j + 1].text if j + 1 < len(self.tokens) else ""
            if nxt.lower() in {"corridor", "province", "region", "oblast", "strip"}:
                return "place", "head word"
            return None, None
        if all(w[:1].isupper() and (w.replace("-", "").replace("'", "").isalpha() or re.fullmatch(r"[A-Z]\.", w))
               for w in words) and len(words) <= 4 and not any(w.isupper() and len(w) > 1 for w in words):
            if self.sentence_start(i) and lower[0] in lex.not_names:
                return None, None
            return "person", "capitalised name"
        return None, None

    def _surname(self, i: int, j: int) -> bool:
        """A known person's surname (or full name) used alone: add it as their mention."""
        text = self.a.body[self.tokens[i].begin:self.tokens[j].end]
        for ent in list(self.a.entities.values()):
            if ent.kind == "person" and " " in ent.label and (
                    text == ent.label.split()[-1] or text == ent.label):
                span = self.a.span(self.tokens[i].begin, self.tokens[j].end)
                add_mention(self.a, ent.kind, ent.label, span, rule="surname")
                self.cover(span)
                return True
        return False

    def _possessor_label(self, i: int, label: str, n_words: int) -> str:
        """"France's Ministry of Defense" -> "French Ministry of Defense" (short generic names)."""
        if i >= 2 and self.tokens[i - 1].text in {"'s", "’s"} and n_words <= 3:
            owner = self.a.body[self.tokens[i - 2].begin:self.tokens[i - 2].end]
            known = self.lex.by_alias.get(owner)
            if known is not None and known.kind == "place" and known.demonyms:
                return f"{known.demonyms[0]} {label}"
        if i >= 1:
            prev = self.tokens[i - 1]
            known = self.lex.by_alias.get(prev.text)
            if known is not None and prev.end + 1 == self.tokens[i].begin and n_words <= 3 \
                    and known.kind in ("place", "organisation") and prev.text.isupper():
                return f"{prev.text} {label}"                  # "US Geological Survey"
        return label

    def _acronym_after(self, ent: Entity, j: int) -> None:
        """"Défense Conseil International (DCI)", "..., known as ISRO": an alias."""
        t = self.tokens
        if j + 3 < len(t) and t[j + 1].text == "(" and t[j + 3].text == ")" and t[j + 2].text.isupper():
            self.acronyms[t[j + 2].text] = ent
        if j + 4 < len(t) and t[j + 1].text == "," and t[j + 2].lower == "known" and t[j + 3].lower == "as" \
                and t[j + 4].text.isupper():
            self.acronyms[t[j + 4].text] = ent

    def acronym_mentions(self) -> None:
        for i, tok in enumerate(self.tokens):
            ent = self.acronyms.get(tok.text)
            if ent is not None:
                add_mention(self.a, ent.kind, ent.label, self.a.span(tok.begin, tok.end), rule="acronym alias")
                self.covered.add(i)

    def demonyms(self) -> None:
        """"French", "British": mentions of the place, where not part of a longer name."""
        for i, tok in enumerate(self.tokens):
            known = self.lex.demonyms.get(tok.text)
            if known is not None and i not in self.covered:
                add_mention(self.a, "place", known.label, self.a.span(tok.begin, tok.end), known, rule="demonym")
                self.covered.add(i)

    def possessive_surnames(self) -> None:
        """Leftover single capitalised words that are a person's surname in this article."""
        surnames = {e.label.split()[-1]: e for e in self.a.entities.values()
                    if e.kind == "person" and " " in e.label}
        for i, tok in enumerate(self.tokens):
            ent = surnames.get(tok.text)
            if ent is not None and i not in self.covered:
                add_mention(self.a, "person", ent.label, self.a.span(tok.begin, tok.end), rule="surname")
                self.covered.add(i)

    def roles(self) -> None:
        for ent in self.a.entities.values():
            if ent.kind != "person":
                continue
            for m in ent.mentions:
                role = self._role_before(m) or self._role_after(m)
                if role and role not in ent.roles:
                    ent.roles.append(role)

    def _role_before(self, m: Span):
        lex = self.lex
        i = self.tok_at.get(m.begin)
        if i is None:
            return None
        k, head = i - 1, False
        while k >= 0 and self.tokens[k].sent == self.tokens[i].sent:
            w = self.tokens[k].text
            lw = w.lower()
            if lw in lex.title_heads:
                head = True
            elif not (lw in lex.title_modifiers and lw != "the" or w in lex.demonyms
                      or lw in lex.gazetteer_tokens or w in {"'s", "’s"} or w in self.acronyms):
                break
            k -= 1
        if not head:
            return None
        first = k + 1
        while first < i and self.tokens[first].lower in {"of", "'s", "’s"}:
            first += 1
        while first < i and self.tokens[first].lower in {"the", "a", "an"}:
            first += 1
        if first >= i:
            return None
        text = self.a.body[self.tokens[first].begin:self.tokens[i - 1].end]
        return text[0].upper() + text[1:]

    def _role_after(self, m: Span):
        rest = self.a.body[m.end:m.end + 80]
        g = re.match(r",\s+(?:the|a|an)\s+([^,;.]{3,60}?),", rest)
        if g and g.group(1).split()[-1].lower() in self.lex.title_heads:
            return g.group(1)
        return None


def countries(article: Article, lex: lexicon.Lexicon) -> None:
    """A city's country, for "Paris is in France" when sources name one or the other."""
    for ent in article.entities.values():
        if ent.within:
            country = lex.by_label.get(ent.within)
            ent.within_id = country.wikidata if country else None


def metadata_agents(article: Article, lex: lexicon.Lexicon) -> None:
    """The publisher and cited outlets from the page's metadata, by their gazetteer names."""
    if article.publisher:
        known = lex.by_alias.get(article.publisher)
        label = known.label if known else article.publisher
        ent = article.entities.get(entity_key("organisation", label))
        if ent is None:
            ent = article.entities[entity_key("organisation", label)] = Entity(
                key=entity_key("organisation", label), kind="organisation", label=label,
                wikidata=known.wikidata if known else None, rule="publisher")
        ent.outlet = True
        article.publisher = label
    for name in article.authors:
        known = lex.by_alias.get(name)
        label = known.label if known is not None and known.kind == "person" else name
        key = entity_key("person", label)
        if key not in article.entities:
            article.entities[key] = Entity(key=key, kind="person", label=label,
                                           wikidata=known.wikidata if known else None, rule="author")
    cited = []
    for name in article.cited:
        if name in article.entities:
            cited.append(name)
            continue
        known = lex.by_alias.get(name)
        label = known.label if known else name
        key = entity_key("organisation", label)
        if key not in article.entities:
            article.entities[key] = Entity(key=key, kind="organisation", label=label, outlet=True,
                                           wikidata=known.wikidata if known else None, rule="cited outlet")
        cited.append(key)
    article.cited = cited


@stage("entities", requires=["tokens"], assigns=["entities"])
def entities_stage():
    lex = lexicon.load()

    def run(article: Article) -> Article:
        f = _Finder(article, lex)
        f.gazetteer()
        f.candidates()
        f.acronym_mentions()
        f.possessive_surnames()
        f.demonyms()
        f.roles()
        metadata_agents(article, lex)
        countries(article, lex)
        return article

    return run
