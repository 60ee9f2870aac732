"""The room an outcome has left to improve: the distance to its scale's better end."""

from __future__ import annotations

import pytest

from model.core.outcomes import SPECS


@pytest.mark.parametrize(("outcome", "level", "room"), [
    ("sol", 5.0, 5.0), ("awakenings", 0.0, 0.0), ("quality", 4.9, 0.1), ("quality", 1.0, 4.0),
    ("freshness", 9.8, 0.2), ("anxiety", 1.5, 1.5), ("anxiety", 0.0, 0.0)])
def test_room_is_the_distance_to_the_better_end(outcome, level, room):
    assert SPECS[outcome].room(level) == pytest.approx(room)


def test_a_level_past_the_better_end_has_no_room():
    assert SPECS["quality"].room(5.2) == 0.0 and SPECS["sol"].room(-1.0) == 0.0
