"""What the published evidence holds on the outcomes that count most for a person, in words.

The first advice, before any magnesium night, rests on the evidence priors alone; its Why
said "published evidence alone ranks them" to a person whose complaint was night waking,
on which every form's prior is the no-effect reference, and never told an anxious person
that glycinate's own anxiety trials showed no clear effect while the form best expected
(taurate) had only animal data (an outside audit). :func:`first_why`
says, from the priors' basis and certainty of each form on the person's heaviest
outcomes (:func:`~model.decision.evidence_basis.heaviest`), whether any form has studies in
people of its own there and what they show, and why the form chosen goes first. The words of
a prior's basis are :mod:`model.decision.evidence_basis`'s, which the decision's own line on
the form best expected reads too.
"""

from __future__ import annotations

from collections.abc import Mapping

from model.core.change_words import outcome_name
from model.decision.evidence_basis import KIND_WORDS, found_alike, heaviest, studies_found
from model.evidence.name_words import listed
from model.evidence.priorset import PriorEntry, PriorSet


def outcome_evidence(priors: PriorSet, outcome: str) -> str:
    """The state of the published evidence on ``outcome`` across every form, in words.

    ``no form has any published evidence`` (every prior the reference), ``no form has a
    study in people of its own, only evidence borrowed from magnesium in general (very low
    certainty)``, or ``glycinate, oxide and chloride have studies in people of their own:
    oxide's and chloride's found a benefit (very low certainty), so they count for little, and
    glycinate's found no clear effect (low certainty)`` (basis ``direct``: what the forms'
    studies found and how much it counts, :func:`~model.decision.evidence_basis.studies_found`).
    """
    entries = [e for (_, o), e in priors.entries.items() if o == outcome]
    own = [e for e in entries if e.basis == "direct"]
    if own:
        names = listed([e.form for e in own], "and", quoted=False)
        head = (f"{names} {'has a study' if len(own) == 1 else 'have studies'} in people of "
                f"{'its' if len(own) == 1 else 'their'} own")
        alike = found_alike(priors, own)
        if len(alike) == 1:
            return f"{head}, which {studies_found(priors, own)}"
        said = [f"{_whose(group)} {studies_found(priors, group)}" for group in alike]
        return f"{head}: " + ", and ".join(said)
    some = [e for e in entries if e.basis != "reference"]
    if not some:
        return "no form has any published evidence"
    kinds = dict.fromkeys(w for e in some for w in KIND_WORDS.get(e.basis, ()))
    grades = {e.certainty for e in some}
    grade = f" ({next(iter(grades))} certainty)" if len(grades) == 1 else ""
    return f"no form has a study in people of its own, only {' or '.join(kinds)}{grade}"


def _whose(group: list[PriorEntry]) -> str:
    """``oxide's and chloride's``: the forms of ``group``, as owners of their studies."""
    return listed([f"{e.form}'s" for e in group], "and", quoted=False)


def main_evidence(priors: PriorSet, weights: Mapping[str, float]) -> str:
    """``on evening anxiety, which counts most for you, ...``: :func:`outcome_evidence`.

    The outcome of the top weight, or the two tied at it (racing thoughts weigh falling
    asleep and evening anxiety alike), each named with its own evidence.
    """
    top = heaviest(weights)
    names = " and ".join(outcome_name(o) for o in top)
    counts = "counts" if len(top) == 1 else "count"
    if len(top) == 1:
        return f"on {names}, which {counts} most for you, {outcome_evidence(priors, top[0])}"
    return (f"on {names}, which {counts} most for you: "
            + "; ".join(f"on {outcome_name(o)} {outcome_evidence(priors, o)}" for o in top))


def first_why(priors: PriorSet, weights: Mapping[str, float], form: str, tied: bool) -> str:
    """Why a first step of the planned crossover, in the person's terms (one or two sentences).

    The evidence on what counts most for them (:func:`main_evidence`), then the design and
    why ``form`` goes first: among forms as promising (``tied``) by mgsleep's order of forms,
    which puts those gentler on the gut first, else as the most promising.
    """
    first = ("goes first among forms as promising, as mgsleep's order of forms puts those "
             "gentler on the gut first" if tied else "goes first as the most promising")
    return (f"to learn: {main_evidence(priors, weights)}. So the planned crossover tries the "
            "most promising forms in turn, each for one period at the same dose, and then your "
            f"own nights choose among them; {form} {first}.")
