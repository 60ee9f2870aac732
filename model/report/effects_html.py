"""The report's effects: each form in diary units with its verdict, tried forms first.

Each dose of a form taken so far gets one table (every outcome recorded while taking it); the
forms not tried share one folded table, with why their ranges are wide, at the reference dose
or at the person's daily ceiling when it is lower (:func:`untried_effects`). Numbers and words
come from :mod:`model.report.headline`; intervals are 90 % (said once, in the headline).
Within each form the outcomes come heaviest first by the person's weights, GI last
(:func:`~model.data.weights.outcome_order`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import pandas as pd

from model.analysis.effects import DiaryEffect, DiaryEffects
from model.core.change_words import chance, outcome_name
from model.data.weights import outcome_order
from model.report.effect_words import (
    INTERVAL_NOTE,
    chance_note,
    change_phrase,
    effect_line,
    held_as_prescribed,
    old_without,
    tried_forms,
    verdict_phrase,
)
from model.report.format import escape, table

if TYPE_CHECKING:
    from model.analysis.pipeline import Analysis

UNTRIED_NOTE = ("what the published evidence and your response to the forms you took say. "
                "Their ranges are wide, often wider than the evidence for the average person, "
                "because people differ: the model knows the average effect better than yours "
                "until you try the form.")
"""What the table of the forms not taken shows, after ``Forms you have not taken, at N mg``."""

_COLUMNS = {"outcome": "outcome", "change": "change against placebo (interval)",
            "p_benefit": "P(better)", "p_beyond_mcid": "P(better by the MCID or more)",
            "p_harm_beyond_mcid": "P(worse by the MCID or more)", "verdict": "verdict"}


def _rows(effects: list[DiaryEffect], form: bool = False, prescribed: bool = False,
          old: Mapping[str, str] | None = None) -> pd.DataFrame:
    rows = [({"form": e.form} if form else {}) | {
        "outcome": outcome_name(e.outcome), "change": change_phrase(e),
        "p_benefit": chance(e.p_benefit), "p_beyond_mcid": chance(e.p_beyond_mcid),
        "p_harm_beyond_mcid": chance(e.p_harm_beyond_mcid),
        "verdict": verdict_phrase(e, prescribed, old)} for e in effects]
    return pd.DataFrame(rows)


def captioned(caption: str, table_html: str) -> str:
    """An HTML table (:func:`model.report.format.table`) with ``caption`` (plain text)."""
    return table_html.replace("<thead>", f"<caption>{escape(caption)}</caption><thead>", 1)


def untried_effects(result: Analysis) -> list[DiaryEffect]:
    """The effects of the forms not taken yet.

    At the reference dose, or at the person's ceiling when it is lower
    (:func:`model.analysis.effects.diary_effects`).
    """
    effects = result.effects
    return [e for e in effects if not any(o.tried for o in effects if o.form == e.form)]


def tried_html(effects: DiaryEffects, weights: Mapping[str, float], prescribed: bool = False,
               lead: str = "", old: Mapping[str, str] | None = None) -> str:
    """What the forms taken so far did, one list per dose taken, verdicts highlighted.

    The outcomes of each dose heaviest first by ``weights`` (:func:`tried_forms`);
    ``prescribed``: a prescribed treatment's effects ask for no nights off it
    (:func:`~model.report.effect_words.verdict_phrase`); ``lead``: the heading's, beside a
    referral (:func:`~model.decision.refer_words.effects_lead`); ``old``: the dates of old
    nights without magnesium (:func:`~model.report.effect_words.old_without`).
    """
    doses = tried_forms(effects, weights)
    blocks = []
    for label, own in doses:
        items = "".join(f'<li class="{e.verdict}">{escape(effect_line(e, prescribed, old))}</li>'
                        for e in own)
        blocks.append(f"<p><strong>{escape(label)}</strong></p><ul>{items}</ul>")
    if not blocks:
        return ("<p>No magnesium nights yet: the advice rests on the published evidence. "
                f"{escape(INTERVAL_NOTE)}</p>")
    lines = sum(len(own) for _, own in doses)
    return (f"<h3>What magnesium did for you so far{escape(lead)}</h3><p>"
            f"{escape(INTERVAL_NOTE + chance_note(lines))}</p>" + "".join(blocks))


def effects_section(result: Analysis) -> str:
    """Every form x outcome in diary units: a table per dose taken, untried forms folded."""
    body = ("<p>Magnesium's own steady-state change at the dose you took, against placebo, "
            "in the diary's units. The MCID is the smallest change that matters (minimal "
            "clinically important difference). Verdicts: <em>works</em> (better: P(beyond the "
            "MCID) at least 0.8, or P(better) at least 0.9 with a mean at the MCID or more; "
            "\u201cprobably\u201d, with both chances, unless the first holds and the interval "
            "stays above zero), <em>harms</em> (the same, worse), <em>no meaningful "
            "effect</em> (the whole interval is smaller than the MCID), <em>not settled "
            "yet</em> (none of these); <em>not recorded</em>: no night of your diary records "
            "the outcome, so its numbers are the published evidence's alone, not yours.</p>")
    prescribed = held_as_prescribed(result.decision.recommendation.reason_codes)
    old = old_without(result.diary.nights)
    for label, own in tried_forms(result.effects, result.profile.outcome_weights()):
        body += f"<h3>{escape(label)}</h3>" + captioned(
            f"Magnesium's own change on {label}, outcome by outcome",
            table(_rows(own, prescribed=prescribed, old=old), _COLUMNS))
    order, untried = outcome_order(result.profile.outcome_weights()), untried_effects(result)
    names = list(dict.fromkeys(e.form for e in untried))      # by form, each heaviest first
    untried.sort(key=lambda e: (names.index(e.form), order.index(e.outcome)))
    if untried:
        forms = len(names)
        doses = "/".join(f"{mg:g}" for mg in sorted({e.regimen.elemental_mg for e in untried}))
        said = f"Forms you have not taken, at {doses} mg"
        body += (f"<details><summary>{forms} forms you have not tried</summary>"
                 f"<p>{escape(f'{said}: {UNTRIED_NOTE}')}</p>"
                 + captioned(f"{said}, form by form and outcome by outcome",
                             table(_rows(untried, form=True), _COLUMNS)) + "</details>")
    return body
