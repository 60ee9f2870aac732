"""Nights unlike the others: another change in a person's life, nights left out, nights missing.

A diary follows one person whose life does not hold still: a new medicine, melatonin,
CBT-I, travel, a cold (an outside audit, /tmp/w42/J: sertraline begun on night 30 was booked
on taurate; ten nights of jet lag and a week's cold turned a helpful glycinate into "harms
you (P 0.94)"). Two optional columns let the person say so:

- ``other_change`` (:data:`~model.data.diary_columns.OTHER_CHANGE`): text on the night
  something else changed. The decision holds changes made for a gain or to learn for one
  evaluation period after it (:func:`model.decision.overrides.held_for_other_change`), and the
  separability reasons name one near a change of regimen
  (:func:`model.personal.separability.other_change_near`). A condition or a medicine it
  names, or ``notes`` names, is screened (:func:`written_texts`,
  :mod:`model.decision.diary_mentions`). A text that only names a menstrual period or the
  trial's own step (:mod:`model.data.period_nights`), one written again and again (a rota:
  :func:`recurring`), or one that says nothing changed ("-", "nil": :data:`NOTHING`), is no
  change of life (:func:`other_changes`).
- ``exclude`` (:data:`~model.data.diary_columns.EXCLUDE`): 1 or a word (``travel``, ``ill``)
  on a night whose sleep outcomes are not to be read. They are read as not recorded
  (:data:`LEFT_OUT`); the dose and the stool/GI columns are kept, since the build-up of
  magnesium's effect and the GI safety rules need them (:func:`leave_out`), but on a night
  whose reason names a period's bleeding or a laxative taken (without the supplement), whose
  stool/GI record is the period's or the laxative's (:data:`PERIOD_LEFT_OUT`), for no more
  nights than a period lasts or a laxative taken now and then is taken
  (:data:`~model.data.period_nights.GI_ASIDE`).

What is said of them is of the nights analysed alone (:func:`life_event_warnings`: an outside
audit, /tmp/w51/c C11, found nights after ``--as-of`` counted).

Nights missing between recorded dates are said by :mod:`model.data.unwritten_nights`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from model.core.forms import NONE, PLACEBO
from model.data.diary_columns import EXCLUDE, OTHER_CHANGE, is_missing
from model.data.night_dates import as_date
from model.data.period_nights import (
    GI_ASIDE,
    LAXATIVE,
    GiAside,
    gi_aside_warnings,
    gi_set_aside,
    mentions_laxative,
    names_laxative,
    names_period,
    names_plan_period,
    span,
)
from model.data.pot_notes import untagged
from model.data.travel_nights import TRAVEL_SAID, travel_warning
from model.data.yes_no import yes_no
from model.evidence.names import name_key

LEFT_OUT: tuple[str, ...] = ("sol_min", "awakenings", "waso_min", "quality", "freshness",
                             "anxiety")
"""The sleep outcomes an excluded night does not give: not the stool form nor a GI upset."""

EXCLUDED = "excluded"
"""The reason of a night excluded with 1 or a yes (no word of its own)."""


def exclude_reason(value: object) -> str:
    """A cell of ``exclude`` as the reason the night is left out ("": kept).

    Blank, 0 or a no (``no``, ``false``: ``no`` was a reason to leave it out) keeps the night;
    1 or a yes (``yes``, ``x``: :func:`~model.data.yes_no.yes_no`, as the diary's 0/1 columns
    read them) leaves it out (:data:`EXCLUDED`); another word (``travel``, ``ill``) leaves it
    out and is the reason, lower-case, spaces collapsed.
    """
    if is_missing(value):
        return ""
    text = " ".join(str(value).split()).lower()
    if (said := yes_no(text)) is not None:
        return EXCLUDED if said else ""
    try:
        number = float(text)
    except ValueError:
        return text
    return "" if number == 0 else EXCLUDED


def other_change_text(value: object) -> str:
    """A cell of ``other_change`` as its text, spaces collapsed ("": nothing changed)."""
    return "" if is_missing(value) else " ".join(str(value).split())


def _by_date(table: pd.DataFrame, column: str, read: object) -> dict[pd.Timestamp, str]:
    """Each date of ``table`` with its ``column`` cell read by ``read`` (only those non-blank)."""
    if column not in table.columns:
        return {}
    out = {}
    for day, value in zip(table["date"], table[column], strict=True):
        date, text = as_date(day), read(value)  # type: ignore[operator]
        if date is not None and text:
            out[pd.Timestamp(date)] = text
    return out


PERIOD_LEFT_OUT: tuple[str, ...] = ("stool_bristol", "gi_upset")
"""The stool/GI record that a night excluded for a period's bleeding (or for a laxative,
:data:`~model.data.period_nights.GI_ASIDE`) does not give either."""


def leave_out(table: pd.DataFrame, recorded: pd.DataFrame,
              name: str) -> tuple[pd.DataFrame, list[str]]:
    """The parsed nights with ``other_change`` and ``exclude`` read, and their warnings.

    ``table``: the diary as read (columns normalised); ``recorded``: its parsed nights, by date.
    Each night gains the text of ``other_change`` and the reason of ``exclude``
    (:func:`exclude_reason`), "" without; an excluded night's sleep outcomes (:data:`LEFT_OUT`)
    become not recorded, its dose and stool/GI record stay. On a night whose reason names a
    period's bleeding (:func:`~model.data.period_nights.names_bleeding`: ``exclude = period``,
    not ``PMS``), or a laxative taken on a night without the supplement (``exclude =
    laxative``, :func:`~model.data.period_nights.names_laxative`; :func:`_marks`), the stool/GI
    record (:data:`PERIOD_LEFT_OUT`) is not recorded either, on and off magnesium alike, within each
    one's limit (:func:`~model.data.period_nights.gi_set_aside`): the one way to say its gut
    trouble is the period's (or the laxative's), read by the fit's GI counts (the GI chance
    constraint, the GI figure) and the GI rules as by every reader of the diary. Counting such
    nights toward the person's own rate without magnesium instead would raise the acute rule's
    allowance on every other night (:func:`model.decision.rules.acute_gi`), and leaving them out
    on magnesium only would set the period's gut trouble against magnesium in the fit. The
    warnings are :func:`life_event_warnings`.
    """
    changes = _by_date(table, OTHER_CHANGE, other_change_text)
    reasons = _by_date(table, EXCLUDE, exclude_reason)
    out = recorded.copy()
    out[OTHER_CHANGE] = [changes.get(day, "") for day in out.index]
    out[EXCLUDE] = [reasons.get(day, "") for day in out.index]
    excluded, marks, _ = _marks(out)
    aside = np.logical_or.reduce([set_aside for _, _, set_aside in marks])
    out.loc[excluded, [c for c in LEFT_OUT if c in out.columns]] = np.nan
    out.loc[aside, [c for c in PERIOD_LEFT_OUT if c in out.columns]] = np.nan
    return out, life_event_warnings(out, name)


Marks = list[tuple[GiAside, np.ndarray, np.ndarray]]
"""Of each reason of :data:`~model.data.period_nights.GI_ASIDE`, the nights marked for it and
those set aside for it."""


def _marks(nights: pd.DataFrame) -> tuple[np.ndarray, Marks, np.ndarray]:
    """Whether each night is excluded; of each reason that sets a GI record aside, its marks.

    Of a period's bleeding and of a laxative, the nights marked and the nights set aside.
    ``nights``: by date, with the ``exclude`` reason ("" or NaN: kept) and the ``form``. Set
    aside: its stool/GI record is the reason's (:func:`~model.data.period_nights.gi_set_aside`).
    A laxative night that records the supplement too is not marked for it (the third, its
    nights): its loose stools may be magnesium's, and the rule of a magnesium laxative is no
    supplement on its days (citrate's own loose nights marked laxative escaped the acute GI
    rule, and a supplement beside milk of magnesia went unsaid: /tmp/w52/d2 G2, G4).
    """
    reasons = nights[EXCLUDE].fillna("").astype(str)
    excluded = (reasons != "").to_numpy(bool)
    marks, both = [], np.zeros(len(nights), bool)
    for kind in GI_ASIDE:
        marked = excluded & reasons.map(kind.names).to_numpy(bool)
        if kind is LAXATIVE:
            both, marked = marked & _supplement(nights), marked & ~_supplement(nights)
        marks.append((kind, marked, gi_set_aside(nights.index, marked, kind)))
    return excluded, marks, both


def _supplement(nights: pd.DataFrame) -> np.ndarray:
    """Whether each night records the supplement (a form, not none nor placebo)."""
    form = nights["form"] if "form" in nights.columns else pd.Series(NONE, nights.index)
    return (form.notna() & ~form.astype(str).isin([NONE, PLACEBO, ""])).to_numpy(bool)


def laxative_nights(nights: pd.DataFrame) -> np.ndarray:
    """The nights marked ``exclude = laxative`` without the supplement: the rule kept.

    :func:`~model.data.period_nights.names_laxative` of the reason, on a night of no
    supplement (a form none or placebo). ``nights``: by date; without ``exclude``, none.
    """
    if EXCLUDE not in nights.columns:
        return np.zeros(len(nights), bool)
    return _marks(nights)[1][GI_ASIDE.index(LAXATIVE)][1]


_SAID = (" night(s) left out (column exclude", ": GI set aside on ", ": other_change names a ",
         " marked exclude = laxative record the supplement", ": exclude names a laxative ",
         TRAVEL_SAID)
"""A mark of each warning of :func:`life_event_warnings` (:func:`is_life_event_warning`)."""


def is_life_event_warning(text: str) -> bool:
    """Whether a diary's warning is one of :func:`life_event_warnings` (said anew on a cut)."""
    return any(mark in text for mark in _SAID)


def life_event_warnings(nights: pd.DataFrame, name: str) -> list[str]:
    """What is said of the nights' ``exclude`` and ``other_change``, of these nights alone.

    ``nights``: by date, with the ``exclude`` reason and the ``other_change`` text (gap
    nights: NaN). How many nights were left out and the words given; the nights whose
    stool/GI record a period or a laxative took
    (:func:`~model.data.period_nights.gi_aside_warnings`);
    ``other_change`` naming a period or the trial's own step (:func:`_no_change_warnings`);
    the nights kept whose notes name travel (:func:`~model.data.travel_nights.travel_warning`).
    Read from the nights alone, so a diary cut at a date (``--as-of``) says them anew of the
    nights up to it.
    """
    said = _no_change_warnings(nights, name) + travel_warning(nights, name)
    excluded, marks, both = _marks(nights)
    if not excluded.any():
        return said
    said = _laxative_warnings(nights, both, name) + said
    counts = pd.Series(nights.loc[excluded, EXCLUDE]).value_counts(sort=False)
    words = ", ".join(f"{reason} {count}" for reason, count in counts.items())
    kinds = " and ".join(kind.what for kind, _, aside in marks if aside.any())
    but = f", but for the {kinds} nights said next" if kinds else ""
    return [f"{name}: {int(excluded.sum())} night(s) left out (column exclude: {words}; "
            f"{span(nights.index[excluded])}): their sleep outcomes (latency, awakenings, "
            f"WASO, quality, freshness, anxiety) are read as not recorded; their dose and "
            f"stool/GI records are kept{but}",
            *(warning for kind, marked, aside in marks
              for warning in gi_aside_warnings(nights.index, marked, aside, name, kind)),
            *said]


def _laxative_warnings(nights: pd.DataFrame, both: np.ndarray, name: str) -> list[str]:
    """The laxative nights that record the supplement (``both``), and the reasons not read.

    ``nights``: by date, with the ``exclude`` reason. A reason naming a laxative among other
    words (:func:`~model.data.period_nights.mentions_laxative`) is said with how to write it.
    """
    reasons = nights[EXCLUDE].fillna("").astype(str)
    other = reasons.map(mentions_laxative).to_numpy(bool)
    out = [f"{name}: {int(both.sum())} night(s) marked exclude = laxative record the supplement "
           f"too ({', '.join(str(d.date()) for d in nights.index[both][:6])}"
           f"{', ...' if both.sum() > 6 else ''}; columns form and exclude): their stool/GI "
           "record is kept, since beside the supplement a laxative's loose stools cannot be "
           "told from magnesium's. The rule of a magnesium laxative taken now and then is no "
           "magnesium supplement on a day you take it (one laxative dose, milk of magnesia 30 "
           "mL, is about 1000 mg of magnesium, above the daily limit alone)"] if both.any() else []
    if other.any():
        out.append(f"{name}: exclude names a laxative among other words on {int(other.sum())} "
                   f"night(s) ({reasons[other].iloc[0]!r}; {span(nights.index[other])}), not "
                   "read as a laxative night: its stool/GI record is kept; write exclude = "
                   "laxative on a night you took a laxative now and then")
    return out


_NO_CHANGE = ((names_period, "a menstrual period", "a period is read as a recurring event, "
               "not a change in your life, so it holds no change to magnesium and is not "
               "named beside a change of regimen; write it in notes (and exclude = period on "
               "a night whose loose stools or upset stomach were the period's)"),
              (names_laxative, "a laxative", "a laxative taken now and then is read as no "
               "change in your life, so it holds no change to magnesium; write exclude = "
               "laxative on the night you take it, which leaves out its sleep and, with no "
               "supplement that night, its stool record"),
              (names_plan_period, "a step of the trial itself", "the form column already "
               "says it, so it is not read as a change in your life"))
"""The texts of ``other_change`` that are no change of life (:func:`other_changes`): each
test, what it names and what is said of it once (:func:`_no_change_warnings`)."""


RECURRING = 3
"""A text written in this many separate runs of nights in ``other_change`` is a recurring part
of life, not a change of it: a shift worker's rota ("started night shifts" every fortnight)
held every step for good, each entry for an evaluation period (an outside audit, /tmp/w53/b
B1: "Keep your current routine" at all 7 looks, 55 nights, magnesium never begun). A one-off
written on nights in a row ("flu" five nights, "started sertraline" copied down) is one run
(/tmp/w53/r R3: each lost its hold)."""

RUN_GAP = 2
"""Nights between two of a text's that keep them one run (:data:`RECURRING`)."""

NOTHING = frozenset({"", "nil", "no", "n", "none", "nothing", "nothing new", "ditto",
                     "as above", "same", "same as above", "same as before", "na", "n a",
                     "no change", "no changes", "nothing changed", "normal day", "x", "0"})
"""``other_change`` texts that say nothing changed ("-", "nil", "as above"): no change, each
once held every step (/tmp/w53/r R5, R9)."""

RECURRING_READ = (
    "a text written again and again is read as a recurring part of your life (a rota, a "
    "regular trip), not a one-off change, so it holds no change to magnesium and is not named "
    "beside a change of regimen; mgsleep does not model it, so a form taken mostly in one part "
    "of it is compared unfairly with one taken in another: take each form across whole cycles "
    "of it, write it in notes, and exclude a night that was not a usual one; a rota's day "
    "sleeps after night shifts are modelled when the column day_sleep says them (1 on such a "
    "night, 0 on others)")
"""What is said of a recurring ``other_change`` text (:func:`recurring`)."""


def _key(text: object) -> str:
    """A text as compared for :func:`recurring`: its words as names are keyed (:func:`name_key`)."""
    return name_key(str(text)).replace("_", " ")


def recurring(texts: pd.Series) -> np.ndarray:
    """Per night, whether its ``other_change`` text is written in :data:`RECURRING` runs or more.

    ``texts``: by night, indexed by date (NaN or "" for none); compared by their words
    (:func:`_key`); a run's nights are at most :data:`RUN_GAP` nights apart.
    """
    keys = texts.fillna("").map(_key)
    days = pd.DatetimeIndex(texts.index)
    gap = np.timedelta64(RUN_GAP, "D")
    runs = {key: 1 + int((np.diff(days[keys.to_numpy() == key].sort_values().to_numpy())
                          > gap).sum()) for key in set(keys) - NOTHING}
    return keys.map(lambda key: runs.get(key, 0) >= RECURRING).to_numpy(bool)


def says_nothing_changed(text: object) -> bool:
    """Whether an ``other_change`` text says nothing changed (:data:`NOTHING`: "-", "nil")."""
    return _key(text) in NOTHING


def _no_change_warnings(nights: pd.DataFrame, name: str) -> list[str]:
    """One warning for each kind of :data:`_NO_CHANGE` that ``other_change`` names.

    ``nights``: by date, with the ``other_change`` text (:func:`other_change_text`; NaN on a
    gap night). The warning gives the first such text, the nights and what it is read as;
    then :func:`recurring_warning`.
    """
    texts = nights[OTHER_CHANGE].fillna("").astype(str)
    out = []
    for names, what, read in _NO_CHANGE:
        said = texts.map(names).to_numpy(bool)
        if said.any():
            out.append(f"{name}: other_change names {what} on {int(said.sum())} night(s) "
                       f"({texts.iloc[said.argmax()]!r}; {span(nights.index[said])}): {read}")
    return [*out, *filter(None, [recurring_warning(nights, name)])]


def recurring_warning(nights: pd.DataFrame, name: str) -> str:
    """What is said of the ``other_change`` texts written again and again ("" if none).

    Those of :func:`recurring` that :data:`_NO_CHANGE` does not say already; ``mgsleep log``
    says it when it writes one (:func:`model.cli.night_warnings.watch_night`).
    """
    texts = nights[OTHER_CHANGE].fillna("").astype(str)
    again = recurring(texts) & ~texts.map(_no_change).to_numpy(bool)
    if not again.any():
        return ""
    written = ", ".join(repr(t) for t in dict.fromkeys(texts[again]))
    return (f"{name}: other_change names a recurring change on {int(again.sum())} night(s) "
            f"({written}; {span(nights.index[again])}): {RECURRING_READ}")


def _no_change(text: str) -> bool:
    """Whether ``text`` names one of :data:`_NO_CHANGE`'s kinds."""
    return any(names(text) for names, _, _ in _NO_CHANGE)


WRITTEN_COLUMNS: tuple[str, ...] = (OTHER_CHANGE, "notes")
"""The diary's free-text columns a person may name a condition or a medicine in ("started
dialysis"), which :mod:`model.decision.diary_mentions` screens (a safety-case reviewer's
audit: "started dialysis" in ``other_change`` was quoted back, never screened)."""


def written_texts(nights: pd.DataFrame, columns: tuple[str, ...] = WRITTEN_COLUMNS
                  ) -> list[tuple[pd.Timestamp, str, str]]:
    """Every non-blank cell of ``columns``: its night, its column and its text, oldest first.

    A column the nights do not have gives none; the text has its spaces collapsed
    (:func:`other_change_text`), and a blinded pot's code and plan tag taken off
    (:func:`~model.data.pot_notes.untagged`: the tag's "plan" read a pregnancy written on a
    pot night as only a plan, /tmp/w53/c C1). On one night ``other_change`` comes before ``notes``.
    """
    if not isinstance(nights.index, pd.DatetimeIndex):
        return []
    days = pd.DatetimeIndex(nights.index)
    found = [(day, order, column, text) for order, column in enumerate(columns)
             if column in nights.columns
             for day, text in zip(days, nights[column].map(other_change_text).map(untagged),
                                  strict=True)
             if text]
    return [(day, column, str(text)) for day, _, column, text in sorted(found, key=lambda f: f[:2])]


def other_changes(nights: pd.DataFrame) -> list[tuple[pd.Timestamp, str]]:
    """Every night with an ``other_change``, with its text, oldest first.

    The one reading of the column as changes of life: the decision's hold
    (:attr:`model.decision.history.History.other_change`), the separability reasons and the
    figures' marks all take them from here. A text that only names a menstrual period, a
    recurring event, or the trial's own step (:data:`_NO_CHANGE`) is none, and so is one
    written again and again (:func:`recurring`), each said once by :func:`_no_change_warnings`.
    """
    again = (set(nights.index[recurring(nights[OTHER_CHANGE].map(other_change_text))])
             if OTHER_CHANGE in nights.columns else set())
    return [(day, text) for day, _, text in written_texts(nights, (OTHER_CHANGE,))
            if day not in again and not _no_change(text) and not says_nothing_changed(text)]
