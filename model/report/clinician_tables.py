"""The tables and notes of the clinician page: regimens and nights observed, effects, evidence.

Every dose on the page is mg of elemental magnesium a day (:data:`ELEMENTAL`), and the page
says how a compound weight becomes one (:func:`units_note`). Beside the model's effects the
page gives each regimen's dates and nights as the diary has them (:func:`regimen_table`: raw
means, nothing adjusted), the prior sensitivity the terminal prints
(:func:`sensitivity_line`), and for the evidence how many of a prior's sources are studies in
people and how many are claims without such data, with each basis explained
(:func:`evidence_table`). An outside audit (a general practitioner): "glycinate 200 mg" with
no "elemental", no observed means beside "7 min faster against placebo", "sources 4" counting
marketing and seed advice, "basis reference" unexplained, and no prior sensitivity on the page.
The page is kept short: the effects have a column per dose (:func:`effects_table`), the
regimen history is one table with the nights observed, and the evidence a row per form.
"""

from __future__ import annotations

from collections import Counter

import pandas as pd

from model.analysis.pipeline import Analysis
from model.analysis.store_start import since_words
from model.core.change_words import outcome_name
from model.core.outcomes import SPECS, scale_span
from model.core.regimen import Regimen
from model.data.weights import outcome_order
from model.evidence.entry import EXPERT_KINDS
from model.evidence.priorset import PriorSet
from model.report.effect_words import effect_line, held_as_prescribed, old_without, tried_forms
from model.report.format import DASH, escape, table
from model.report.how_sure import sensitivity_step

ELEMENTAL = "mg elemental magnesium a day"
"""The unit of every dose on the page, as the headers of the tables say it."""

OBSERVED = (("sol_min", "sleep onset, min"), ("awakenings", "awakenings"),
            *((rating, f"{rating} {scale_span(rating)}")
              for rating in ("quality", "freshness", "anxiety")))
"""The diary columns :func:`regimen_table` averages, with their headers (those recorded)."""

OBSERVED_NOTE = ("Observed: raw diary means (in brackets the nights with a value, when fewer), "
                 "not adjusted for expectation, drift or build-up; GI: nights with loose "
                 "stools or stomach upset, of the nights that recorded either.")

MOST_RUNS = 3
"""Runs of one regimen the table dates each; more are said as the first to the last date."""

BASIS_WORDS = {
    "direct": "the form's own studies in people, added to the general evidence",
    "expert": "the form's own entries are only claims (mechanistic, preclinical, marketing, "
              "expert), added to the general evidence",
    "group": "borrowed from the form's chemical group (osmotic salts or chelates)",
    "class": "borrowed from magnesium in general",
    "reference": "no evidence, centred on no effect",
    "pooled": "a population fit of several diaries written back",
    "override": "set by hand by a researcher, with a reason",
}
"""What each ``basis`` of a prior means, for the note under the evidence table (the README's
priors section)."""

PRIORS_CHECKED = ("sceptical: prior means halved; confident: certainty weights doubled; "
                  "expectation: a larger expectation effect")
"""The alternative priors of :mod:`model.analysis.sensitivity`, as the page names them."""


def _runs(result: Analysis) -> dict[str, str]:
    """Each regimen's runs of recorded nights, a line each (``2026-01-15 to 2026-02-04``).

    More than :data:`MOST_RUNS` (a crossover) read ``2026-01-15 to 2026-04-30 (6 runs)``.
    The magnesium of the diary's first night, begun before it, says so on its first line
    (``2026-09-01 to 2026-10-30 (already taken before 2026-09-01)``: dated from the diary's
    first night alone, a GP read that the person began it then, an outside audit).
    """
    segments = result.diary.segments()
    segments = segments[segments["n_recorded"] > 0]
    runs: dict[str, list[tuple[pd.Timestamp, pd.Timestamp]]] = {}
    for start, end, label in zip(segments["start"], segments["end"], segments["label"],
                                 strict=True):
        runs.setdefault(str(label), []).append((start, end))
    lines = {label: [f"{a:%Y-%m-%d} to {b:%Y-%m-%d}" for a, b in dates]
             if len(dates) <= MOST_RUNS else
             [f"{dates[0][0]:%Y-%m-%d} to {dates[-1][1]:%Y-%m-%d} ({len(dates)} runs)"]
             for label, dates in runs.items()}
    since = since_words(result.diary, result.fit.taking_since)
    if since is not None:
        first = str(result.diary.regimen_label.iloc[0])
        lines[first][0] += f" ({since})"
    return {label: "\n".join(said) for label, said in lines.items()}


def _mean(values: pd.Series, nights: int) -> str:
    """A column's mean over the nights that recorded it, with their number when fewer."""
    seen = values.dropna()
    if seen.empty:
        return DASH
    return f"{seen.mean():.1f}" + (f" ({len(seen)})" if len(seen) < nights else "")


def regimen_table(result: Analysis) -> str:
    """Each regimen's dates and nights, as the diary has them: means and GI nights.

    One row per regimen in the order first taken, its runs' dates (the regimen history); a
    column per outcome of :data:`OBSERVED` the diary recorded, heaviest first
    (:func:`~model.data.weights.outcome_order`); GI nights read ``3 of 28``, of
    the nights with a stool form or GI upset recorded.
    """
    diary = result.diary
    nights = diary.nights[diary.nights["recorded"]]
    labels = diary.regimen_label[diary.nights["recorded"]]
    order = [SPECS[o].column for o in outcome_order(result.profile.outcome_weights())]
    shown = sorted(((column, name) for column, name in OBSERVED
                    if column in diary.outcomes_present), key=lambda c: order.index(c[0]))
    dates = _runs(result)
    rows = []
    for label, group in nights.groupby(labels.to_numpy(), sort=False):
        gi = group["gi_night"].dropna()
        rows.append({"regimen": Regimen.from_label(str(label)).words,
                     "dates": dates.get(str(label), DASH), "nights": len(group),
                     **{name: _mean(group[column], len(group)) for column, name in shown},
                     "GI nights": f"{int(gi.sum())} of {len(gi)}" if len(gi) else DASH})
    return table(pd.DataFrame(rows), {"regimen": f"regimen ({ELEMENTAL})",
                                      "nights": "nights recorded"}, "regimens")


def effects_table(result: Analysis) -> str:
    """A column per dose taken, a row per outcome: each change against placebo, its verdict.

    Side by side, the doses of a diary that tried two take half the height they took one
    under the other (the page is kept short).
    """
    doses = tried_forms(result.effects, result.profile.outcome_weights())
    if not doses:
        return "<p>No magnesium nights yet.</p>"
    by_dose = [{e.outcome: e for e in own} for _, own in doses]
    outcomes = dict.fromkeys(o for own in by_dose for o in own)
    head = "".join(f"<th>{escape(label.replace(' mg', f' {ELEMENTAL}', 1))}</th>"
                   for label, _ in doses)
    prescribed = held_as_prescribed(result.decision.recommendation.reason_codes)
    old = old_without(result.diary.nights)
    cells = [[escape(effect_line(own[o], prescribed, old)) if o in own else DASH
              for own in by_dose] for o in outcomes]
    rows = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in cells)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"


def _forms_concerned(result: Analysis) -> list[Regimen]:
    """The magnesium regimens of the diary, then the one recommended (each once)."""
    taken = [Regimen.from_label(label) for label in result.diary.regimen_counts()]
    rec = result.decision.recommendation.regimen
    return list(dict.fromkeys([r for r in (*taken, rec) if r is not None and r.active]))


def units_note(result: Analysis) -> str:
    """What the doses are, and the elemental fraction a compound weight is converted with.

    ``citrate as trimagnesium dicitrate anhydrous, 16.16 %``, each form concerned once, and
    the compound weight of the regimen recommended (taurate 200 mg is about 2,242 mg of
    magnesium taurate, which a label may give instead).
    """
    regimens = _forms_concerned(result)
    compounds = {c.default_for_form: c for c in result.fit.priors_.evidence.compounds
                 if c.default_for_form}
    forms = [compounds[f] for f in dict.fromkeys(r.form for r in regimens)]
    said = ("Doses: mg of elemental magnesium a day, not of the salt; one the diary gives as "
            "compound weight (compound_mg) is converted with priors/elemental_fractions.csv"
            + (": " + "; ".join(f"{c.default_for_form} as {_lower(c.name)}, "
                                f"{100 * c.elemental_fraction:.2f} %" for c in forms)
               if forms else "")
            + "; another salt or hydrate differs.")
    rec = result.decision.recommendation.regimen
    if rec is not None and rec.active:      # every form has a default (the priors' loader)
        compound = compounds[rec.form]
        said += (f" The recommended {rec.words} is about "
                 f"{rec.elemental_mg / compound.elemental_fraction:,.0f} mg of "
                 f"{_lower(compound.name)} a day.")
    return said


def _lower(name: str) -> str:
    """A compound's name within a sentence: ``magnesium taurate``."""
    return name[:1].lower() + name[1:]


def _source_kinds(priors: PriorSet, form: str, outcome: str) -> tuple[str, str]:
    """A prior's sources: studies in people (the form's own + borrowed), and the claims.

    ``("0 + 2", "1 expert, 1 marketing")`` for glycinate's GI prior: a trial and a
    meta-analysis of magnesium in general, and the chelates' expert claim and a marketing
    claim of glycinate's own.
    """
    entry = priors[form, outcome]
    synthesis = priors.syntheses.get((form, outcome))
    found = () if synthesis is None else synthesis.contributions + synthesis.unused
    by_id = {c.study_id: c for c in found}
    parts = [by_id[i] for i in entry.sources if i in by_id]
    people = [c for c in parts if c.kind not in EXPERT_KINDS]
    own = sum(c.scope == form for c in people)
    claims = Counter(c.kind for c in parts if c.kind in EXPERT_KINDS)
    return (f"{own} + {len(people) - own}",
            ", ".join(f"{n} {kind}" for kind, n in sorted(claims.items())) or "none")


def evidence_table(result: Analysis) -> str:
    """The priors of the forms concerned on the three heaviest outcomes and GI, and their basis.

    One row per form, a column per outcome: a cell gives the prior's certainty and basis, its
    studies in people (the form's own + borrowed) and its claims without data in people
    (:func:`_source_kinds`), in brackets: ``very low, expert, 0 + 2 (1 expert, 1 marketing)``.
    A row per form and outcome made the table four times as long and the page run onto a
    second for a three-form crossover (the two-year diary audit). A note says what each basis
    shown means (:data:`BASIS_WORDS`).
    """
    rec = result.decision.recommendation.regimen
    priors, weight = result.fit.priors_, result.profile.outcome_weights()
    forms = [label.split()[0] for label, _ in tried_forms(result.effects, weight)]
    if rec is not None and rec.active:
        forms.append(rec.form)
    outcomes = [*outcome_order(weight)[:3], "gi"]         # the three heaviest first, then GI
    if not forms:
        return "<p>No form concerned.</p>"

    def described(form: str, outcome: str) -> str:
        entry = priors[form, outcome]
        people, claims = _source_kinds(priors, form, outcome)
        said = "" if claims == "none" else f" ({claims})"
        return f"{entry.certainty}, {entry.basis}, {people}{said}"

    rows = [{"form": form, **{outcome_name(o): described(form, o) for o in outcomes}}
            for form in dict.fromkeys(forms)]
    bases = dict.fromkeys(priors[f, o].basis for f in dict.fromkeys(forms) for o in outcomes)
    note = "; ".join(f"{b} = {BASIS_WORDS.get(b, 'as the priors file says')}" for b in bases)
    return (table(pd.DataFrame(rows))
            + f'<p class="small">Each cell: the grade of the evidence the basis names, the '
              f"basis, the studies in people (the form's own + borrowed) and, in brackets, the "
              f"claims without data in people. Basis: {escape(note)}.</p>")


def sensitivity_line(result: Analysis) -> str:
    """The prior sensitivity as the terminal gives it: held, changed (to what), or not checked."""
    if not result.sensitivity:
        return f"Prior sensitivity: {result.sensitivity_skipped()}."
    changed = [s for s in result.sensitivity if not s.holds]
    checked = f"Prior sensitivity ({PRIORS_CHECKED}): the recommendation"
    if not changed:
        return f"{checked} holds under each."
    return (f"{checked} changes under the "
            + ", ".join(f"{s.prior} prior (-> {sensitivity_step(s)})" for s in changed)
            + ", so it rests partly on the published evidence, not on the patient's nights "
              "alone.")
