"""The head of every HTML page mgsleep writes: its Content-Security-Policy, title and style.

The report (:mod:`model.report.html`) and the clinician's summary
(:mod:`model.report.clinician`) each wrote the same ``<!DOCTYPE html>`` head with its own
copy of the policy (a maintainer's review, /tmp/w45/C F13): one definition, so a change to
what a page may load is made once.
"""

from __future__ import annotations

from model.report.format import escape

CSP = "default-src 'none'; style-src 'unsafe-inline'"
"""What a page may load: nothing from outside, only its own inline style (a page opened from
a mail or a shared folder runs no script and fetches nothing)."""

IMAGES_CSP = f"{CSP}; img-src data:"
"""The same, with the figures embedded as ``data:`` images (the report's)."""


def page_head(title: str, css: str, *, images: bool = False) -> str:
    """``<!DOCTYPE html>`` through ``<body>``: the policy, ``title`` (plain text) and ``css``.

    ``images``: the page embeds ``data:`` images (:data:`IMAGES_CSP`), else none
    (:data:`CSP`).
    """
    policy = IMAGES_CSP if images else CSP
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f'<meta http-equiv="Content-Security-Policy" content="{policy}">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{escape(title)}</title><style>{css}</style></head><body>")
