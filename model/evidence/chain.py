"""The chain from the studies to one prior, in plain text (:meth:`PriorSet.explain`).

Each entry is shown as it was entered (its measure, effect or p, SE and daily dose), then on
the model scale at the reference dose (the conversion of :func:`model.evidence.synthesis.convert`
and the dose scaling of :func:`~model.evidence.synthesis.dose_factor`, with the dose assumed
when the entry gives none), then after its certainty discount; then the pooling, the class and
group steps and the prior. An override is shown first, and the evidence chain below it is
labelled as replaced.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from model.evidence.schema import EvidenceFile, FormGroup, Settings, Study
from model.evidence.synthesis import Contribution, Synthesis, dose_factor


class PriorSet(Protocol):
    """What the chain reads of a :class:`model.evidence.priorset.PriorSet` (which calls it)."""

    @property
    def settings(self) -> Settings:
        """The synthesis settings."""

    @property
    def syntheses(self) -> Mapping[tuple[str, str], Synthesis]:
        """Each form x outcome's synthesis."""

    @property
    def evidence(self) -> Any:
        """The parsed folder: ``class_file``, ``groups``, ``form_files``."""

    def __getitem__(self, key: tuple[str, str]) -> Any:
        """The prior entry of a form x outcome (``mean``, ``sd``, ``basis``, ``note``)."""


def chain(priors: PriorSet, form: str, outcome: str) -> str:
    """The chain of ``form`` x ``outcome`` (both canonical names), one step a line."""
    entry, settings = priors[form, outcome], priors.settings
    spec = settings.outcomes[outcome]
    lines = [f"{form} x {outcome} ({spec.label}); scale {spec.scale}, "
             f"{'lower' if spec.better == 'lower' else 'higher'} is better; effect of "
             f"{settings.reference_dose_mg:g} mg elemental per day vs none"]
    if entry.basis == "override":
        lines.append(f"OVERRIDE: N({entry.mean:.3f}, {entry.sd:.3f}); {entry.note}")
    syn = priors.syntheses.get((form, outcome))
    if syn is None:
        return "\n".join(lines)
    say = _Parts(_studies(priors), priors)
    if syn.basis == "pooled":
        return "\n".join(lines + _pooled_lines(syn, say) + [_result(syn, entry.basis)])
    lines.append(f"1. reference prior (no evidence): N(0, {spec.reference_sd:g})")
    lines += say("class evidence (all forms)", syn.class_contributions, syn.class_pool)
    lines.append(f"   -> class effect N({syn.class_prior.mean:.3f}, {syn.class_prior.sd:.3f})")
    if syn.group is not None:
        lines += say(f"group {syn.group} evidence", syn.group_contributions, syn.group_pool)
    if syn.group_prior is not None:
        lines.append(f"   -> group effect N({syn.group_prior.mean:.3f}, "
                     f"{syn.group_prior.sd:.3f}) (class widened by "
                     f"{settings.group_deviation_smd:g} SMD)")
    file = priors.evidence.form_files.get(form)
    lines.append(f"2. form deviation sd {syn.deviation_sd:.3f} (evidence level "
                 f"{file.evidence_level if file else 'none'})")
    lines += say(f"{form} evidence", syn.form_contributions, syn.form_pool)
    lines.append(_result(syn, entry.basis))
    excluded = list(file.excluded) if file else []
    if excluded:
        lines.append("read but not encoded: " + "; ".join(f"{e.id} ({e.reason})"
                                                           for e in excluded))
    return "\n".join(lines)


def _result(syn: Synthesis, basis: str) -> str:
    """The last line: the prior the evidence gives (replaced when ``basis`` is an override)."""
    replaced = basis == "override"
    return (f"=> {'the evidence alone: ' if replaced else ''}prior "
            f"N({syn.prior.mean:.3f}, {syn.prior.sd:.3f}); basis {syn.basis}; "
            f"certainty {syn.certainty}" + ("; replaced by the OVERRIDE above"
                                            if replaced else ""))


def _studies(priors: PriorSet) -> dict[str, Study]:
    """Every entry of the priors folder by id (class, groups, forms)."""
    evidence = priors.evidence
    files: list[EvidenceFile | FormGroup] = [evidence.class_file, *evidence.groups.groups,
                                             *evidence.form_files.values()]
    return {s.id: s for file in files for s in file.studies}


class _Parts:
    """The lines of one step's entries, each as entered and as used."""

    def __init__(self, studies: dict[str, Study], priors: PriorSet) -> None:
        self.studies, self.settings = studies, priors.settings

    def __call__(self, title: str, parts: Sequence[Contribution],
                 pooled: tuple[float, float, float] | None) -> list[str]:
        if not parts:
            return [f"   {title}: none"]
        lines = [f"   {title}:"]
        for c in parts:
            lines.append(f"   - {c.study_id} [{self._grade(c)}, {c.kind}]: {self._entered(c)}"
                         f"{c.raw:+.3f} (se {c.raw_se:.3f}) -> discounted N({c.mean:+.3f}, "
                         f"{c.sd:.3f})")
        if pooled is not None and len(parts) > 1:
            lines.append(f"   pooled (random effects): {pooled[0]:+.3f} (se {pooled[1]:.3f}, "
                         f"tau^2 {pooled[2]:.3f})")
        return lines

    def _grade(self, part: Contribution) -> str:
        """``low`` as written, or ``very low (written low: ...)`` when it counts lower."""
        study = self.studies.get(part.study_id)
        if study is None or study.certainty == part.certainty:
            return part.certainty
        return f"{part.certainty} (written {study.certainty}: indirect)"

    def _entered(self, part: Contribution) -> str:
        """``entered smd_benefit 0.2 (se 0.16) at 250 mg/day, x1.07 to 300 mg -> ``."""
        study = self.studies.get(part.study_id)
        if study is None:
            return ""
        numbers = {"effect": study.effect, "se": study.se, "p": study.p,
                   "events": study.events, "n": study.n}
        shown = ", ".join(f"{k} {v:g}" for k, v in numbers.items() if v is not None)
        reference = self.settings.reference_dose_mg
        dose = (f"at {study.dose_mg:g} mg/day" if study.dose_mg is not None else
                f"no dose given: taken as {reference:g} mg/day")
        if study.single_dose_mg is not None:        # GI scales with the single intake
            dose = f"one intake of {study.single_dose_mg:g} mg" + (
                f" ({dose})" if study.dose_mg is not None else "")
        factor = dose_factor(study, study.outcome, self.settings)
        scaled = f", x{factor:.2f} to {reference:g} mg" if abs(factor - 1) > 0.005 else ""
        return f"entered {study.measure} {shown} {dose}{scaled} -> "


def _pooled_lines(syn: Synthesis, say: _Parts) -> list[str]:
    """The chain of a prior written back by a population fit, and what updates it.

    The posterior is the prior as it is; the form's other entries (evidence the fit did not
    see) update it, each discounted by its certainty; class and group entries do not count
    (:attr:`Synthesis.unused`), and are named.
    """
    written = [c for c in syn.form_contributions if c.kind == "population"]
    added = [c for c in syn.form_contributions if c.kind != "population"]
    lines = [f"1. population posterior written back: {c.study_id} [{c.certainty} by its "
             f"persons]: N({c.raw:+.3f}, {c.raw_se:.3f}), used as it is (no certainty "
             "discount, no class or group step: the evidence it started from is inside it)"
             + (f"; {say.studies[c.study_id].citation}" if c.study_id in say.studies else "")
             for c in written]
    if added:
        lines += ["2. entries beside it, evidence the fit did not see, update it:",
                  *say("added", added, syn.form_pool)[1:]]
    if syn.unused:
        lines.append("not used for this prior (the posterior holds the class and group "
                     "evidence of its fit): " + ", ".join(
                         f"{c.study_id} ({c.scope})" for c in syn.unused))
    return lines
