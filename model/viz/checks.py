"""Posterior predictive checks of a personal fit: the model's nights against the nights recorded.

:func:`regimen_means` sets the observed mean of each regimen's nights beside the predicted
steady-state mean (the figure :func:`model.viz.plots.plot_predictive` and the report's table).
A prediction is the nightly mean at steady state including the expectation of taking
something and the trend at the diary's last night (:mod:`model.personal.predict`), on the
scale of the diary's reference source (:func:`model.data.devices.reference_source`, the
tracker with the most nights): the observed mean is of that source's nights only, like with
like. :func:`reference_levels` gives the two levels a regimen is read against:
no magnesium, and placebo (the expectation alone).
:func:`plot_ppc` compares whole replicated diaries with the diary.

Each outcome is compared in the way its values allow. Sleep-onset latency (minutes, continuous)
by its empirical distribution function, the recorded nights' against replicated diaries'. A
discrete outcome (the ratings, the count of awakenings, GI nights) value by value: how many
nights had each value, recorded (bars) and replicated (mean and 90 % interval of the count over
the posterior draws), a rootogram on a linear scale. A smoothed density, as
``arviz_plots.plot_ppc_dist`` draws, would put bumps between the integers of a rating (ArviZ
warns against it).

>>> fit.sample_posterior_predictive(random_seed=1)                           # doctest: +SKIP
>>> plot_ppc(fit).savefig("ppc.png")                                         # doctest: +SKIP
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from model.core.errors import MgsleepError
from model.core.forms import NONE, PLACEBO
from model.core.outcomes import DEVICE_MEASURED, SPECS, OutcomeSpec
from model.core.regimen import Regimen
from model.data import recorded
from model.data.devices import device_indicator
from model.viz.canvas import INTERVAL, grid

if TYPE_CHECKING:
    from model.personal.fit import PersonalModel

DISCRETE_FAMILIES: frozenset[str] = frozenset({"negbin", "ordinal", "bernoulli"})
"""Likelihood families whose nights take whole values: counted value by value."""
RECORDED_COLOUR = "#bbbbbb"
REPLICATED_COLOUR = "#d62728"
RECORDED_LABEL = "recorded nights"
TITLE = ("Posterior predictive check: replicated diaries (one per posterior draw) against the "
         "nights recorded")


def recorded_outcomes(fit: PersonalModel) -> list[str]:
    """Model outcomes with at least one observed night in the fitted diary.

    :func:`model.data.recorded.recorded_outcomes` of its nights (the decision's definition).
    """
    return list(recorded.recorded_outcomes(fit.diary_.nights))


def other_device(fit: PersonalModel, outcome: str) -> pd.Series:
    """Per night, whether another source than the reference measured this outcome.

    Only a tracker's outcomes (:data:`~model.core.outcomes.DEVICE_MEASURED`) shift with the
    device; a rating is the person's own on any device (always False).
    """
    nights = fit.diary_.nights
    shifted = device_indicator(nights) > 0 if outcome in DEVICE_MEASURED else False
    return pd.Series(shifted, index=nights.index, dtype=bool)


def regimen_means(fit: PersonalModel) -> pd.DataFrame:
    """Each regimen's observed mean beside its predicted steady-state mean, outcome by outcome.

    Parameters
    ----------
    fit : PersonalModel
        A fitted personal model.

    Returns
    -------
    pandas.DataFrame
        One row per outcome recorded (:func:`recorded_outcomes`) and regimen of the diary:
        ``outcome``, ``regimen`` (its label), ``nights`` (the outcome's recorded nights on
        it measured by the reference source), ``observed`` (their mean, build-up
        included; NaN without any), ``other_device`` (its nights measured by another source,
        :func:`other_device`, not in that mean: the prediction is on the reference's
        scale), and ``predicted``,
        ``low``, ``high``: the posterior mean and :data:`INTERVAL` interval of the nightly
        mean at steady state (expectation and the trend at the last night included).

    """
    labels = list(fit.diary_.regimen_counts())
    prediction = fit.predict([Regimen.from_label(label) for label in labels])
    nights, regimen_of = fit.diary_.nights, fit.diary_.regimen_label
    tail = (1 - INTERVAL) / 2
    rows = []
    for outcome in recorded_outcomes(fit):
        spec = SPECS[outcome]
        draws = prediction[spec.gain_key].transpose("regimen", "draw").to_numpy()
        low, high = np.quantile(draws, [tail, 1 - tail], axis=1)
        reference = ~other_device(fit, outcome).to_numpy()
        for i, label in enumerate(labels):
            on = (regimen_of == label).to_numpy(bool) & nights[spec.column].notna().to_numpy()
            seen = nights[spec.column][on & reference]
            rows.append({"outcome": outcome, "regimen": label, "nights": len(seen),
                         "observed": seen.mean() if len(seen) else np.nan,
                         "other_device": int((on & ~reference).sum()),
                         "predicted": draws[i].mean(), "low": low[i], "high": high[i]})
    return pd.DataFrame(rows, columns=["outcome", "regimen", "nights", "observed",
                                       "other_device", "predicted", "low", "high"])


def reference_levels(fit: PersonalModel) -> pd.DataFrame:
    """The predicted means a regimen's is read against: no magnesium and placebo.

    Parameters
    ----------
    fit : PersonalModel
        A fitted personal model; its posterior predicts the two levels at the diary's end.

    Returns
    -------
    pandas.DataFrame
        Indexed by outcome recorded: ``none`` (no magnesium, nothing taken) and ``placebo``
        (the expectation of taking something alone), posterior means of the steady-state
        nightly mean, as :func:`regimen_means` predicts (trend at the last night included).
        A regimen's gap to ``placebo`` is magnesium's; from ``none`` to ``placebo`` is
        expectation.

    """
    prediction = fit.predict([Regimen(NONE), Regimen(PLACEBO)])
    outcomes = recorded_outcomes(fit)
    return pd.DataFrame(
        [prediction[SPECS[o].gain_key].mean("draw").sel(regimen=[NONE, PLACEBO]).to_numpy()
         for o in outcomes], index=pd.Index(outcomes, name="outcome"), columns=[NONE, PLACEBO])


def _counts(ax: Axes, nights: np.ndarray, draws: np.ndarray, spec: OutcomeSpec) -> None:
    """Nights per value: recorded (bars) and replicated (mean, interval over the draws)."""
    top = (spec.lowest + spec.categories - 1 if spec.categories
           else int(max(nights.max(), np.quantile(draws, 0.995))))
    values = np.arange(spec.lowest, top + 1)
    counts = (draws[:, :, None] == values).sum(axis=1)                # (draw, value)
    tail = (1 - INTERVAL) / 2
    low, high = np.quantile(counts, [tail, 1 - tail], axis=0)
    ax.bar(values, (nights[:, None] == values).sum(axis=0), width=0.8, color=RECORDED_COLOUR,
           label=RECORDED_LABEL)
    ax.vlines(values, low, high, color=REPLICATED_COLOUR, lw=2,
              label=f"replicated: {INTERVAL:.0%} interval of the nights per value")
    ax.plot(values, counts.mean(axis=0), "o", ms=4, color=REPLICATED_COLOUR,
            label="replicated: mean nights per value")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel(f"{spec.column}: value of a night")
    ax.set_ylabel("nights")


def _step(ax: Axes, values: np.ndarray, **style: Any) -> None:
    """The empirical distribution function of ``values``."""
    ordered = np.sort(values)
    ax.step(ordered, np.arange(1, len(ordered) + 1) / len(ordered), where="post", **style)


def _ecdfs(ax: Axes, nights: np.ndarray, draws: np.ndarray, unit: str,
           spec: OutcomeSpec) -> None:
    """Distribution functions: each replicated diary (thin) and the recorded nights."""
    for i, replicate in enumerate(draws):
        _step(ax, replicate, color=REPLICATED_COLOUR, alpha=0.15, lw=0.8,
              label="replicated diary" if i == 0 else None)
    _step(ax, nights, color="black", lw=1.6, label=RECORDED_LABEL)
    low, high = np.quantile(draws, [0.01, 0.99])        # the replicated tails, cut
    ax.set_xlim(min(nights.min(), low), max(nights.max(), high))
    ax.set_xlabel(f"{spec.column} ({unit})")
    ax.set_ylabel("share of nights at or below")


def plot_ppc(fit: PersonalModel, *, num_samples: int = 50, seed: int = 0) -> Figure:
    """Compare replicated diaries with the nights recorded, outcome by outcome.

    Parameters
    ----------
    fit : PersonalModel
        A fitted personal model whose ``idata_`` has a ``posterior_predictive`` group
        (:meth:`~model.personal.fit.PersonalModel.sample_posterior_predictive` adds it).
    num_samples : int
        Replicated diaries drawn as distribution functions in a continuous outcome's panel
        (the counts of a discrete outcome use every draw).
    seed : int
        Seed of the choice of those replicated diaries.

    Returns
    -------
    matplotlib.figure.Figure
        One panel per outcome with recorded nights. Continuous (sleep-onset latency): the
        distribution function of the recorded nights (black) and of ``num_samples``
        replicated diaries (thin red). Discrete (ratings, awakenings, GI nights): the
        recorded nights per value (grey bars) and the replicated diaries' mean count per
        value (red dot) with its 90 % interval.

    Raises
    ------
    MgsleepError
        When the fit has no replicated diaries yet.

    """
    if "posterior_predictive" not in fit.idata_.children:
        raise MgsleepError("no replicated diaries: call fit.sample_posterior_predictive() "
                           "before plot_ppc(fit)")
    observed = fit.idata_["observed_data"].to_dataset()
    replicated = fit.idata_["posterior_predictive"].to_dataset()
    specs = [s for s in SPECS.values() if s.column in observed and observed[s.column].size]
    fig, axes = grid(len(specs), 3, 12.0, 3.2)
    rng = np.random.default_rng(seed)
    outcomes = fit.priors_.settings.outcomes
    for ax, spec in zip(axes, specs, strict=True):
        nights = observed[spec.column].to_numpy()
        values = replicated[spec.column].transpose("chain", "draw", ...).to_numpy()
        draws = values.reshape(-1, values.shape[-1])                     # (draw, night)
        if spec.family in DISCRETE_FAMILIES:
            _counts(ax, nights, draws, spec)
        else:
            chosen = rng.choice(len(draws), min(num_samples, len(draws)), replace=False)
            _ecdfs(ax, nights, draws[chosen], outcomes[spec.name].unit, spec)
        ax.set_title(outcomes[spec.name].label)
    legend = {label: handle for ax in axes
              for handle, label in zip(*ax.get_legend_handles_labels(), strict=True)}
    fig.legend(legend.values(), legend.keys(), loc="outside lower center", ncols=3)
    fig.suptitle(TITLE)
    return fig
