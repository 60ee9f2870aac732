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


def _verdict(sign: float, mean: float, sd: float) -> str:
    """``a benefit``, ``harm`` or ``no clear effect``: where N(mean, sd) lies (:data:`CLEAR`).

    ``sign``: the outcome's (:attr:`~model.core.outcomes.OutcomeSpec.sign`, +1 when higher is
    better); ``mean``, ``sd`` on the model scale, an entry's result or a prior.
    """
    if abs(mean) <= CLEAR * sd:
        return "no clear effect"
    return "a benefit" if sign * mean > 0 else "harm"


def _grade(own: Sequence[PriorEntry]) -> str:
    """``low certainty``, or ``low certainty at best`` when the entries' grades differ."""
    grades = sorted({e.certainty for e in own},
                    key=lambda g: GRADES.index(g) if g in GRADES else -1)
    return f"{grades[-1]} certainty" + (" at best" if len(grades) > 1 else "")


def finding(own: Sequence[PriorEntry]) -> str:
    """Where the priors of ``own`` point: ``a benefit``, ``harm`` or ``no clear effect``.

    Each prior is a form's studies added to the general evidence: no clear effect while its
    interval spans zero (:data:`CLEAR`), else the direction it points to; ``mixed`` when the
    priors of ``own`` differ.
    """
    sign = SPECS[own[0].outcome].sign
    said = {_verdict(sign, e.mean, e.sd) for e in own}
    return said.pop() if len(said) == 1 else "mixed"


def studies_found(priors: PriorSet, own: Sequence[PriorEntry]) -> str:
    """What the studies in people of forms with a direct prior found, and how much it counts.

    ``found a benefit (very low certainty), so they count for little``: each study's own
    result (its estimate and SE before the certainty discount, clear of zero as
    :data:`CLEAR` says) against the prior it ends in. Chloride's open-label trial (GAD-7
    -4.5, 95 % CI -6.6 to -2.4) and oxide's (HADS, p = 0.007) were said, with glycinate's
    null trial, to show "no clear effect": the very-low-certainty discount had made them
    count for almost nothing (an outside audit, /tmp/w51/b B4). The forms of ``own`` share
    what they found and how it counts (:func:`found_alike`).
    """
    found, pooled = _found(priors, own[0]), finding(own)
    said = f"found {found} ({_grade(own)})"
    if found == pooled:
        return said
    if pooled == "no clear effect":
        return f"{said}, " + ("so they count for little" if found in ("a benefit", "harm")
                              else "the evidence taken together showing no clear effect")
    return f"{said}, the evidence taken together pointing to {pooled}"


def found_alike(priors: PriorSet, own: Sequence[PriorEntry]) -> list[list[PriorEntry]]:
    """``own`` in groups whose studies found the same and end in the same verdict, in order."""
    groups: dict[tuple[str, str], list[PriorEntry]] = {}
    for e in own:
        groups.setdefault((_found(priors, e), finding([e])), []).append(e)
    return list(groups.values())


def _found(priors: PriorSet, entry: PriorEntry) -> str:
    """What ``entry``'s form's own studies in people found on its outcome, taken together.

    ``a benefit``, ``harm``, ``no clear effect`` or ``mixed results``; a form's claims without
    human data (:data:`~model.evidence.entry.EXPERT_KINDS`) are no study. Without any (a prior
    set by other means), the prior's own verdict.
    """
    sign = SPECS[entry.outcome].sign
    synthesis = priors.syntheses.get((entry.form, entry.outcome))
    parts = () if synthesis is None else synthesis.form_contributions
    found = {_verdict(sign, c.raw, c.raw_se) for c in parts
             if c.scope == entry.form and c.kind not in EXPERT_KINDS}
    if not found:
        return finding([entry])
    return found.pop() if len(found) == 1 else "mixed results"


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
        return f"studies in people of its own, which {studies_found(priors, [entry])}"
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
