"""One sleep per night: the sleeps a tracker logged made into the diary's rows.

Rules shared by all sources (README, "Bring your own data"):

- **A night split by a long awakening is one night**: the sleeps that follow a main sleep,
  each starting at most :data:`JOIN_GAP` (3 hours) after the previous one ended, are joined
  to it (:func:`joined`): latency from the main sleep, awakenings summed plus one per gap,
  ``waso_min`` summed plus the minutes of the gaps, time asleep summed. Trackers end a sleep
  after a long awakening (Apple's samples at 90 minutes here, Fitbit and Oura by their own
  rules) and log the rest as another sleep. A run begins with a main sleep, or with a sleep
  of at least :data:`LEAD_MIN_ASLEEP` (90 minutes) the tracker does not call main (Fitbit
  marks only the longer part of a split night): a shorter evening doze before bed stays a
  nap, so it cannot lend the night its latency or add an "awakening" of the hours before
  bed. A sleep the tracker itself labels a nap (Oura's ``sleep``) that follows the run's
  last main sleep stays a nap, not joined (:func:`runs`); a gap of up to 3 minutes is no
  awakening (:func:`~.hypnogram.wake_totals`).
- **A night across the daylight-saving fall-back**: wall-clock times without a UTC offset
  (Fitbit's) repeat an hour, so the second part of a split night can seem to start before
  the first ended. Parts overlapping so by at most :data:`CLOCK_BACK` (1 hour), each with
  more time of its own than the two share, are joined as above with the clock taken back an
  hour between them, and a warning names the night (:func:`awake_between`).
- **Daytime naps**: a sleep may be a night's main sleep only when it lasts
  :data:`MAIN_MIN_ASLEEP` or more, begins in :data:`NIGHT_WINDOW` (18:00 to 06:00 local), or
  begins before noon and lasts :data:`LEAD_MIN_ASLEEP` or more (a short day sleep):
  :func:`may_be_main`, for trackers that do not label naps (Apple) or mark a day's only
  sleep main (Fitbit).
- **Runs before nights**: sleeps are joined in time order over the whole export, and a
  joined sleep belongs to the night of its first part, so a day sleep split around noon
  (08:00-11:30, 12:15-15:00) stays one sleep. Only a day sleep (its first part beginning
  outside :data:`NIGHT_WINDOW`) is joined across noon: a night's sleep is not, so a lie-in
  followed by a nap after noon, or a sick day of naps, leaves the next night its own; and a
  day sleep with a night's sleep behind it only across an hour awake at most
  (:data:`DAY_JOIN_GAP`): a nap before the next night shift stays a nap (:func:`_day_part`).
  Likewise a night's sleep is not joined by a sleep begun from 07:00 after more than an hour
  awake: a morning nap stays a nap (:func:`_morning_nap`).
  Times with a UTC offset are ordered by the instant, not the wall clock (a sleep across a
  westward flight); parts whose offsets differ by more than an hour are not joined across
  more than an hour awake by a sleep begun in the day (:func:`_after_a_flight`).
- **One sleep per night**: among the (joined) sleeps of a night, the main sleeps are kept
  and the longest of them wins; naps and other short sleeps are left out (and counted, by
  night, in a warning). A main sleep has a sleep the tracker calls main; on a night with
  none, a sleep of :data:`MAIN_MIN_ASLEEP` minutes asleep in all whose parts the tracker
  labels no nap (two parts of a day sleep, neither long enough alone) is one
  (:func:`main_runs`). A night with naps only gives no row, and the warning names its date.
- **A day sleep after a night shift**: a main sleep of :data:`SHIFT_SLEEP_MIN` minutes or
  more beginning in the afternoon (from noon to 18:00) of its night's own date, on a night
  with another main sleep, belongs to the night before when that night has none
  (:func:`after_a_shift`): 12:30-18:00 on 10 March after the night shift of 9 March, then
  08:00 on 11 March after the next shift, are the nights of 9 and 10 March. A warning names
  the nights so given; a shorter afternoon sleep (a sick day's nap) stays a nap.
- **Day sleeps are said**: when a night's sleep began in the day (:func:`is_day_sleep`: from
  :data:`DAY_SLEEP_FROM` to 18:00, or from 06:00 lasting 4 hours or more), every row gets the
  diary's ``day_sleep`` column, 1 on such a night and 0 on the others, so the model fits the
  level of a day sleep after a night shift apart from magnesium's effect (a shift worker's
  audit, /tmp/w53/b B2), and a warning counts them; an export without one writes no such column.
- **Duplicates** (the same sleep twice, as in overlapping exports) are dropped; other
  overlapping sleeps (a re-synced or edited log beside the tracker's) are alternatives.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import pandas as pd

from model.data.diary_rows import KNOWN_COLUMNS
from model.data.importers.common import SleepPeriod, blank_above, elapsed, few, format_cell
from model.data.importers.hypnogram import wake_totals

JOIN_GAP = dt.timedelta(hours=3)
"""Sleeps of a night this close (end of one to start of the next) are one night's sleep."""

DAY_JOIN_GAP = dt.timedelta(hours=1)
"""The longest awakening across which a day sleep that has a night's sleep behind it
(:data:`MAIN_MIN_ASLEEP`) is joined by a sleep dated on a later night: a nurse's nap at 16:00
before her next shift, 2 hours after her day sleep ended, was joined to it, an awakening and
2-3 hours awake after every day sleep (a shift worker's audit, /tmp/w54/s S1)."""

LEAD_MIN_ASLEEP = 90.0
"""Minutes asleep from which a sleep before the main one is the night's first part, not a
doze: a sleep cycle is about 90 minutes, an evening doze on the sofa is shorter."""

CLOCK_BACK = dt.timedelta(hours=1)
"""The hour a daylight-saving fall-back repeats on a wall clock."""

MAIN_MIN_ASLEEP = 180.0
"""Minutes asleep below which a sleep beginning in the day is a nap, never the night's
(Fitbit's ``infoCode`` 2 likewise calls a sleep period under three hours too short)."""

NIGHT_WINDOW = (dt.time(18), dt.time(6))
"""Local start times (from, to) of a sleep that may be the night's at any length."""

SHIFT_SLEEP_MIN = 240.0
"""Minutes asleep from which an afternoon sleep may be the day sleep after a night shift
(given the night before, :func:`after_a_shift`): a sick day's nap is shorter."""


DAY_SLEEP_FROM = dt.time(7)
"""From when a sleep of any length is written ``day_sleep = 1`` (to :data:`NIGHT_WINDOW`'s
18:00); from 06:00 only one of :data:`SHIFT_SLEEP_MIN` or more (:func:`is_day_sleep`)."""

SHORT_DAY_SLEEP_MIN = 120.0
"""Minutes asleep from which a sleep begun in the morning may be the night's (:func:`may_be_main`):
a short day sleep after a night shift; a day worker's morning nap is shorter."""

NAP_FROM = dt.time(15)
"""From when a short sleep after a day sleep is a nap before the next shift (:func:`_day_part`)."""


def is_day_sleep(start: dt.datetime, asleep_min: float) -> bool:
    """Whether a night's sleep begun at ``start`` (local wall clock) is written a day sleep.

    From :data:`DAY_SLEEP_FROM` to 18:00; from 06:00 when it lasts :data:`SHIFT_SLEEP_MIN` or
    more: an insomniac asleep only from 06:10 to 09:30, with no shift, was written a day
    sleep (a shift worker's audit, /tmp/w54/s S4), and then a warehouse worker asleep from
    06:40 to 13:30 after a 22:00-06:00 shift was not (the second round, /tmp/w54/s2 N1).
    """
    early = NIGHT_WINDOW[1] <= start.time() < DAY_SLEEP_FROM and asleep_min >= SHIFT_SLEEP_MIN
    return early or DAY_SLEEP_FROM <= start.time() < NIGHT_WINDOW[0]


def in_night_window(start: dt.datetime) -> bool:
    """Whether a sleep begins in :data:`NIGHT_WINDOW` (local wall clock)."""
    begin, end = NIGHT_WINDOW
    return start.time() >= begin or start.time() < end


def may_be_main(start: dt.datetime, asleep_min: float) -> bool:
    """Whether a sleep may be a night's main sleep, not a daytime nap.

    A sleep begun in the morning (before noon) of :data:`SHORT_DAY_SLEEP_MIN` or more may be:
    the short, broken day sleep after a night shift, the night's only sleep, was dropped as
    "naps only, no row", the worst nights of a rota gone from the diary (a shift worker's
    audit, /tmp/w54/s S5); after a night's own sleep, the longer one is the night's. (From 90
    minutes, a day worker's morning nap on a night the watch was charging became the night's:
    /tmp/w54/s2 N4.)

    Parameters
    ----------
    start : datetime.datetime
        Its local start (wall clock).
    asleep_min : float
        Minutes asleep (NaN: unknown, then only the start counts).

    Returns
    -------
    bool
        True when it begins in :data:`NIGHT_WINDOW`, lasts :data:`MAIN_MIN_ASLEEP` or more,
        or begins before noon and lasts :data:`SHORT_DAY_SLEEP_MIN` or more.

    """
    return (in_night_window(start) or asleep_min >= MAIN_MIN_ASLEEP
            or (start.time() < dt.time(12) and asleep_min >= SHORT_DAY_SLEEP_MIN))


def may_fall_back(day: dt.date) -> bool:
    """Whether a daylight-saving clock may go back in the small hours of ``day``.

    A Sunday in the last ten days of March or October, or the first week of April or
    November: the fall-back of the EU, North America, Australia, New Zealand, Chile and
    Paraguay. Overlapping logs on any other night are two records of one sleep, not a clock
    change.
    """
    late, early = day.month in (3, 10) and day.day >= 22, day.month in (4, 11) and day.day <= 7
    return day.weekday() == 6 and (late or early)


def awake_between(earlier: SleepPeriod, later: SleepPeriod) -> dt.timedelta:
    """Time awake from one sleep of a night to the next; negative if they overlap (not joined).

    A later sleep starting before the earlier one ended on wall clocks without a UTC offset
    (Fitbit's) by at most :data:`CLOCK_BACK`, on a morning the clock may go back
    (:func:`may_fall_back`), is read as the clock going back an hour between them (the gap is
    the wall-clock one plus the hour) when each sleep has more time of its own than the two
    share: 02:15 after a part ending at 02:40 is 35 minutes later on the night of the
    fall-back. Near-identical records share most of their time and stay overlapping; times
    with an offset (Apple's, Oura's) are compared as they are.
    """
    wall = elapsed(earlier.end, later.start)
    own = min(elapsed(earlier.start, later.start), elapsed(earlier.end, later.end))
    no_offset = earlier.end.tzinfo is None and later.start.tzinfo is None
    if no_offset and may_fall_back(later.start.date()) and \
            -CLOCK_BACK <= wall < dt.timedelta(0) < own + wall:
        return wall + CLOCK_BACK
    return wall


def beyond_blank(period: SleepPeriod) -> SleepPeriod:
    """A night with its values above their diary column's range left blank, with a note.

    A restless night's 55 awakenings, counted from a tracker's gaps or summed over the parts
    of a joined night, are left blank as :func:`above_range` leaves a tracker's own counts:
    the night is kept.
    """
    kept, notes = blank_above(period.values, whole_only=False)
    return replace(period, values=kept, notes=(*period.notes, *notes))


def instant(moment: dt.datetime) -> dt.datetime:
    """A moment to order by: the UTC instant of a time with an offset, else its wall clock."""
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(dt.UTC).replace(tzinfo=None)


def runs(periods: Iterable[SleepPeriod]) -> list[list[SleepPeriod]]:
    """Sleeps in start order, grouped into runs to join.

    A sleep starting within JOIN_GAP after the previous one ended (:func:`awake_between`)
    continues its run when the run began with a main sleep or one of at least
    LEAD_MIN_ASLEEP minutes, unless it is a morning nap (:func:`_morning_nap`) or a sleep
    after a flight (:func:`_after_a_flight`); overlapping sleeps are alternatives, never
    joined. A sleep the tracker labels a nap after the run's last main sleep starts a run of
    its own (with what follows it): a nap after the night is no part of it.
    """
    groups: list[list[SleepPeriod]] = []
    for period in sorted(periods, key=lambda p: instant(p.start)):
        lead = groups[-1][0] if groups else None
        if lead is not None and (lead.main or lead.asleep >= LEAD_MIN_ASLEEP) and \
                (period.night == lead.night or _day_part(groups[-1], period)) and \
                dt.timedelta(0) <= awake_between(groups[-1][-1], period) <= JOIN_GAP and \
                not _morning_nap(groups[-1], period) and not _after_a_flight(groups[-1], period):
            groups[-1].append(period)
        else:
            groups.append([period])
    return [part for group in groups for part in _trailing_nap_apart(group)]


def _day_part(run: list[SleepPeriod], period: SleepPeriod) -> bool:
    """Whether ``period``, dated on a later night, continues a day sleep ``run``.

    A run begun in the day (outside :data:`NIGHT_WINDOW`) is joined across noon by a sleep
    after an awakening of up to :data:`DAY_JOIN_GAP`; by any within :data:`JOIN_GAP` while it
    has less than :data:`MAIN_MIN_ASLEEP` minutes asleep (two short parts of a day sleep); and
    by a sleep cycle or more (:data:`LEAD_MIN_ASLEEP`) begun before :data:`NAP_FROM`: the
    second half of a day sleep broken by 65 minutes awake was dropped as a nap, the worse day
    sleep read as a perfect one (/tmp/w54/s2 N2), while a short sleep from 15:00 is the nap
    before the next shift.
    """
    return not in_night_window(run[0].start) and (
        awake_between(run[-1], period) <= DAY_JOIN_GAP or asleep(run) < MAIN_MIN_ASLEEP
        or (period.asleep >= LEAD_MIN_ASLEEP and period.start.time() < NAP_FROM))


def _morning_nap(run: list[SleepPeriod], period: SleepPeriod) -> bool:
    """Whether ``period`` is a morning nap after a night's sleep ``run``, not part of it.

    A night begun in :data:`NIGHT_WINDOW` with :data:`MAIN_MIN_ASLEEP` minutes asleep is not
    joined by a sleep begun from :data:`DAY_SLEEP_FROM` after more than :data:`DAY_JOIN_GAP`
    awake: a nap at 08:30, two hours after a full night ended, was joined to it as an
    awakening and two hours awake (a shift worker's audit, /tmp/w54/s2 N6); a return to sleep
    before 07:00, or within the hour, is still the night's.
    """
    return (in_night_window(run[0].start) and asleep(run) >= MAIN_MIN_ASLEEP
            and DAY_SLEEP_FROM <= period.start.time() < NIGHT_WINDOW[0]
            and awake_between(run[-1], period) > DAY_JOIN_GAP)


def _after_a_flight(run: list[SleepPeriod], period: SleepPeriod) -> bool:
    """Whether ``period`` is a sleep after a flight, not a part of the ``run`` before it.

    Their UTC offsets differ by more than :data:`CLOCK_BACK` (a daylight-saving change is
    exactly that), ``period`` begins outside :data:`NIGHT_WINDOW` on its own clock and more
    than :data:`DAY_JOIN_GAP` after ``run`` ended: a crew rest on the plane, 21:23-00:03 at
    -04:00, and the day sleep at home, 08:54-15:27 at +02:00, were one night with an
    "awakening" of 2 h 51 min, the landing (a traveller's audit, /tmp/w55/t T3). Back to
    sleep in the night's window after a westward flight still continues the night.
    """
    before, after = run[-1].end.utcoffset(), period.start.utcoffset()
    return (before is not None and after is not None and abs(after - before) > CLOCK_BACK
            and not in_night_window(period.start)
            and awake_between(run[-1], period) > DAY_JOIN_GAP)


def _trailing_nap_apart(run: list[SleepPeriod]) -> list[list[SleepPeriod]]:
    """A run cut before the first labelled nap after its last main sleep (see :func:`runs`)."""
    last = max((i for i, p in enumerate(run) if p.main), default=len(run))
    cut = next((i for i in range(last + 1, len(run)) if run[i].nap), len(run))
    return [run[:cut], run[cut:]] if cut < len(run) else [run]


def joined(run: list[SleepPeriod]) -> SleepPeriod:
    """One sleep from the consecutive sleeps of a night (see the module doc).

    Latency (and every column but awakenings and WASO) and notes come from the first sleep;
    awakenings are summed plus one per gap and ``waso_min`` summed plus the gaps' minutes
    (:func:`awake_between`; a gap of up to 3 minutes adds neither; NaN when a sleep does not
    say); time asleep is summed.
    """
    first = run[0]
    if len(run) == 1:
        return first
    count, minutes = wake_totals(awake_between(a, b).total_seconds() / 60.0
                                 for a, b in itertools.pairwise(run))
    columns = dict.fromkeys(c for p in run for c in p.values)
    extra = {"awakenings": count, "waso_min": minutes}
    values = {c: (sum(p.values.get(c, math.nan) for p in run) + extra[c]) if c in extra
              else first.values.get(c, math.nan) for c in columns}
    return SleepPeriod(first.night, first.start, run[-1].end, asleep(run),
                       any(p.main for p in run), values, first.notes)


def asleep(run: Sequence[SleepPeriod]) -> float:
    """Minutes asleep over the parts of a run (unknown counts as 0)."""
    return sum(p.asleep for p in run)


def main_runs(runs_of_night: Sequence[list[SleepPeriod]]) -> list[list[SleepPeriod]]:
    """The main sleeps among a night's (joined) sleeps (see the module doc).

    Those with a sleep the tracker calls main; on a night with none, those of
    :data:`MAIN_MIN_ASLEEP` minutes asleep in all that the tracker labels no nap (on any
    night, two afternoon naps adding up to 3 hours beat a short, bad night the tracker
    called main: a review).
    """
    labelled = [run for run in runs_of_night if any(p.main for p in run)]
    return labelled or [run for run in runs_of_night if not any(p.nap for p in run)
                        and asleep(run) >= MAIN_MIN_ASLEEP]


def after_a_shift(by_night: dict[dt.date, list[list[SleepPeriod]]]) -> list[str]:
    """Give afternoon day sleeps to the night before when theirs has a later one.

    A main sleep of SHIFT_SLEEP_MIN minutes or more beginning from noon to 18:00 on its
    night's own date, on a night with another main sleep, moves to the night before when
    that night has no main sleep (the module doc). ``by_night`` is changed in place;
    returns the nights given a sleep.
    """
    given = []
    for night in sorted(by_night):
        main = main_runs(by_night[night])
        before = night - dt.timedelta(days=1)
        afternoon = [run for run in main if run[0].start.date() == night
                     and not in_night_window(run[0].start) and asleep(run) >= SHIFT_SLEEP_MIN]
        if len(main) > 1 and afternoon and not main_runs(by_night.get(before, [])):
            by_night[night].remove(afternoon[0])
            by_night.setdefault(before, []).append(afternoon[0])
            given.append(before.isoformat())
    return given


def day_sleep_warning(nights: Sequence[str]) -> str:
    """What is said of the nights an import wrote ``day_sleep = 1`` ("" for none)."""
    if not nights:
        return ""
    return (f"{len(nights)} night(s) whose sleep began in the day (from {DAY_SLEEP_FROM:%H:%M}, "
            f"or from {NIGHT_WINDOW[1]:%H:%M} for {SHIFT_SLEEP_MIN / 60:g} hours or more, to "
            f"{NIGHT_WINDOW[0]:%H:%M}) written day_sleep = 1, as a day sleep after a night "
            f"shift or a flight (its level is fitted apart from magnesium's effect; write 0 in "
            f"day_sleep for one that was neither): {few(list(nights))}")


@dataclass
class _Tally:
    """What :func:`nights_table` did, for its warnings."""

    left_out: dict[str, int] = field(default_factory=dict)
    joined: list[str] = field(default_factory=list)
    clock_back: list[str] = field(default_factory=list)
    nap_only: list[str] = field(default_factory=list)
    after_shift: list[str] = field(default_factory=list)
    day_sleeps: list[str] = field(default_factory=list)
    notes: dict[str, int] = field(default_factory=dict)

    def warnings(self, source: str, dropped: int) -> list[str]:
        """The warnings, each starting with the source's name."""
        hours = f"{JOIN_GAP.total_seconds() / 3600:g} h"
        return [f"{source}: {w}" for w in (
            f"{dropped} duplicate record(s) dropped" if dropped else "",
            f"{sum(self.left_out.values())} nap(s) or shorter sleep(s) of a night left out: "
            f"{few(list(self.left_out))}" if self.left_out else "",
            f"{len(self.joined)} night(s) joined from sleeps split by an awakening of up to "
            f"{hours}: {few(self.joined)}" if self.joined else "",
            f"{len(self.clock_back)} night(s) joined across a clock change (their parts' "
            f"wall-clock times overlap by up to {CLOCK_BACK.total_seconds() / 3600:g} h, read "
            f"as the clock going back between them): {few(self.clock_back)}"
            if self.clock_back else "",
            f"{len(self.after_shift)} night(s) given the day sleep that began the next "
            f"afternoon, as after a night shift (that afternoon's own night had a later "
            f"sleep): {few(self.after_shift)}" if self.after_shift else "",
            day_sleep_warning(self.day_sleeps),
            f"{len(self.nap_only)} night(s) with naps only, no row: {few(self.nap_only)}"
            if self.nap_only else "",
            *(f"{count} {note}" for note, count in self.notes.items()),
        ) if w]


def nights_table(periods: list[SleepPeriod], source: str,
                 notes: Sequence[str] = ()) -> tuple[pd.DataFrame, list[str]]:
    """One diary row per night from the sleeps of a tracker (see the module doc).

    Parameters
    ----------
    periods : list of SleepPeriod
        Every sleep found, in any order, duplicates and naps included.
    source : str
        The source's name, for warnings.
    notes : sequence of str
        The reader's own warnings (records left out), given the source's name first.

    Returns
    -------
    table : pandas.DataFrame
        Text cells; ``date`` first, then the diary columns the source gives, by date.
    warnings : list of str
        The reader's notes, dropped duplicates, naps left out, joined nights, nights with
        naps only (named), and the periods' notes counted over the nights kept.

    """
    unique: dict[tuple[Any, ...], SleepPeriod] = {}
    for period in periods:
        unique.setdefault(period.key(), period)
    by_night: dict[dt.date, list[list[SleepPeriod]]] = {}
    for run in runs(unique.values()):
        by_night.setdefault(run[0].night, []).append(run)
    tally = _Tally(after_shift=after_a_shift(by_night))
    rows = []
    for night in sorted(by_night):
        candidates = main_runs(by_night[night])
        if not candidates:
            tally.nap_only.append(night.isoformat())
            continue
        best = max(candidates, key=lambda r: (asleep(r), instant(r[0].start)))
        if left_out := sum(map(len, by_night[night])) - len(best):
            tally.left_out[night.isoformat()] = left_out
        if len(best) > 1:
            tally.joined.append(night.isoformat())
        if any(elapsed(a.end, b.start) < dt.timedelta(0) for a, b in itertools.pairwise(best)):
            tally.clock_back.append(night.isoformat())
        chosen = beyond_blank(joined(best))
        for note in chosen.notes:
            tally.notes[note] = tally.notes.get(note, 0) + 1
        day = is_day_sleep(chosen.start, asleep(best))
        if day:
            tally.day_sleeps.append(night.isoformat())
        rows.append({"date": night.isoformat()}
                    | {c: format_cell(v) for c, v in chosen.values.items()}
                    | {"day_sleep": str(int(day))})
    unsaid = {"date"} | (set() if tally.day_sleeps else {"day_sleep"})
    columns = ["date", *(c for c in KNOWN_COLUMNS
                         if c not in unsaid and any(c in r for r in rows))]
    table = pd.DataFrame(rows, columns=columns).fillna("")
    warnings = [f"{source}: {note}" for note in notes]
    return table, warnings + tally.warnings(source, len(periods) - len(unique))
