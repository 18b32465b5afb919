"""The query page and the landing page in a real headless browser."""

from __future__ import annotations

import pytest

from .browser import console_errors

pytestmark = pytest.mark.slow


def test_landing_page(live, driver):
    base = live["url"].replace("/sparql", "")
    driver.get(base + "/")
    assert "newsgraph" in driver.title
    links = [a.text for a in driver.find_elements("css selector", ".list a")]
    assert "Western Nations Revisit Troop Deployment to Ukraine" in links
    assert console_errors(driver) == []


def test_query_page_runs_an_example_and_links_entities(live, driver):
    from selenium.webdriver.support import expected_conditions as EC
    from selenium.webdriver.support.select import Select
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get(live["url"])
    editor = driver.find_element("id", "query")
    assert "PREFIX ng:" in editor.get_attribute("value")
    Select(driver.find_element("id", "example")).select_by_value("people-wikidata")
    assert "owl:sameAs" in editor.get_attribute("value")
    driver.find_element("id", "run").click()
    WebDriverWait(driver, 20).until(EC.presence_of_element_located(("css selector", "table.results td")))
    headers = [th.text for th in driver.find_elements("css selector", "table.results th")]
    assert headers == ["person", "name", "wikidata", "roles"]
    cells = [td.text for td in driver.find_elements("css selector", "table.results td")]
    assert "Emmanuel Macron" in cells
    hrefs = [a.get_attribute("href") for a in driver.find_elements("css selector", "table.results a")]
    assert any("/id/person/emmanuel-macron" in h for h in hrefs)
    assert any(h == "http://www.wikidata.org/entity/Q3052772" for h in hrefs)
    assert "rows" in driver.find_element("id", "status").text
    assert console_errors(driver) == []


def test_query_page_shows_errors(live, driver):
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get(live["url"])
    editor = driver.find_element("id", "query")
    editor.clear()
    editor.send_keys("SELECT ?x WHERE { ?x")
    driver.find_element("id", "run").click()
    WebDriverWait(driver, 20).until(lambda d: d.find_elements("css selector", "#results .error"))
    assert "bad query" in driver.find_element("css selector", "#results .error").text
    assert "error 400" in driver.find_element("id", "status").text
