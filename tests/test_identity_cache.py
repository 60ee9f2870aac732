"""The identity cache: once per object, never for an equal but other object, bounded."""

from model.core.identity_cache import KEPT, identity_cache
from model.evidence.floor import bundled_safety, loosened_in_use
from model.evidence.names import NameIndex


def counted():
    calls = []

    @identity_cache
    def length(items: list[int]) -> int:
        calls.append(1)
        return len(items)

    return length, calls


def test_the_same_object_is_computed_once_an_equal_other_one_again():
    length, calls = counted()
    one = [1, 2]
    assert length(one) == length(one) == 2 and len(calls) == 1
    assert length([1, 2]) == 2 and len(calls) == 2      # equal, not the same object


def test_it_keeps_the_last_calls_only():
    length, calls = counted()
    kept = [[k] for k in range(KEPT + 1)]
    for items in kept:
        length(items)
    length(kept[-1])
    assert len(calls) == KEPT + 1                        # the newest is remembered
    length(kept[0])
    assert len(calls) == KEPT + 2                        # the oldest was forgotten


def test_the_safety_rules_are_indexed_and_checked_once_per_object():
    safety = bundled_safety()
    assert NameIndex.of(safety) is NameIndex.of(safety)
    copy = safety.model_copy(update={"contraindications": safety.contraindications[1:]})
    assert NameIndex.of(copy) is not NameIndex.of(safety)
    assert loosened_in_use(safety) == ()
    assert loosened_in_use(copy)                         # a rule dropped: a fault, not a hit
