"""A synthetic news corpus of any size, for benchmarks (never for quality scores).

    python bench/synth.py N OUT_DIR [--seed S]

Articles come in stories, as news does: each story (a happening on a day, in a place, with its
people, its claims and its figures) is told by one to four outlets within a couple of days,
each with its own headline, layout and extra paragraphs. An article has a headline, a byline,
a date, and 8-14 paragraphs of quotes, paraphrases, "according to" attributions, denials,
events with places and dates, and amounts. Claims are built from parts, so that most are said
once and the story's own are repeated across its outlets (sometimes denied, sometimes with a
different figure), which gives the linker the density of links real news gives it.
People are drawn from thousands of invented names, places and organisations from real ones.
The days span N/8 (at least 60), so that a larger corpus is more days of news, not denser news,
and the cost per article can be compared across sizes. Stories come in the order they happened,
as a feed or a dated archive gives them (files sort by date), so each new article meets the same
density of recent news; `--random-days` dates them at random over the span instead, which makes
the linker meet more and more news near each new article as a load goes on. Deterministic for a
seed.
"""

from __future__ import annotations

import argparse
import random
from datetime import date, timedelta
from pathlib import Path

FIRST = ("Anna Marco Olena Pierre Sofia Lars Nika Ali Maria Jonas Elena Tomas Irina Karim Ines Pavel Lucia "
         "Omar Greta Milan Sara Hugo Lena Felix Amira Dmitri Clara Rafael Nadia Viktor Julia Emil Zofia Arjun "
         "Leila Mateo Hana Oskar Yara Ivan Alma Bruno Daria Teo Noor Jan Eva Samir Vera Luca").split()
LAST = ("Kovalenko Rossi Dubois Lindqvist Beridze Haddad Schmidt Novak Petrov Garcia Moreau Jansen Costa "
        "Nowak Ivanova Fischer Silva Horvat Larsen Marin Tanaka Okafor Mendes Weber Kaya Popescu Varga Bauer "
        "Eriksen Romero Keller Sokolova Richter Duarte Hoffmann Novotny Laurent Brandt Nielsen Castro Ahmadi "
        "Kowalski Morel Lehmann Santos Vidal Yilmaz Grant Sorensen Ruiz").split()
TITLES = ["Foreign Minister", "Defence Minister", "Prime Minister", "President", "spokesman", "envoy",
          "Interior Minister", "Finance Minister", "opposition leader", "central bank governor"]
COUNTRIES = ["France", "Germany", "Ukraine", "Poland", "Italy", "Spain", "Turkey", "Egypt", "Qatar", "Japan",
             "Brazil", "Canada", "Hungary", "Greece", "Georgia", "Israel", "Russia", "United Kingdom"]
CITIES = ["Paris", "Berlin", "Kyiv", "Warsaw", "Rome", "Madrid", "Ankara", "Cairo", "Doha", "Tokyo",
          "Brussels", "Geneva", "Vienna", "Budapest", "Tbilisi", "London", "Moscow", "Frankfurt"]
OUTLETS = ["Reuters", "Le Monde", "BBC News", "Politico", "Al Jazeera", "The Guardian", "CNN", "Bloomberg",
           "Euronews", "Der Spiegel", "Financial Times", "Associated Press"]
ORGS = ["NATO", "European Union", "United Nations", "European Commission", "World Bank", "Hamas",
        "Deutsche Bank", "International Monetary Fund"]
SOURCES = ["a senior official", "two diplomats familiar with the talks", "a person briefed on the plan",
           "officials in Brussels", "a government spokesperson", "three sources with knowledge of the matter"]
SUBJECTS = ["the talks", "the deal", "the sanctions", "aid deliveries", "the ceasefire", "the summit",
            "the prisoner exchange", "the budget", "the pipeline project", "the trade agreement", "the inquiry",
            "the reform plan", "the border crossing", "the grain corridor", "the loan programme",
            "the peace plan", "the arms package", "the energy deal", "the election", "the investigation"]
PREDICATES = ["would resume {when}", "was close to being signed", "would stay in place until {month}",
              "would continue through {month}", "was holding in most areas", "would be delayed until {month}",
              "would focus on {topic}", "had been approved by {org}", "would be reviewed {when}",
              "had stalled over {topic}", "would cost more than planned", "was backed by {c1}",
              "had been blocked by {c2}", "would be expanded to {city}", "would be announced {when}"]
TOPICS = ["energy security", "food prices", "border controls", "debt relief", "troop numbers",
          "reconstruction", "migration", "air defence", "grain exports", "interest rates"]
WHEN = ["next week", "on Monday", "within days", "after the holidays", "before the summer", "later this month"]
QUOTES = ["We will not accept any agreement that ignores our security", "This is a decisive moment for Europe",
          "Nobody wants this conflict to last another year", "We are ready to talk, but not at any price",
          "The numbers speak for themselves", "Our position has not changed since the spring"]
EVENTS = ["{p} visited {city} on {weekday} for talks with {q}.",
          "Talks between {c1} and {c2} resumed in {city} on {weekday}.",
          "A prisoner exchange between {c1} and {c2} took place on {weekday}, officials said.",
          "The {org} adopted new sanctions against {c1} in {month}.",
          "Leaders will meet at a summit in {city} in {month}.",
          "{c1} is considering a possible deployment of troops to {c2}.",
          "Protesters rallied outside parliament in {city} on {weekday}."]
AMOUNTS = ["At least {n} people were killed and more than {m} injured, officials said.",
           "The package is worth {n} million euros, about {pct}% more than last year.",
           "Up to {n} troops could be sent, according to the plan."]
ARTICLES_PER_DAY = 8
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December"]


def claim(rng: random.Random, fill: dict) -> str:
    return f"{rng.choice(SUBJECTS)} {rng.choice(PREDICATES)}".format(
        **dict(fill, when=rng.choice(WHEN), month=rng.choice(MONTHS), topic=rng.choice(TOPICS)))


def new_story(rng: random.Random, people: list, day: date) -> dict:
    c1, c2 = rng.sample(COUNTRIES, 2)
    fill = dict(p=f"{rng.choice(TITLES)} {rng.choice(people)}", q=rng.choice(people), city=rng.choice(CITIES),
                c1=c1, c2=c2, org=rng.choice(ORGS), weekday=rng.choice(WEEKDAYS), month=rng.choice(MONTHS),
                n=rng.randrange(12, 900), m=rng.randrange(100, 2000), pct=rng.randrange(2, 40))
    return {"day": day, "fill": fill, "event": rng.choice(EVENTS),
            "amount": rng.choice(AMOUNTS), "speakers": [rng.choice(people) for _ in range(3)],
            "claims": [claim(rng, fill) for _ in range(3)],
            "headline": rng.choice(["Resume Talks", "Trade Accusations", "Weigh New Sanctions", "Prepare Summit",
                                    "Clash Over Aid", "Agree on Exchange", "Hold Emergency Meeting"])}


def article(i: int, rng: random.Random, people: list, story: dict) -> str:
    fill = dict(story["fill"])
    day = story["day"] + timedelta(days=rng.randrange(3))
    person = lambda: rng.choice(people)  # noqa: E731
    if rng.random() < 0.3:                      # another outlet, another figure
        fill["n"] = fill["n"] + rng.randrange(1, 40)
    paras = [story["event"].format(**fill)]
    for k, who in enumerate(story["speakers"][:rng.randrange(1, 4)]):
        text = story["claims"][k]
        if k == 2 and rng.random() < 0.3:
            paras.append(f"{who} denied that {text}, calling the reports premature.")
        else:
            paras.append(f"{rng.choice(TITLES)} {who} said that {text}.")
    paras.append(story["amount"].format(**fill))
    for _ in range(rng.randrange(5, 10)):
        kind = rng.randrange(6)
        who = person()
        if kind == 0:
            paras.append(f'"{rng.choice(QUOTES)}," {rng.choice(TITLES)} {who} told {rng.choice(OUTLETS)}.')
        elif kind == 1:
            paras.append(f"{rng.choice(TITLES)} {who} said that {claim(rng, fill)}.")
        elif kind == 2:
            paras.append(f"According to {rng.choice(SOURCES)} quoted by {rng.choice(OUTLETS)}, {claim(rng, fill)}.")
        elif kind == 3:
            paras.append(f"{who} denied that {claim(rng, fill)}, calling the reports premature.")
        elif kind == 4:
            c1, c2 = rng.sample(COUNTRIES, 2)
            other = dict(fill, p=who, q=person(), city=rng.choice(CITIES), weekday=rng.choice(WEEKDAYS),
                         c1=c1, c2=c2, org=rng.choice(ORGS), month=rng.choice(MONTHS))
            paras.append(rng.choice(EVENTS).format(**other))
        elif rng.random() < 0.3:
            paras.append(rng.choice(AMOUNTS).format(**dict(fill, n=rng.randrange(12, 900))))
        else:
            paras.append(f"{rng.choice(TITLES)} {who} said that {claim(rng, fill)}.")
        if rng.random() < 0.3:
            paras[-1] += f" {who.split()[-1]} added that {claim(rng, fill)}."
    paras = [x[0].upper() + x[1:] for x in paras]
    layout = i % 3
    headline = f"{fill['c1']} and {fill['c2']} {story['headline']} ({i})"
    if layout == 0:
        head = [headline, f"By {person()}", day.strftime("%B %d, %Y")]
    elif layout == 1:
        head = [headline, f"World | {day.strftime('%d %B %Y')} // {rng.randrange(6, 23):02d}:{rng.randrange(60):02d}"]
    else:
        head = [headline, f"Written by {person()}", day.strftime("%b.%d - %Y 1:39 PM CET"), "News"]
    return "\n".join(head) + "\n\n" + "\n\n".join(paras) + "\n"


def generate(n: int, out: Path, seed: int = 7, random_days: bool = False) -> Path:
    rng = random.Random(seed)
    people = [f"{f} {l}" for f in FIRST for l in LAST]
    rng.shuffle(people)
    people = people[:max(50, min(len(people), n))]
    out.mkdir(parents=True, exist_ok=True)
    start = date(2024, 1, 1)
    span = max(60, n // ARTICLES_PER_DAY)     # the same density of news whatever the size
    story, left = None, 0
    for i in range(n):
        if left == 0:                           # a new story, told by 1-4 outlets
            offset = rng.randrange(span) if random_days else min(span - 1, i // ARTICLES_PER_DAY)
            story, left = new_story(rng, people, start + timedelta(days=offset)), rng.choice([1, 1, 2, 2, 3, 4])
        left -= 1
        sub = out / f"{i // 1000:03d}"
        sub.mkdir(exist_ok=True)
        (sub / f"article-{i:06d}.txt").write_text(article(i, rng, people, story), encoding="utf-8")
    return out


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("n", type=int)
    ap.add_argument("out", type=Path)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--random-days", action="store_true", help="date the stories at random over the span")
    args = ap.parse_args(argv)
    generate(args.n, args.out, args.seed, args.random_days)
    print(f"{args.n} articles in {args.out}")


if __name__ == "__main__":
    main()
