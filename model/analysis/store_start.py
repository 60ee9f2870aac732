"""When the magnesium of a diary's first night was begun: checked, and said when assumed.

A diary whose first night is on magnesium is read as written by someone already taking it:
the regimen of that night was begun long before the diary, so its full effect counts from
the first night (:func:`model.likelihood.kinetics.store_lead`). Read as begun on the first
night, a bad first fortnight of someone on glycinate for months was credited to magnesium
building up (an outside audit: no true effect, "looks to help you (P 0.86)"). The profile's
``taking_since`` says otherwise: the day that regimen was begun (the first night's own date:
begun with the diary). :func:`checked_start` checks the key against the diary,
:func:`assumed_start` says the assumption once with the diary's warnings (the terminal, the
JSON's ``warnings``, the report), and :func:`since_words` words the start for the clinician
page and the report's build-up panel.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import warnings
from pathlib import Path

from model.core.errors import Fault, InputError
from model.core.forms import PLACEBO
from model.core.regimen import Regimen
from model.data.diary import Diary
from model.data.night_dates import given_date
from model.data.profile import Profile
from model.data.profile_entries import ProfileWarning
from model.decision.history import night_regimens

KEY = "taking_since"
"""The profile's key."""


def first_magnesium(diary: Diary) -> Regimen | None:
    """The regimen of the diary's first night when it is magnesium, else None."""
    first = night_regimens(diary.nights.iloc[:1])[0]
    return first if first.active else None


def _first(diary: Diary) -> dt.date:
    return diary.nights.index[0].date()


def checked_start(diary: Diary, profile: Profile, file: object) -> str | None:
    """The ``taking_since`` the fit reads (``YYYY-MM-DD``; None: begun long before the diary).

    ``file`` names the profile (its path; a :class:`Profile` or None: ``<profile>``).

    Raises
    ------
    InputError
        When the profile's day is after the diary's first night (naming ``file`` and the key).

    Warns
    -----
    ProfileWarning
        When the key is given but the first night is without magnesium (placebo or none):
        the nights themselves show when magnesium began, and the key is not read.
    """
    began, first = profile.taking_since, _first(diary)
    file = str(file) if isinstance(file, str | Path) else "<profile>"
    if began is None:
        return None
    if first_magnesium(diary) is None:
        what = "on placebo" if diary.nights["form"].iloc[0] == PLACEBO else "without magnesium"
        warnings.warn(f"{file}: key {KEY}: the diary's first night ({first}) is {what}, so "
                      f"{KEY} ({began}) is not used (the nights show when magnesium began): "
                      "remove the key", ProfileWarning, stacklevel=3)
        return None
    if began > first:
        raise InputError([Fault(file, f"key {KEY}", (
            f"{began} is after the diary's first night ({first}): give the day you began the "
            f"magnesium that night records, {first} or before ({first} itself if you began it "
            "with the diary)"))])
    return began.isoformat()


def assumed_start(diary: Diary, profile: Profile) -> Diary:
    """The diary with a warning saying what was assumed, when it starts on magnesium unsaid."""
    regimen = first_magnesium(diary)
    if regimen is None or profile.taking_since is not None:
        return diary
    first = _first(diary)
    note = (f"{diary.source}: assumed you were already taking {regimen.words} before {first}, the "
            "diary's first night, long enough for its full effect from that night (no "
            f"build-up is credited to it); if you began it on {first} or in the weeks before, "
            f"give the day in your profile: {KEY} = YYYY-MM-DD")
    return dataclasses.replace(diary, warnings=(*diary.warnings, note))


def since_words(diary: Diary, taking_since: dt.date | str | None) -> str | None:
    """How long the first night's magnesium had been taken, when begun before the diary.

    ``already taken before 2026-09-01`` (no ``taking_since``), ``taken since 2026-08-01``;
    None when the first night is without magnesium or the regimen began with the diary.
    """
    if first_magnesium(diary) is None:
        return None
    first = _first(diary)
    if taking_since is None:
        return f"already taken before {first}"
    began = given_date(taking_since, "taking_since")
    return None if began >= first else f"taken since {began}"
