"""A period or a laxative in the diary: their words, and the nights whose gut trouble is theirs.

A diary's free text (``other_change``, an ``exclude`` reason) may name a menstrual period,
a recurring event and no change of life (:func:`names_period`), or the trial's own step, a
``washout period`` that the diary's form column already says (:func:`names_plan_period`).
Only the words of the bleeding itself (:func:`names_bleeding`) set a night's stool/GI record
aside in ``exclude``, and no more of them than a period lasts (:func:`gi_set_aside`); so do
the words of a laxative taken (:func:`names_laxative`: ``laxative``, ``milk of magnesia 30
mL``), no more often than a laxative taken now and then (:data:`LAXATIVE`).

Outside audits: "period started" in ``other_change`` held every change 19-22 nights a month
and three loose period nights made glycinate "harms you" (/tmp/w51/a F4, F6); then
``exclude = period`` on ten straight watery-stool nights on citrate 300 mg read "Continue
citrate" (P over the GI limit 0.01; unmarked: "Stop taking magnesium"), ``PMS`` nights left
out for their sleep lost their GI record too, and "heavy period", "period ended" or the
trial's own "washout period started" were still changes of life (/tmp/w51/c C3, C10). A
70-year-old's loose stools after milk of magnesia, named in his notes, were charged to the
supplement: "Stop taking magnesium" (/tmp/w52/d F2).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

BLEEDING_WORDS: tuple[str, ...] = ("period", "periods", "menses", "menstruation",
                                   "menstruating", "menstrual period", "menstrual bleeding")
"""The words of the bleeding itself. ``period`` alone is read as a menstrual period: these
columns say what happened in a life, not the trial's evaluation period."""

PREMENSTRUAL_WORDS: tuple[str, ...] = ("pms", "pmt", "premenstrual", "premenstrual syndrome",
                                       "premenstrual tension")
"""The words of the days before a period: a period's, but not its bleeding."""

NOT_BLEEDING: frozenset[str] = frozenset({"ended", "ends", "end", "finished", "over", "late",
                                          "due", "tomorrow", "soon", "pms", "pmt",
                                          "premenstrual"})
"""The words that say a period's text is of a night without its bleeding (``period ended``,
``period late``, ``period starts tomorrow``, ``PMS week``)."""

_BEFORE = (r"(?:got|had|on|started|start of|first day of|last day of|end of|day \d+ of|my"
           r"|heavy|light|late|bad|painful)")
_AFTER = (r"(?:started|starts|start|began|begins|begun|came|arrived|again|today|tonight"
          r"|cramps|cramping|pain|heavy|light|flow|week|day|\d+|ended|ends|finished|over|late"
          r"|due|tomorrow|soon)")
_PERIOD = re.compile(rf"(?:{_BEFORE} )*(?:{'|'.join(BLEEDING_WORDS + PREMENSTRUAL_WORDS)})"
                     rf"(?: {_AFTER})*")

PLAN_PERIODS: tuple[str, ...] = ("baseline", "treatment", "washout", "placebo", "run in")
"""The kinds of a trial's periods a diary may name as ``<kind> period``: a plan's own
(:data:`model.data.diary.PLAN_NOTES`), a placebo period and a run-in."""

_PLAN_PERIOD = re.compile(rf"(?:(?:start of|end of|first day of|last day of|started|began"
                          rf"|ended) )?(?:the |my )?(?:{'|'.join(PLAN_PERIODS)}) (?:period|phase)"
                          r"(?: (?:started|starts|start|began|begins|ended|ends|over|finished"
                          r"|again|today|day \d+|\d+))*")


def _words(text: str) -> str:
    """``text`` in lower case, each run of other than letters and digits one space."""
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text.lower()).split())


def names_period(text: str) -> bool:
    """Whether a diary text (``other_change``, an ``exclude`` reason) says only a period.

    The whole text, in any case and punctuation aside, is a word of :data:`BLEEDING_WORDS`
    or :data:`PREMENSTRUAL_WORDS` alone (``period``, ``PMS``) or as said of a period (``period
    started``, ``got my period``, ``heavy period``, ``period day 2``, ``period ended``, ``late
    period``, ``period starts tomorrow``, ``PMS week``). A period within other words is not:
    ``busy period at work``, ``placebo period`` and ``period of stress`` are not, nor ``period
    started, began melatonin``, which names another change too.
    """
    return bool(_PERIOD.fullmatch(_words(text)))


def names_bleeding(text: str) -> bool:
    """Whether a diary text names a period's bleeding itself: a night whose gut trouble is its.

    :func:`names_period` without a word of :data:`NOT_BLEEDING`: ``period``, ``period
    started``, ``on my period``, ``heavy period``, ``period day 2``, ``menses``; not ``PMS``,
    ``period ended``, ``period late`` nor ``period starts tomorrow``.
    """
    return names_period(text) and NOT_BLEEDING.isdisjoint(_words(text).split())


def names_plan_period(text: str) -> bool:
    """Whether a diary text names only a step of the trial itself (``washout period started``).

    A kind of :data:`PLAN_PERIODS` with ``period`` or ``phase``, begun, ended or as it goes
    (``baseline period``, ``placebo period started``, ``end of washout period``). The diary's
    form column says the step; the text is no change of life.
    """
    return bool(_PLAN_PERIOD.fullmatch(_words(text)))


LAXATIVE_WORDS: tuple[str, ...] = (
    "laxative", "laxatives", "milk of magnesia", "mom", "magnesium hydroxide", "epsom salt",
    "epsom salts", "senna", "senokot", "bisacodyl", "dulcolax", "movicol", "macrogol",
    "miralax", "lactulose", "docusate", "colace", "ex lax", "exlax", "stool softener",
    "stool softeners", "enema", "fleet enema", "suppository", "glycerin suppository",
    "glycerine suppository")
"""The words of a laxative taken, whose night's loose stool is its: the kinds a person may
name (osmotic, stimulant, softener), the common brands and ``MoM`` (milk of magnesia)."""

_TAKEN = (r"(?:took|taken|take|had|used|a|an|my|some|the|of|dose|doses|\d+|\d+(?:ml|mg|g)|"
          r"x\d+|\d+x|ml|mg|g|sachets?|tablets?|tabs?|spoons?|tablespoons?|teaspoons?|tsp|tbsp)")
_WHEN = r"(?:again|tonight|today|at night|at bedtime|bedtime|before bed|at \d+(?:am|pm)?|" \
    r"\d+(?:am|pm)|for constipation)"
_LAXATIVE = re.compile(rf"(?:{_TAKEN} )*(?:{'|'.join(LAXATIVE_WORDS)})"
                       rf"(?: (?:{_TAKEN}|{_WHEN}|{'|'.join(LAXATIVE_WORDS)}))*")
_A_LAXATIVE = re.compile(rf"\b(?:{'|'.join(w for w in LAXATIVE_WORDS if w != 'mom')})\b")
"""A laxative's word among others; not ``mom``, a mother too (``visiting mom``)."""


def names_laxative(text: str) -> bool:
    """Whether a diary text (an ``exclude`` reason, ``other_change``) says only a laxative taken.

    The whole text, in any case and punctuation aside, is a word of :data:`LAXATIVE_WORDS`
    alone or as taken (``laxative``, ``took a laxative``, ``milk of magnesia 30 mL``, ``took
    MoM 30ml``, ``movicol x2``, ``laxative at bedtime``, ``Ex-Lax``); ``started senna daily`` or
    ``laxative, began melatonin`` are not (/tmp/w52/d2 G7: "Miralax 17g" was not).
    """
    return bool(_LAXATIVE.fullmatch(_words(text)))


def mentions_laxative(text: str) -> bool:
    """Whether a diary text names a laxative among other words (:func:`names_laxative` not)."""
    return bool(_A_LAXATIVE.search(_words(text))) and not names_laxative(text)


ANTACID_WORDS: tuple[str, ...] = ("antacid", "antacids", "maalox", "mylanta", "rennie",
                                  "gaviscon", "rolaids", "heartburn", "indigestion",
                                  "magnesium trisilicate", "magnesium carbonate")
"""Words of a magnesium antacid, some tens of mg of magnesium a tablet, no laxative: taken now
and then its magnesium is counted on its days and no laxative night is asked for (Maalox and
Rennie were told of a laxative dose and to write exclude = laxative: /tmp/w52/d2 G6)."""


def names_antacid(text: str) -> bool:
    """Whether a text (a medications entry, a diary cell) names an antacid (ANTACID_WORDS)."""
    return bool(re.search(rf"\b(?:{'|'.join(ANTACID_WORDS)})\b", _words(text)))


PERIOD_GI_NIGHTS = 7
"""The most nights in a row, and in any :data:`PERIOD_WINDOW` nights, whose stool/GI record a
period takes (:func:`gi_set_aside`). "Menstrual bleeding might happen every 21 to 35 days
and last 2 to 7 days" (Mayo Clinic, "Menstrual cycle: What's normal, what's not"): the limit
is a judgement on those figures, in favour of seeing magnesium's own gut trouble."""

PERIOD_WINDOW = 21
"""The nights of the shortest menstrual cycle (:data:`PERIOD_GI_NIGHTS`)."""

LAXATIVE_GI_NIGHTS, LAXATIVE_WINDOW = 2, 7
"""The most nights, in a row and in any ``LAXATIVE_WINDOW``, whose stool/GI record a laxative
takes: one taken now and then, as needed (the audit's "twice a week"). Taken more often it is
a regular one, whose loose stools the supplement's own would hide among, so they count; and
the acute GI rule (2 GI nights within 7) still sees 2 more loose nights in a week."""


@dataclass(frozen=True)
class GiAside:
    """A reason of ``exclude`` whose nights' stool/GI record is not magnesium's, and its limit.

    Parameters
    ----------
    what : str
        Its name in the warnings (``period``).
    names : callable
        Whether an ``exclude`` reason is one (:func:`names_bleeding`).
    most, window : int
        At most ``most`` nights in a row, and in any ``window`` nights, are set aside.
    why : str
        Why the limit, in the warning.
    only : str
        Which nights to mark, in the warning.

    """

    what: str
    names: Callable[[str], bool]
    most: int
    window: int
    why: str
    only: str


PERIOD = GiAside("period", names_bleeding, PERIOD_GI_NIGHTS, PERIOD_WINDOW,
                 f"a period bleeds up to about {PERIOD_GI_NIGHTS} nights", "the nights you bleed")
LAXATIVE = GiAside("laxative", names_laxative, LAXATIVE_GI_NIGHTS, LAXATIVE_WINDOW,
                   f"a laxative taken now and then is taken on up to {LAXATIVE_GI_NIGHTS} "
                   f"nights a week, and more often its loose stools may hide magnesium's",
                   "the nights you took a laxative")
GI_ASIDE: tuple[GiAside, ...] = (PERIOD, LAXATIVE)
"""The reasons of ``exclude`` that set a night's stool/GI record aside (:func:`gi_set_aside`)."""


def gi_set_aside(days: pd.Index, marked: np.ndarray, kind: GiAside = PERIOD) -> np.ndarray:
    """Of the nights ``marked`` for ``kind`` (a period's bleeding), those whose GI record it takes.

    ``days``: the nights' dates (in any order); ``marked``: each night's mark (``kind.names``
    of its ``exclude`` reason). Oldest first, a marked night is set aside while it is at most
    the ``kind.most``-th (:data:`PERIOD_GI_NIGHTS`) of a run of marked nights on consecutive
    dates and at most that many nights are set aside within the ``kind.window``
    (:data:`PERIOD_WINDOW`) nights ending on it; a night beyond keeps its record. Each night
    is decided by the nights up to it alone, so a diary cut at a date says the same of its
    nights.
    """
    aside = np.zeros(len(days), bool)
    dates = pd.DatetimeIndex(days)
    taken: list[pd.Timestamp] = []
    run, last = 0, None
    for i in np.argsort(dates.to_numpy(), kind="stable"):
        if not marked[i]:
            continue
        day = dates[i]
        run = run + 1 if last is not None and (day - last).days == 1 else 1
        recent = sum((day - t).days < kind.window for t in taken)
        if run <= kind.most and recent < kind.most:
            aside[i] = True
            taken.append(day)
        last = day
    return aside


def span(days: pd.Index) -> str:
    """``2026-09-02 to 2026-09-05``: the first and the last of ``days`` (dates); one: it."""
    first, last = (pd.Timestamp(day).date() for day in (days.min(), days.max()))
    return f"{first}" if first == last else f"{first} to {last}"


def gi_aside_warnings(days: pd.Index, marked: np.ndarray, aside: np.ndarray, name: str,
                      kind: GiAside = PERIOD) -> list[str]:
    """One warning of the nights whose GI record ``kind`` took (:func:`gi_set_aside`); [] none.

    ``days``: the nights' dates; ``marked``: marked for ``kind``; ``aside``: set aside. The
    nights marked beyond the limit, which kept their record, are named with why.
    """
    if not aside.any():
        return []
    kept = marked & ~aside
    beyond = (f" {int(kept.sum())} more night(s) marked for a {kind.what} kept their GI record "
              f"({span(days[kept])}): {kind.why}, so at most {kind.most} in a row and "
              f"{kind.most} in any {kind.window} are set aside.") if kept.any() else ""
    return [f"{name}: GI set aside on {int(aside.sum())} {kind.what} night(s) "
            f"({span(days[aside])}; column exclude); magnesium's own gut trouble on those "
            "nights is not seen: their loose stools or upset stomach count for no GI rule, "
            f"figure or limit. Mark only {kind.only}.{beyond}"]
