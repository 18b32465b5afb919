"""A synthetic news corpus of any size, for benchmarks (never for quality scores).

    python bench/synth.py N OUT_DIR [--seed S]

Each article has a headline, a byline, a date, and 8-14 paragraphs of quotes, paraphrases,
"according to" attributions, denials, events with places and dates, and amounts, drawn from
thousands of invented people, a few hundred organisations and real places, so that the graph
has the shape and the repetition of real news. Deterministic for a seed.
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
TOPICS = ["the talks would resume next week", "the deal was close to being signed",
          "the sanctions would stay in place", "aid deliveries would continue through the winter",
          "the ceasefire was holding in most areas", "no decision had been taken on troop deployments",
          "the summit would focus on energy security", "prisoners would be exchanged in stages",
          "the budget would be approved by parliament", "rates would stay unchanged until the autumn"]
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
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December"]


def article(i: int, rng: random.Random, people: list, start: date) -> str:
    day = start + timedelta(days=rng.randrange(365))
    person = lambda: rng.choice(people)  # noqa: E731
    p1, p2 = person(), person()
    c1, c2 = rng.sample(COUNTRIES, 2)
    fill = dict(p=f"{rng.choice(TITLES)} {p1}", q=p2, city=rng.choice(CITIES), c1=c1, c2=c2, org=rng.choice(ORGS),
                weekday=rng.choice(WEEKDAYS), month=rng.choice(MONTHS), n=rng.randrange(12, 900),
                m=rng.randrange(100, 2000), pct=rng.randrange(2, 40))
    paras = [rng.choice(EVENTS).format(**fill)]
    for _ in range(rng.randrange(7, 13)):
        kind = rng.randrange(6)
        who = person()
        if kind == 0:
            paras.append(f'"{rng.choice(QUOTES)}," {rng.choice(TITLES)} {who} told {rng.choice(OUTLETS)}.')
        elif kind == 1:
            paras.append(f"{rng.choice(TITLES)} {who} said that {rng.choice(TOPICS)}.")
        elif kind == 2:
            paras.append(f"According to {rng.choice(SOURCES)} quoted by {rng.choice(OUTLETS)}, {rng.choice(TOPICS)}.")
        elif kind == 3:
            paras.append(f"{who} denied that {rng.choice(TOPICS)}, calling the reports premature.")
        elif kind == 4:
            paras.append(rng.choice(EVENTS).format(**{**fill, "p": who, "city": rng.choice(CITIES)}))
        else:
            paras.append(rng.choice(AMOUNTS).format(**fill))
        if rng.random() < 0.3:
            paras[-1] += f" {who.split()[-1]} added that {rng.choice(TOPICS)}."
    layout = i % 3
    headline = f"{c1} and {c2} {rng.choice(['Resume Talks', 'Trade Accusations', 'Weigh New Sanctions', 'Prepare Summit'])} ({i})"
    if layout == 0:
        head = [headline, f"By {person()}", day.strftime("%B %d, %Y")]
    elif layout == 1:
        head = [headline, f"World | {day.strftime('%d %B %Y')} // {rng.randrange(6, 23):02d}:{rng.randrange(60):02d}"]
    else:
        head = [headline, f"Written by {person()}", day.strftime("%b.%d - %Y 1:39 PM CET"), "News"]
    return "\n".join(head) + "\n\n" + "\n\n".join(paras) + "\n"


def generate(n: int, out: Path, seed: int = 7) -> Path:
    rng = random.Random(seed)
    people = [f"{f} {l}" for f in FIRST for l in LAST]
    rng.shuffle(people)
    people = people[:max(50, min(len(people), n // 2))]
    out.mkdir(parents=True, exist_ok=True)
    start = date(2024, 1, 1)
    for i in range(n):
        sub = out / f"{i // 1000:03d}"
        sub.mkdir(exist_ok=True)
        (sub / f"article-{i:06d}.txt").write_text(article(i, rng, people, start), encoding="utf-8")
    return out


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("n", type=int)
    ap.add_argument("out", type=Path)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args(argv)
    generate(args.n, args.out, args.seed)
    print(f"{args.n} articles in {args.out}")


if __name__ == "__main__":
    main()
