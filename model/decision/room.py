"""No room to improve: a person whose nights are already at the scales' better end.

The rule (:func:`model.decision.choice.choose`): a person has **no room** when, on every sleep
outcome they weigh (profile weight > 0) and record (predicted, and not a column without a
night, :attr:`History.unrecorded`; at least one such outcome), the distance of their typical
night from the scale's better end (:meth:`~model.core.outcomes.OutcomeSpec.room`) is below
one MCID (``settings.toml``: 20 min of sleep onset, 0.5 awakenings, 0.4 quality points, 0.9
freshness points, 1.6 anxiety points). Then no step is taken to learn or to gain (the planned
crossover's start or switch, the planned titration, a learning-value pick, a change chosen by
expected utility): without magnesium the person stays without; on magnesium the choice is the
utility's own between continuing and stopping, with no learning value (code ``no_room``).
The safety rules, a harmful regimen's stop, the GI rules (an acute GI problem, the chance
constraint), a withdrawal for a missing baseline, the experiments and a forced step keep
priority. One MCID of room on one weighted, recorded outcome is enough for everything to run
as before: onset 20-60 min or quality about 3 (the closed loop's world persons) is not
touched, nor is a good sleeper whose evening anxiety is 6.

Why: an edge-of-scale audit (/tmp/w44/C, F2 and F3). A good sleeper without magnesium
(onset 3-8 min, 0 awakenings, quality 5, anxiety 0) was told "Start glycinate, 200 mg ...
planned crossover, form 1 of 3" though continuing had the best expected utility and every
expected change read "no change": the crossover takes a form when P(better) >= 0.25, which a
symmetric posterior always gives, even where 20 min cannot come off a 5-min onset. Someone at
the top of every scale on glycinate 200 mg was told to raise the dose, the titration firing on
0.02 fewer awakenings (they had none) and +0.005 quality points (they rated 5).

The level is the model's typical night on the current regimen (the posterior median of its
diary-scale prediction), not the mean of the recorded nights: it is the night the decision's
gains are computed at (:mod:`model.decision.gains`), so room and gain speak of the same night;
it pools every night of the diary, so three good nights on a new form do not end a search;
and it needs no diary frame (a :class:`History` decides as well as a diary does).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import xarray as xr

from model.core.change_words import number, outcome_name
from model.core.outcomes import SLEEP_OUTCOMES, SPECS
from model.decision.history import History
from model.decision.utility import Evaluation
from model.evidence.priorset import PriorSet

STAYS = ("continue", "stop")
"""What a person with no room chooses between: the utility's own choice, nothing to learn."""


@dataclass(frozen=True)
class Room:
    """The room of each weighted, recorded outcome at the current regimen's typical night.

    Attributes
    ----------
    levels : mapping of str to float
        The typical night's value per outcome, in diary units.
    mcids : mapping of str to float
        Its room (:meth:`~model.core.outcomes.OutcomeSpec.room`) in MCIDs per outcome.
    """

    levels: Mapping[str, float]
    mcids: Mapping[str, float]

    @property
    def none_left(self) -> bool:
        """Whether no outcome has one MCID of room (and at least one was judged)."""
        return bool(self.mcids) and all(r < 1.0 for r in self.mcids.values())

    def words(self) -> str:
        """Why nothing is proposed, in a person's words (the reasons and the headline)."""
        said = [f"{outcome_name(o)} {_level(o, v)}" for o, v in self.levels.items()]
        return ("Your nights are already near the best these scales record ("
                f"{', '.join(said)}): magnesium could not bring a change you would notice, so "
                "no form or dose is proposed to try.")


ROOM_START = "Your nights are already near the best"
"""The start of :meth:`Room.words` (the headline finds the reason by it)."""


def _level(outcome: str, value: float) -> str:
    """A typical night's value: ``5 min``, ``0.1 a night``, ``4.9 of 5``."""
    if outcome == "sol":
        return f"{number(value, outcome)} min"
    if outcome == "awakenings":
        return f"{value:.1f} a night"
    spec = SPECS[outcome]
    return f"{value:.1f} of {spec.lowest + spec.categories - 1}"


def room(data: xr.Dataset, past: History, priors: PriorSet,
         weights: Mapping[str, float]) -> Room:
    """The person's room per weighted, recorded sleep outcome (:class:`Room`).

    ``data``: the decision's predictions (:func:`model.decision.utility.predicted`), which
    hold the current regimen (:attr:`History.reference`); ``weights``: the profile's.
    """
    rows = data.sel(regimen=past.reference.label)
    levels, mcids = {}, {}
    for o in SLEEP_OUTCOMES:
        key = SPECS[o].gain_key
        if weights.get(o, 0.0) <= 0 or o in past.unrecorded or key not in rows:
            continue
        levels[o] = float(np.median(rows[key].to_numpy()))
        mcids[o] = SPECS[o].room(levels[o]) / priors.settings.outcomes[o].mcid
    return Room(levels, mcids)


def stay_row(ev: Evaluation) -> int | None:
    """The allowed row, continuing or stopping, of the higher expected utility (None: neither).

    No learning value: with no room there is nothing its nights could show that matters.
    """
    rows = [i for i, c in enumerate(ev.candidates)
            if ev.feasible[i] and ev.terminal[i] and c.action in STAYS]
    return max(rows, key=lambda i: float(ev.ranking.expected[i])) if rows else None
