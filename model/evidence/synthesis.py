"""From study entries to priors: unit conversion, certainty discount, random-effects synthesis.

Chain for one form x outcome (each step is recorded so that ``PriorSet.explain`` can show it):

1. every entry is converted to the model scale at the reference dose (:func:`convert`);
2. its certainty grade discounts it, once (:func:`discount`): its variance is divided by the
   grade's power-prior weight and a doubt floor is added, scaled up with the entry's dose
   factor where its dose is below the reference (an indirect entry counts one grade
   lower); the mean is kept (``shrink`` = 1 in the bundled settings: the precision-weighted
   updates below already pull a weak entry toward its prior, so shrinking the mean as well
   would discount it twice);
3. the class effect = the no-evidence reference prior N(0, reference_sd^2) updated with the
   random-effects pool of the class entries;
4. the group effect (``groups.toml``: forms that share a chemistry, e.g. osmotic salts) = the
   class effect widened by the group deviation and updated with the pool of the group's
   entries, where the group has entries on that outcome (otherwise the class effect as it is);
5. the form prior = the group (or class) effect widened by the form deviation (a fixed
   share of the outcome's ``reference_sd``, by the kind of evidence the form has: not of the
   evidence's mean, so that better evidence never widens a borrowed prior), updated with
   the pool of the form's own entries; where a population posterior was written back
   (basis ``pooled``), that posterior instead of the widened group (or class) effect: it
   holds the evidence its fit started from, and the form's other entries update it.

Each prior has a ``basis`` (where it comes from) and a certainty label for the evidence that
basis names (:func:`certainty_label`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from model.core.forms import FORMS
from model.core.outcomes import OUTCOMES
from model.core.special import normal_quantile
from model.evidence.pooling import pool
from model.evidence.schema import (
    CERTAINTIES,
    EXPERT_KINDS,
    EvidenceFile,
    GroupsFile,
    OutcomeSettings,
    Settings,
    Study,
    lower_grade,
)

_LOG_SCALES = ("log_ratio", "log_rate_ratio")


class ConversionError(ValueError):
    """An entry cannot be put on its outcome's model scale."""


@dataclass(frozen=True)
class Converted:
    """One entry on the model scale (natural sign) at the reference dose, before discounting."""

    study: Study
    scope: str
    estimate: float
    se: float
    dose_factor: float


@dataclass(frozen=True)
class Contribution:
    """One entry after its certainty discount: what it adds to a prior."""

    study_id: str
    scope: str
    certainty: str
    kind: str
    raw: float
    raw_se: float
    mean: float
    sd: float


@dataclass(frozen=True)
class Normal:
    """A normal distribution (mean, sd)."""

    mean: float
    sd: float

    def update(self, mean: float, sd: float) -> Normal:
        """Precision-weighted combination with a normal likelihood N(mean, sd^2)."""
        w0, w1 = self.sd**-2, sd**-2
        return Normal((w0 * self.mean + w1 * mean) / (w0 + w1), (w0 + w1) ** -0.5)

    def widen(self, sd: float) -> Normal:
        """Add independent normal noise of the given sd."""
        return Normal(self.mean, math.hypot(self.sd, sd))


@dataclass(frozen=True)
class Synthesis:
    """The prior of one form x outcome and the chain that produced it."""

    form: str
    outcome: str
    prior: Normal
    class_prior: Normal
    deviation_sd: float
    basis: str
    certainty: str
    class_contributions: tuple[Contribution, ...]
    form_contributions: tuple[Contribution, ...]
    class_pool: tuple[float, float, float] | None
    form_pool: tuple[float, float, float] | None
    group: str | None = None
    group_prior: Normal | None = None
    group_contributions: tuple[Contribution, ...] = ()
    group_pool: tuple[float, float, float] | None = None
    unused: tuple[Contribution, ...] = ()
    """Entries on this outcome the prior does not draw on: under a population posterior
    (basis ``pooled``), the class's and the group's (:meth:`PriorSet.explain` names them)."""

    @property
    def contributions(self) -> tuple[Contribution, ...]:
        """Every entry that shaped the prior: class, group, then form."""
        return self.class_contributions + self.group_contributions + self.form_contributions


def benefit_sign(outcome: OutcomeSettings) -> float:
    """+1 when higher values are better on the model scale, -1 when lower are."""
    return 1.0 if outcome.better == "higher" else -1.0


def dose_factor(study: Study, outcome_name: str, settings: Settings) -> float:
    """Scale factor from the study's dose to the reference dose.

    Efficacy outcomes follow an Emax curve with ``settings.ed50_mg``; GI harm scales linearly
    with the single-intake dose (osmotic load). Entries without a dose are taken as at the
    reference dose.
    """
    ref = settings.reference_dose_mg
    if outcome_name == "gi":
        single = study.single_dose_mg or study.dose_mg
        return ref / single if single else 1.0
    if study.dose_mg is None:
        return 1.0
    ed50 = settings.ed50_mg
    return (ref / (ed50 + ref)) / (study.dose_mg / (ed50 + study.dose_mg))


def convert(study: Study, settings: Settings, scope: str) -> Converted:
    """Put an entry on its outcome's model scale, natural sign, at the reference dose.

    Raises
    ------
    ConversionError
        When the measure does not fit the outcome's scale or the result is implausible.

    """
    outcome = settings.outcomes[study.outcome]
    sign = benefit_sign(outcome)
    if study.measure == "md":
        if outcome.scale not in _LOG_SCALES:
            raise ConversionError(f"measure 'md' cannot be converted to scale {outcome.scale!r};"
                                  " give an smd_benefit or p_value")
        base = study.baseline or outcome.baseline
        assert study.effect is not None and study.se is not None and base is not None
        if base + study.effect <= 0:
            raise ConversionError(f"baseline {base} + md {study.effect} must be positive")
        estimate = math.log((base + study.effect) / base)
        se = study.se / (base + study.effect)
    elif study.measure == "smd_benefit":
        assert study.effect is not None and study.se is not None
        estimate, se = sign * study.effect * outcome.smd_sd, study.se * outcome.smd_sd
    elif study.measure == "p_value":
        assert study.p is not None and study.n is not None
        se_d = 2.0 / math.sqrt(study.n)
        d = normal_quantile(1.0 - study.p / 2.0) * se_d
        direction = 1.0 if study.direction == "benefit" else -1.0
        estimate, se = sign * direction * d * outcome.smd_sd, se_d * outcome.smd_sd
    elif study.measure == "events":
        if outcome.scale != "log_odds_ratio":
            raise ConversionError(f"measure 'events' needs a log-odds outcome, not "
                                  f"{outcome.scale!r}")
        assert study.events is not None and study.n is not None and study.control_rate
        events, n = float(study.events), float(study.n)
        if events in (0.0, n):  # continuity correction
            events, n = events + 0.5, n + 1.0
        p_t, p_c = events / n, study.control_rate
        estimate = math.log(p_t / (1 - p_t)) - math.log(p_c / (1 - p_c))
        se = math.sqrt(1 / events + 1 / (n - events))
    elif study.measure == "posterior":
        assert study.effect is not None and study.se is not None
        estimate, se = study.effect, study.se
    else:
        if study.measure != outcome.scale:
            raise ConversionError(f"measure {study.measure!r} does not match the outcome's "
                                  f"scale {outcome.scale!r}")
        assert study.effect is not None and study.se is not None
        estimate, se = study.effect, study.se
    bound = settings.max_abs_smd * outcome.smd_sd   # on what the entry claims, before the
    if abs(estimate) > bound:                        # scaling to the reference dose
        raise ConversionError(f"effect {estimate:.3g} on the {outcome.scale} scale exceeds the "
                              f"plausible bound {bound:.3g} (max_abs_smd = "
                              f"{settings.max_abs_smd} SMD)")
    factor = 1.0 if study.measure == "posterior" else dose_factor(study, study.outcome, settings)
    return Converted(study, scope, estimate * factor, se * factor, factor)


def discount(item: Converted, settings: Settings, power_factor: float = 1.0) -> Contribution:
    """Apply the entry's certainty grade (one lower when indirect): power weight and floor.

    The entry enters as N(shrink * m, s^2 / power + (floor_smd * smd_sd * max(1, k))^2), with
    m and s its estimate and standard error at the reference dose and k its dose factor. The
    floor is the grade's doubt about what the entry claims; scaling a claim up from a lower
    dose (k > 1, up to 10.7 from 10 mg) scales that doubt with it, as it scales the mean and
    the standard error, so that no dose makes a claim more credible than its grade allows (a
    very-low claim at 10 mg moved a prior by 1.24 SMD when the floor stayed at its reference
    size). A claim from a higher dose (k < 1) keeps the full floor: its grade's doubt about
    the effect at the reference dose is not smaller for it. ``shrink`` (1 in the bundled
    settings) optionally multiplies the mean as well.

    Parameters
    ----------
    item : Converted
        The entry on its outcome's model scale at the reference dose.
    settings : Settings
        The certainty discounts and the outcome's SMD scale.
    power_factor : float
        Multiplies the grade's power-prior weight (:meth:`PriorSet.with_certainty_weight`).

    Returns
    -------
    Contribution
        What the entry adds to a prior.

    """
    certainty = item.study.effective_certainty
    grade = settings.certainty[certainty]
    smd_sd = settings.outcomes[item.study.outcome].smd_sd
    power = grade.power * power_factor
    doubt = grade.floor_smd * smd_sd * max(1.0, item.dose_factor)
    sd = math.sqrt(item.se**2 / power + doubt**2)
    return Contribution(item.study.id, item.scope, certainty, item.study.kind,
                        item.estimate, item.se, grade.shrink * item.estimate, sd)


def _pooled(parts: list[Contribution], method: str) -> tuple[float, float, float] | None:
    if not parts:
        return None
    result = pool([c.mean for c in parts], [c.sd**2 for c in parts],
                  "REML" if method == "REML" else "DL")
    return result.estimate, result.se, result.tau2


def _basis(form_parts: list[Contribution], group_parts: list[Contribution],
           class_parts: list[Contribution]) -> str:
    if form_parts:
        return "expert" if all(c.kind in EXPERT_KINDS for c in form_parts) else "direct"
    if group_parts:
        return "group"
    return "class" if class_parts else "reference"


def _grade(part: Contribution) -> str:
    """The grade an entry gives a label: a claim without human data counts as very low."""
    return "very low" if part.kind in EXPERT_KINDS else part.certainty


def _best(parts: list[Contribution]) -> str:
    """The best grade of ``parts`` for a label ("very low" when there are none)."""
    grades = (CERTAINTIES.index(_grade(c)) for c in parts)
    return CERTAINTIES[min(grades, default=len(CERTAINTIES) - 1)]


def certainty_label(basis: str, form_parts: list[Contribution],
                    group_parts: list[Contribution], class_parts: list[Contribution]) -> str:
    """The certainty label of a prior: the grade of the evidence its ``basis`` names.

    - ``direct`` and ``pooled``: the best grade among the form's own human entries (as
      counted: one lower when indirect), the population posterior written back among them
      (its grade by its persons); its claims add nothing;
    - ``expert``: "very low", as claims without human outcome data (mechanistic, preclinical,
      marketing, expert) are, whatever grade (low at most) an entry was given for its discount;
    - ``group`` and ``class``: the best grade of the group's (class's) entries, claims counting
      as very low, one grade lower: borrowed from other forms (GRADE indirectness);
    - ``reference``: "very low" (no evidence).

    Once an entry is added, the label is as before or at most that entry's own grade (a
    claim's: very low), so evidence weaker than the label never raises it: a claim for a form
    with none turns ``class`` into ``expert``, "very low"; a form's first trial of a low
    grade turns ``class`` into ``direct`` at that grade.

    Parameters
    ----------
    basis : str
        Where the prior comes from (:func:`_basis`, or ``pooled``).
    form_parts, group_parts, class_parts : list of Contribution
        The discounted entries of the form, its group and the class on this outcome.

    Returns
    -------
    str
        One of :data:`~model.evidence.schema.CERTAINTIES`.

    """
    if basis in ("direct", "pooled"):
        return _best([c for c in form_parts if c.kind not in EXPERT_KINDS])
    if basis in ("group", "class"):
        return lower_grade(_best(group_parts if basis == "group" else class_parts))
    return "very low"


def synthesize(
    settings: Settings,
    class_file: EvidenceFile,
    form_files: dict[str, EvidenceFile],
    power_factor: float = 1.0,
    groups: GroupsFile | None = None,
) -> dict[tuple[str, str], Synthesis]:
    """Derive the prior of every form x outcome from the evidence files.

    Parameters
    ----------
    settings : Settings
        Scales, certainty discounts and form-deviation factors.
    class_file : EvidenceFile
        Entries about magnesium in general.
    form_files : dict
        ``form -> EvidenceFile``; a form without a file has no direct evidence.
    power_factor : float
        Multiplies every certainty's power-prior weight (2 = every grade counts double).
    groups : GroupsFile, optional
        Form groups and their entries (``groups.toml``); none: forms sit under the class.

    Returns
    -------
    dict
        ``(form, outcome) -> Synthesis``.

    """
    def contributions(studies: tuple[Study, ...], outcome: str, scope: str
                      ) -> list[Contribution]:
        return [discount(convert(s, settings, scope), settings, power_factor)
                for s in studies if s.outcome == outcome]

    groups = groups or GroupsFile(groups=())
    result: dict[tuple[str, str], Synthesis] = {}
    for outcome in OUTCOMES:
        spec = settings.outcomes[outcome]
        class_parts = contributions(class_file.studies, outcome, "class")
        class_pool = _pooled(class_parts, settings.pooling_method)
        class_prior = Normal(0.0, spec.reference_sd)
        if class_pool is not None:
            class_prior = class_prior.update(class_pool[0], class_pool[1])
        for form in FORMS:
            group = groups.group_of(form)
            group_parts = (contributions(group.studies, outcome, f"group {group.name}")
                           if group else [])
            group_pool = _pooled(group_parts, settings.pooling_method)
            above = class_prior
            if group_pool is not None:
                above = class_prior.widen(settings.group_deviation_smd * spec.smd_sd).update(
                    group_pool[0], group_pool[1])
            file = form_files.get(form, EvidenceFile(form=form, evidence_level="none"))
            form_parts = contributions(file.studies, outcome, form)
            result[form, outcome] = _form_synthesis(
                settings, file, outcome, class_prior, above, class_parts, group_parts,
                form_parts, class_pool, group_pool, group.name if group else None)
    return result


def _form_synthesis(settings: Settings, file: EvidenceFile, outcome: str, class_prior: Normal,
                    above: Normal, class_parts: list[Contribution],
                    group_parts: list[Contribution], form_parts: list[Contribution],
                    class_pool: tuple[float, float, float] | None,
                    group_pool: tuple[float, float, float] | None,
                    group: str | None) -> Synthesis:
    """The last step for one form: widen the level above by the form deviation, add its pool.

    The deviation's SD is the form's ``[form_deviation]`` factor times the outcome's
    ``reference_sd`` (at least ``deviation_min_sd``): a scale fixed before any evidence. It
    was the factor times the level above's mean, which grows as better evidence moves that
    mean from zero, so that a better grade, or every grade counted double, widened the priors
    of the forms that borrow it (malate's sleep-onset sd 0.417 -> 0.438 with MAH2021 graded
    high, its anxiety sd 0.999 -> 2.07 with MOABEDI2023 graded high).

    A population posterior written back (kind ``population``, one per form and outcome:
    :func:`model.evidence.checks.population_faults`) replaces that level and its deviation:
    it holds the class and group evidence its fit started from, which then do not count
    again (``unused``); the form's other entries, evidence the fit did not see, update it.
    """
    spec = settings.outcomes[outcome]
    factor = getattr(settings.form_deviation, file.evidence_level)
    deviation = max(factor * spec.reference_sd, spec.deviation_min_sd)
    written = [c for c in form_parts if c.kind == "population"]
    added = [c for c in form_parts if c.kind != "population"]
    form_pool = _pooled(added, settings.pooling_method)
    unused: tuple[Contribution, ...] = ()
    if written:
        prior, basis = Normal(written[0].raw, written[0].raw_se), "pooled"
        unused, class_parts, group_parts = (*class_parts, *group_parts), [], []
        class_pool = group_pool = None
    else:
        prior, basis = above.widen(deviation), _basis(form_parts, group_parts, class_parts)
    if form_pool is not None:
        prior = prior.update(form_pool[0], form_pool[1])
    certainty = certainty_label(basis, form_parts, group_parts, class_parts)
    return Synthesis(file.form or "", outcome, prior, class_prior, deviation, basis, certainty,
                     tuple(class_parts), tuple(form_parts), class_pool, form_pool, group,
                     above if group_pool is not None else None, tuple(group_parts), group_pool,
                     unused)
