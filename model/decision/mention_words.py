"""What a diary mention says: whether its stop is written plainly, and its warning.

A stop read from the diary's free text undoes a fact had ("started digoxin" holds the advice),
the dangerous side; an outside audit (/tmp/w52/e2) found negated stops ("digoxin - not
stopped"), plans ("stopping lithium on Monday"), the separation rule ("taken 4 hours away
from levothyroxine") and missed doses read as stopped, a hold lost. So a stop is applied only
when written plainly (:func:`plain_stop`): any other is said, not applied (:data:`PLAIN_WHY`),
and a fact had earlier stays. :mod:`model.decision.diary_mentions` reads the mentions;
:func:`warning` words what each says.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from model.data.profile import Profile, pregnancy_named
from model.decision.mention_cues import CALENDAR, NEGATIONS, TAKING, WEEKDAYS, Stance, number
from model.decision.mention_hints import NOT_OWN_WHY, OTHERS_WHY, profile_line
from model.decision.screening import profile_given
from model.evidence.name_words import spoken
from model.evidence.names import Kind, NameIndex, name_key
from model.evidence.schema import Safety

WHEN = WEEKDAYS | frozenset({"today", "yesterday", "tonight", "now"})
"""Words of a recent time that a plain stop may carry ("quit lithium today")."""

SPANS = frozenset({"day", "days", "week", "weeks", "wk", "wks", "month", "months", "year",
                   "years", "morning", "evening", "night", "weekend"})
"""Spans of time: after "this", "last", "since" or before "ago" a recent time ("last week",
"2 weeks ago"); "years ago" too ("was on lithium years ago")."""

FOREIGN_FILLERS = frozenset({
    "ich", "habe", "hab", "je", "j", "ne", "suis", "ai", "bin", "ist", "es", "est", "ho", "io",
    "eu", "ik", "heb", "ben", "lo", "la", "le", "l", "el", "il", "de", "sono", "estoy", "estou",
    "sou", "esta", "met", "ya"})
"""The fillers of :data:`PLAIN_FILLERS` in other languages than English: in a stop written in
English they may be a name ("Ben stopped digoxin", "ben's off digoxin now", "Lo stopped
digoxin today": /tmp/w52/e4 G1), so such a stop is not plain (:func:`plain_stop`)."""

PLAIN_FILLERS = FOREIGN_FILLERS | {
    "i", "im", "m", "ve", "s", "d", "t", "my", "the", "a", "have", "has", "had", "been", "was",
    "is", "am", "it", "taking", "on", "all", "mg", "mcg", "ug", "by", "gp", "doctor", "doc",
    "dr", "cardiologist", "cardiology", "consultant", "specialist", "pharmacist",
    "psychiatrist", "nurse", "team", "hospital", "clinic", "me", "course", "completely",
    "altogether", "entirely", "totally", "definitely", "ct", "ecg", "mri", "antibody",
    "antibodies"}
"""The small words a plain stop may hold besides its stop and the name (a clinician who
stopped it: "digoxin stopped by cardiologist"); "my" only before the name or one of them ("my
16 yo stopped lithium" is someone else's), "il" not before "a" or "est" (French "he": "il a
arrêté le lithium"): :func:`content`. Never a number between the stop and the name ("stopped
the 400mg digoxin" is a dose: /tmp/w52/e4 G2)."""

PLAIN_STOPS = frozenset({
    ("stopped",), ("quit",), ("discontinued",), ("ceased",), ("off",), ("came", "off"),
    ("come", "off"), ("no", "longer"), ("not", "anymore"), ("not", "any", "more"),
    ("no", "more"), ("stopped", "anymore"), ("abgesetzt",), ("gestoppt",), ("arrete",),
    ("arretee",), ("gestopt",), ("smesso",), ("sospeso",), ("parei",), ("deje",),
    ("nicht", "mehr"), ("quit", "cold", "turkey"), ("no", "longer", "needed"),
    ("switched", "from"), ("changed", "from"), ("weaned", "off"), ("no", "more", "for")})
"""A stop written plainly, the clause's words less :data:`PLAIN_FILLERS`, numbers, recent
times and the name, in order ("stopped taking digoxin today", "digoxin was discontinued",
"quit lithium 2 weeks ago", "came off lithium", "no longer on lithium"); a switch's "to" and
what follows it too ("switched from lithium to sertraline"), never with a number ("switched
from 400mg to 200mg lithium" is a dose changed): :func:`plain_stop`. Not "used to" ("I'm used
to digoxin now"), "finished" ("finished my lithium, need a refill"), "never", "ended", a past
alone ("was on lithium years ago"): /tmp/w52/e3 F1, F2, F7."""

CONDITION_STOPS = frozenset({
    ("negative",), ("test", "negative"), ("negative", "test"), ("ruled", "out"), ("lost",),
    ("gave", "birth"), ("weaned",), ("loss",), ("miscarried",), ("miscarriage",),
    ("terminated",), ("plus",), ("pas", "plus"), ("niet", "meer"), ("early", "loss"),
    ("termination", "of"), ("not", "diagnosed", "with"), ("negative", "for"),
    ("test", "negative", "for"), ("not", "after")})
"""A condition's plain stops besides :data:`PLAIN_STOPS` ("pregnancy test negative", "ruled
out heart block", "lost the pregnancy", "gave birth", "weaned", "not pregnant after all"); a
bare "not" too ("not pregnant"), with no time; never a bare "no" ("no dialysis" is a session
missed: /tmp/w52/e4 G4)."""

RESUMED = frozenset({"back", "again", "restarted", "resumed", "still", "continue", "continues",
                     "continued", "continuing", "keep", "keeping", "kept", "before", "usual",
                     "started", "restart", "restarting", "joking"})
"""Words of a resumption or a continuation: a cell with one holds no plain stop ("no digoxin
yesterday, back on it today", "digoxin as before")."""

PLAIN_WHY = "the diary may say it is stopped, but not plainly"
"""Why a stop not written plainly is said, not applied (/tmp/w52/e2: negated stops, plans,
reasons, missed doses read as stopped lost a hold); its warning says how to write it
(:func:`plain_example`)."""


def plain_example(m: Mention) -> str:
    """How to write a mention's stop plainly ("stopped digoxin").

    "not pregnant", "stopped breastfeeding", "no longer has heart block" (not "stopped
    pregnant": /tmp/w52/e3 F15; not "no dialysis", a day off: /tmp/w52/e4 G4).
    """
    return ("not pregnant" if m.name == PREGNANCY else f"stopped {m.entry}"
            if m.kind == "medicine" or m.entry.endswith("ing") else f"no longer has {m.entry}")


FOR_GOOD = frozenset({("for", "good"), ("after", "all")})
"""Two words a plain stop may end with ("finished with digoxin for good")."""


def untimed(words: Sequence[str]) -> list[str]:
    """``words`` less their recent times.

    :data:`WHEN`, :data:`SPANS` after "this", "last", "since", "on" or before "ago", a day or
    month after "since", "on" or "in", :data:`FOR_GOOD`.
    """
    out: list[str] = []
    skip = 0
    for k, word in enumerate(words):
        after = words[k + 1] if k + 1 < len(words) else ""
        if skip:
            skip -= 1
        elif word == "ago":   # its span read with the name ("lithium 2 weeks ago")
            continue
        elif word in WHEN or (word in SPANS and after == "ago") or (word, after) in FOR_GOOD:
            skip = int(after in ("ago", "good", "all"))
        elif word in ("this", "last", "since", "on", "in") and (
                after in SPANS | CALENDAR or (number(after) and word == "since")):
            skip = 1
        elif word != "since" or after:
            out.append(word)
    return out


def content(words: Sequence[str], start: int = 0, end: int = 0) -> list[str]:
    """The words of a clause that say something, its name at ``words[start:end]`` aside.

    Less :data:`PLAIN_FILLERS` (but "my" not before the name or another filler, "il" before
    "a" or "est") and numbers; the recent times are the caller's (:func:`untimed`).
    """
    def said(k: int, word: str) -> bool:
        after = words[k + 1] if k + 1 < len(words) else ""
        return (word == "my" and k + 1 != start and after not in PLAIN_FILLERS) or (
            word == "il" and after in ("a", "est")) or (
            word not in PLAIN_FILLERS and not number(word))
    return [w for k, w in enumerate(words) if not start <= k < end and said(k, w)]


def plain_stop(words: Sequence[str], start: int, end: int, kind: str,
               cell: frozenset[str], text: str) -> bool:
    """Whether a clause's stop of the name at ``words[start:end]`` is written plainly.

    The clause's other words that say something (:func:`content`), less their recent times
    (:func:`untimed`), are one of
    :data:`PLAIN_STOPS` (a condition's: :data:`CONDITION_STOPS`), or for a condition a bare
    "not" ("no dialysis" is a day off, "no more dialysis this week" a schedule: /tmp/w52/e4
    G4); never with a word of :data:`RESUMED` in the clause or in ``cell`` (the words of
    the cell's clauses that name nothing: "stopped lithium in 2019, back on it now"), a number
    between the stop and the name, a filler of :data:`FOREIGN_FILLERS` in a stop written in
    English, or a cell ``text`` that asks or jokes (:func:`asked_or_taken`). A medicine's bare
    negation is no plain stop ("no digoxin", "didn't have digoxin": a dose missed is
    likelier). The cell's other clauses must say nothing else too: the caller's.
    """
    if RESUMED & (cell | set(words)) or asked_or_taken(text):
        return False
    rest = content(words, start, end)
    said = tuple(untimed(rest))
    stop = next((k for k, word in enumerate(words) if (word,) == said[:1]), start)
    named = next((k for k in range(start, end) if not number(words[k])
                  and words[k] not in PLAIN_FILLERS), start)   # "stopped the 400mg digoxin"
    dose = any(map(number, words[stop:named]))
    foreign = bool(ENGLISH_STOPS & set(said)) and bool(FOREIGN_FILLERS & set(words))
    switch = said[2:3] == ("to",) and said[:2] in PLAIN_STOPS and not any(map(number, words))
    return not (dose or foreign) and (
        (said in PLAIN_STOPS and not (said[1:2] == ("from",) and any(map(number, words)))
         and not (kind == "condition" and said[:1] == ("no",) and said != ("no", "longer")
                  and rest != list(said)))
        or switch or (kind == "condition" and (
            said in CONDITION_STOPS or (len(rest) == 1 and rest[0] in NEGATIONS and (
                rest[0] != "no" or bool(FOREIGN_FILLERS & {
                    *words[words.index("no") + 1:][:1]}))))))   # "no estoy embarazada"


ENGLISH_STOPS = frozenset({"stopped", "quit", "discontinued", "ceased", "off", "came", "come",
                           "not", "longer", "more", "anymore", "switched", "changed", "weaned",
                           "negative", "test", "ruled", "lost", "gave"})
"""The words of a stop written in English (:func:`plain_stop`)."""

AUXILIARIES = frozenset({"is", "are", "am", "has", "have", "did", "does", "do", "can",
                         "should", "was"})
"""Words a question begins with, "?" or not ("has the GP stopped digoxin", "is digoxin
stopped": /tmp/w52/e4 G3), unless a stop follows ("have stopped digoxin")."""

TAGS = (("is", "it"), ("am", "i"), ("isn", "t", "it"), ("right",))
"""Words a question ends with ("quit digoxin, is it")."""

NOW_TAKEN = frozenset({"have", "has", "taking", "take", "takes"})
"""Verbs of a fact had now before "it" and a recent time ("quit digoxin - have it now",
/tmp/w52/e4 G5)."""


def asked_or_taken(text: str) -> bool:
    """Whether a cell asks, jokes or says the name taken now: none holds a plain stop.

    A "?", an auxiliary first, a tag last, an emoji, "have it now" (/tmp/w52/e4 G3, G5, G6).
    """
    words = name_key(text).split("_")
    starts = {stop[0] for stop in PLAIN_STOPS | CONDITION_STOPS}
    return ("?" in text or any(ord(c) >= 0x2190 and unicodedata.category(c) == "So"
                               for c in text)
            or (words[0] in AUXILIARIES and words[1:2] != [] and words[1] not in starts)
            or any(tuple(words[-len(tag):]) == tag for tag in TAGS)
            or any(w in NOW_TAKEN and words[k + 1:k + 2] == ["it"] and bool(WHEN & {
                *words[k + 2:k + 3]}) for k, w in enumerate(words)))


def says_nothing(words: Sequence[str]) -> bool:
    """Whether a clause that names nothing leaves a plain stop beside it plain.

    Only fillers and a recent time (:func:`content`): "stopped lithium today, sick day rules"
    or "stopped digoxin, taking it today" is no plain stop (/tmp/w52/e3 F3, F5, F6, F9).
    """
    return not untimed(content(words)) and not TAKING & set(words)


PREGNANT = "pregnant = true"
"""A pregnancy the diary names goes in the profile so: its rule's key (/tmp/w51/a F2)."""

PREGNANCY = "pregnancy"
"""The safety data's name of a pregnancy (``safety.toml``)."""

BIRTH_ENDS = frozenset({
    ("gave", "birth"), ("baby", "born"), ("baby", "boy", "born"), ("baby", "girl", "born"),
    ("twins", "born"), ("son", "born"), ("daughter", "born"), ("our", "baby", "born"),
    ("our", "son", "born"), ("our", "daughter", "born"), ("our", "twins", "born"),
    ("our", "baby", "boy", "born"), ("our", "baby", "girl", "born"), ("my", "son", "born"),
    ("my", "daughter", "born"), ("my", "baby", "born"), ("miscarried",), ("miscarriage",),
    ("lost", "baby"), ("we", "lost", "baby"), ("stillbirth",), ("stillborn",),
    ("baby", "arrived"), ("baby", "boy", "arrived"), ("baby", "girl", "arrived")})
"""The words a cell that says a pregnancy ended begins with, said plainly, without naming it
("gave birth", "baby born 3am", "miscarried at 9 weeks", "we lost the baby"): read as nothing,
the pregnancy a diary had named never ended (an outside audit, /tmp/w53/c C4: a hold outlived
weaning; "Reason to see a clinician: pregnancy" three weeks after a miscarriage). Never a
word alone that a midwife's or another's note has too ("delivered twins at 4am", "born at
home", "birth", "our daughter gave birth": /tmp/w53/r R1)."""

BIRTH_AFTER = frozenset({
    "to", "a", "healthy", "boy", "girl", "twins", "at", "weeks", "wks", "by", "via", "c",
    "section", "csection", "caesarean", "cesarean", "emergency", "planned", "early", "home",
    "hospital", "vaginal", "little", "finally", "confirmed", "naturally", "our", "my", "son",
    "daughter", "baby", "beautiful", "in"})
"""The words that may follow :data:`BIRTH_ENDS` in such a cell ("gave birth to a healthy boy",
"miscarriage confirmed"); any other ("miscarriage risk discussed", "lost the baby monitor")
makes it no end."""


BORN = frozenset({"birth", "born", "arrived"})
"""Words of a birth (not a loss), after which the end's words ask about breastfeeding."""

YEAR = re.compile(r"\b(?:19|20)\d\d\b")
"""A year in a cell of a birth makes it a past one ("son born 2019, 5yo now")."""


def ended_pregnancy(text: str) -> bool:
    """Whether a cell says only, and plainly, that a pregnancy ended (:data:`BIRTH_ENDS`).

    Its words that say something (:func:`content`, :func:`untimed`) begin with one of them
    and go on with :data:`BIRTH_AFTER`'s only; not a cell that asks or jokes
    (:func:`asked_or_taken`), nor one with a year (:data:`YEAR`).
    """
    said = tuple(untimed(content(name_key(text).split("_"))))
    return any(said[:len(end)] == end and set(said[len(end):]) <= BIRTH_AFTER
               for end in BIRTH_ENDS) and not asked_or_taken(text) and not YEAR.search(text)


@dataclass(frozen=True)
class Mention:
    """A name with a rule that the diary's free text gives.

    Parameters
    ----------
    day : datetime.date
        The night it is written on.
    column : str
        ``other_change`` or ``notes``.
    text : str
        The cell as written ("started dialysis").
    kind : {"condition", "medicine"}
        What it names.
    name : str
        The safety data's name for it (``severe_renal_impairment``).
    entry : str
        The words that named it, as a profile entry would give them ("dialysis"); for a
        near miss, the name it is read as ("digoxin" for "digoxn").
    stance : {"has", "stopped", "unsure"}
        Had or begun, stopped or not so, or perhaps not the person's own.
    why : str
        Why an ``unsure`` one is not screened ("" otherwise).
    typo : str
        The words as written when they are a near miss read as ``entry``
        (:mod:`model.decision.misspelt`; "digoxn"), else "".

    """

    day: dt.date
    column: str
    text: str
    kind: Kind
    name: str
    entry: str
    stance: Stance
    why: str = ""
    typo: str = ""


def _said(m: Mention, hint: str = "") -> str:
    """``your diary says 'started dialysis' on 2026-11-24 (other_change): it names ...``.

    A near miss says what it was read as: "'digoxn' is read as 'digoxin'"; words that are
    not the name, what they may speak of (``hint``).
    """
    names = f"may speak of {hint}" if hint else f"names {spoken(m.name)!r}"
    if m.typo:
        names = (f"{m.typo!r} is read as {m.entry!r} (a likely misspelling, read so for "
                 f"safety){'' if name_key(m.entry) == m.name else ', which ' + names}")
    else:
        names = f"it {names}"
    return f"Your diary says {m.text!r} on {m.day} ({m.column}): {names}"


def _fix(m: Mention, plain: str) -> str:
    """How to put the diary right: ``plain``, or for a near miss where and if what."""
    return (f"correct the diary's {m.column} on {m.day} if {m.typo!r} is not {m.entry}"
            if m.typo else plain)


def _put(m: Mention, profile: Profile, safety: Safety, known: bool) -> str:
    """How to put the name in the profile: "put it in your profile (:data:`PREGNANT`)".

    Words no entry reads (not ``known``: "levo"): the name, or :func:`profile_line`'s key or
    instruction ("put your eGFR from your last blood test in your profile: egfr = <the
    figure>": /tmp/w52/e2 R17, a blank to paste was asked for).
    """
    if not known and (line := profile_line(m.name, m.entry, m.text, NameIndex.of(safety),
                                           m.why not in (OTHERS_WHY, NOT_OWN_WHY))):
        return line if line.startswith("put ") else f"put it in your profile ({line})"
    alone = profile.model_copy(update={"conditions": (entry := m.entry if known else
                                                      spoken(m.name),)})   # not read again
    return "put it in your profile ({})".format(
        PREGNANT if m.kind == "condition" and pregnancy_named(alone, safety) else
        f'{"conditions" if m.kind == "condition" else "medications"} = ["{entry}"]')


def warning(m: Mention, covered: bool, profile: Profile, safety: Safety,
            later: Mention | None = None) -> str:
    """What one mention says, "" when it says nothing.

    ``covered``: the profile has the name; ``later``: a later mention of a name had that
    may say it is stopped, not plainly (:data:`PLAIN_WHY`), which the warning names.
    """
    index = NameIndex.of(safety)
    known = bool(m.typo or index.match(m.entry, m.kind))
    put = _put(m, profile, safety, known)
    hint = "" if known else "a medicine with a rule" if index.members(m.entry) else repr(
        spoken(m.name))
    mine = ("your profile says pregnant = false" if PREGNANT in put and profile.pregnant is False
            else f"your profile gives egfr = {profile.egfr:g}" if "egfr =" in put and profile.egfr
            else "your profile does not list it" if profile_given(profile)
            else "no profile was given")
    pregnancy = m.name == PREGNANCY
    if m.stance == "has":
        return "" if covered else (
            f"{_said(m, hint)}, and {mine}: magnesium is screened as if your profile had it, from "
            f"that night on. If that is right, {put}; "
            f"{_fix(m, 'if it is not, correct the diary')}." + ("" if later is None else
            f" A later line ({later.text!r} on {later.day}) may say it is stopped, but not "
            f"plainly: its rule still applies; if you stopped it, write '{plain_example(m)}' "
            "on the night you did.") + (" When it ends, write 'gave birth' or 'not pregnant' "
                                        "on the night it does." if pregnancy else ""))
    if m.stance == "stopped" and covered:
        out = ("If it has ended, set pregnant = false in your profile" if pregnancy else
               "If it is stopped, take it out of your profile (ask your clinician first)")
        return (f"{_said(m, hint)} as stopped or not so, but your profile has it: its rule still "
                f"applies. {out}; {_fix(m, 'if not, correct the diary')}.")
    if covered:
        return ""
    if m.stance == "stopped" and pregnancy and ended_pregnancy(m.text):     # "gave birth"
        feed = ("If you breastfeed, put it in your profile (conditions = [\"breastfeeding\"]), "
                "where its rule applies; if" if BORN & set(name_key(m.text).split("_")) else "If")
        return (f"{_said(m, hint)} as ended, so its rule is not applied from that night on. "
                f"{feed} you are still pregnant, correct the diary.")
    why = "it is written as stopped or not so" if m.stance == "stopped" else m.why
    fix = _fix(m, "")
    return (f"{_said(m, hint)}, and {mine}; {why}, so its rule is NOT applied. If you "
            f"{'take' if m.kind == 'medicine' else 'have'} it, {put}, where its rule applies."
            + (f" {fix[0].upper()}{fix[1:]}." if fix else "") + (
                f" If you stopped it, write '{plain_example(m)}' on the night you did."
                if m.why == PLAIN_WHY else ""))
