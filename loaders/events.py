"""Events: what happened (or is only discussed), who took part, where, when, and how certain.

Triggers come from data/lexicon.yaml (nouns and verbs by event type). For each trigger the
clause around it gives the participants (possessives, "between X and Y", "with X", "by X",
the subject of a verb), the place ("in X", "to X", "near X"), the time (the nearest time
expression of the clause; a "recent" event without one is dated to the publication month) and
the modality (cue words before the trigger: "potentially" -> hypothetical, "anticipated" ->
anticipated, "will" -> planned ...). Mentions of the same type, modality, time and place in
one article are one event. Statements are linked to the events their content mentions;
dated statements make speech-act events; an outlet's report makes a publication event.
"""

from __future__ import annotations

import re

from . import lexicon
from .article import Article, Entity, Event, TimeExpr
from .registry import stage

_CLAUSE_BREAK = {",", ";", ":", "—", "–", "(", ")", '"', "“", "”", "."}
_PLACE_PREPS = {"in", "to", "near", "at", "into", "across", "inside", "outside", "toward", "towards"}
_ROLE_PREPS = {"between", "with", "by", "from", "of", "and", "against", "on"}
_AGENT_KINDS = {"person", "organisation", "place", "group", "source", "agent"}
_COLLECTIVES = {"nations", "countries", "states", "governments", "allies", "partners", "members",
                "neighbours", "neighbors", "powers", "capitals", "leaders", "officials"}
_REPORT_CUES = {"reports", "reported", "report", "notes", "highlights", "according to", "writes",
                "wrote", "revealed"}
_PRESENT_REPORT = {"reports", "notes", "highlights", "writes"}
_MODALITY_ORDER = ["Denied", "Hypothetical", "Anticipated", "Planned", "Ongoing"]
_PARTIES = {"mediators", "negotiators", "troops", "forces", "officials", "diplomats", "delegation",
            "delegations", "soldiers", "leaders", "government", "authorities", "police", "army",
            "ministers", "envoys", "counterparts"}
_FAMILY = {"Talks": "talks", "Meeting": "talks", "Summit": "talks"}
_STOP_AFTER = {"that", "which", "who", "as", "has", "have", "had", "is", "was", "were", "are", "will",
               "would", "could", "should", "may", "might", "sparking", "prompting", "while", "when",
               "after", "before", "but", "so", "if", "because", "although", "though", ".", ";", ":",
               "—"}
_COPULA = {"is", "are", "was", "were", "be", "been"}
_GAP_OK = {"and", ",", "the", "its", "their", "his", "her", "a", "an", "have", "has", "had", "jointly",
           "together", "on", "also", "both", "each"}
_NOT_GAP = {"that", "which", "who", "to", "of", "in", "on", "for", "with", "about", "from", "by", "as",
            "at", "after", "before", "than", "when", "while", "because", "if", "into", "over", "against"}
_DISASTER_VERBS = {"hit", "struck", "shook", "rocked", "jolted", "near", "in", "across", "of"}
_VERB_TRIGGERS = {"met", "meet", "meets", "cut", "cuts", "hike", "detain", "detains", "deploy",
                  "deploys", "invade", "attack", "attacks", "negotiate", "visit", "visits", "exchanged",
                  "swap"}
_NOT_MEETING = {"resistance", "denials", "denial", "criticism", "skepticism", "scepticism",
                "backlash", "opposition", "anger", "silence", "protests", "derision", "dismay"}


class _Events:
    def __init__(self, article: Article, lex: lexicon.Lexicon):
        self.a = article
        self.lex = lex
        self.toks = article.tokens
        self.lower = [t.text.lower() for t in self.toks]
        self.by_begin = {}
        for m, ent in article.mentions():
            self.by_begin.setdefault(m.begin, []).append((m, ent))
        self.mention_spans = [(m.begin, m.end, ent) for m, ent in article.mentions()]
        self.events: list[Event] = []
        self.headline = set(re.findall(r"[a-z]+", (article.headline or "").lower()))

    # ------------------------------------------------------------ triggers

    def triggers(self):
        covered = set()
        for s, (first, end) in enumerate(self.a.sentence_tokens):
            context = set(self.lower[max(0, self._sent_first(s - 1)):end]) if s else set(self.lower[first:end])
            context |= self.headline
            for i in range(first, end):
                candidates = self.lex.triggers_by_first.get(self.lower[i])
                if not candidates or i in covered or self._in_name(i):
                    continue
                for trig in candidates:
                    n = len(trig.words)
                    if tuple(self.lower[i:i + n]) != trig.words or i + n > end:
                        continue
                    if trig.context and not (trig.context & context):
                        continue
                    if trig.type == "Meeting" and i + 2 < end and self.lower[i + 1] == "with" \
                            and self.lower[i + 2] in _NOT_MEETING:
                        continue
                    if trig.type == "Summit" and i > 0 and self.lower[i - 1] in {"news", "press"}:
                        continue
                    covered.update(range(i, i + n))
                    yield trig.type, i, i + n, s
                    break

    def _sent_first(self, s: int) -> int:
        return self.a.sentence_tokens[s][0] if s >= 0 else 0

    def _in_name(self, i: int) -> bool:
        t = self.toks[i]
        return any(b <= t.begin and t.end <= e and ent.kind in ("organisation", "person")
                   for b, e, ent in self.mention_spans)

    # ------------------------------------------------------------ frame

    def clause(self, i: int, j: int, s: int) -> tuple[int, int]:
        first, end = self.a.sentence_tokens[s]
        lo = i
        while lo > first and self.toks[lo - 1].text not in _CLAUSE_BREAK and i - lo < 12:
            lo -= 1
        hi = j
        while hi < end and hi - j < 12:
            if self.toks[hi].text in _CLAUSE_BREAK:
                # "The proposal, drafted by Egypt and Qatar, ...": an appositive participle
                if not (self.toks[hi].text == "," and hi + 2 < end and self.lower[hi + 1].endswith("ed")
                        and self.lower[hi + 2] == "by" and hi == j):
                    break
            hi += 1
        return lo, hi

    def mentions_between(self, lo: int, hi: int):
        if lo >= hi:
            return []
        b, e = self.toks[lo].begin, self.toks[hi - 1].end
        return [(mb, me, ent) for mb, me, ent in self.mention_spans if b <= mb and me <= e]

    def frame(self, etype: str, i: int, j: int, s: int, others: list) -> Event:
        a = self.a
        trigger = a.span(self.toks[i].begin, self.toks[j - 1].end)
        sent = a.sentences[s]
        lo, hi = self.clause(i, j, s)
        # the phrase of this trigger stops at the next trigger (its time need not)
        clause_hi = hi
        hi = min([hi] + [oi for oi in others if j <= oi < hi])
        actors: list[str] = []
        place = None

        def take(ent):
            if ent.kind in _AGENT_KINDS and ent.key not in actors and (not ent.outlet or etype in (
                    "Interview", "Publication")):
                actors.append(ent.key)

        # "Starmer's visit", "Russia's large-scale invasion", "his inauguration"
        for k in range(max(lo, i - 4), i):
            if self.toks[k].text in {"'s", "’s"}:
                for mb, me, ent in self.mentions_between(max(lo, k - 6), k):
                    if me == self.toks[k].begin:
                        take(ent)
            elif self.lower[k] in {"his", "her"}:
                person = self._last_person(self.toks[k].begin)
                if person:
                    take(person)
        # the subject right before a verb: "Ukraine and Russia exchanged", "the ECB cut"
        for mb, me, ent in self.mentions_between(max(lo, i - 6), i):
            end_k = self._tok_index_end(me)
            gap = [] if end_k is None else [k for k in range(end_k + 1, i)]
            gap_ok = end_k is not None and all(
                self.lower[k] in _GAP_OK or self.lower[k] in self.lex.adverbs or self._in_time(k)
                or (self.toks[k].text.isalpha() and self.toks[k].text.islower()
                    and self.lower[k] not in _NOT_GAP and self.lower[k] not in self.lex.cues_assert
                    and self.lower[k] not in self.lex.cues_deny) for k in gap)
            if gap_ok and len(gap) <= 4 and not self._demonym_only(mb, ent):
                take(ent)
            elif self._demonym_modifies_party(mb, ent):
                take(ent)
        # the clause's subject owns a nominal event it acts on: "The EU adopted ... sanctions"
        subject = self._clause_subject(lo, i)
        if subject is not None:
            take(subject)
        elif lo < i:
            collective = self._collective(lo, i)             # "At least two European nations have ..."
            if collective is not None:
                take(collective[0])
        # after the trigger: "between X and Y", "with X", "of X", "to/in PLACE", "detained ... X"
        verb = self.lower[j - 1].endswith(("ed", "ing")) or self.lower[j - 1] in _VERB_TRIGGERS
        k, limit = j, min(hi, j + 10)
        while k < limit:
            w = self.lower[k]
            if w in _COPULA and any(x in _ROLE_PREPS | _PLACE_PREPS for x in self.lower[k + 1:k + 3]):
                k += 1
                continue
            if w in _STOP_AFTER:
                break
            if etype == "Disaster" and w in _DISASTER_VERBS:
                for ent in self._phrase_after(k + 1, limit):
                    if ent.kind == "place" and not self._is_demonym_entity(ent, k + 1, limit):
                        place = place or ent.key
                k += 1
                continue
            if w in _PLACE_PREPS or w in _ROLE_PREPS:
                as_place = (w in _PLACE_PREPS and not (w == "to" and etype not in ("Visit", "Deployment", "Aid"))) \
                    or (etype in ("Invasion", "Attack") and w in {"of", "on", "against"})
                found = self._phrase_after(k + 1, limit)
                for ent in found:
                    if as_place and ent.kind == "place" and not self._is_demonym_entity(ent, k + 1, limit):
                        place = place or ent.key
                    elif not as_place and w != "and":
                        take(ent)
                k += 1
                continue
            if verb and k - j <= 3:
                for mb, me, ent in self.by_begin_tok(k):
                    if not self._demonym_only(mb, ent) or self._demonym_modifies_party(mb, ent):
                        take(ent)
            k += 1
        if place in actors:
            actors.remove(place)
        ev = Event(key="", type=etype, trigger=trigger, actors=actors, place=place, sentence=sent)
        ev.modality = self.modality(i, j, lo, hi, others)
        ev.time = self.time_for(i, j, s, ev.modality, lo, clause_hi)
        return ev

    def _collective(self, k: int, limit: int):
        """An unnamed collective at token k ("at least two European nations", "key European
        allies"): (its agent, the token after it), or None. A bare "countries" is too vague."""
        j = k + 2 if self.lower[k:k + 2] in (["at", "least"], ["more", "than"], ["as", "many"]) else k
        start = j
        while j < limit and j - start < 5:
            w = self.lower[j]
            if w in _COLLECTIVES:
                if j == k:
                    return None
                b, e = self.toks[k].begin, self.toks[j].end
                return self._agent(self.a.body[b:e], b, e), j + 1
            if not w.replace("-", "").isalpha() or w in _STOP_AFTER or w in _PLACE_PREPS or w in _ROLE_PREPS:
                return None
            j += 1
        return None

    def _agent(self, label: str, begin: int, end: int) -> Entity:
        for ent in self.a.entities.values():
            if any(m.begin == begin and m.end == end for m in ent.mentions):
                return ent
        key = f"agent:{begin}"
        ent = self.a.entities.get(key)
        if ent is None:
            ent = self.a.entities[key] = Entity(key=key, kind="agent", label=label,
                                                mentions=[self.a.span(begin, end)])
            self.mention_spans.append((begin, end, ent))
        return ent

    def _in_time(self, k: int) -> bool:
        t = self.toks[k]
        return any(x.span.begin <= t.begin and t.end <= x.span.end for x in self.a.times)

    def _clause_subject(self, lo: int, i: int):
        """An agent at the start of the clause, with no reporting cue between it and the trigger."""
        k = lo
        while k < i and self.lower[k] in {"the", "a", "an"}:
            k += 1
        hits = self.by_begin_tok(k) if k < i else []
        if not hits:
            return None
        mb, me, ent = max(hits, key=lambda h: h[1])
        end_k = self._tok_index_end(me)
        if end_k is None or end_k >= i or ent.kind not in ("organisation", "person", "group"):
            return None
        between = self.lower[end_k + 1:i]
        if any(w in self.lex.cues_assert or w in self.lex.cues_deny for w in between):
            return None
        if any(w in {"that", "which", "who", "'s", "’s"} for w in between):
            return None
        return ent

    def _phrase_after(self, k: int, limit: int) -> list:
        """The entities of the noun phrase starting at token k: 'the UK and France'."""
        out = []
        while k < limit:
            if self.lower[k] in {"the", "a", "an", "city", "province", "region", "capital", "of"}:
                k += 1
                continue
            if k + 2 < limit and self.lower[k + 1:k + 3] == ["such", "as"]:
                k += 3                                      # "countries such as Germany"
                continue
            if self.lower[k] in {"including", "notably", "especially"}:
                k += 1
                continue
            hits = self.by_begin_tok(k)
            hits = [h for h in hits if not self._demonym_only(h[0], h[2]) or self._demonym_modifies_party(h[0], h[2])]
            if not hits:
                agent = self._collective(k, limit)
                if agent is None:
                    break
                ent, k = agent
                out.append(ent)
                if k < limit and self.lower[k] in {"and", ",", "or"}:
                    k += 1
                    continue
                break
            mb, me, ent = max(hits, key=lambda h: h[1])
            out.append(ent)
            k = self._tok_index(me)
            if k < limit and self.lower[k] in {"and", ",", "or"}:
                k += 1
                continue
            break
        return out

    def _is_demonym_entity(self, ent: Entity, k: int, limit: int) -> bool:
        return any(self._demonym_only(mb, e) for mb, me, e in self.by_begin_tok(k) if e is ent)

    def by_begin_tok(self, k: int):
        return [(m.begin, m.end, ent) for m, ent in self.by_begin.get(self.toks[k].begin, [])]

    def _demonym_only(self, mb: int, ent: Entity) -> bool:
        k = self._tok_index(mb)
        return ent.kind == "place" and self.toks[k].text in self.lex.demonyms

    def _demonym_modifies_party(self, mb: int, ent: Entity) -> bool:
        """"Qatari and Egyptian mediators": the countries take part."""
        k = self._tok_index(mb)
        if not self._demonym_only(mb, ent):
            return False
        for n in range(k + 1, min(k + 4, len(self.toks))):
            w = self.lower[n]
            if w in _PARTIES:
                return True
            if not (self.toks[n].text in self.lex.demonyms or w in {"and", ",", "or"} or self.toks[n].is_cap):
                return False
        return False

    def _possessed_by(self, me: int, i: int) -> bool:
        k = self._tok_index_end(me)
        return k is not None and k + 1 < len(self.toks) and self.toks[k + 1].text in {"'s", "’s"} and i - k <= 5

    def _tok_index(self, begin: int):
        for k, t in enumerate(self.toks):
            if t.begin >= begin:
                return k
        return len(self.toks)

    def _tok_index_end(self, end: int):
        for k, t in enumerate(self.toks):
            if t.end == end:
                return k
        return None

    def _last_person(self, before: int):
        best = None
        for mb, me, ent in self.mention_spans:
            if me <= before and ent.kind == "person":
                best = ent
        return best

    def _phrase_at(self, phrases, lo: int, hi: int, limit: int | None = None):
        limit = hi if limit is None else limit
        for k in range(lo, hi):
            for p in phrases:
                if k + len(p) <= limit and tuple(self.lower[k:k + len(p)]) == p:
                    return True
        return False

    def modality(self, i: int, j: int, lo: int, hi: int, others=()) -> str:
        # a cue belongs to the nearest trigger: stop at the previous and the next one
        prev_t = max([o for o in others if o < i] + [-1])
        next_t = min([o for o in others if o >= j] + [len(self.toks)])
        before = (max(lo, i - 8, prev_t if prev_t >= 0 else 0), i)
        after = (j, min(hi, j + 4, next_t))
        for mod in _MODALITY_ORDER:
            phrases = self.lex.modality.get(mod, [])
            window = (max(before[0], i - 3), i) if mod == "Denied" else before
            for k, p in self._phrases_in(phrases, *window, limit=i):
                if mod == "Denied" and k + len(p) < len(self.lower) and self.lower[k + len(p)] == "that":
                    continue                               # "denied that X was linked": not X denied
                if prev_t >= 0 and k > prev_t and k - prev_t <= 2 and i - (k + len(p)) > k - prev_t:
                    continue                               # the cue belongs to the trigger before
                return mod
            if mod in ("Anticipated", "Ongoing", "Planned") and list(self._phrases_in(phrases, *after, limit=after[1])):
                return mod
        return "Occurred"

    def _phrases_in(self, phrases, lo: int, hi: int, limit: int):
        firsts = {p[0] for p in phrases}
        for k in range(lo, hi):
            if self.lower[k] not in firsts:
                continue
            for p in phrases:
                if k + len(p) <= limit and tuple(self.lower[k:k + len(p)]) == p:
                    yield k, p

    def time_for(self, i: int, j: int, s: int, modality: str, lo: int, hi: int):
        best, best_d = None, 11
        cb, ce = self.toks[lo].begin, self.toks[hi - 1].end
        for t in self.a.times:
            if not (cb <= t.span.begin and t.span.end <= ce):
                continue
            k = self._tok_index(t.span.begin)
            d = k - j if k >= j else i - self._tok_index(t.span.end) + 1
            if 0 <= d < best_d:
                best, best_d = t, d
        if best is not None:
            return best
        if modality in ("Occurred", "Ongoing") and self.a.published is not None:
            first, end = self.a.sentence_tokens[s]
            for k in range(first, end):
                for p in self.lex.recency:
                    if tuple(self.lower[k:k + len(p)]) == p:
                        pub = self.a.published
                        span = self.a.span(self.toks[k].begin, self.toks[k + len(p) - 1].end)
                        return TimeExpr(span, f"{pub.year:04d}-{pub.month:02d}", "month")
        return None

    # ------------------------------------------------------------ merge and link

    def add(self, ev: Event) -> Event:
        bare = not ev.actors and ev.place is None and ev.time is None
        for other in self.events:
            same = other.type == ev.type or (bare and _FAMILY.get(other.type) == _FAMILY.get(ev.type, ev.type))
            if same and _same_reality(other.modality, ev.modality) and _compatible(other, ev):
                other.mentions.append(ev.trigger)
                for actor in ev.actors:
                    if actor not in other.actors:
                        other.actors.append(actor)
                other.place = other.place or ev.place
                other.time = other.time or ev.time
                return other
        ev.key = f"event:{ev.type.lower()}-{ev.trigger.begin}"
        self.events.append(ev)
        return ev

    def run(self) -> dict[str, Event]:
        found = list(self.triggers())
        starts = [i for _, i, _, _ in found]
        for etype, i, j, s in found:
            self.add(self.frame(etype, i, j, s, starts))
        self.link_statements()
        self.reactions()
        return {ev.key: ev for ev in sorted(self.events, key=lambda e: e.trigger.begin)}

    def link_statements(self) -> None:
        a = self.a
        for st in a.statements:
            for ev in self.events:
                spans = [ev.trigger, *ev.mentions]
                if any(st.content.begin <= sp.begin < st.content.end for sp in spans) and ev.key not in st.about:
                    st.about.append(ev.key)
                # "in a recent BBC interview, stated": the statement was made in the interview
                if ev.type == "Interview" and st.sentence and st.sentence.begin <= ev.trigger.begin < st.sentence.end \
                        and not (st.content.begin <= ev.trigger.begin < st.content.end):
                    st.uttered_in = ev.key
                    for k in (st.speaker, st.channel):
                        if k and k not in ev.actors:
                            ev.actors.append(k)
        for st in a.statements:
            speaker = a.entities.get(st.speaker)
            if speaker is None:
                continue
            if speaker.outlet and st.cue is not None and st.cue.text.lower() in _REPORT_CUES:
                time = st.time
                if time is None and a.published is not None and st.cue.text.lower() in _PRESENT_REPORT:
                    time = TimeExpr(st.cue, a.published.isoformat()[:10], "day")
                ev = self.add(Event(key="", type="Publication", trigger=st.cue, actors=[st.speaker],
                                    time=time, sentence=st.sentence))
                if ev.key not in st.about:
                    st.about.append(ev.key)
            elif st.time is not None and st.uttered_in is None:
                ev = self.add(Event(key="", type="SpeechAct", trigger=st.cue or st.content,
                                    actors=[st.speaker], time=st.time, sentence=st.sentence))
                st.uttered_in = ev.key


    def reactions(self) -> None:
        """An objection reacts to the remarks of its sentence or the one before ("these remarks
        were met with denials from ...", "... broached the topic, prompting backlash from ...")."""
        a = self.a
        def in_sentence(kind: str, s: int) -> list:
            return [sp for sp in self.events if sp.type == kind and a.sentence_at(sp.trigger.begin) == s]

        for ev in self.events:
            if ev.type != "Objection":
                continue
            s = a.sentence_at(ev.trigger.begin)
            near = in_sentence("SpeechAct", s) or in_sentence("SpeechAct", s - 1) or in_sentence("Publication", s)
            ev.reacts_to = [sp.key for sp in near]


def _same_reality(m1: str, m2: str) -> bool:
    real = {"Occurred", "Ongoing"}
    return m1 == m2 or (m1 in real and m2 in real)


def _compatible(a: Event, b: Event) -> bool:
    if a.time is not None and b.time is not None and a.time.value != b.time.value:
        return False
    if a.place is not None and b.place is not None and a.place != b.place:
        return False
    if a.type in ("SpeechAct", "Publication"):
        return bool(set(a.actors) & set(b.actors))
    return True


@stage("events", requires=["entities", "times", "statements"], assigns=["events"])
def events_stage():
    lex = lexicon.load()

    def run(article: Article) -> Article:
        article.events = _Events(article, lex).run()
        return article

    return run
