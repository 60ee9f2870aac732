"""Your effect of each form in diary units, with a verdict a person can read.

For every form x outcome: magnesium's own expected steady-state change at the dose taken (for a
form not taken yet, the reference dose, 300 mg, or the person's daily ceiling when it is lower)
against **placebo**, in the diary's own
units (minutes of sleep-onset latency, awakenings per night, rating points, share of GI
nights), with its 90 % interval, P(benefit) and the probabilities of a change beyond the
minimal clinically important difference (MCID, ``priors/settings.toml``) in the helpful and
in the harmful direction.

**Each draw's own change.** The change is, draw by draw, the difference of the two regimens'
predicted nightly means in diary units (:func:`~model.decision.gains.change_draws`; the raw
diary direction, so a negative sleep-onset change means falling asleep faster): it holds the
posterior's uncertainty of where the level sits, and it stays within the scale (a quality of
4.9 of 5 rises by 0.1 at most). The decision's expected changes (``expected_gain``) are the
same draws' (:func:`model.decision.gains.shown_gains`): stopping the current regimen says
minus this change, exactly; only its utility converts link-scale changes with one slope for
all draws, so that uncertainty is not scored as harm (that slope halved intervals at a
scale's end, an edge-of-scale audit, C F4, and said "GI nights: -36 a month" beside "+25",
an outside audit, A F2). Placebo, not "nothing", is the comparison: the expectation effect
of taking anything and the drift of a diary are not magnesium's.

**Verdicts**: :mod:`model.analysis.verdicts` (works, harms, no meaningful effect,
inconclusive, with the nights still needed on the regimen taken now only).

**An outcome no night records** (:func:`~model.data.recorded.recorded_outcomes`, the
decision's definition) gets no verdict: ``not_recorded``, ``recorded`` False, its numbers the
evidence priors' alone (nor a lean, nights needed or placebo note: no night will show it).
An anxiety complaint's diary without an anxiety column gave glycinate's anxiety effect
"inconclusive" with P values, as if measured (an outside audit).

**A fit that failed its checks** gives no verdict: ``not_estimated``, the reason in the field
``not_estimated`` (:meth:`DiaryEffects.not_estimated`); the numbers stay for a researcher,
so marked. A fit of 10 draws (R-hat 1.30) said glycinate "works" (P 0.975) beside
``diagnostics.ok`` false, in Python and in the JSON (a notebook user's audit, B F2).

**Without placebo nights** the comparison with placebo subtracts an expectation effect that
only its prior knows (centred on a benefit): a form that changed nothing would look harmful.
So, while the diary has no placebo night, a ``works``, ``harms`` or ``no_meaningful_effect``
on a sleep outcome stands only when the change against no magnesium (what the nights show,
expectation included) gets the same verdict; otherwise it is ``inconclusive`` with
``needs_placebo`` set (a blinded placebo period settles it), unless the diary lacks the nights
off the form to compare with at all (``off_nights_needed`` then: "placebo nights are needed"
stood beside advice to stop the magnesium for 17 nights). A large change on magnesium
called "no meaningful effect" because the expectation prior took it was the same
overreach the other way. A lean (:func:`~model.analysis.verdicts.lean`) there counts a draw
only when both comparisons go its way, and its probability is that share.

A tried form's verdict needs ``min_nights`` recorded nights of the outcome on it (7, the
shortest evaluation period): on fewer it is ``inconclusive``, however far the interval lies
(two nights on a form were called "works for you", and two or three nights without loose
stools "no meaningful effect" while the GI log-odds interval spanned -3 to +2.5).

A verdict is a statement about the posterior, never more certain than it: on a form not
taken yet it mostly restates the evidence priors.

>>> from model.analysis.effects import diary_effects
>>> effects = diary_effects(fit.predict, diary.nights, priors)          # doctest: +SKIP
>>> effects.get("glycinate", "sol").verdict                                  # doctest: +SKIP
'works'
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from model.analysis.verdicts import (
    NOT_ESTIMATED,
    NOT_RECORDED,
    Lean,
    Verdict,
    VerdictRule,
    lean,
    lean_chance,
    nights_needed,
    prior_spread,
    verdict,
)
from model.core.forms import FORMS, PLACEBO
from model.core.outcomes import OUTCOMES, SLEEP_OUTCOMES, SPECS
from model.core.regimen import NO_MAGNESIUM, Regimen
from model.data.night_levels import RawNights, raw_nights
from model.data.recorded import recorded_outcomes
from model.decision.gains import change_draws
from model.decision.gi_facts import LateGI, late_gi
from model.decision.history import History, night_regimens
from model.decision.settings import Predict
from model.evidence.priorset import PriorSet


@dataclass(frozen=True)
class DiaryEffect:
    """One form x outcome effect in diary units (raw diary direction) with its verdict.

    Parameters
    ----------
    form, outcome : str
        The form and the model outcome (:data:`model.core.outcomes.OUTCOMES`).
    regimen : Regimen
        The regimen the change is for: the one taken on most recorded nights of the form,
        else the reference dose or the person's ceiling when lower (in
        :attr:`DiaryEffects.by_regimen`: each regimen taken).
    nights : int
        Recorded nights on the form with this outcome recorded (0: not tried); in
        :attr:`DiaryEffects.by_regimen`, on that regimen alone.
    unit : str
        Diary unit of the change.
    mean, ci_low, ci_high : float
        Mean and central interval of the change against placebo (diary direction: higher =
        more minutes, awakenings, points or GI nights).
    p_benefit, p_beyond_mcid, p_harm_beyond_mcid : float
        P(a change in the better direction), P(better by more than the MCID), P(worse by
        more than the MCID).
    mcid : float
        The MCID (diary units).
    verdict : str
        One of :data:`~model.analysis.verdicts.VERDICTS`.
    nights_needed : int or None
        For ``inconclusive`` on the regimen taken now (the diary's current one): the further
        written nights on it (with this outcome) a verdict would take, not calendar nights
        (said "written nights": :mod:`model.report.effect_words`); None for a dose or form
        the person has left, on fewer than ``min_nights`` nights on it, or when those nights
        have taught too little to tell a rate (:func:`~model.analysis.verdicts.nights_needed`).
    off_nights_needed : int or None
        For ``inconclusive`` on a tried form with this outcome recorded on fewer than
        ``min_nights`` nights off it: the written nights off it (no magnesium, placebo or
        another form) still needed to compare with; more nights on it cannot settle the change
        then. One night off the form, with 0 minutes of sleep-onset latency against about
        20 on 15 nights of glycinate, gave "no meaningful effect". Set ahead of
        ``needs_placebo``: without nights off, nights off are needed first.
    needs_placebo : bool
        True when a ``works`` or ``harms`` against placebo was turned into ``inconclusive``
        because the diary has no placebo night and the change against no magnesium (what
        the nights show) gives another verdict: the difference rests on the prior of the
        expectation effect alone.
    lean : str
        ``helps`` or ``worse`` when that direction is probable enough (P >= 0.9, surely:
        :func:`~model.analysis.verdicts.lean`), else empty.
    p_lean_agreed : float or None
        A lean's probability where it counts a draw only when both comparisons go its way (a
        sleep outcome, no placebo night: see the module), else None (:attr:`p_lean`).
    recorded : bool
        The outcome has at least one night in the diary
        (:func:`~model.data.recorded.recorded_outcomes`); False: the verdict is
        ``not_recorded`` and the numbers are the evidence's alone.
    not_estimated : str or None
        Why the verdict is ``not_estimated`` (the fit failed its checks); None otherwise.
    raw : RawNights or None
        What the written nights show before any model: the mean level without magnesium and
        on the regimen (:func:`~model.data.night_levels.raw_nights`, on at least
        ``min_nights`` nights each); the words say when the scale, not the nights, settled a
        verdict, or when the nights point the other way (:mod:`model.report.effect_words`).
    mcid_source : str
        Where the MCID comes from (``mcid_source`` of ``priors/settings.toml``).
    late_gi : LateGI or None
        For GI: the GI nights of the regimen's last nights against all its nights
        (:func:`~model.decision.gi_facts.late_gi`), whose words say when they came late
        (:func:`~model.decision.gi_words.late_gi_note`); None for other outcomes or on too
        few nights on it.

    """

    form: str
    outcome: str
    regimen: Regimen
    nights: int
    unit: str
    mean: float
    ci_low: float
    ci_high: float
    p_benefit: float
    p_beyond_mcid: float
    p_harm_beyond_mcid: float
    mcid: float
    verdict: Verdict
    nights_needed: int | None = None
    needs_placebo: bool = False
    lean: Lean = ""
    off_nights_needed: int | None = None
    recorded: bool = True
    raw: RawNights | None = None
    late_gi: LateGI | None = None
    not_estimated: str | None = None
    p_lean_agreed: float | None = None
    mcid_source: str = ""

    @property
    def p_lean(self) -> float:
        """The probability of the lean (:attr:`lean`; "helps" when there is none)."""
        own = 1 - self.p_benefit if self.lean == "worse" else self.p_benefit
        return own if self.p_lean_agreed is None else self.p_lean_agreed

    @property
    def tried(self) -> bool:
        """True when the form was taken on a night where this outcome was recorded."""
        return self.nights > 0

    @property
    def benefit(self) -> float:
        """The mean change in the better direction (positive = better)."""
        return SPECS[self.outcome].sign * self.mean

    def to_dict(self) -> dict[str, Any]:
        """The fields this adds to an ``effects`` entry of the ``analyze`` JSON."""
        return {"diary_change": {"unit": self.unit, "mean": self.mean, "ci_low": self.ci_low,
                                 "ci_high": self.ci_high,
                                 "elemental_mg_per_day": self.regimen.elemental_mg,
                                 "split": self.regimen.split},
                "p_beyond_mcid": self.p_beyond_mcid,
                "p_harm_beyond_mcid": self.p_harm_beyond_mcid, "verdict": self.verdict,
                "mcid": self.mcid, "nights_needed": self.nights_needed,
                "needs_placebo": self.needs_placebo,
                "off_nights_needed": self.off_nights_needed, "recorded": self.recorded,
                "not_estimated": self.not_estimated,
                "late_gi": None if self.late_gi is None else self.late_gi.to_dict()}

    def regimen_entry(self) -> dict[str, Any]:
        """A ``regimen_effects`` entry of the ``analyze`` JSON: one regimen taken, one outcome."""
        return {"form": self.form, "outcome": self.outcome, "nights": self.nights,
                "p_benefit": self.p_benefit} | self.to_dict()


@dataclass(frozen=True)
class DiaryEffects:
    """Every form x outcome :class:`DiaryEffect` (forms in FORMS order, then outcomes).

    ``placebo_nights`` counts the diary's recorded placebo nights: without any, magnesium's
    own effect (against placebo) is the change against no magnesium minus an expectation
    effect known only from its prior. ``by_regimen`` holds the same for every regimen taken
    (form, dose and split; forms in the order first taken, each form's doses together, then
    outcomes), its ``nights`` counted on that regimen alone: a form taken at 136 mg and later
    at 800 mg has an effect at each.
    """

    effects: tuple[DiaryEffect, ...]
    interval: float
    placebo_nights: int = 0
    by_regimen: tuple[DiaryEffect, ...] = ()

    def __iter__(self) -> Iterator[DiaryEffect]:
        """Iterate over the effects."""
        return iter(self.effects)

    def only_settled_on(self, allowed: Callable[[Regimen], bool]) -> DiaryEffects:
        """These effects with no ``nights_needed`` for a regimen ``allowed`` says no to.

        "About N more nights on it to tell" would advise nights on a dose above the ceiling
        or of an excluded form, or on any magnesium under a referral: for those the verdict
        stays open, and the advice says to stop.
        """
        def open_(effects: tuple[DiaryEffect, ...]) -> tuple[DiaryEffect, ...]:
            return tuple(e if allowed(e.regimen) else replace(e, nights_needed=None)
                         for e in effects)

        return replace(self, effects=open_(self.effects), by_regimen=open_(self.by_regimen))

    def not_estimated(self, why: str) -> DiaryEffects:
        """These effects with the verdict ``not_estimated`` and ``why``, nothing to wait for.

        For a fit that failed its checks: its draws cannot say "works" (see the module).
        """
        def blank(effects: tuple[DiaryEffect, ...]) -> tuple[DiaryEffect, ...]:
            return tuple(replace(_unjudged(e, NOT_ESTIMATED), not_estimated=why)
                         for e in effects)

        return replace(self, effects=blank(self.effects), by_regimen=blank(self.by_regimen))

    def get(self, form: str, outcome: str) -> DiaryEffect:
        """The effect of one form on one outcome."""
        for effect in self.effects:
            if effect.form == form and effect.outcome == outcome:
                return effect
        raise KeyError(f"no effect for {form} x {outcome}")

    def table(self) -> pd.DataFrame:
        """One row per form x outcome, tried forms first (then FORMS order)."""
        rows = [{"form": e.form, "outcome": e.outcome, "regimen": e.regimen.label,
                 "nights": e.nights, "unit": e.unit, "mean": e.mean, "ci_low": e.ci_low,
                 "ci_high": e.ci_high, "p_benefit": e.p_benefit,
                 "p_beyond_mcid": e.p_beyond_mcid, "p_harm_beyond_mcid": e.p_harm_beyond_mcid,
                 "mcid": e.mcid, "verdict": e.verdict, "nights_needed": e.nights_needed,
                 "recorded": e.recorded}
                for e in self.effects]
        frame = pd.DataFrame(rows)
        tried = frame.groupby("form")["nights"].transform("max") > 0
        return frame.assign(_tried=tried).sort_values(
            "_tried", ascending=False, kind="stable").drop(columns="_tried")


def _dose_taken(past: History, form: str, reference_mg: float) -> Regimen:
    """The regimen of ``form`` taken on most recorded nights (the first on ties)."""
    taken = Counter({r: n for r, n in past.nights_on.items() if r.active and r.form == form})
    return taken.most_common(1)[0][0] if taken else Regimen(form, reference_mg)


def _nights_on(nights: pd.DataFrame) -> dict[Regimen, dict[str, int]]:
    """Recorded nights of each regimen taken x outcome: taken, the outcome written down.

    Forms in the order first taken, each form's doses together in the order first taken.
    """
    taken = nights[nights["elemental_mg"] > 0]
    seen = taken[[SPECS[o].column for o in OUTCOMES]].notna().set_axis(list(OUTCOMES), axis=1)
    keys = [taken["form"].astype(str), taken["elemental_mg"].astype(float),
            taken["split"].eq(True)]
    counts = seen.groupby(keys, sort=False).sum()
    rows = [(Regimen(str(form), float(mg), bool(split)),
             {o: int(n) for o, n in zip(OUTCOMES, row, strict=True)})
            for (form, mg, split), row in zip(counts.index, counts.to_numpy(), strict=True)]
    order = list(dict.fromkeys(regimen.form for regimen, _ in rows))
    return dict(sorted(rows, key=lambda item: order.index(item[0].form)))


def _assess(form: str, outcome: str, regimen: Regimen, data: xr.Dataset, n: int,
            placebo_nights: int, priors: PriorSet, rule: VerdictRule,
            compared: int, now: bool, taught: tuple[int, float] | None) -> DiaryEffect:
    """One form x outcome (see :func:`diary_effects`).

    ``taught``: the nights on the form and its effect's posterior SD over its prior SD (the
    prior SD of the change is taken as its posterior SD over that ratio, for
    :func:`~model.analysis.verdicts.nights_needed`); None: no count of nights to tell.

    ``compared``: the nights off the form with the outcome recorded; with fewer than
    ``rule.min_nights`` of them more nights on it cannot settle the change (no verdict, no
    ``nights_needed``: ``off_nights_needed`` instead, ahead of ``needs_placebo``: nights off
    come first, and placebo nights count among them). ``now``: ``regimen`` is the one taken
    now, the only one given ``nights_needed`` ("about 1 more night on it to tell" was said of
    threonate 200 mg after the person had moved on to 300 mg: an outside audit, /tmp/jJ F7).
    """
    spec = SPECS[outcome]
    values = data[spec.gain_key]
    change = change_draws(values, regimen, Regimen(PLACEBO))
    benefit, mcid = spec.sign * change, priors.settings.outcomes[outcome].mcid
    said = verdict(benefit, mcid, rule)
    few = 0 < n < rule.min_nights        # a verdict on 2 nights rests on the prior's shape
    uncompared = n > 0 and compared < rule.min_nights    # nor on one night off the form
    seen = (spec.sign * change_draws(values, regimen, NO_MAGNESIUM)
            if outcome in SLEEP_OUTCOMES and not placebo_nights else None)
    unsure = (said != "inconclusive" and seen is not None and not uncompared
              and said != verdict(seen, mcid, rule))
    said = "inconclusive" if unsure or few or uncompared else said
    tail = (1 - rule.interval) / 2
    low, high = np.quantile(change, [tail, 1 - tail])
    open_ = now and said == "inconclusive" and not unsure and not uncompared
    needed = (nights_needed(benefit, mcid, taught[0], float(benefit.std()) / taught[1], rule,
                            off_nights=compared) if open_ and not few and taught else None)
    off = rule.min_nights - compared if uncompared else None
    way = lean(benefit, rule, seen)
    return DiaryEffect(
        form, outcome, regimen, n, spec.unit, float(change.mean()), float(low), float(high),
        float(np.mean(benefit > 0)), float(np.mean(benefit > mcid)),
        float(np.mean(benefit < -mcid)), float(mcid), said, needed, unsure, way, off,
        p_lean_agreed=lean_chance(benefit, way, seen) if way and seen is not None else None,
        mcid_source=priors.settings.outcomes[outcome].mcid_source)


def _unjudged(effect: DiaryEffect, said: Verdict) -> DiaryEffect:
    """``effect`` with the verdict ``said`` of no judgement: nothing to wait for, no lean."""
    return replace(effect, verdict=said, nights_needed=None, needs_placebo=False, lean="",
                   off_nights_needed=None, p_lean_agreed=None)


def unrecorded(effect: DiaryEffect) -> DiaryEffect:
    """``effect`` of an outcome no night records: ``not_recorded``, nothing to wait for."""
    return replace(_unjudged(effect, NOT_RECORDED), recorded=False)


def _placebo_nights(nights: pd.DataFrame) -> int:
    return int(((nights["form"] == PLACEBO) & nights["recorded"]).sum())


def diary_effects(predict: Predict, nights: pd.DataFrame, priors: PriorSet, *,
                  rule: VerdictRule = VerdictRule(), forms: Sequence[str] = FORMS,
                  ceiling_mg: float = np.inf, theta: np.ndarray | None = None) -> DiaryEffects:
    """Every form x outcome effect in diary units against placebo, with its verdict.

    Parameters
    ----------
    predict : callable
        ``predict(regimens) -> xarray.Dataset`` with dims (regimen, draw), joint draws
        (:meth:`model.personal.fit.PersonalModel.predict`, a
        :class:`model.testing.FakePosterior`).
    nights : pandas.DataFrame
        The diary's nights (:attr:`model.data.diary.Diary.nights`): the dose taken of each
        form, the current regimen, the nights on each form and on placebo.
    priors : PriorSet
        The MCIDs and the reference dose.
    rule : VerdictRule
        The thresholds of the verdicts.
    forms : sequence of str
        The forms to assess.
    ceiling_mg : float
        The person's daily ceiling (:attr:`model.decision.rules.Screening.ceiling_mg`): a form
        not taken yet is assessed at the reference dose or at the ceiling when it is lower,
        and not at all when the ceiling is 0 (other magnesium takes all of it).
    theta : numpy.ndarray, optional
        Posterior draws ``(draw, form, outcome)`` of the effects (``fit.draws_["theta"]``):
        how much the nights on a form have narrowed its prior, for ``nights_needed``; None
        gives no count (nothing says what the nights have taught).

    Returns
    -------
    DiaryEffects
        An outcome no night of ``nights`` records has the verdict ``not_recorded``
        (:func:`unrecorded`).

    """
    past = History.from_nights(nights)
    untried_mg = max(0.0, min(priors.settings.reference_dose_mg, ceiling_mg))
    regimens = {f: _dose_taken(past, f, untried_mg) for f in forms}
    regimens = {f: r for f, r in regimens.items() if r.elemental_mg > 0}
    taken = {r: n for r, n in _nights_on(nights).items() if r.form in forms}
    data = predict(list(dict.fromkeys([past.reference, Regimen(PLACEBO), NO_MAGNESIUM,
                                       *regimens.values(), *taken])))
    placebo = _placebo_nights(nights)
    outcomes = [o for o in OUTCOMES if SPECS[o].gain_key in data]

    recorded = nights[[SPECS[o].column for o in outcomes]].notna().set_axis(outcomes, axis=1)

    def on_form(form: str, outcome: str) -> int:
        return sum(n[outcome] for r, n in taken.items() if r.form == form)

    def off_form(form: str, outcome: str) -> int:
        return int((recorded[outcome] & nights["recorded"] & (nights["form"] != form)).sum())

    seen = recorded_outcomes(nights)
    each_night, gi = night_regimens(nights), nights["gi_night"].to_numpy(float)

    narrowed = None if theta is None else theta.std(axis=0) / prior_spread(priors)

    def assess(form: str, o: str, regimen: Regimen, n: int) -> DiaryEffect:
        taught = None if narrowed is None else (
            on_form(form, o), float(narrowed[FORMS.index(form), OUTCOMES.index(o)]))
        said = replace(_assess(form, o, regimen, data, n, placebo, priors, rule,
                               off_form(form, o), regimen == past.current, taught),
                       raw=raw_nights(nights, SPECS[o].column, regimen, rule.min_nights),
                       late_gi=late_gi(each_night, gi, regimen) if o == "gi" else None)
        return said if o in seen else unrecorded(said)

    return DiaryEffects(
        tuple(assess(form, o, regimens[form], on_form(form, o))
              for form in regimens for o in outcomes),
        rule.interval, placebo,
        tuple(assess(r.form, o, r, n[o]) for r, n in taken.items() for o in outcomes))
