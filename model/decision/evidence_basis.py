"""What a form's evidence prior rests on, in words: the one reading of a prior's basis.

Before any magnesium night the advice rests on the evidence priors alone. "The best expected
now is to start taurate" never said that taurate's evidence on evening anxiety, the
complaint of the person told so, was rat data and borrowed evidence (an outside audit):
:class:`PriorBasis` says, in a clause, what a form's prior on the person's heaviest
outcomes rests on. The report's Why (:mod:`model.report.evidence_words`) reads the same
words across forms; both read the priors' ``basis`` and ``certainty``
(:class:`~model.evidence.priorset.PriorEntry`) and never say more than they hold.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from model.core.change_words import outcome_name
from model.core.intervals import LEVEL
from model.core.outcomes import SPECS
from model.core.special import normal_quantile
from model.data.weights import heaviest_first
from model.evidence.entry import EXPERT_KINDS
from model.evidence.name_words import listed
from model.evidence.priorset import PriorEntry, PriorSet

CLEAR = normal_quantile(0.5 + LEVEL / 2)
"""Standard deviations of a prior's mean from zero for its evidence to show a clear effect:
the interval ``mgsleep priors`` prints (:data:`model.core.intervals.LEVEL`, 90 %) then stays
on one side of zero. It was 1.96 (95 %) beside a printed 90 % interval, so a prior that the
table showed clear of zero could be worded "no clear effect" (a maintainer's review,
/tmp/w45/C F6); no bundled prior lies between the two."""

BORROWED = "evidence borrowed from magnesium in general"

KIND_WORDS: dict[str, tuple[str, ...]] = {
    "class": (BORROWED,), "group": (BORROWED,),
    "expert": (BORROWED, "claims without studies in people"),
    "pooled": ("a population fit of several diaries",), "override": ("a prior set by hand",)}
"""What a prior without a study of the form's own rests on, by basis: ``group`` borrows
from the form's chemical group, itself from magnesium in general; ``expert`` adds the
form's own claims (mechanistic, preclinical, marketing) to the general evidence."""

CLAIM_WORDS: dict[str, str] = {
    "preclinical": "animal or laboratory data", "mechanistic": "mechanistic reasoning",
    "marketing": "marketing claims", "expert": "practitioner advice"}
"""A form's own claims without human outcome data, by the kind of entry
(:data:`~model.evidence.entry.EXPERT_KINDS`)."""

GRADES = ("very low", "low", "moderate", "high")
"""The certainty grades, lowest first (:func:`~model.evidence.synthesis.certainty_label`)."""


def finding(own: Sequence[PriorEntry]) -> str:
    """What the evidence of forms with studies of their own shows: no clear effect, or where.

    Read from each prior (the form's studies added to the general evidence): no clear effect
    while its interval spans zero (:data:`CLEAR`), else the direction it points to.
    """
    sign = SPECS[own[0].outcome].sign
    clear = [e for e in own if abs(e.mean) > CLEAR * e.sd]
    grades = sorted({e.certainty for e in own},
                    key=lambda g: GRADES.index(g) if g in GRADES else -1)
    grade = f"{grades[-1]} certainty" + (" at best" if len(grades) > 1 else "")
    if not clear:
        return f"{'its' if len(own) == 1 else 'their'} evidence showing no clear effect ({grade})"
    said = [f"{e.form}'s evidence pointing to {'a benefit' if sign * e.mean > 0 else 'harm'}"
            for e in clear]
    return f"{', '.join(said)} ({grade})"


def heaviest(weights: Mapping[str, float]) -> list[str]:
    """The outcomes of the top weight (two at most when tied), heaviest first."""
    order = heaviest_first(weights)
    return [o for o in order if weights[o] == weights[order[0]]][:2]


def _claims(priors: PriorSet, form: str, outcome: str) -> tuple[list[str], bool]:
    """The form's own claims on ``outcome`` in words, and whether evidence is borrowed too."""
    synthesis = priors.syntheses.get((form, outcome))
    parts = () if synthesis is None else synthesis.contributions
    kinds = dict.fromkeys(CLAIM_WORDS[c.kind] for c in parts
                          if c.scope == form and c.kind in EXPERT_KINDS)
    return list(kinds), any(c.scope != form for c in parts)


def prior_basis(priors: PriorSet, form: str, outcome: str) -> str:
    """What ``form``'s prior on ``outcome`` rests on, with its certainty (a noun phrase).

    ``studies in people of its own, its evidence showing no clear effect (low certainty)``
    (basis ``direct``); ``animal or laboratory data and evidence borrowed from magnesium in
    general, no study in people of its own (very low certainty)`` (``expert``: the form's own
    claims, read from the entries its prior pooled); ``evidence borrowed from magnesium in
    general, no study in people of its own`` (``class``, ``group``); ``no published
    evidence`` (``reference``).
    """
    entry = priors[form, outcome]
    grade = f"{entry.certainty} certainty"
    if entry.basis == "direct":
        return f"studies in people of its own, {finding([entry])}"
    if entry.basis == "reference":
        return "no published evidence"
    if entry.basis == "expert":
        claims, borrowed = _claims(priors, form, outcome)
        said = listed([*claims, *([BORROWED] if borrowed else [])], "and", quoted=False)
        return f"{said}, no study in people of its own ({grade})"
    kinds = KIND_WORDS.get(entry.basis, (entry.basis,))
    own = ", no study in people of its own" if entry.basis in ("class", "group") else ""
    return f"{' or '.join(kinds)}{own} ({grade})"


@dataclass(frozen=True)
class PriorBasis:
    """What a form's priors on the outcomes that count most for a person rest on.

    Parameters
    ----------
    priors : PriorSet
        The evidence priors.
    weights : mapping of str to float
        The person's utility weights (:meth:`model.data.profile.Profile.outcome_weights`):
        the heaviest outcome, or the two tied at the top (:func:`heaviest`), is said.

    """

    priors: PriorSet
    weights: Mapping[str, float]

    def __call__(self, form: str) -> str:
        """``taurate's expected effect on evening anxiety, which counts most for you, ...``."""
        top = heaviest(self.weights)
        first = (f"{form}'s expected effect on {outcome_name(top[0])}, which counts most for "
                 f"you, rests on {prior_basis(self.priors, form, top[0])}")
        if len(top) == 1:
            return first
        return (f"{first}, and on {outcome_name(top[1])}, which counts as much, on "
                f"{prior_basis(self.priors, form, top[1])}")
