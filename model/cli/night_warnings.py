"""What ``mgsleep log`` warns of, once a night is written (all is written: these say what to check).

A night dated after today or tonight's sleep, a dose above the ceiling
(:func:`warn_unusual`); a form logged on a night of a blinded plan's pot
(:func:`warn_pot_form`); loose stools lately, per pot or on the regimen taken
(:func:`watch_night`, with what the profile's hard rules say of the night).
"""

from __future__ import annotations

import datetime as dt
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from model.core.regimen import Regimen
    from model.data.diary import Diary
    from model.data.profile import Profile

MORNING_FIELDS = frozenset({"sol_min", "awakenings", "waso_min", "quality", "freshness",
                            "stool_bristol"})
"""What only the next morning knows (the dose, the evening's anxiety and the day's GI upset are
known tonight)."""
_ONE_DAY = dt.timedelta(days=1)


def warn_unusual(night: dt.date, values: dict[str, str]) -> None:
    """Warn of a night after today, of tonight's sleep, of a dose above the ceiling or < 1 mg.

    All are written: the warnings say what to check.
    """
    from model.data.diary_rows import over_ceiling

    today = dt.date.today()
    if night > today:
        warnings.warn(f"night {night} is after today: check --date (analyze leaves out nights "
                      "after its --as-of date)", stacklevel=2)
    elif night == today and set(values) & MORNING_FIELDS:
        warnings.warn(f"night {night} is tonight, so its sleep is not known yet: a night is "
                      f"dated by the evening it begins (last night was {today - _ONE_DAY}); "
                      "check --date", stacklevel=2)
    try:
        dose = float(values.get("elemental_mg", "nan"))
    except ValueError:
        return
    if said := over_ceiling(dose, "--compound-mg"):
        warnings.warn(f"{said}.", stacklevel=2)


def warn_pot_form(night: dt.date, values: dict[str, str], rows: Any) -> None:
    """Warn when a form is logged on a night of a blinded plan's pot.

    ``mgsleep unblind`` keeps a form the person logged over the key's: ``log --form citrate
    --mg 200`` on a pot night was accepted without a word (a blinded trial's audit).
    ``--form none`` (the pot forgotten) is what such a night may say.
    """
    from model.core.forms import NONE, PLACEBO, canonical_form
    from model.data.pot_notes import CODE_NOTE

    if canonical_form(values.get("form", NONE)) in (NONE, PLACEBO):
        return
    notes = rows.loc[rows["date"].str.strip() == night.isoformat(), "notes"] \
        if "notes" in rows else ()
    code = next((m for note in notes if (m := CODE_NOTE.match(str(note)))), None)
    if code is not None:
        warnings.warn(f"night {night} is a night of pot {code[1].upper()} of a blinded plan: "
                      "the form and dose logged replace the sealed key's when it is unblinded; "
                      "if you took the pot, log only the outcomes (--form none --replace says "
                      "you took nothing)", stacklevel=2)


def watch_night(path: Path, night: dt.date, values: dict[str, str],
                profile: Profile | None = None) -> None:
    """Warn of loose stools lately, a rota, and a night the profile's hard rules speak against.

    Loose stools per pot of a blinded trial or on the regimen taken
    (:func:`model.analysis.blinded.gi_alerts`; no pot's when ``values``, the night logged,
    give a form); an ``other_change`` written again and again
    (:func:`~model.data.life_events.recurring_warning`); with ``profile``,
    :func:`profile_warnings`, with the facts the diary's words up to the night add (a
    pregnancy written a week before holds its ceiling tonight: an outside audit, /tmp/w53/c C2,
    found only the night's own words read). A diary that does not read
    says nothing here: the next analysis names its faults.

    The regimen's alert ("if they go on, stop citrate 300 mg") is about the night logged: not
    said when that night took no magnesium (:func:`took_nothing`). The decision reads the
    diary's last nights off magnesium as nights skipped, its regimen still current
    (:func:`model.decision.history.trailing_skips`), so after ``--form none`` the alert
    came again on each night logged, to a person who had stopped as it asked (a review).
    """
    import pandas as pd

    from model.analysis.blinded import gi_alerts
    from model.core.errors import MgsleepError
    from model.data.diary import read_diary
    from model.data.life_events import recurring_warning
    from model.data.profile import Profile
    from model.decision.diary_mentions import with_diary_mentions
    from model.evidence.floor import bundled_safety

    try:
        diary = read_diary(path, warn=False).with_loose_bristol(
            bundled_safety().gi_constraint.loose_bristol)
    except MgsleepError:
        return
    said = gi_alerts(diary, pots="form" not in values)
    if "other_change" in values and (rota := recurring_warning(diary.nights, str(path))):
        said.append(rota)    # a rota written again and again holds nothing: said at once
    if took_nothing(diary, night):     # not said again to one who stopped, as it asks
        said = [alert for alert in said if alert not in gi_alerts(diary, pots=False)]
    day = pd.Timestamp(night)
    said += with_diary_mentions(profile or Profile(), diary.nights[  # this night's words said
        diary.nights.index == day], bundled_safety()).warnings
    if profile is not None:     # the facts of every night's words up to it kept (/tmp/w53/c C2)
        said += profile_warnings(diary, night, with_diary_mentions(
            profile, diary.nights[diary.nights.index <= day], bundled_safety()).profile)
    said += off_last_advice(diary, str(path), night)
    for alert in said:
        warnings.warn(alert, stacklevel=2)


def off_last_advice(diary: Diary, source: str, night: dt.date) -> list[str]:
    """The night logged off the last analysis's advice, said at once (none: on it, or no record).

    ``mgsleep log`` compared no night with the advice: taurate logged on 12 of 14 nights after
    "Stop taking magnesium" was said by nothing until the next analysis (an outside audit,
    /tmp/w57/n N5). The record is the one ``analyze`` keeps in its default cache
    (:func:`~model.analysis.fit_cache.default_cache_dir`); the nights since it are compared as
    its line since the last analysis compares them
    (:func:`~model.analysis.advice_followed.not_followed`: nights skipped are none), and the
    night logged must be one of those off it.
    """
    from model.analysis.advice_followed import not_followed
    from model.analysis.fit_cache import default_cache_dir
    from model.analysis.since_last import read_last, record_path

    last = read_last(record_path(default_cache_dir(), source), source)
    if last is None or night <= last.as_of:
        return []
    off = not_followed(last.advised, diary.nights, last.as_of, night, last.every_night)
    if off is None or off.last != night:
        return []
    return [f"night {night}: the last analysis, of your nights to {last.as_of}, advised you to "
            f"{last.step}; your diary since shows {off.words()} (mgsleep analyze says what "
            "that changes)"]


def took_nothing(diary: Diary, night: dt.date) -> bool:
    """Whether ``night`` of ``diary`` is an open night without magnesium (not a pot's, nor placebo).

    A pot night of a blinded plan has no form either, but its code (:func:`~model.data.diary.
    pot_codes`).
    """
    import pandas as pd

    from model.core.forms import NONE
    from model.data.diary import pot_codes

    logged = diary.nights.loc[diary.nights.index == pd.Timestamp(night)]
    return bool(len(logged)) and logged["form"].iloc[0] == NONE \
        and bool(pot_codes(logged).isna().iloc[0])


def profile_warnings(diary: Diary, night: dt.date, profile: Profile) -> list[str]:
    """What the profile's hard rules say of the magnesium a logged night took.

    A contraindication (stop, see a clinician), a dose above the person's ceiling (their
    ``max_elemental_mg``, the limit less their other magnesium), a form their profile
    excludes. ``log`` checked a night against the bundled ceiling alone: 300 mg logged by
    a person whose profile caps it at 200 mg, or logged with kidney disease, went in without
    a word (an outside audit, /tmp/hH). Under a hold (pregnancy, breastfeeding, digoxin), a
    change from the night before (:func:`_hold_change`) and a dose above the hold's ceiling
    name the clinician: a pregnant person's switch went in without a word (a life-stage audit).
    """
    import pandas as pd

    from model.decision.history import night_regimens
    from model.decision.other_magnesium import after_other
    from model.decision.screening import screen
    from model.evidence.floor import bundled_safety

    taken = night_regimens(diary.nights.loc[[pd.Timestamp(night)]])[0]
    rules = screen(profile, bundled_safety(), taken)
    if taken.active and rules.referrals:
        return [f"night {night}: {taken.words}, but your profile has a contraindication to "
                "magnesium: stop taking it and see a clinician (mgsleep analyze --profile "
                "says why)"]
    said = [_hold_change(diary, night, taken)] if rules.holds else []
    if taken.active and taken.elemental_mg > rules.ceiling_mg:
        said.append(f"night {night}: {taken.elemental_mg:g} mg of elemental magnesium is above "
                    f"your daily ceiling of {rules.ceiling_mg:g} mg"
                    f"{after_other(rules.other_mg)}: take at most that"
                    + (", and see your clinician before any other change (your profile asks "
                       "for their sign-off)" if rules.holds else ""))
    if taken.active and taken.form not in rules.allowed_forms:
        said.append(f"night {night}: {taken.form} is a form your profile excludes")
    return [line for line in said if line]


def _hold_change(diary: Diary, night: dt.date, taken: Regimen) -> str:
    """A night whose magnesium differs from the night before it, under a hold, or "".

    Form, dose or split, or starting or stopping: under a hold (``safety.toml``'s rules of
    kind ``clinician``) magnesium is not changed without the clinician.
    """
    import pandas as pd

    from model.decision.history import night_regimens
    from model.decision.rule_words import BEFORE_ANY_CHANGE

    nights = diary.nights
    before = nights[(nights.index < pd.Timestamp(night)) & nights["recorded"]]
    if before.empty:
        return ""
    previous = night_regimens(before.iloc[[-1]])[0]
    if previous == taken:
        return ""
    return (f"night {night}: {taken.words}, after {previous.words} on "
            f"{before.index[-1].date()}: your profile asks that magnesium not be changed "
            f"without your clinician (mgsleep analyze --profile says why): {BEFORE_ANY_CHANGE}")
