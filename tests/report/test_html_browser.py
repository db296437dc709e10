"""The HTML report in a real browser: headless Chromium (Debian's package) driven by Playwright.

The page must render every incident and its chain, log no console error, load nothing from
anywhere, and show hostile user agents and names as text without running any of them. The test
saves a screenshot to pytest's temporary folder, or to $REVERTGUARD_SCREENSHOT_DIR when set.
It is skipped, saying why, where Chromium or Playwright is missing; CI installs both.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from revertguard.report import write_html

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]

sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed (pip install '.[test]')")
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="Chromium is not installed at /usr/bin/chromium "
                                "(apt-get install chromium; .ci/run does this)")


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as playwright:
        # Debian's Chromium: Playwright never downloads a browser here.
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def opened(browser, scan, tmp_path):
    """The report of the scan, opened in a fresh page that records console messages, errors and requests."""
    report = write_html(scan.findings, scan.events, tmp_path / "report.html")
    page = browser.new_page(viewport={"width": 1440, "height": 1000})
    problems: list[str] = []
    requests: list[str] = []
    page.on("console", lambda message: problems.append(f"console {message.type}: {message.text}")
            if message.type in ("error", "warning") else None)
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on("request", lambda request: requests.append(request.url))
    page.goto(report.as_uri())
    page.wait_for_load_state("load")
    yield page, problems, requests, report
    page.close()


def _screenshot_path(tmp_path: Path, name: str) -> Path:
    folder = os.environ.get("REVERTGUARD_SCREENSHOT_DIR")
    target = Path(folder) if folder else tmp_path
    target.mkdir(parents=True, exist_ok=True)
    return target / name


def test_report_renders_incidents_and_chains_without_errors(opened, scan, tmp_path):
    page, problems, requests, report = opened
    incidents = page.locator("section.incident")
    assert incidents.count() == len(scan.findings.incidents)
    for index, incident in enumerate(scan.findings.incidents):
        heading = incidents.nth(index).locator("h2")
        assert " ".join(heading.inner_text().split()) == " ".join(incident.title.split())
    chained = [i for i in scan.findings.incidents if i.chain]
    graphs = page.locator(".chain svg")
    assert graphs.count() == len(chained)
    for index, incident in enumerate(chained):
        graph = graphs.nth(index)
        assert graph.is_visible()
        assert graph.locator("g.node").count() == len(incident.resources)
        assert graph.locator("g.edge").count() == len(incident.chain)
        assert graph.bounding_box()["width"] > 300  # drawn, not collapsed
    # The summary counts what the findings hold.
    cards = page.locator(".card .value")
    assert cards.nth(0).inner_text() == str(len(scan.findings.incidents))
    assert cards.nth(1).inner_text() == str(len(scan.findings.alerts))
    assert problems == []
    assert requests == [report.as_uri()]  # nothing but the page itself
    shot = _screenshot_path(tmp_path, "revertguard-report.png")
    page.screenshot(path=str(shot), full_page=False)
    assert shot.stat().st_size > 10_000


def test_hostile_values_show_as_text_and_run_nothing(opened, scan, tmp_path):
    page, problems, _, _ = opened
    assert page.evaluate("document.scripts.length") == 0
    assert page.locator("img").count() == 0
    assert page.evaluate("document.querySelectorAll('svg[onload], [onerror], [onload]').length") == 0
    assert page.title() != "pwned"
    # The user agent cell of the hostile revert reads exactly as it was logged.
    row = page.locator("table.timeline tr", has_text="mallory<b>bold</b>")
    assert row.count() == 1
    assert row.locator("td.ua").inner_text() == scan.hostile_user_agent
    assert "<script>alert('revertguard')</script>" in scan.hostile_user_agent
    # Raw events open to the escaped JSON of the row, the request's <script> tag value included.
    alert = page.locator("article.alert", has_text="mallory<b>bold</b>").first
    details = alert.locator("details", has_text="Raw events")
    details.locator("summary").first.click()
    raw = details.locator("details").first
    raw.locator("summary").click()
    text = raw.locator("pre").inner_text()
    assert scan.hostile_event_id in text and "<script>alert(1)</script>" in text
    # The suppressed match shows its reason, markup and all, as text.
    assert page.locator("#suppressed").inner_text().count("DR runbook <i>RB-12</i> <script>alert(3)</script>") >= 1
    assert page.evaluate("document.scripts.length") == 0
    assert problems == []
    raw.scroll_into_view_if_needed()
    page.screenshot(path=str(_screenshot_path(tmp_path, "revertguard-report-raw-event.png")))


def test_chromium_would_run_unescaped_markup(browser, tmp_path):
    """The check above can fail: the same payload, unescaped, does run in this browser."""
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    unsafe = tmp_path / "unsafe.html"
    unsafe.write_text('<html><body><img src=x onerror="document.title=\'pwned\'"></body></html>', encoding="utf-8")
    page.goto(unsafe.as_uri())
    page.wait_for_function("document.title === 'pwned'")
    page.close()

