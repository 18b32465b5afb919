"""Amounts worth keeping: percentages, money, magnitudes, durations, counts of people and things.

"a 55% stake in DCI" -> 55 percent, measures "stake", about DCI; "up to 800,000 NATO troops"
-> 800000 "NATO troops", qualifier "up to", about the deployment it belongs to. Years, dates,
times and ordinals are not amounts.
"""

from __future__ import annotations

import re

from .article import Amount, Article
from .registry import stage

_Q = r"(?:(?P<q>up to|at least|at most|more than|less than|fewer than|over|about|around|nearly|almost|some|roughly|approximately|as many as)\s+)?"
_N = r"(?P<n>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
_MULT = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12, "bn": 1e9, "m": 1e6}
_CURRENCY = {"$": "USD", "US$": "USD", "€": "EUR", "£": "GBP", "USD": "USD", "EUR": "EUR", "GBP": "GBP"}
_IRREGULAR = {"people", "police", "staff", "personnel", "children", "men", "women", "troops",
              "servicemen", "servicewomen", "fishermen", "policemen", "gunmen", "militiamen",
              "civilians", "livestock", "aircraft", "equipment"}
_NOT_NOUNS = {"years", "days", "months", "weeks", "hours", "minutes", "times", "percent", "cents",
              "of", "and", "or", "is", "was", "were", "are"}

PATTERNS = [
    ("percent", re.compile(_Q + _N + r"\s?(?P<u>%|percent\b|per cent\b|percentage points?\b)")),
    ("money", re.compile(_Q + r"(?P<cur>US\$|\$|€|£|USD|EUR|GBP)\s?" + _N + r"(?:\s*(?P<mult>million|billion|trillion|bn|m)\b)?")),
    ("magnitude", re.compile(r"\bmagnitude(?: of)?\s+" + _N + r"|" + r"(?<![\w.])(?P<n2>\d(?:\.\d)?)[- ]magnitude\b")),
    ("duration", re.compile(r"(?<![\w.,])(?P<n>\d+)-(?P<u>day|week|month|year|hour)\b(?!-)(?:\s+(?P<what>[a-z]+))?")),
    ("count", re.compile(_Q + _N + r"(?:\s+(?P<mult>thousand|million|billion))?[ ]+(?:of (?:its|their|the) )?"
                         r"(?P<noun>[A-Za-z][\w-]*(?:[ ]+[A-Za-z][\w-]*){0,2})")),
]
#: what every match of a pattern holds: a body without any is not scanned for it
NEEDS = {"percent": ("%", "percent", "per cent"), "money": ("$", "€", "£", "USD", "EUR", "GBP"),
         "magnitude": ("magnitude",)}
_PRECEDING = re.compile(r"(?:the\s+)?(?P<np>[a-z]+(?:\s+[a-z]+)?)\s+(?:now\s+)?(?:to|at|of|stands at|stood at|rose to|fell to|is|was)\s+$")


_PREDICATES = {"killed": "killed", "killing": "killed", "died": "killed", "dead": "killed",
               "deaths": "killed", "injured": "injured", "injuring": "injured", "wounded": "injured",
               "wounding": "injured", "treated": "treated", "evacuated": "evacuated", "evacuation": "evacuated",
               "arrested": "arrested", "detained": "arrested", "returned": "returned", "released": "released",
               "freed": "released", "missing": "missing", "displaced": "displaced", "rescued": "rescued",
               "saved": "rescued", "exchanged": "exchanged", "cut": "cut", "hired": "hired"}


def _predicate(body: str, begin: int, end: int) -> str | None:
    """The verb of what was counted, just after the count or just before it."""
    after = re.findall(r"[a-z]+", body[end:end + 45].lower())[:5]
    before = re.findall(r"[a-z]+", body[max(0, begin - 30):begin].lower())[-3:]
    for w in list(reversed(before)) + after:
        if w in _PREDICATES:
            return _PREDICATES[w]
    return None


def _number(text: str) -> float:
    return float(text.replace(",", ""))


class _Amounts:
    def __init__(self, article: Article):
        self.a = article
        self.taken: list[tuple[int, int]] = [(t.span.begin, t.span.end) for t in article.times]

    def free(self, b: int, e: int) -> bool:
        return not any(b < te and tb < e for tb, te in self.taken)

    def run(self) -> list[Amount]:
        body = self.a.body
        out: list[Amount] = []
        for kind, rx in PATTERNS:
            if kind in NEEDS and not any(w in body for w in NEEDS[kind]):
                continue
            for m in rx.finditer(body):
                amount = self.make(kind, m)
                if amount is None or not self.free(amount.span.begin, amount.span.end):
                    continue
                self.taken.append((amount.span.begin, amount.span.end))
                out.append(amount)
        out.sort(key=lambda x: x.span.begin)
        for amount in out:
            amount.about = self.about(amount)
        return out

    def make(self, kind: str, m: re.Match):
        body = self.a.body
        g = m.groupdict()
        q = g.get("q")
        if kind == "percent":
            value = _number(g["n"])
            unit = "percentage points" if g["u"].startswith("percentage") else "percent"
            after = re.match(r"[ ]+([a-z][\w-]*)(?:[ ]+(in|of)[ ]+([A-Z][\w-]*(?:[ ]+[A-Z][\w-]*)*))?", body[m.end():])
            of = re.match(r"[ ]+of[ ]+(?:its|their|the|his|her)[ ]+([a-z][\w-]*)", body[m.end():])
            if of:
                measures = of.group(1)                    # "8% of its workforce"
            elif after and after.group(1) not in _NOT_NOUNS | {"to", "in", "on", "at", "from", "by", "for", "and"}:
                measures = after.group(1) + (f" {after.group(2)} {after.group(3)}" if after.group(2) else "")
            else:
                before = _PRECEDING.search(body[max(0, m.start() - 40):m.start()])
                measures = re.sub(r"^(?:a|an|the)\s+", "", before.group("np")) if before else "share"
            return Amount(self.a.span(m.start(), m.end()), value, unit, measures, q)
        if kind == "money":
            value = _number(g["n"]) * _MULT.get(g.get("mult") or "", 1)
            after = re.match(r"\s+(?:in\s+)?([a-z][\w-]*(?:\s+[a-z][\w-]*)?)", body[m.end():])
            measures = after.group(1) if after else "money"
            return Amount(self.a.span(m.start(), m.end()), value, _CURRENCY[g["cur"]], measures, q)
        if kind == "magnitude":
            n = g.get("n") or g.get("n2")
            return Amount(self.a.span(m.start(), m.end()), _number(n), "magnitude", "magnitude")
        if kind == "duration":
            what = g.get("what") or g["u"]
            return Amount(self.a.span(m.start(), m.end()), _number(g["n"]), g["u"] + "s", what)
        # counts: a plural noun after the number, not a year, a date or a time
        n = g["n"]
        if re.fullmatch(r"(?:19|20)\d\d", n) or body[m.start("n") - 1:m.start("n")] in (":", "-", "/"):
            return None
        if body[m.end("n"):m.end("n") + 1] in (":", "-") or re.match(r"(?:st|nd|rd|th)\b", body[m.end("n"):]):
            return None
        words = g["noun"].split()
        k = next((k for k, w in enumerate(words) if (w.endswith("s") or w in _IRREGULAR) and w.islower()
                  and w not in _NOT_NOUNS and len(w) >= 3), None)
        if k is None or any(w.lower() in _NOT_NOUNS for w in words[:k]):
            return None
        value = _number(n) * _MULT.get(g.get("mult") or "", 1)
        if value < 2:
            return None
        measures = " ".join(words[:k + 1])
        end = m.start("noun") + len(" ".join(g["noun"].split()[:k + 1]))
        tail = re.match(r" of (?:war|state)\b", body[end:])
        if tail:
            measures += tail.group()
            end += tail.end()
        if body[m.start("noun"):end].count(" ") != measures.count(" "):
            end = m.start("noun") + len(measures)
        verb = _predicate(body, m.start(), end)
        if verb:
            measures += f" · {verb}"                       # what was counted: "people · killed"
        return Amount(self.a.span(m.start(), end), value, "items", measures.strip(), q)

    def about(self, amount: Amount):
        """The event of the same clause the amount belongs to, else the entity it is 'in'."""
        a = self.a
        s = a.sentence_at(amount.span.begin)
        best, best_d = None, 200
        for ev in a.events.values():
            for sp in [ev.trigger, *ev.mentions]:
                if a.sentence_at(sp.begin) == s:
                    d = abs(sp.begin - amount.span.begin)
                    if d < best_d:
                        best, best_d = ev.key, d
        if best is not None and best_d <= 80:
            return best
        after = a.body[amount.span.end:amount.span.end + 60]
        m = re.match(r"\s+(?:[a-z]+\s+){0,2}(?:in|of)\s+", after)
        if m:
            at = amount.span.end + m.end()
            for mention, ent in a.mentions():
                if mention.begin == at:
                    return ent.key
        return None


@stage("amounts", requires=["entities", "times", "events"], assigns=["amounts"])
def amounts_stage():
    def run(article: Article) -> Article:
        article.amounts = _Amounts(article).run()
        return article

    return run
