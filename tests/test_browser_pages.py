"""Linked Data pages in a real headless browser: they render, their links work, no console errors."""

from __future__ import annotations

import urllib.error
import urllib.request

import pytest

from .browser import console_errors

pytestmark = pytest.mark.slow


def status(url: str) -> int:
    req = urllib.request.Request(url, method="GET", headers={"Accept": "text/html"})
    try:
        with urllib.request.urlopen(req, timeout=20) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code


def check_links(driver, host: str) -> int:
    hrefs = {a.get_attribute("href") for a in driver.find_elements("css selector", "main a")}
    local = sorted(h for h in hrefs if h and h.startswith(host))
    for h in local:
        assert status(h) < 400, h
    return len(local)


def test_from_article_to_person_to_event(live, driver):
    host = live["url"].replace("/sparql", "")
    driver.get(host + "/")
    driver.find_element("link text", "Western Nations Revisit Troop Deployment to Ukraine").click()
    assert driver.find_element("tag name", "h1").text == "Western Nations Revisit Troop Deployment to Ukraine"
    assert check_links(driver, host) > 20
    driver.find_element("css selector", "a.mention.Person[href*='keir-starmer']").click()
    assert driver.find_element("tag name", "h1").text == "Keir Starmer"
    assert "/page/person/keir-starmer" in driver.current_url          # followed the 303
    check_links(driver, host)
    driver.find_element("partial link text", "Visit").click()
    assert "event" in driver.find_element("css selector", ".kind").text.lower()
    facts = driver.find_element("css selector", "dl.facts").text
    assert "Keir Starmer" in facts and "France" in facts
    check_links(driver, host)
    assert console_errors(driver) == []


def test_statement_ontology_and_timeline_pages(live, driver):
    host = live["url"].replace("/sparql", "")
    driver.get(host + "/timeline")
    assert driver.find_element("tag name", "h1").text == "Timeline"
    check_links(driver, host)
    driver.get(host + "/ontology")
    assert "newsgraph ontology" in driver.find_element("tag name", "h1").text
    driver.find_element("link text", "Statement").click()
    assert driver.current_url.endswith("#Statement")
    driver.get(host + "/page/person/jean-noel-barrot")
    driver.find_element("css selector", "blockquote a").click()
    assert "statement" in driver.find_element("css selector", ".kind").text.lower()
    assert driver.find_elements("css selector", "blockquote mark")
    assert console_errors(driver) == []
