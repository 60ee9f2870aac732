"""The HTML report: self-contained, escaped, complete; rendered by a headless Chromium."""

import base64
import html
import os
import re
import shutil
import subprocess

import numpy as np
import pytest
from matplotlib.image import imread

from model.report.html import SAFETY_NOTE, forms_that_matter, headline, render_report, write_report
from model.testing import SCRIPT_NOTE, example_analysis

pytestmark = pytest.mark.fit

IMG = re.compile(r'<img alt="[^"]*" src="data:image/png;base64,([A-Za-z0-9+/=]+)">')
ESCAPED_NOTE = html.escape(SCRIPT_NOTE, quote=False)   # element text: quotes may stay
CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu",
                  "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run", "--enable-logging=stderr", "--v=0")


@pytest.fixture(scope="module")
def analysis():
    return example_analysis()


@pytest.fixture(scope="module")
def page(analysis):
    return render_report(analysis)


@pytest.fixture(scope="module")
def report_file(analysis, tmp_path_factory):
    path = tmp_path_factory.mktemp("report") / "report.html"
    write_report(analysis, path)
    return path


def test_self_contained_nothing_from_outside(page):
    assert page.startswith("<!DOCTYPE html>")
    assert "<script" not in page.lower()
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:|//|file:)""", page, re.I)
    assert "url(" not in page and "@import" not in page and "<link" not in page
    assert "default-src 'none'" in page          # CSP: a browser loads nothing either


def test_user_text_is_escaped(page, analysis):
    assert ESCAPED_NOTE in page
    assert "<script>alert(1)</script>" not in page
    assert "alert(1)" in page


def test_recommendation_reasons_warnings_and_safety(page, analysis):
    rec = analysis.decision.recommendation
    assert html.escape(headline(rec)) in page
    for line in (*rec.reasons, *rec.warnings):
        assert html.escape(line) in page
    assert page.count(html.escape(SAFETY_NOTE)) == 2
    assert "supports, and does not replace, advice from a clinician" in page
    assert f"Look again on {rec.next_review.isoformat()}" in page


def test_four_embedded_png_figures(page):
    images = IMG.findall(page)
    assert len(images) == 4
    for data in images:
        assert base64.b64decode(data)[:8] == b"\x89PNG\r\n\x1a\n"


def test_tables_evidence_diagnostics_sensitivity(page, analysis):
    for anchor in ("recommendation", "figures", "actions", "effects", "evidence",
                   "diagnostics", "sensitivity", "diary"):
        assert f'<section id="{anchor}">' in page
    forms = forms_that_matter(analysis)
    assert {"citrate", "glycinate"} <= set(forms)
    priors = analysis.fit.priors_
    for form in forms:
        assert html.escape(priors.explain(form, "sol")) in page
    assert page.count("<details>") == 6 * len(forms)
    assert f"{analysis.fit.diagnostics_.max_rhat:.3g}" in page
    assert "sceptical" in page and "confident" in page
    assert page.count("<tr>") > 48                 # the effects table alone has 48 rows


def test_write_report_is_atomic(analysis, report_file, tmp_path, monkeypatch):
    assert report_file.read_text(encoding="utf-8") == render_report(analysis)
    target = tmp_path / "report.html"
    target.write_text("old")

    def broken(_):
        raise RuntimeError("boom")

    monkeypatch.setattr("model.report.html.render_report", broken)
    with pytest.raises(RuntimeError):
        write_report(analysis, target)
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]


# --------------------------------------------------------------------------------------------
# Headless Chromium
# --------------------------------------------------------------------------------------------


def _install_chromium() -> str | None:
    """Return a Chromium binary, installing Debian's ``chromium`` when missing (as root)."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        return None
    env = os.environ | {"DEBIAN_FRONTEND": "noninteractive"}
    for command in (["apt-get", "update", "-q"],
                    ["apt-get", "install", "-y", "-q", "--no-install-recommends", "chromium"]):
        try:
            subprocess.run(command, env=env, capture_output=True, timeout=600, check=True)
        except (subprocess.SubprocessError, OSError):
            return None
    return shutil.which("chromium")


@pytest.fixture(scope="session")
def chromium():
    binary = _install_chromium()
    if binary is None:
        pytest.skip("headless Chromium is not installed and could not be installed "
                    "(run as root: apt-get install -y chromium)")
    return binary


def _chromium(binary, profile, *args, timeout=120):
    return subprocess.run([binary, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args],
                          capture_output=True, text=True, timeout=timeout, check=False)


def _console_messages(stderr: str) -> list[str]:
    """Console lines of Chromium's log: script errors, CSP violations (``INFO:CONSOLE``)."""
    return [line for line in stderr.splitlines() if ":CONSOLE" in line or "Uncaught" in line]


def test_chromium_renders_recommendation_and_figures(chromium, report_file, analysis,
                                                     tmp_path):
    done = _chromium(chromium, tmp_path / "profile", "--dump-dom", report_file.as_uri())
    assert done.returncode == 0, done.stderr[-2000:]
    dom = done.stdout
    assert html.escape(headline(analysis.decision.recommendation)) in dom
    assert len(IMG.findall(dom)) == 4
    assert ESCAPED_NOTE in dom and "<script" not in dom.lower()
    assert _console_messages(done.stderr) == []


def test_chromium_screenshot_shows_the_figures(chromium, report_file, tmp_path):
    shot = tmp_path / "report.png"
    done = _chromium(chromium, tmp_path / "profile", f"--screenshot={shot}",
                     "--window-size=1280,3600", "--hide-scrollbars", report_file.as_uri())
    assert done.returncode == 0 and shot.exists(), done.stderr[-2000:]
    assert _console_messages(done.stderr) == []
    pixels = imread(shot)[..., :3]
    colours = np.unique((pixels * 255).astype(np.uint8).reshape(-1, 3), axis=0)
    assert len(colours) > 200                    # text alone is grey: the figures are drawn
    keep = os.environ.get("MGSLEEP_KEEP_SCREENSHOT")
    if keep:
        shutil.copy(shot, keep)
