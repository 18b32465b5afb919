"""Screenshots of an entity page and an event page (for the docs and the issue notes).

    python docs/screenshots.py [URL of a running newsgraph]   (default http://127.0.0.1:8000)

Needs Debian's chromium and chromium-driver, and selenium (the test extra).
"""

from __future__ import annotations

import sys
import urllib.parse
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.browser import chrome  # noqa: E402

HERE = Path(__file__).resolve().parent


def event_path(host: str) -> str:
    q = """SELECT ?e WHERE { ?e a ?t ; <http://semanticweb.cs.vu.nl/2009/11/sem/hasActor> ?a .
           ?a <http://www.w3.org/2000/01/rdf-schema#label> "Keir Starmer" FILTER (STRENDS(STR(?t), "#Visit")) } LIMIT 1"""
    url = host + "/sparql?" + urllib.parse.urlencode({"query": q})
    req = urllib.request.Request(url, headers={"Accept": "text/csv"})
    iri = urllib.request.urlopen(req).read().decode().splitlines()[1]
    return "/page/" + iri.split("/id/", 1)[1]


def main(host: str = "http://127.0.0.1:8000") -> None:
    driver = chrome()
    try:
        driver.set_window_size(1280, 1500)
        for name, path in [("entity", "/page/person/jean-noel-barrot"), ("event", event_path(host))]:
            driver.get(host + path)
            out = HERE / f"screenshot-{name}.png"
            driver.save_screenshot(str(out))
            print(out)
    finally:
        driver.quit()


if __name__ == "__main__":
    main(*sys.argv[1:])
