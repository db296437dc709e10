"""The HTML report as a document: self-contained, scriptless, every log value escaped."""

from __future__ import annotations

import base64
import hashlib
import re
from datetime import datetime
from html.parser import HTMLParser

from revertguard.detect import Findings
from revertguard.report import render_html, write_html


class Elements(HTMLParser):
    """Every start tag with its attributes, and the text of <style>."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.style = ""
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in_style = tag == "style"

    def handle_endtag(self, tag):
        self._in_style = False

    def handle_data(self, data):
        if self._in_style:
            self.style += data
        else:
            self.text.append(data)


def _parse(page: str) -> Elements:
    parser = Elements()
    parser.feed(page)
    return parser


def test_no_script_no_handlers_no_remote_loads(scan):
    page = render_html(scan.findings, scan.events)
    parsed = _parse(page)
    names = [tag for tag, _ in parsed.tags]
    assert "script" not in names and "iframe" not in names and "object" not in names and "link" not in names
    for tag, attrs in parsed.tags:
        assert not [a for a in attrs if a.startswith("on")], (tag, attrs)
        for attribute in ("src", "srcset", "action", "formaction", "background"):
            assert attribute not in attrs, (tag, attrs)
        assert "style" not in attrs, (tag, attrs)  # the CSP allows only the stylesheet's hash
        if "href" in attrs:
            assert attrs["href"].startswith(("#", "https://attack.mitre.org/")), attrs["href"]
    assert "<img" not in page and "<svg onload" not in page


def test_csp_forbids_scripts_and_allows_exactly_the_stylesheet(scan):
    parsed = _parse(render_html(scan.findings, scan.events))
    policy = next(attrs["content"] for tag, attrs in parsed.tags
                  if tag == "meta" and attrs.get("http-equiv") == "Content-Security-Policy")
    assert "default-src 'none'" in policy and "script-src" not in policy
    digest = base64.b64encode(hashlib.sha256(parsed.style.encode()).digest()).decode()
    assert f"style-src 'sha256-{digest}'" in policy


def test_hostile_values_show_as_text(scan):
    page = render_html(scan.findings, scan.events)
    text = "".join(_parse(page).text)
    # The simulator's user agent and ours, each as the analyst must read it.
    assert scan.hostile_user_agent in text
    assert "<script>alert('revertguard')</script>" in text
    assert "mallory<b>bold</b>" in text
    assert "DR runbook <i>RB-12</i> <script>alert(3)</script>" in text
    assert "&lt;script&gt;alert(&#39;revertguard&#39;)&lt;/script&gt;" in page
    assert "onerror=&#34;document.title" in page or "onerror=&quot;document.title" in page


def test_summary_incidents_chain_and_timeline(scan):
    findings = scan.findings
    page = render_html(findings, scan.events, generated_at=datetime(2026, 11, 21, 9, 0))
    text = " ".join(" ".join(_parse(page).text).split())
    for incident in findings.incidents:
        assert " ".join(incident.title.split()) in text
    assert re.search(rf"Incidents {len(findings.incidents)} ", text)
    assert f"Suppressed matches {len(findings.suppressed)} " in text
    assert "Generated 2026-11-21 09:00:00 UTC" in text
    assert page.count('<section class="incident ') == len(findings.incidents)
    chained = [i for i in findings.incidents if i.chain]
    assert page.count("<svg ") == len(chained) > 0
    for incident in chained:
        for link in incident.chain:
            assert link.source.id in page and link.target.id in page
    # The hostile revert's timeline row: a revert step with operation, resource, who, from where, status.
    rows = [r for r in re.findall(r'<tr class="step[^"]*">(.*?)</tr>', page, re.S) if "mallory" in r]
    assert len(rows) == 1
    for value in ("CreateReplaceRootVolumeTask", "i-0badc0ffee0000001", "snap-0badc0ffee0000001", "198.51.100.23",
                  "Succeeded", "revert step", "2026-11-20 15:00:00"):
        assert value in rows[0], value


def test_an_empty_scan_still_renders_a_useful_page():
    page = render_html(Findings(mode="single-pass", data_start=None, data_end=None), {})
    text = " ".join(" ".join(_parse(page).text).split())
    assert "No incidents" in text and "No rules were run" in text


def test_write_html_writes_utf8(scan, tmp_path):
    path = write_html(scan.findings, scan.events, tmp_path / "report.html")
    assert path.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")

