"""Each effect of a dose taken, in words: the change, its verdict, the note above them.

``falling asleep 11 min faster (4 to 18 faster): works for you``, ``GI nights: +3 a month``; the
headline (:mod:`model.report.headline`), the report and the clinician page say them alike.
Intervals are 90 % and said once (:data:`INTERVAL_NOTE`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import pandas as pd

from model.analysis.effects import DiaryEffect, DiaryEffects
from model.analysis.verdicts import VerdictRule
from model.core.change_words import WORDS, chance, change_words, number, per_month
from model.core.forms import NONE
from model.core.outcomes import ORDINAL, SLEEP_OUTCOMES, SPECS
from model.data.weights import outcome_order
from model.decision.gi_words import late_gi_note
from model.personal.separability import MIN_PLACEBO_NIGHTS

INTERVAL_NOTE = ("Effects are magnesium's own (against placebo) at your typical night; ranges "
                 "in brackets are 90 % intervals.")

NOT_RECORDED_WORDS = "not recorded: from the evidence alone"
"""The verdict of an outcome no night of the diary records: no claim about the person."""

NOT_ESTIMATED_WORDS = "not estimated: the fit failed its checks"
"""The verdict of every effect of a fit that failed its checks: no claim about the person."""

_VERDICTS = {"works": "works for you", "harms": "harms you",
             "no_meaningful_effect": "no meaningful effect",
             "inconclusive": "not settled yet", "not_recorded": NOT_RECORDED_WORDS,
             "not_estimated": NOT_ESTIMATED_WORDS}


def change_phrase(effect: DiaryEffect) -> str:
    """The change of an effect in words (:func:`change_words`)."""
    return change_words(effect.outcome, effect.mean, effect.ci_low, effect.ci_high)


def verdict_phrase(effect: DiaryEffect, prescribed: bool = False,
                   old: Mapping[str, str] | None = None) -> str:
    """The verdict in words, with what an unsettled one still needs.

    ``old``: the dates of each outcome's nights without magnesium behind the person's level,
    when they are old (:func:`old_without`), said wherever the level is
    (:func:`without_words`).

    ``prescribed``: the magnesium is a prescribed treatment, held as prescribed
    (:func:`held_as_prescribed`); nights without it or on placebo are not asked for (Joan,
    glycinate 400 mg for low magnesium, read "needs 7 more written nights without it to
    compare with" under "keep taking it as prescribed": a pharmacist's audit, /tmp/w43/C).

    ``works`` or ``harms`` says "probably" and both chances unless P(beyond the MCID) is at
    least 0.8 and the interval shown stays on its side of zero: reached by the direction alone
    (:func:`model.analysis.verdicts.verdict`), or with an interval reaching past zero, it would
    claim more than the numbers beside it. An unsettled change that leans
    (:attr:`DiaryEffect.lean`) opens with the direction it probably goes and its chance
    (:attr:`DiaryEffect.p_lean`), then :data:`UNSETTLED` and why (:func:`_unsettled`): a reader
    skims the first words, and "not settled yet" first read as reassurance on a harm (a
    plain-language editor, /tmp/w46/D S3); the verdict itself is unchanged. A change smaller
    than the MCID whose interval stays on one side of zero "helps a little" (or is "a little
    worse"), by less than the MCID: "no meaningful effect" for glycinate's 8 min faster (4 to
    13), P 0.998 it helps, read as if it did nothing (an outside audit); only when it also
    leans that way, with the lean's chance (without placebo nights the nights must agree). One
    whose interval
    straddles zero is "not shown to reach the 20 min that trials count as meaningful, either
    way" (who counts it so: :func:`mcid_basis`): "no meaningful effect (smaller than the 20 min
    that matters)" for 5 min faster (15 faster to 2 slower), the nights 26 min without and 14 on
    it, read as a finding that it did nothing (a sleep scientist's audit, /tmp/w45/A F5). Both
    say the MCID's share of the person's level where it means something (:func:`_mcid_share`).
    An outcome no night records is :data:`NOT_RECORDED_WORDS` alone: nothing to wait for. What
    the nights alone show follows in brackets where the scale settled the verdict
    (:func:`room_note`) or the nights point the other way (:func:`contrary_note`), and GI nights
    that came late (:func:`~model.decision.gi_words.late_gi_note`).
    """
    if not effect.recorded or effect.not_estimated is not None:
        return _VERDICTS[effect.verdict]
    when = (old or {}).get(effect.outcome, "")
    notes = [n for n in (room_note(effect, when), contrary_note(effect, when),
                         late_gi_note(effect.late_gi, effect.ci_high)) if n]
    return _verdict_words(effect, prescribed, when) + "".join(f" ({n})" for n in notes)


def _verdict_words(effect: DiaryEffect, prescribed: bool, when: str) -> str:
    """The verdict of a recorded outcome in words (:func:`verdict_phrase`, without its notes)."""
    said, mcid, share = _VERDICTS[effect.verdict], _mcid_words(effect), _mcid_share(effect, when)
    ends = sorted(SPECS[effect.outcome].sign * v for v in (effect.ci_low, effect.ci_high))
    way = "helps" if ends[0] > 0 else "worse" if ends[1] < 0 else ""
    if effect.verdict == "no_meaningful_effect" and way and effect.lean == way:
        # the lean's own chance: without placebo nights, both comparisons' (its lean)
        small = (f"helps a little (P {chance(effect.p_lean)} it helps)" if way == "helps" else
                 f"a little worse (P {chance(effect.p_lean)} it is worse)")
        return f"{small}, by less than the {mcid} that matters{share}"
    if effect.verdict == "no_meaningful_effect":   # a sleep scientist's audit, /tmp/w45/A F5
        return (f"not shown to reach the {mcid} {mcid_basis(effect.mcid_source)}{share}, "
                "either way")
    if effect.verdict in ("works", "harms"):
        works = effect.verdict == "works"
        beyond = effect.p_beyond_mcid if works else effect.p_harm_beyond_mcid
        if beyond >= VerdictRule.p_beyond and (ends[0] > 0 if works else ends[1] < 0):
            return said
        either = effect.p_benefit if works else 1 - effect.p_benefit
        return (f"probably {said} (P {chance(either)} {'it helps' if works else 'it is worse'}; "
                f"P {chance(beyond)} by more than the {mcid} that matters)")
    why = "; ".join(_unsettled(effect, prescribed, share))
    if effect.lean:     # the lean first: a plain-language editor, /tmp/w46/D S3
        return f"probably {effect.lean} (P {chance(effect.p_lean)}), {UNSETTLED}: {why}"
    return said + (f": {why}" if why else "")


UNSETTLED = "not yet a settled verdict"
"""What follows the lean of an unsettled change, before why it is not a verdict."""


def _unsettled(effect: DiaryEffect, prescribed: bool, share: str) -> list[str]:
    """Why an unsettled verdict is not settled, and what would settle it.

    ``share``: the MCID's share of the person's level, in words (:func:`_mcid_share`).

    Nights off or placebo nights it still needs (a prescribed magnesium's prescriber decides
    those: :data:`PRESCRIBED_NOT_PAUSED`), the nights on it to tell (:func:`_nights_words`).
    A change that leans (:attr:`DiaryEffect.lean`) always says why it is no verdict: too few
    nights on it for one (:attr:`VerdictRule.min_nights`), else the chance it reaches the
    MCID. "GI nights: +12 a month (+3 to +21): not settled yet: probably worse (P 0.99)" was
    skimmed as reassurance beside advice to stop citrate for doing harm, 4 nights on it (a
    plain-language editor, /tmp/w46/D S3).
    """
    if prescribed and (effect.needs_placebo or effect.off_nights_needed is not None):
        return [PRESCRIBED_NOT_PAUSED]
    if effect.needs_placebo:
        return ["placebo nights are needed to tell magnesium from expectation"]
    why = []
    if effect.off_nights_needed is not None:
        n = effect.off_nights_needed
        why.append(f"needs {n} more written night{'s' * (n != 1)} without it to compare with")
    elif effect.lean and 0 < effect.nights < VerdictRule.min_nights:
        why.append(f"only {effect.nights} written night{'s' * (effect.nights != 1)} on it, and "
                   f"a verdict takes at least {VerdictRule.min_nights}")
    elif effect.lean:
        helps = effect.lean == "helps"
        beyond = effect.p_beyond_mcid if helps else effect.p_harm_beyond_mcid
        why.append(f"P {chance(beyond)} {'it helps' if helps else 'it is worse'} by more than "
                   f"the {_mcid_words(effect)} that matters{share}")
    if effect.nights_needed is not None:
        why.append(_nights_words(effect))
    return why


_CITATION = re.compile(r"[A-Z][A-Z0-9]*\d{4}(?:_[A-Z0-9]+)*")
"""A citation key of ``priors/settings.toml`` (``EDINGER2021_AASM``)."""


def mcid_basis(source: str) -> str:
    """Who counts an MCID as meaningful, in words, from its ``mcid_source`` (the settings').

    A citation key alone (``EDINGER2021_AASM``) is a published MCID used as it stands: "that
    trials count as meaningful"; a key then words with "convert" (``TOUSSAINT2020, converted
    ...``) is a published one converted to the diary's scale; anything else is a judgement
    ("project judgement (no published MCID for GI nights)"). "The 1.5 a month that trials
    count as meaningful" was said of GI nights, whose bar no trial set (an outside audit,
    /tmp/w51/b B2).
    """
    if _CITATION.fullmatch(source):
        return "that trials count as meaningful"
    if _CITATION.match(source) and "convert" in source:
        return "that we count as meaningful (converted from a published one)"
    return "that we count as meaningful (our judgement)"


def _mcid_words(effect: DiaryEffect) -> str:
    """The MCID in the diary's units: ``20 min``, ``1.5 a month`` (GI nights)."""
    return _level(effect.outcome, effect.mcid)


def _mcid_share(effect: DiaryEffect, when: str = "") -> str:
    """`` (about 70 % of your 30 min without magnesium)``, or ``""`` where it says nothing.

    A steady 25 % cut of a 30-minute sleep onset (about 7.5 min) can at best be "no
    meaningful effect" against the 20 min MCID, read as "nothing" (a cross-checking
    biostatistician, /tmp/w46/E F4): the MCID's share of the person's own level without
    magnesium (:attr:`DiaryEffect.raw`) says how large a change it asks for. Said for the
    outcomes counted from zero (minutes, awakenings), whose share of a level means something
    (not the ratings), and not where the level is within the MCID of zero (:func:`room_note`
    says so) or the share is under :data:`MCID_SHARE`.
    """
    raw, outcome = effect.raw, effect.outcome
    if (raw is None or outcome not in SLEEP_OUTCOMES or outcome in ORDINAL
            or SPECS[outcome].room(raw.without) < effect.mcid
            or effect.mcid < MCID_SHARE * raw.without):
        return ""
    return (f" (about {round(effect.mcid / raw.without, 1) * 100:.0f} % of your "
            f"{_level(outcome, raw.without)} {without_words(when)})")


MCID_SHARE = 0.1
"""The least share of a person's level an MCID is said as (:func:`_mcid_share`, to the nearest
10 %): an MCID under it is a small change for them, and its share adds nothing."""

OLD_WITHOUT_NIGHTS = 60
"""Nights before the diary's last night beyond which the nights without magnesium behind a
level are old, and dated where the level is said (:func:`old_without`): two months, within
which sleep rarely moves far on its own, and a look or two of the closed loop (evaluation
periods of 7 to 28 nights)."""


def without_words(when: str) -> str:
    """``without magnesium``, or ``on your nights without magnesium from A to B`` (``when``)."""
    return f"on your nights without magnesium {when}" if when else "without magnesium"


def old_without(nights: pd.DataFrame) -> dict[str, str]:
    """Each sleep outcome whose nights without magnesium are old, and their dates in words.

    ``{"sol": "from 2026-02-01 to 2026-02-14"}``: the recorded nights without magnesium
    (form ``none``) with the outcome written, those behind the person's level
    (:attr:`DiaryEffect.raw`), when the last of them is more than :data:`OLD_WITHOUT_NIGHTS`
    nights before the diary's last night. "About 40 % of your 45 min without magnesium"
    quoted 14 nights of February in December as the person's level, their nights on
    magnesium by then 15-17 min with sleep improved on its own (an outside audit, /tmp/w50/b
    F-2): the level is theirs as it was then, and the words say when.
    """
    without = nights[nights["recorded"].astype(bool) & (nights["form"] == NONE)]
    out = {}
    for outcome in SLEEP_OUTCOMES:
        days = without.index[without[SPECS[outcome].column].notna()]
        if len(days) and (nights.index[-1] - days[-1]).days > OLD_WITHOUT_NIGHTS:
            out[outcome] = f"from {days[0].date()} to {days[-1].date()}"
    return out


def _named(outcome: str) -> str:
    """An outcome as a level a night has: ``time to fall asleep``, not "falling asleep"."""
    return "time to fall asleep" if outcome == "sol" else WORDS[outcome][0]


def _level(outcome: str, value: float) -> str:
    """A diary level in words: ``12 min``, ``1.5 points``, ``3 a month`` (GI nights)."""
    return f"{number(per_month(outcome, value), outcome)} {WORDS[outcome][3]}"


def room_note(effect: DiaryEffect, when: str = "") -> str:
    """What a sleep outcome's level without magnesium left to gain, when less than the MCID.

    ``1.5 points without magnesium, within 1.6 points of the scale's best (0): no gain that
    matters could show`` (the line names the outcome and its MCID already), else
    ``""``. Anxiety of 1.54 without magnesium, 0 on it, was "helps a little ..., by less than
    the 1.6 points that matters" as if the nights had settled it: the scale had (an
    edge-of-scale audit, /tmp/w44/C F5). The level is that of the recorded nights without
    magnesium (:attr:`DiaryEffect.raw`), the person's own room
    (:meth:`~model.core.outcomes.OutcomeSpec.room`), not a model's estimate of it. An
    unsettled verdict adds that only a loss can still show ("placebo nights are needed" at a
    quality of 4.9 of 5 cannot reveal a gain). A harm is not about the room; GI nights are
    a harm's outcome, not a gain's.
    """
    raw, spec = effect.raw, SPECS[effect.outcome]
    if (raw is None or effect.outcome not in SLEEP_OUTCOMES or effect.verdict == "harms"
            or spec.room(raw.without) >= effect.mcid):
        return ""
    said = (f"{_level(effect.outcome, raw.without)} {without_words(when)}, within "
            f"{_level(effect.outcome, effect.mcid)} of the scale's best ({spec.best:g}): no "
            "gain that matters could show")
    return said + ("; only a loss can" if effect.verdict == "inconclusive" else "")


def contrary_note(effect: DiaryEffect, when: str = "") -> str:
    """What the nights on the regimen showed, when magnesium's own effect is said the other way.

    Said when the line gives the change a direction (its mean is not said as "no change")
    and the nights on the regimen differ from those without magnesium the other way with P
    >= ``p_direction`` (0.9, the bar of an effect's "probably";
    :meth:`~model.data.night_levels.RawNights.direction`, a yardstick of the nights' noise);
    else ``""``. An insomniac whose nights on glycinate averaged 173 min to fall asleep
    against 155 without was told "falling asleep 33 min faster (99 faster to 33 slower)"
    without a word: the model had put the difference down to the expectation of taking
    anything and to build-up (an edge-of-scale audit, /tmp/w44/C F6). What would test that
    follows from the diary's placebo nights (``raw.placebo``, :func:`placebo_test`). A
    covariate that differs between the two sets of nights is named first
    (:attr:`~model.data.night_levels.RawNights.covariates`: "a day sleep (after a night shift
    or a flight) on 100 % of its nights, 42 % without"); what the model does not know of is
    said above the regimen's lines (:func:`nights_label`).
    """
    raw, outcome = effect.raw, effect.outcome
    said = effect.mean if float(number(per_month(outcome, effect.mean), outcome)) else 0.0
    if raw is None or raw.on is None or raw.direction(VerdictRule.p_direction) * said >= 0:
        return ""
    beside = "".join(f"{c} (fitted apart), to " for c in raw.covariates)
    return (f"your {_named(outcome)} averaged {_level(outcome, raw.on)} on it and "
            f"{_level(outcome, raw.without)} {without_words(when) if when else 'without'}: the "
            f"model credits that difference to {beside}taking anything (the expectation "
            f"effect), the diary's drift or build-up rather than to magnesium; "
            f"{placebo_test(raw.placebo)}")


def placebo_test(placebo_nights: int) -> str:
    """What would test a difference the model credits to expectation, by the placebo nights.

    ``a blinded placebo period would test that`` while the diary has fewer than
    :data:`~model.personal.separability.MIN_PLACEBO_NIGHTS` placebo nights; with as many, they
    are what the model read the expectation from, and more of them would test it further: "a
    blinded placebo period would test that" was said with 13 placebo nights in the diary (an
    outside audit, /tmp/w51/c C13).
    """
    if placebo_nights < MIN_PLACEBO_NIGHTS:
        return "a blinded placebo period would test that"
    return f"more placebo nights than your {placebo_nights} would test that further"


CLOSE = "close to a verdict: the next nights may settle it either way"
"""What an effect whose verdict may come within an evaluation period says, not a count."""


NIGHTS_TO_TELL_CAP = 120
"""Written nights on a regimen (about four months of nightly writing) above which no count is
said (:func:`_nights_words`): "about 347 more written nights on it to tell" meant "never" to
the person who read it (an outside audit, /tmp/w49/c F3). A count that large says the
change, if any, is small beside how much the nights vary, or that the nights off it cap the
contrast (:func:`~model.analysis.verdicts.nights_needed`), and the count itself moves
widely as the nights come in (171 became 353 after 120 more: /tmp/w46/E F1). Four months
are four or more of the decision's evaluation periods (7 to 28 nights): a count beyond them
is no plan a person can follow."""

FAR_FROM_TELLING = (f"more nights on it alone are unlikely to settle it soon (over "
                    f"{NIGHTS_TO_TELL_CAP} more written nights): the change, if any, is small "
                    "beside how much your nights vary")
"""What an effect says in place of a count over :data:`NIGHTS_TO_TELL_CAP`."""


def _nights_words(effect: DiaryEffect) -> str:
    """``about 40 more written nights on it to tell``, or :data:`CLOSE`, or far from telling.

    :data:`CLOSE` under a period, :data:`FAR_FROM_TELLING` over :data:`NIGHTS_TO_TELL_CAP`.
    Written nights with the outcome (:attr:`DiaryEffect.nights`), not calendar nights: a
    person writing every other night needs about twice as many nights on it, and the same
    advice's "look again in 16 nights" counts calendar nights (an outside audit, /tmp/w43/S
    F5).

    :func:`~model.analysis.verdicts.nights_needed` gives 1 or a few whenever the posterior
    sits on a verdict's threshold, where the next night is as likely to push it back: "about
    1 more night on it to tell" was said look after look, 11 nights apart (an outside audit,
    /tmp/jJ F7). No count comes before ``min_nights`` nights on the regimen: after one night
    every outcome said "about 6 more written nights on it to tell" (the floor of a verdict,
    not an estimate: an outside audit, /tmp/w46/C F1); the verdict then says "not settled
    yet" alone, or with the way it leans.
    """
    n = effect.nights_needed or 0
    if n < VerdictRule.min_nights:
        return CLOSE
    if n > NIGHTS_TO_TELL_CAP:
        return FAR_FROM_TELLING
    return f"about {n} more written night{'s' * (n != 1)} on it to tell"


def effect_line(effect: DiaryEffect, prescribed: bool = False,
                old: Mapping[str, str] | None = None) -> str:
    """One effect: the change and its verdict (``prescribed``, ``old``: :func:`verdict_phrase`)."""
    return f"{change_phrase(effect)}: {verdict_phrase(effect, prescribed, old)}"


PRESCRIBED_NOT_PAUSED = ("a prescribed magnesium is not paused or swapped for placebo to "
                         "compare: its prescriber decides")
"""What an unsettled effect says of a prescribed treatment instead of the nights off it needs."""


def held_as_prescribed(codes: Sequence[str]) -> bool:
    """Whether a recommendation's ``codes`` hold the magnesium as a prescribed treatment."""
    return "prescribed" in codes


MANY_LINES = 10
"""Effect lines from which the headline says that a "probably" among them may be chance."""


def chance_note(lines: int) -> str:
    """`` Each line is judged on its own: ...`` under :data:`MANY_LINES` or more lines, else ``""``.

    Ten or more verdicts are read at once, so one "probably" at P 0.9-0.95 is to be expected
    by chance alone (an outside audit: citrate's sleep quality "probably works" where the
    person's world had it do nothing).
    """
    return (f" Each line is judged on its own: among {lines}, a “probably” may be "
            "chance, so act on the lines that agree with each other or with the evidence."
            if lines >= MANY_LINES else "")


def tried_forms(effects: DiaryEffects,
                weights: Mapping[str, float]) -> list[tuple[str, list[DiaryEffect]]]:
    """Each regimen taken so far with its effects on the outcomes recorded while taking it.

    One entry per dose of a form (:attr:`DiaryEffects.by_regimen`); labels read
    ``glycinate 300 mg, 33 written nights``, the nights on that dose with an outcome written
    (:func:`nights_label`). Each dose's effects follow
    :func:`~model.data.weights.outcome_order` of ``weights`` (the profile's
    :meth:`outcome_weights`).
    """
    order = outcome_order(weights)
    out = []
    for regimen in dict.fromkeys(e.regimen for e in effects.by_regimen if e.tried):
        own = sorted((e for e in effects.by_regimen if e.regimen == regimen and e.tried),
                     key=lambda e: order.index(e.outcome))
        out.append((f"{regimen.words}, {nights_label(own)}", own))
    return out


NAMED_SHARE = 0.75
"""The share of a dose's written nights under which an outcome's own nights are named."""


def nights_label(own: list[DiaryEffect]) -> str:
    """``28 written nights``, and the outcomes written on fewer: ``; falling asleep on 17``.

    Each effect rests on the nights its outcome was written (:attr:`DiaryEffect.nights`): a
    tracker's blank latency on 11 of 28 nights had "glycinate 200 mg, 28 nights" head lines
    resting on 17 (an outside audit, /tmp/w43/S F5). Only outcomes written on fewer than
    :data:`NAMED_SHARE` of those nights are named (a night or two without a rating is said
    by no label), those on the same count together, most nights first. What the model does
    not know of follows (:attr:`~model.data.night_levels.RawNights.unfitted`): "; jet lag or a
    flight noted on 54 % of its nights, 5 % without, which the model does not know of", said
    whichever way the lines go (a traveller's audit, /tmp/w55/t2 T1: said only beside a line
    the nights contradicted, it was silent where the trip was charged to the form).
    """
    most = max(e.nights for e in own)
    fewer: dict[int, list[str]] = {}
    for e in sorted(own, key=lambda e: -e.nights):
        if e.nights < NAMED_SHARE * most:
            fewer.setdefault(e.nights, []).append(WORDS[e.outcome][0])
    said = "".join(f"; {', '.join(names[:-1])}{' and ' * (len(names) > 1)}{names[-1]} on {n}"
                   for n, names in fewer.items())
    unknown = next((e.raw.unfitted for e in own if e.raw is not None and e.raw.unfitted), ())
    said += "".join(f"; {u}, which the model does not know of (exclude = travel leaves them out)"
                    for u in unknown)
    return f"{most} written night{'s' * (most != 1)}{said}"
