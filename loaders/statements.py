"""Attributed statements: who said what, in which form, with which stance, through whom.

Patterns, all grounded in exact spans of the body:

* direct quotes, possibly several sentences long, attributed before (X said: "...") or after
  ("...," X remarked / "...," said X), or by a short next sentence ("X said.");
* paraphrases: X [adverbs] [, parenthesis,] CUE [hearer] [that] CONTENT, cut before a
  participle that starts another statement (", emphasizing that ...");
* content first: CONTENT, X CUE [adjuncts]. / CONTENT, CUE X.;
* "according to X" before or after the content, with "a report by X" and "X, which cites Y";
* denials: deny cues, "denials from X, who affirmed that ...", "a claim X denied";
* participle continuations (", emphasizing that ...", ", adding that ...") keep the speaker.

Speakers are named entities, unnamed sources ("a British military source", "officials in
Kyiv"), groups ("NATO, the US, and key European allies") or pronouns and definite noun phrases
resolved to the nearest fitting agent ("he", "the newspaper", "the person").
"""

from __future__ import annotations

import re

from newsgraph.terms import slugify

from . import lexicon
from .article import Article, Entity, Span, Statement
from .registry import stage

OPEN_Q = "“\"‘"
_PARTICIPLE_CUE = re.compile(
    r",\s+(?:while\s+)?(?:emphasi[sz]ing|adding|saying|stressing|noting|telling|warning|insisting|"
    r"arguing|explaining|highlighting|underlining|claiming|asserting|suggesting|acknowledging)\b")
_CONTENT_STOP = re.compile(
    r",\s+(?:according to\b|(?:a|an)\s+(?:sentiment|claim|charge|accusation|allegation|assertion|"
    r"move|remark|view|position|statement|point)\b)|\s+[—–]\s+|;\s")
_APPOSITIVE_CLAIM = re.compile(
    r",\s+(?:a|an)\s+(?P<noun>sentiment|claim|charge|accusation|allegation|assertion|view)\s+(?:that\s+)?$")
_CHANNEL = [
    re.compile(r"\b(?i:in) (?:a|an|his|her|their) (?:recent |exclusive |televised |radio |tv )?(?P<x>.{2,40}?) interview\b"),
    re.compile(r"\b(?i:in|during) an? (?:exclusive |recent )?interview (?:with|on|to) (?P<x>.{2,40}?)(?=[,.]|\s+(?:when|on|that|in)\b|$)"),
    re.compile(r"\b(?i:speaking) to (?P<x>.{2,40}?)(?=[,.]|$)"),
    re.compile(r"\b(?:wrote|posted|said) on (?P<x>[A-Z][\w.]*)"),
]
_RELAY = re.compile(r"\b(?:quoted|cited|interviewed)\s+by\s+(?P<x>.{2,60}?)(?=,|$)")
_CITES = re.compile(r",\s+which\s+(?:cites|cited|quotes|quoted|relies on)\s+(?P<x>.{2,60}?)(?=,|\.|$)")
_REPORT_BY = re.compile(r"\b(?:report|article|story|analysis|investigation|statement|survey|poll|study)\s+(?:by|from|in|published by)\s+(?P<x>.+)$")
_DETERMINERS = {"a", "an", "the", "this", "that", "these", "those", "his", "her", "its", "their",
                "our", "recent", "such", "new", "latest", "any", "every", "each", "one"}
_STOPS = {"that", "and", "but", "when", "while", "who", "which", "by", "from", "with", "in", "on",
          "at", "to", "for", "of", "as", "after", "before", "during", "than", "if", "is", "are",
          "was", "were", "has", "have", "had", "be", "been", "said", "says"}
_PRONOUNS = {"he": "person", "she": "person", "it": "organisation", "they": "group"}
_ANAPHORA_HEADS = {"firm": "organisation", "party": "organisation",
                   "agency": "organisation", "organisation": "organisation", "organization": "organisation",
                   "newspaper": "outlet", "paper": "outlet", "daily": "outlet", "outlet": "outlet",
                   "broadcaster": "outlet", "channel": "outlet",
                   "minister": "person", "president": "person", "lawyer": "person",
                   "spokesman": "person", "spokeswoman": "person", "spokesperson": "person",
                   "leader": "person", "envoy": "person", "governor": "person", "chancellor": "person",
                   "ministry": "organisation", "bank": "organisation", "company": "organisation",
                   "group": "organisation", "alliance": "organisation"}


class _Attributor:
    def __init__(self, article: Article, lex: lexicon.Lexicon):
        self.a = article
        self.lex = lex
        self.body = article.body
        self.quotes = _quote_spans(article.body)
        self.statements: list[Statement] = []
        self.refresh()

    def refresh(self) -> None:
        self.mentions = [(m.begin, m.end, e) for m, e in self.a.mentions()]

    # ------------------------------------------------------------ agents

    def mention_ending(self, end: int, kinds=None):
        for b, e, ent in reversed(self.mentions):
            if e == end and (kinds is None or ent.kind in kinds):
                return b, ent
        return None

    def mentions_in(self, begin: int, end: int):
        return [(b, e, ent) for b, e, ent in self.mentions if begin <= b and e <= end]

    def last_agent(self, before: int, kinds, lookback: int = 600):
        for b, e, ent in reversed(self.mentions):
            if e <= before and before - e <= lookback and ent.kind in kinds:
                return ent
        return None

    def new_agent(self, kind: str, label: str, begin: int, end: int, members=()) -> Entity:
        label = " ".join(label.split())
        key = f"{kind}:{slugify(label) or kind}-{begin}"
        ent = self.a.entities.get(key)
        if ent is None:
            ent = self.a.entities[key] = Entity(key=key, kind=kind, label=label,
                                                members=list(members))
        if all(m.begin != begin for m in ent.mentions):
            ent.mentions.append(self.a.span(begin, end))
        self.refresh()
        return ent

    def agent_ending(self, end: int, start_limit: int):
        """The agent whose noun phrase ends at `end` (not before start_limit): (begin, Entity)."""
        body = self.body
        while end > start_limit and body[end - 1] in " ,":
            end -= 1
        text = body[start_limit:end]
        if not text.strip():
            return None
        # "X, the Kremlin's spokesman," / "The lawyer, X,": a person inside commas
        hit = self.mention_ending(end, {"person", "organisation", "place", "source", "group"})
        if hit is not None and hit[1].kind in ("place", "organisation"):
            src = self.unnamed_ending(end, start_limit, dry=True)
            if src is not None and src[1] <= hit[0]:
                return self.unnamed_ending(end, start_limit)   # "officials in Kyiv", "analysts at X"
        if hit is not None:
            b, ent = hit
            # "Netanyahu's office": the mention is the possessor, not the speaker
            return self._group_or(b, ent, start_limit)
        lower = text.lower()
        m = re.search(r"\b(he|she|it|they)$", lower)
        if m:
            kind = _PRONOUNS[m.group(1)]
            kinds = {"person"} if kind == "person" else {"organisation", "group", "source"} if kind == "group" \
                else {"organisation"}
            ent = self.last_agent(end - len(m.group(1)), kinds)
            return (end - len(m.group(1)), ent) if ent else None
        m = re.search(r"\bthe\s+(\w+)$", lower)
        if m and (m.group(1) in _ANAPHORA_HEADS or m.group(1) in self.lex.source_heads):
            ent = self._anaphor(m.group(1), end - len(m.group(0)))
            if ent is not None:
                return end - len(m.group(0)), ent
        src = self.unnamed_ending(end, start_limit)
        if src is not None:
            return self._group_or(src[0], src[1], start_limit)   # "NATO, the US, and key European allies"
        return None

    def _anaphor(self, head: str, before: int):
        want = _ANAPHORA_HEADS.get(head, "source")
        if want == "outlet":
            for b, e, ent in reversed(self.mentions):
                if e <= before and ent.outlet:
                    return ent
            return None
        for b, e, ent in reversed(self.mentions):
            if e <= before and ent.kind == "source" and (head in ent.aliases or head + "s" in ent.aliases
                                                        or ent.label.lower().split()[-1] == head):
                return ent
        if want == "person":
            for b, e, ent in reversed(self.mentions):
                if e <= before and ent.kind == "person" and any(head in r.lower() for r in ent.roles):
                    return ent
        if want == "organisation":
            for b, e, ent in reversed(self.mentions):
                if e <= before and ent.kind == "organisation" and not ent.outlet and (
                        head in ent.label.lower() or head in {"company", "group", "agency", "organisation",
                                                               "organization", "firm"}):
                    return ent
        return None

    def _group_or(self, b: int, ent: Entity, start_limit: int):
        """Extend a mention to a coordination ("NATO, the US, and key European allies")."""
        members = [(b, ent)]
        cursor = b
        while True:
            m = re.search(r"(?:,\s+and|,\s+or|,|\s+and|\s+or)\s+(?:the\s+)?$", self.body[start_limit:cursor])
            if not m:
                break
            at = start_limit + m.start()
            prev = self.mention_ending(at, {"person", "organisation", "place"}) or self.unnamed_ending(at, start_limit)
            if prev is None:
                break
            members.insert(0, prev)
            cursor = prev[0]
        if len(members) == 1:
            return b, ent
        begin = members[0][0]
        last_b, last_ent = members[-1]
        end = next((m.end for m in last_ent.mentions if m.begin == last_b), last_b)
        label = self.body[begin:end]
        group = self.new_agent("group", label, begin, end, members=[e.key for _, e in members])
        return begin, group

    def unnamed_ending(self, end: int, start_limit: int, dry: bool = False):
        """An unnamed source whose phrase ends at `end`: 'a British military source'."""
        lex = self.lex
        # never across punctuation
        cut = max(self.body.rfind(ch, start_limit, end) for ch in ",;:(\"“”—")
        if cut >= start_limit:
            start_limit = cut + 1
        text = self.body[start_limit:end]
        # the post-modifier, if any, then the head noun before it
        core_end = end
        for pm in lex.source_post.finditer(text):
            if start_limit + pm.end() == end:
                core_end = start_limit + pm.start()
                while core_end > start_limit and self.body[core_end - 1] == " ":
                    core_end -= 1
        words = list(re.finditer(r"[\w'’.-]+", self.body[start_limit:core_end]))
        if not words or words[-1].group().lower() not in lex.source_heads:
            return None
        if core_end != start_limit + words[-1].end():
            return None
        # walk left over modifiers to a determiner (or a bare plural with modifiers)
        k = len(words) - 1
        first = k
        while first > 0 and k - first < 5:
            w = words[first - 1].group()
            lw = w.lower()
            if lw in lex.source_determiners or lw in _DETERMINERS:
                first -= 1
                break
            if lw in lex.cues_assert or lw in lex.cues_deny or lw in _STOPS:
                break
            if w.endswith(("'s", "’s")) and w[0].isupper():
                first -= 1
                break
            first -= 1
        head = words[k].group().lower()
        phrase_words = [w.group() for w in words[first:k + 1]]
        has_det = phrase_words[0].lower() in lex.source_determiners | _DETERMINERS or phrase_words[0].endswith(("'s", "’s"))
        has_mod = any(w[0].isupper() for w in phrase_words[:-1]) or len(phrase_words) > 1
        plural = head.endswith("s") or head in {"people", "media", "police", "staff"}
        sentence_subject = plural and len(phrase_words) == 1 and self._starts_sentence(start_limit + words[first].start())
        bare_before_cue = plural and len(phrase_words) == 1 and self.body[start_limit:start_limit + words[first].start()].strip() == ""
        if not (has_det or core_end != end or (plural and has_mod) or sentence_subject or bare_before_cue):
            return None
        begin = start_limit + words[first].start()
        if dry:
            return begin, start_limit + words[k].end()     # where the head noun ends
        label = self.body[begin:end]
        ent = self.new_agent("source", label, begin, end)
        if head not in ent.aliases:
            ent.aliases.append(head)                       # "the person" finds it again
        return begin, ent

    # ------------------------------------------------------------ content helpers

    def _starts_sentence(self, offset: int) -> bool:
        s = self.a.sentence_at(offset)
        return s >= 0 and self.a.sentences[s].begin == offset

    def in_quote(self, offset: int) -> bool:
        return any(qb <= offset < qe for qb, qe, _ in self.quotes)

    def clean(self, begin: int, end: int):
        body = self.body
        while begin < end and body[begin] in " ,:":
            begin += 1
        while end > begin and body[end - 1] in " ,.;:":
            end -= 1
        if end - begin >= 2 and body[begin] in OPEN_Q and body[end - 1] in "”\"’'" \
                and not any(ch in body[begin + 1:end - 1] for ch in "“”\""):
            begin, end = begin + 1, end - 1               # a whole quotation: its words
            while end > begin and body[end - 1] in " ,.;:":
                end -= 1
        if end - begin < 2:
            return None
        return self.a.span(begin, end)

    def times_in(self, begin: int, end: int, exclude: Span | None):
        for t in self.a.times:
            if begin <= t.span.begin and t.span.end <= end and not (
                    exclude and exclude.begin <= t.span.begin < exclude.end):
                yield t

    def best_time(self, begin: int, end: int, exclude: Span | None, near: int):
        rank = {"day": 0, "month": 1, "year": 2}
        times = list(self.times_in(begin, end, exclude))
        if not times:
            return None
        return min(times, key=lambda t: (rank[t.precision], abs(t.span.begin - near)))

    def channel_in(self, begin: int, end: int):
        text = self.body[begin:end]
        for rx in _CHANNEL:
            for m in rx.finditer(text):
                xb, xe = begin + m.start("x"), begin + m.end("x")
                for b, e, ent in self.mentions_in(xb, xe):
                    if ent.kind == "organisation":
                        return ent
        return None

    def relay_in(self, begin: int, end: int):
        text = self.body[begin:end]
        m = _RELAY.search(text)
        if not m:
            return None
        xb, xe = begin + m.start("x"), begin + m.end("x")
        hits = self.mentions_in(xb, xe)
        if hits:
            return hits[0][2]
        found = self.agent_ending(xe, xb)
        return found[1] if found else None

    # ------------------------------------------------------------ statements

    def add(self, speaker: Entity, content: Span, cue: Span | None, *, form="Paraphrase",
            stance="Asserts", sentence: Span, via=(), channel=None, time=None) -> Statement | None:
        if content is None or speaker is None:
            return None
        for st in self.statements:
            if (st.content.begin, st.content.end, st.speaker) == (content.begin, content.end, speaker.key) \
                    and (st.time.value if st.time else None) == (time.value if time else None):
                return None
        if form == "Paraphrase" and any(content.begin <= qb < content.end for qb, qe, _ in self.quotes):
            form = "PartialQuote"
        via = [v.key for v in via if v is not None and v.key != speaker.key]
        st = Statement(speaker=speaker.key, content=content, cue=cue, form=form, stance=stance,
                       via=list(dict.fromkeys(via)), channel=channel.key if channel else None,
                       time=time, sentence=sentence)
        self.statements.append(st)
        return st

    def direct_quotes(self) -> None:
        for qb, qe, full in self.quotes:
            if not full:
                continue
            s = self.a.sentence_at(qe)
            if s < 0:
                continue
            sent = self.a.sentences[s]
            after_end = sent.end
            close = qe + 1
            found = self._speaker_after(close, after_end)
            if found is None:
                s0 = self.a.sentence_at(qb)
                found = self._speaker_before(self.a.sentences[s0].begin if s0 >= 0 else qb, qb - 1)
            if found is None and close >= sent.end - 1 and s + 1 < len(self.a.sentences):
                nxt = self.a.sentences[s + 1]
                if len(nxt.text.split()) <= 8:
                    found = self._speaker_after(nxt.begin, nxt.end)
            if found is None:
                continue
            speaker, cue, region = found
            content = self.clean(qb, qe)
            via = [self.relay_in(*region)]
            channel = self.channel_in(*region)
            time = self.best_time(region[0], region[1], content, cue.begin if cue else qb)
            self.add(speaker, content, cue, form="DirectQuote", sentence=sent, via=via + [channel],
                     channel=channel, time=time)

    def _cue_at(self, begin: int, end: int):
        """The first reporting cue in [begin, end): (Span, stance)."""
        for m in re.finditer(r"[A-Za-z]+", self.body[begin:end]):
            w = m.group().lower()
            if w in self.lex.cues_assert or w in self.lex.cues_deny:
                return self.a.span(begin + m.start(), begin + m.end()), \
                    "Denies" if w in self.lex.cues_deny else "Asserts"
        return None

    def _speaker_after(self, start: int, end: int):
        """'...," Barrot remarked' / '...," said X' / '...," ECB President X told ...'."""
        text = self.body[start:end]
        m = re.match(r"[\s,—–-]*", text)
        pos = start + m.end()
        lead = re.match(r"([A-Za-z]+)\b", self.body[pos:end])
        if lead and (lead.group(1).lower() in self.lex.cues_assert or lead.group(1).lower() in self.lex.cues_deny):
            cue = self.a.span(pos, pos + lead.end(1))
            after = self.agent_starting(cue.end + 1, end)
            if after is not None:
                return after[0], cue, (pos, end)        # '...," said Niels Jansen'
            return None
        agent = self.agent_starting(pos, end, allow_roles=True)
        if agent is None:
            return None
        ent, a_end = agent
        rest = self.body[a_end:end]
        m = re.match(r"(?:,[^,]{1,60},)?\s*((?:[a-z]+\s+){0,2}?)([A-Za-z]+)\b", rest)
        if not m:
            return None
        between = m.group(1).split()
        if any(w not in self.lex.adverbs for w in between):
            return None
        w = m.group(2).lower()
        if w not in self.lex.cues_assert and w not in self.lex.cues_deny:
            return None
        cue = self.a.span(a_end + m.start(2), a_end + m.end(2))
        return ent, cue, (pos, end)

    def _speaker_before(self, start: int, end: int):
        """'X said: "...' / 'X told reporters, "...'."""
        text = self.body[start:end]
        m = re.search(r"([A-Za-z]+)(?:\s+(?:reporters|journalists|the press|[A-Z][\w.]*(?:\s+[A-Z][\w.]*)*))?\s*[:,]\s*$", text)
        if not m:
            return None
        w = m.group(1).lower()
        if w not in self.lex.cues_assert and w not in self.lex.cues_deny:
            return None
        cb = start + m.start(1)
        agent = self.speaker_before_cue(start, cb)
        if agent is None:
            return None
        return agent, self.a.span(cb, start + m.end(1)), (start, end)

    def agent_starting(self, begin: int, end: int, allow_roles: bool = False):
        """(Entity, end offset) of an agent starting at `begin` (after role words)."""
        body = self.body
        pos = begin
        while pos < end and body[pos] == " ":
            pos += 1
        if allow_roles:
            # skip role words: "ECB President", "Interior Minister", "European Commission President"
            for _ in range(8):
                hit = [(b, e, ent) for b, e, ent in self.mentions if b == pos]
                if hit:
                    b, e, ent = max(hit, key=lambda h: h[1] - h[0])
                    if ent.kind == "person" or not self._role_follows(e, end):
                        return ent, e
                    pos = e + 1
                    continue
                m = re.match(r"([\w.'’-]+)\s+", body[pos:end])
                if not m:
                    break
                w = m.group(1)
                if not (self.lex.is_title_word(w) or w in self.lex.demonyms or w.lower() in self.lex.gazetteer_tokens):
                    break
                pos += m.end()
        hit = [(b, e, ent) for b, e, ent in self.mentions if b == pos]
        if hit:
            b, e, ent = max(hit, key=lambda h: h[1] - h[0])
            return ent, e
        m = re.match(r"(he|she|they|it)\b", body[pos:end], re.I)
        if m:
            kind = _PRONOUNS[m.group(1).lower()]
            kinds = {"person"} if kind == "person" else {"organisation", "group", "source"}
            ent = self.last_agent(pos, kinds)
            return (ent, pos + m.end()) if ent else None
        # an unnamed source: "an EU diplomat told Politico", "the person said"
        m = re.match(r"((?:[\w'’.-]+\s+){0,6}?[\w'’.-]+)(?=\s+(?:[a-z]+\s+)?(?:%s)\b)" % "|".join(
            sorted(self.lex.cues_assert | self.lex.cues_deny, key=len, reverse=True)), body[pos:end])
        if m:
            found = self.agent_ending(pos + m.end(1), pos)
            if found is not None:
                return found[1], pos + m.end(1)
        return None

    def _role_follows(self, pos: int, end: int) -> bool:
        m = re.match(r"\s+([\w.'’-]+)", self.body[pos:end])
        return bool(m and self.lex.is_title_word(m.group(1)))

    def speaker_before_cue(self, start: int, cue_begin: int):
        """The agent before a cue: skip adverbs, a parenthesis, a relative pronoun."""
        body = self.body
        end = cue_begin
        # adverbs between speaker and cue
        while True:
            m = re.search(r"(?:^|\s)([A-Za-z]+)\s*$", body[start:end])
            if m and m.group(1).lower() in self.lex.adverbs:
                end = start + m.start(1)
                continue
            break
        left = body[start:end].rstrip()
        end = start + len(left)
        if left.endswith((", who", ", which", ", that")):
            found = self.agent_ending(end - len(left.rsplit(",", 1)[1]) - 1, start)   # "X, who said"
            return found[1] if found else None
        if left.endswith(" and") or left.endswith(" but"):
            return self.sentence_subject(start, end)
        if left.endswith(","):
            inner_end = end - 1
            open_comma = body.rfind(",", start, inner_end)
            if open_comma > start:
                inner = self.agent_ending(inner_end, open_comma + 1)
                if inner is not None and inner[0] <= open_comma + 3:
                    return inner[1]                       # "The lawyer, Dimitri Sadzaglishvili, said"
                found = self.agent_ending(open_comma, start)
                if found is not None:
                    return found[1]                        # "Barrot, in a recent BBC interview, stated"
            found = self.agent_ending(inner_end, start)
            return found[1] if found else None
        found = self.agent_ending(end, start)
        return found[1] if found else None

    def sentence_subject(self, start: int, end: int):
        """The agent the sentence starts with, past its role words ("UN climate chief X")."""
        for b, e, ent in self.mentions:
            if not (start <= b < end) or ent.kind not in {"person", "organisation", "group", "source", "place"}:
                continue
            before = self.body[start:b].strip()
            words = re.findall(r"[\w.'’-]+", before)
            if not before or before.lower() in {"the", "a", "an"}:
                if ent.kind == "person" or not self._person_after_role(e, end):
                    return ent
                continue
            if all(self.lex.is_title_word(w) or w in self.lex.demonyms or w.lower() in self.lex.gazetteer_tokens
                   or w.lower() in {"the", "'s", "’s"} for w in words) and ent.kind == "person":
                return ent
            break
        return None

    def _person_after_role(self, pos: int, end: int) -> bool:
        """Role words follow ("Italian Prime Minister Giorgia Meloni"): the subject is the person."""
        words = re.findall(r"[\w.'’-]+", self.body[pos:end])[:5]
        k = 0
        while k < len(words) and self.lex.is_title_word(words[k]):
            k += 1
        return 0 < k < len(words) and any(w.lower() in self.lex.title_heads for w in words[:k]) \
            and words[k][:1].isupper()

    def indirect(self, s: int) -> None:
        sent = self.a.sentences[s]
        body = self.body
        used = {st.cue.begin for st in self.statements if st.cue is not None}
        prev_stmt = next((st for st in reversed(self.statements)
                          if st.sentence is not None and st.sentence.begin == sent.begin), None)
        for m in re.finditer(r"[A-Za-z]+(?:\s+(?:to|from|out)\b)?", body[sent.begin:sent.end]):
            cb = sent.begin + m.start()
            word = body[cb:sent.begin + m.end()].lower()
            first = word.split()[0]
            if self.in_quote(cb) or cb in used:
                continue
            if word in ("according to",):
                st = self.according(sent, cb, sent.begin + m.end())
            elif word in ("denials from", "denial from"):
                continue                                  # handled with the relative clause
            elif first in self.lex.cues_assert or first in self.lex.cues_deny:
                if any(b <= cb < e for b, e, _ in self.mentions):
                    continue
                st = self.verb_cue(sent, cb, cb + len(first), prev_stmt)
            else:
                continue
            if st is not None:
                prev_stmt = st

    def according(self, sent: Span, cb: int, ce: int):
        body = self.body
        # the source phrase runs to the next comma (or the sentence end)
        comma = body.find(",", ce, sent.end)
        src_end = comma if comma != -1 else sent.end
        while src_end > ce and body[src_end - 1] in " .":
            src_end -= 1
        src_text = body[ce:src_end]
        speaker, via = None, []
        cites = _CITES.search(body[ce:sent.end])
        if cites:
            src_end = min(src_end, ce + cites.start())
            xb, xe = ce + cites.start("x"), ce + cites.end("x")
            found = self.agent_ending(xe, xb)
            if found:
                via.append(found[1])
        rb = _REPORT_BY.search(body[ce:src_end])
        if rb:
            xb = ce + rb.start("x")
            hits = self.mentions_in(xb, src_end)
            speaker = hits[-1][2] if hits else None
        if speaker is None:
            hits = [h for h in self.mentions_in(ce, src_end) if h[2].kind != "place"]
            relay = _RELAY.search(src_text)
            if relay:
                found = self.agent_ending(ce + relay.start(), ce)
                speaker = found[1] if found else None
                via.append(self.relay_in(ce, src_end))
            else:
                found = self.agent_ending(src_end, ce)
                speaker = found[1] if found else (hits[0][2] if hits else None)
        if speaker is None:
            return None
        starts_clause = not body[sent.begin:cb].strip() or body[sent.begin:cb].rstrip().endswith(",")
        if starts_clause and comma != -1 and not cites:
            content = self.clean(comma + 1, self._content_end(comma + 1, sent.end))
        else:
            content = self.clean(sent.begin, cb)
        time = self.best_time(sent.begin, sent.end, content, cb)
        cue = self.a.span(cb, ce)
        self.a.cited.extend(v.key for v in via if v is not None and v.outlet)
        return self.add(speaker, content, cue, sentence=sent, via=via, time=time)

    def _content_end(self, begin: int, sent_end: int) -> int:
        text = self.body[begin:sent_end]
        ends = [m.start() for m in (_PARTICIPLE_CUE.search(text), _CONTENT_STOP.search(text)) if m]
        return begin + min(ends) if ends else sent_end

    def verb_cue(self, sent: Span, cb: int, ce: int, prev_stmt):
        body = self.body
        word = body[cb:ce].lower()
        stance = "Denies" if word in self.lex.cues_deny else "Asserts"
        before = body[sent.begin:cb]
        # a noun, not a verb: "a report", "these remarks", "his claims"
        pw = re.search(r"([\w'’]+)\W*$", before)
        if pw and not before.rstrip().endswith(",") and (
                pw.group(1).lower() in _DETERMINERS or pw.group(1) in self.lex.demonyms):
            return None
        if pw and _base_form(word) and not (pw.group(1).lower() in _BASE_SUBJECTS or
                                             pw.group(1).lower().endswith("s")):
            return None                                   # "a small island state": a noun
        after_end = sent.end
        rest = body[ce:after_end]
        # continuation: ", emphasizing that ..." keeps the previous speaker
        if word.endswith("ing") and before.rstrip().endswith(",") and prev_stmt is None:
            subject = self.sentence_subject(sent.begin, cb)
            if subject is not None:
                cstart = ce + _skip_that(rest)
                content = self.clean(cstart, self._content_end(cstart, after_end))
                if content is not None and len(content.text.split()) >= 4:
                    return self.add(subject, content, self.a.span(cb, ce), stance=stance, sentence=sent)
            return None
        if word.endswith("ing") and before.rstrip().endswith(",") and prev_stmt is not None:
            speaker = self.a.entities.get(prev_stmt.speaker)
            hearer_end, _ = self._hearer(ce, after_end, word)
            cstart = hearer_end + _skip_that(body[hearer_end:after_end])
            content = self.clean(cstart, self._content_end(cstart, after_end))
            if speaker is None or content is None:
                return None
            via = [self.a.entities.get(v) for v in prev_stmt.via]
            channel = self.a.entities.get(prev_stmt.channel) if prev_stmt.channel else None
            return self.add(speaker, content, self.a.span(cb, ce), stance=stance, sentence=sent,
                            via=via, channel=channel, time=prev_stmt.time)
        # "a claim the Interior Ministry denied": the claim is the earlier content
        app = re.search(r",\s+(?:a|an)\s+(?:sentiment|claim|charge|accusation|allegation|assertion|view)\s+(?:that\s+)?(?P<x>.+)$", before)
        if app and prev_stmt is not None:
            found = self.agent_ending(cb, sent.begin + app.start("x"))
            if found is None:
                return None
            time = self.best_time(sent.begin + app.start(), after_end, None, cb)
            prev_content = prev_stmt.content
            return self.add(found[1], prev_content if word not in ("reiterated", "repeated") else prev_content,
                            self.a.span(cb, ce), stance=stance, sentence=sent, time=time) \
                if (found[1].key != prev_stmt.speaker or time is not None) else None
        hearer_end, hearer = self._hearer(ce, after_end, word)
        cstart = hearer_end + _skip_claim(body[hearer_end:self._content_end(hearer_end, after_end)],
                                          self.lex.claim_nouns, stance)
        content_text = body[cstart:after_end]
        speaker = None
        trailing = re.match(r"\s*(?:(?:on|in|at|after|late on|early on)\b[^,.]{0,40})?\s*,\s", content_text)
        if _adjunct_only(content_text) or (trailing and before.rfind(",") > 0):
            # CONTENT, X said [adjuncts].  /  CONTENT, said X.
            comma = before.rfind(",")
            if comma > 0:
                speaker = self.speaker_before_cue(sent.begin + comma + 1, cb)
                if speaker is None:
                    after_agent = self.agent_starting(ce, after_end)
                    speaker = after_agent[0] if after_agent else None
                content = self.clean(sent.begin, sent.begin + comma)
                if content is not None and speaker is not None and not self.in_quote(content.begin):
                    region = (sent.begin + comma, after_end)
                    via = [hearer, self.relay_in(*region)]
                    channel = self.channel_in(*region)
                    time = self.best_time(region[0], region[1], content, cb)
                    return self.add(speaker, content, self.a.span(cb, ce), stance=stance,
                                    sentence=sent, via=via + [channel], channel=channel, time=time)
            return None
        speaker = self.speaker_before_cue(sent.begin, cb)
        if speaker is None:
            return None
        content = self.clean(cstart, self._content_end(cstart, after_end))
        if content is None or len(content.text.split()) < (2 if stance == "Denies" else 4):
            return None                                   # "welcomed the decision": no proposition
        region = (sent.begin, cb)
        relay = self.relay_in(*region)
        channel = self.channel_in(sent.begin, cb) or self.channel_in(ce, cstart)
        stance = self._denial_context(sent.begin, cb, stance)
        time = self.best_time(sent.begin, cb, content, cb) or self.best_time(ce, cstart, content, cb)
        return self.add(speaker, content, self.a.span(cb, ce), stance=stance, sentence=sent,
                        via=[relay, hearer, channel], channel=channel, time=time)

    def _denial_context(self, begin: int, cue_begin: int, stance: str) -> str:
        """'met with denials from X, who affirmed that ...' is a denial."""
        if re.search(r"\bdenials?\s+(?:from|by)\b[^.]*$", self.body[begin:cue_begin], re.I):
            return "Denies"
        return stance

    def _hearer(self, ce: int, end: int, word: str):
        """After 'told', the hearer: (offset after it, outlet entity or None)."""
        if word not in self.lex.hearer_verbs:
            return ce, None
        rest = self.body[ce:end]
        for h in self.lex.hearers:
            m = re.match(r"\s+" + re.escape(h) + r"\b", rest, re.I)
            if m:
                return ce + m.end(), None
        m = re.match(r"\s+", rest)
        pos = ce + (m.end() if m else 0)
        generic = re.match(r"\s+(?:[a-z][\w-]*\s+){1,3}?(?=that\b)", rest)
        if generic and not any(b == pos for b, e, _ in self.mentions):
            return ce + generic.end(), None                # "told aid workers that"
        hit = [(b, e, ent) for b, e, ent in self.mentions if b == pos or (b == pos + 4 and rest[m.end():m.end() + 4].lower() == "the ")]
        if hit:
            b, e, ent = max(hit, key=lambda h: h[1])
            return e, ent if ent.kind == "organisation" else None
        return ce, None

    def run(self) -> list[Statement]:
        self.direct_quotes()
        for s in range(len(self.a.sentences)):
            self.indirect(s)
        self.nest()
        self.statements.sort(key=lambda st: st.content.begin)
        return self.statements

    def nest(self) -> None:
        """A statement reported inside another's content reached us through that speaker."""
        for st in self.statements:
            if st.cue is None:
                continue
            for outer in self.statements:
                if outer is not st and outer.content.begin <= st.cue.begin < outer.content.end \
                        and outer.speaker != st.speaker and outer.speaker not in st.via:
                    st.via.append(outer.speaker)


_BASE_SUBJECTS = {"i", "we", "you", "they", "will", "would", "could", "should", "may", "might",
                  "must", "to", "did", "does", "do", "not", "also", "people", "police", "media"}


def _base_form(word: str) -> bool:
    return not word.endswith(("s", "ed", "ing")) and word not in {
        "said", "told", "wrote", "warned", "claimed", "stated", "denied", "reiterated"}


def _skip_that(rest: str) -> int:
    m = re.match(r"\s*(?:that\b)?\s*", rest)
    return m.end() if m else 0


def _skip_claim(rest: str, claim_nouns, stance: str) -> int:
    """'denied reports that X' / 'denied that X' -> X; 'rejected the accusations' and
    'rejected that criticism' keep their object. `rest` runs to the end of the content clause."""
    if stance == "Denies":
        m = re.match(r"\s*(?:(?:the|any|all|these|those)\s+)?(?:" + "|".join(sorted(claim_nouns, key=len, reverse=True)) + r")\b\s*(?P<that>that\b)?\s*", rest)
        if m and (m.group("that") or m.group().strip() == "that") and len(re.findall(r"\w+", rest[m.end():])) >= 3:
            return m.end()
        return len(rest) - len(rest.lstrip())
    return _skip_that(rest)


_ADJUNCT = re.compile(
    r"^\s*(?:(?:on|in|at|after|during|before|late on|early on|earlier on|later on|last|this|told|to|"
    r"via|through|by|from|with|while|under|speaking)\b[^.;]{0,60})?[.!?]?\s*$", re.I)


def _adjunct_only(text: str) -> bool:
    """Only adjuncts after the cue ('on Monday', 'in a statement', 'on condition of anonymity')."""
    text = text.strip()
    if not text or text in ".!?":
        return True
    if re.match(r"^(?:that\b)", text):
        return False
    return bool(_ADJUNCT.match(text)) and len(text.split()) <= 10


def _quote_spans(body: str):
    """(inner begin, inner end, full) for each quotation; full = whole sentences of speech."""
    out = []
    for m in re.finditer(r"“([^”]{1,2000})”", body):
        out.append((m.start(1), m.end(1)))
    # straight quotes: pair them up within each paragraph
    for para in re.finditer(r"[^\n]+", body):
        marks = [para.start() + i for i, ch in enumerate(para.group()) if ch == '"']
        for a_, b_ in zip(marks[::2], marks[1::2]):
            out.append((a_ + 1, b_))
    result = []
    for qb, qe in sorted(out):
        inner = body[qb:qe]
        words = inner.split()
        if not words:
            continue
        names_only = all(w[:1].isupper() for w in words) and len(words) <= 4
        before = body[max(0, qb - 3):qb - 1].rstrip()
        starts = not before or before.endswith((":", ",", "\n")) or before == ""
        full = len(words) >= 4 and inner[:1].isupper() and not names_only and (
            starts or body[:qb - 1].rstrip().endswith((".", "\n")) or qb - 1 == 0)
        result.append((qb, qe, full))
    return result


@stage("statements", requires=["entities", "times"], assigns=["statements"])
def statements_stage():
    lex = lexicon.load()

    def run(article: Article) -> Article:
        article.statements = _Attributor(article, lex).run()
        return article

    return run
