"""A magnesium laxative or antacid the diary names as taken: screened as the profile's entry.

An outside audit (/tmp/w52/d2 G2 b): "milk of magnesia as needed" in the profile brings its
rule (:func:`model.decision.other_magnesium.now_and_then_rule`: no supplement on its days,
and at 65 or more or with an eGFR below 60 "First ask a clinician"), but "took milk of
magnesia 30 ml", "MoM 15ml", "Maalox" or "started milk of magnesia daily" written in the
diary brought none: the diary's reader of names with a rule leaves magnesium products out
(:func:`model.decision.diary_mentions._ruled`: the supplement itself is magnesium), and the
laxative words only set a night's GI record aside
(:func:`model.data.period_nights.names_laxative`).

Here a magnesium product (:meth:`~model.evidence.names.NameIndex.within`, the index's
``magnesium`` set) that is a laxative or an antacid (its name as written or the safety data's
is one of :data:`~model.data.period_nights.LAXATIVE_WORDS` or
:data:`~model.data.period_nights.ANTACID_WORDS`: never a supplement's form such as glycinate
or citrate) named in ``other_change`` or ``notes`` as taken, by a profile that does not list
it, adds the entry :func:`~model.decision.other_magnesium.other_magnesium` reads
(``"milk of magnesia as needed"``; ``"... daily"`` when a line says daily or every night,
held or counted as a daily entry is), with a warning naming the line and the entry to write
(:func:`with_diary_magnesium`). Not one on the skin or in a bath (:data:`NEAR_SKIN`), nor one
whose latest line stops it plainly (:func:`~model.decision.mention_words.plain_stop`); any
other reading is taken, the safe side.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import pandas as pd

from model.data.life_events import written_texts
from model.data.period_nights import names_antacid, names_laxative
from model.data.profile import Profile
from model.decision.mention_cues import CUES, ONE_DOSE, clauses, cue_after, cue_before, ended
from model.decision.mention_words import plain_stop, says_nothing
from model.decision.other_magnesium import DOSE, EVERY_DAY
from model.decision.profile_added import added as with_added
from model.decision.screening import profile_given
from model.evidence import name_letters
from model.evidence.names import SKIN_WORDS, NameIndex, name_key

MOM = re.compile(r"\bmom\b", re.IGNORECASE)
"""``MoM``, milk of magnesia (:data:`~model.data.period_nights.LAXATIVE_WORDS`' abbreviation),
read as :data:`MOM_MEANS` when written ``MoM`` or in a cell that says only a laxative taken
(:func:`_spelt`; ``visiting mom`` is a mother)."""

MOM_MEANS = "milk of magnesia"
"""What :data:`MOM` stands for, a name the safety data knows."""

NOT_TAKEN = frozenset({
    "kids", "kid", "son", "daughter", "child", "children", "husband", "wife", "partner", "dad",
    "mum", "mother", "father", "gran", "grandma", "grandad", "should", "maybe", "might",
    "perhaps", "considering", "thinking", "planning", "avoid", "avoided", "bought", "ad",
    "advert", "recalled", "recall", "birthday", "try", "said", "suggested", "recommended"})
"""Words of a clause that does not say the person takes it ("gave the kids milk of magnesia",
"should I take MoM", "avoid MoM per GP", "bought milk of magnesia", "MoM's birthday": an
audit's second round, /tmp/w53/r R6); a "?" too. Not "if" ("MoM if needed" is taken)."""

NEAR_SKIN = 3
"""How many words either side of a product a word of :data:`~model.evidence.names.SKIN_WORDS`
makes it one on the skin or in a bath (``Epsom salt bath``, ``bath with Epsom salts``, ``Epsom
salts in the bath``): not magnesium by mouth, not counted."""


@dataclass(frozen=True)
class Taken:
    """A magnesium laxative or antacid the diary names as taken, from its line on.

    Parameters
    ----------
    day : datetime.date
        The night of the line.
    column : str
        ``other_change`` or ``notes``.
    text : str
        The cell as written.
    written : str
        The product's name as written (``Milk of Magnesia``; ``milk of magnesia`` for MoM).
    dose : str
        A dose in mg or g written just after the name (``400 mg``), else "".
    daily : bool
        A line since the last plain stop says it is taken every day (:data:`EVERY_DAY`).

    """

    day: dt.date
    column: str
    text: str
    written: str
    dose: str
    daily: bool

    @property
    def entry(self) -> str:
        """The profile's entry: ``milk of magnesia as needed``, ``... 400 mg daily``."""
        dose = f" {self.dose}" if self.dose else ""
        return f"{self.written}{dose} {'daily' if self.daily else 'as needed'}"


def _spelt(text: str) -> str:
    """``text`` with :data:`MOM` written out, when written ``MoM`` or the cell is a laxative."""
    whole = names_laxative(text)
    return MOM.sub(lambda m: MOM_MEANS if whole or m.group() == "MoM" else m.group(), text)


def _products(clause: str, index: NameIndex) -> list[tuple[int, int, str]]:
    """The magnesium laxatives and antacids of a clause, by its words: start, end, name.

    Each at its widest run the index keys as it (``milk of magnesia``, not its
    ``magnesia``), none with a word of the skin or a bath near it (:data:`NEAR_SKIN`).
    """
    words = name_key(clause).split("_")
    found = [(i, j, name) for name in index.within(clause, "medicine")
             if name in index.magnesium
             for i in range(len(words)) for j in range(i + 1, len(words) + 1)
             if index.medicines.get("_".join(words[i:j])) == name]
    places = name_letters.words(clause)
    return [(i, j, name) for i, j, name in found
            if not any(a <= i and j <= b and (a, b) != (i, j) for a, b, _ in found)
            and any(names_laxative(said) or names_antacid(said)
                    for said in (name, clause[places[i][1]:places[j - 1][2]]))
            and not SKIN_WORDS & set(words[max(0, i - NEAR_SKIN):j + NEAR_SKIN])]


def cell_products(text: str, index: NameIndex) -> list[tuple[str, str, str, bool, bool]]:
    """What one cell says of magnesium laxatives and antacids, in its order.

    Each: the safety data's name, the name as written, a dose in mg or g just after it, daily
    (:data:`EVERY_DAY` in its clause), and stopped: the cue before or after the name
    (:func:`~model.decision.mention_cues.cue_before`, as the diary's other names are read)
    stops it, written plainly, the cell's other clauses saying nothing else; any other
    reading is taken. None of a clause that does not say the person takes it (:data:`NOT_TAKEN`).
    """
    spelt = _spelt(text)
    cut = [(clause, name_key(clause).split("_"), _products(clause, index))
           for clause, _ in clauses(spelt)]
    others = [words for _, words, found in cut if not found]
    cell = frozenset(w for words in others for w in words)
    alone = all(says_nothing(words) for words in others)
    read: list[tuple[str, str, str, bool, bool]] = []
    for clause, words, found in cut:
        places = name_letters.words(clause)
        for i, j, name in found if "?" not in clause and not NOT_TAKEN & set(words) else ():
            over = ended(words)
            stance = (cue_before(words[:i], CUES, over=over, missed=bool(ONE_DOSE & set(words)))
                      or cue_after(words[j:], CUES) or ("stopped" if over else "has"))
            dose = DOSE.match(clause[places[j - 1][2]:].lstrip())
            read.append((name, clause[places[i][1]:places[j - 1][2]],
                         dose.group() if dose else "", bool(EVERY_DAY.search(clause)),
                         stance == "stopped" and alone
                         and plain_stop(words, i, j, "medicine", cell, spelt)))
    return read


def diary_magnesium(nights: pd.DataFrame, index: NameIndex,
                    as_of: dt.date | None = None) -> list[Taken]:
    """The magnesium laxatives and antacids the diary leaves taken, each once.

    By the safety data's name and whether it is an antacid (Maalox is not milk of magnesia's
    laxative dose): the first line that names it taken since its last plain stop, or the
    first that says it daily (daily from then on); a plain stop (:func:`cell_products`)
    takes it out. ``as_of``: only the nights up to it.
    """
    taken: dict[tuple[str, bool], Taken] = {}
    for day, column, text in written_texts(nights):
        if as_of is not None and day.date() > as_of:
            continue
        for name, written, dose, daily, stopped in cell_products(text, index):
            key = (name, names_antacid(written))
            before = taken.get(key)
            if stopped:
                taken.pop(key, None)
            elif before is None or (daily and not before.daily):
                taken[key] = Taken(day.date(), column, text, written, dose, daily)
    return list(taken.values())


def _warning(t: Taken, given: bool) -> str:
    """What a product added says: where it was read, and the entry to write or the fix."""
    what = "an antacid" if names_antacid(t.written) else "a laxative"
    mine = "your profile does not list it" if given else "no profile was given"
    return (f"Your diary says {t.text!r} on {t.day} ({t.column}): it names {t.written!r}, "
            f"{what} that is magnesium too, taken {'every day' if t.daily else 'now and then'}, "
            f"and {mine}: magnesium is screened as if your profile had it ({t.entry}), from "
            f"that night on. If that is right, put it in your profile (medications = "
            f"[\"{t.entry}\"]); if it is not, correct the diary.")


def with_diary_magnesium(profile: Profile, nights: pd.DataFrame, index: NameIndex,
                         as_of: dt.date | None = None) -> tuple[Profile, tuple[str, ...]]:
    """``profile`` with the diary's magnesium laxatives and antacids it does not list added.

    A product is listed when an entry of the medications is read as it (the same name, an
    antacid or not): nothing is added nor said. Else its entry (:attr:`Taken.entry`) is added
    and its warning said (:func:`_warning`); ``profile`` itself when none is.
    """
    listed = {(index.match(part, "medicine"), names_antacid(part))
              for entry in profile.medications for part in index.split(entry, "medicine")}
    added = [t for t in diary_magnesium(nights, index, as_of)
             if (index.match(t.written, "medicine"), names_antacid(t.written)) not in listed]
    given = profile_given(profile)
    return (with_added(profile, medications=[t.entry for t in added]),
            tuple(_warning(t, given) for t in added))
