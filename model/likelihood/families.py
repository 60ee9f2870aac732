"""The likelihood families of the personal model, each written once.

Every family is a small frozen dataclass with the same four faces:

- ``logp``: the PyTensor log-density of observations given the linear predictor (the graph
  of :mod:`model.personal.graph` asks the family for it, so a family is swapped in one place);
- ``mean``: the numpy expected value in diary units (steady-state predictions);
- ``draw``: a numpy predictive draw (the simulators, posterior predictive checks; batched:
  parameters with a leading draw axis give one series per draw);
- ``loglik``: the numpy log-density of each observation, the same as ``logp`` (a test holds
  them equal), batched over draws: the pointwise log-likelihood of a fit
  (:mod:`model.personal.nightly`) without compiling a graph;
- ``moments``: ``eta -> (mean, d mean / d eta, variance)`` on the model scale, the pieces a
  Fisher-scoring (IRLS) Laplace step needs; :func:`score` and :func:`information` turn them
  into ``d loglik / d eta`` and its expected curvature.

``add_parameters`` creates the family's parameters in an active ``pm.Model`` with the personal
model's priors (fields of the dataclass), named ``{outcome}_{parameter}``; it is given the
linear predictor and the nights' weights, so that a family owns how its intercept is sampled
(the normal one non-centred on its noise SD: :mod:`model.likelihood.level`).

Families: :class:`NormalAR1` (log1p of minutes, exact stationary AR(1) errors over gaps),
:class:`NegativeBinomial` (log link), :class:`Ordinal` (cumulative logit; its cut-points are
centred on even shares by :func:`even_share_cutpoints`) and :class:`Bernoulli` (logit).

PyMC and PyTensor are imported inside the methods that build graphs, so that the simulators
and the command line's start-up (``mgsleep --help``) do not load them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol

import numpy as np

from model.core.outcomes import SPECS, Family
from model.core.special import expit, log_expit, log_rising_factorial, normal_cdf
from model.data.diary_rows import NUMERIC
from model.likelihood.cumulative_logit import ordinal_log_width, with_open_ends
from model.likelihood.level import INTERCEPT_SD, level_intercept, normal_intercept

Params = dict[str, Any]
"""A family's parameters by short name (``intercept``, ``sigma``, ``cutpoints`` ...)."""


def even_share_cutpoints(categories: int) -> np.ndarray:
    """Cut-points of a cumulative logit whose categories are equally likely at ``eta = 0``.

    ``c_k = log(k / (K - k)) = logit(k / K)``, ``k = 1 .. K - 1``.
    """
    k = np.arange(1, categories)
    return np.log(k / (categories - k))


def ar1_carry(gap: Any, first: Any, rho: Any, xp: Any = np) -> tuple[Any, Any]:
    """Conditional weights of a stationary AR(1) observed with gaps (numpy or PyTensor).

    With marginal SD ``sigma``, the error of an observation given the previous observed one
    ``g`` steps earlier is ``e[k] | e[prev] ~ Normal(carry * e[prev], sigma * scale)`` with
    ``carry = rho^g`` and ``scale = sqrt(1 - rho^(2g))``; the first observation of a series
    (``first = 1``) has ``carry = 0`` and ``scale = 1``. ``xp`` is ``numpy`` or
    ``pytensor.tensor``.

    Returns
    -------
    tuple
        ``(carry, scale)``.
    """
    decay = rho**gap
    keep = 1.0 - first
    # the tensor on the left: a numpy ``keep`` times a PyTensor ``decay`` stays a tensor
    return decay * keep, xp.sqrt(1.0 - decay**2 * keep)


def ar1_errors(n: int, sd: Any, rho: Any, rng: np.random.Generator) -> np.ndarray:
    """``n`` consecutive errors of a stationary AR(1) with marginal SD ``sd``.

    ``sd`` and ``rho`` may be arrays (a batch of series, e.g. one per posterior draw): the
    result is then ``(*batch, n)``; scalars give ``(n,)``.
    """
    sd, rho = np.asarray(sd, dtype=float), np.asarray(rho, dtype=float)
    batch = np.broadcast_shapes(sd.shape, rho.shape)
    size = batch or None
    error = np.empty((*batch, n))
    error[..., 0] = rng.normal(0.0, sd, size=size)
    innovation = sd * np.sqrt(1 - rho**2)
    for t in range(1, n):
        error[..., t] = rho * error[..., t - 1] + rng.normal(0.0, innovation, size=size)
    return error


def score(y: np.ndarray, moments: tuple[np.ndarray, np.ndarray, np.ndarray]) -> np.ndarray:
    """``d loglik / d eta`` (quasi-likelihood) from a family's ``moments`` at ``eta``."""
    mean, slope, variance = moments
    return slope * (y - mean) / variance


def information(moments: tuple[np.ndarray, np.ndarray, np.ndarray]) -> np.ndarray:
    """Expected curvature ``-E[d^2 loglik / d eta^2]`` from a family's ``moments``."""
    _, slope, variance = moments
    return slope**2 / variance


class LikelihoodFamily(Protocol):
    """What the graph, the predictions, the simulators and the Laplace step ask a family."""

    name: ClassVar[str]
    data_fields: ClassVar[tuple[tuple[str, str], ...]]

    def add_parameters(self, outcome: str, intercept_mu: Any, eta: Any, w: Any) -> Params:
        """Create the family's parameters in the active model (``eta``, ``w``: the nights')."""
        ...

    def logp(self, y: Any, eta: Any, params: Params, data: Params) -> Any:
        """PyTensor log-density per observation."""
        ...


@dataclass(frozen=True)
class NormalAR1:
    """log1p(minutes) ~ Normal(intercept + eta, sigma) with stationary AR(1) errors.

    The errors are exact over gaps (:func:`ar1_carry`): no latent states, O(n). Priors of the
    personal model: ``sigma ~ LogNormal(log(sigma_median), sigma_log_sd)``,
    ``rho ~ TruncatedNormal(rho_mu, rho_sd)`` on ``(-rho_bound, rho_bound)``, intercept
    ``Normal(intercept_mu, 1)`` sampled as the nights' level in units of ``sigma``
    (:mod:`model.likelihood.level`: a 3-night diary's funnel).

    The log-normal keeps ``sigma`` off zero (1 % below 0.15, 90 % within 0.22-1.6): no
    person's latency is the same night after night on the log scale (Gwern's Zeo nights:
    1.0 overall, 0.15-1.6 over any 7 nights, median 0.8; the world generator's gamma nights
    0.55-0.85). A half-normal let a first week whose odd nights a caffeine or an alcohol
    night explains put ``sigma`` near zero, a funnel with those nights' coefficients: 5 of 16
    simulated 7-night diaries failed the checks of their first run (1 of 16 now).
    """

    name: ClassVar[str] = "normal_ar1"
    data_fields: ClassVar[tuple[tuple[str, str], ...]] = (
        ("y", "float64"), ("w", "float64"), ("gap", "float64"), ("first", "float64"),
        ("prev", "int64"))
    low: ClassVar[float] = NUMERIC[SPECS["sol"].column].low     # the minutes a diary holds
    high: ClassVar[float] = NUMERIC[SPECS["sol"].column].high
    sigma_median: float = 0.6
    sigma_log_sd: float = 0.6
    rho_mu: float = 0.1
    rho_sd: float = 0.3
    rho_bound: float = 0.95

    def add_parameters(self, outcome: str, intercept_mu: Any, eta: Any, w: Any) -> Params:
        """``sigma`` (marginal SD), ``rho`` (autocorrelation per night) and ``intercept``."""
        import pymc as pm

        sigma = pm.LogNormal(f"{outcome}_sigma", np.log(self.sigma_median), self.sigma_log_sd)
        return {
            "sigma": sigma,
            "rho": pm.TruncatedNormal(f"{outcome}_rho", mu=self.rho_mu, sigma=self.rho_sd,
                                      lower=-self.rho_bound, upper=self.rho_bound),
            "intercept": level_intercept(outcome, intercept_mu, INTERCEPT_SD, sigma, eta, w),
        }

    def logp(self, y: Any, eta: Any, params: Params, data: Params) -> Any:
        """Log-density of each night given the previous observed one (``prev``, ``gap``)."""
        import pymc as pm
        import pytensor.tensor as pt

        mean = params["intercept"] + eta
        carry, scale = ar1_carry(data["gap"], data["first"], params["rho"], pt)
        prev = data["prev"]
        centre = mean + carry * (y[prev] - mean[prev])
        return pm.logp(pm.Normal.dist(centre, params["sigma"] * scale), y)

    @classmethod
    def mean(cls, eta: np.ndarray, sigma: np.ndarray | float) -> np.ndarray:
        """Expected minutes as a diary holds them, ``E[clip(expm1(Y), low, high)]``.

        ``Y ~ Normal(eta, sigma)``, ``a = (log1p(low) - eta) / sigma``, ``b`` alike at high:
        ``exp(eta + sigma^2 / 2) [Phi(b - sigma) - Phi(a - sigma)] - Phi(b) + Phi(a) + low
        Phi(a) + high Phi(-b)``. A typical mean moves by a millionth (30 min, sigma 0.6), a
        long one by its tail beyond 720 (90 min, sigma 1: -5 %); ``expm1(eta + sigma^2 / 2)``
        gave 7,384 min to a diary of 0s and 720s, and a switch (edge-of-scale audit, C F1).
        """
        sigma = np.asarray(sigma, dtype=float)
        a, b = ((np.log1p(end) - eta) / sigma for end in (cls.low, cls.high))
        with np.errstate(divide="ignore"):   # nothing inside: exp(-inf) = 0, not inf * 0
            inside = np.exp(eta + sigma**2 / 2
                            + np.log(normal_cdf(b - sigma) - normal_cdf(a - sigma)))
        below, above = normal_cdf(a), normal_cdf(-b)
        mean = inside - (1.0 - below - above) + cls.low * below + cls.high * above
        return np.clip(mean, cls.low, cls.high)     # rounding: -1e-17 at a far-low eta

    @classmethod
    def minutes(cls, log1p_minutes: np.ndarray) -> np.ndarray:
        """:meth:`draw`'s nights in minutes a diary can hold (none beyond 720: C F1)."""
        return np.clip(np.expm1(log1p_minutes), cls.low, cls.high)

    @staticmethod
    def draw(eta: np.ndarray, sigma: Any, rho: Any, rng: np.random.Generator) -> np.ndarray:
        """Consecutive nights on the log1p scale (eta with intercept).

        ``eta`` ``(night,)`` with scalar ``sigma``, ``rho``, or ``(draw, night)`` with
        ``(draw,)`` ones.
        """
        return eta + ar1_errors(np.shape(eta)[-1], sigma, rho, rng)

    @staticmethod
    def loglik(y: np.ndarray, eta: np.ndarray, sigma: np.ndarray, rho: np.ndarray,
               data: Params) -> np.ndarray:
        """The numpy :meth:`logp` of each night, batched over draws.

        ``y`` ``(night,)``, ``eta`` (with intercept) ``(draw, night)``, ``sigma`` and ``rho``
        ``(draw,)``; ``data`` holds ``gap``, ``first`` and ``prev``.
        """
        sigma, rho = np.asarray(sigma)[:, None], np.asarray(rho)[:, None]
        carry, scale = ar1_carry(data["gap"][None], data["first"][None], rho)
        prev = data["prev"]
        centre = eta + carry * (y[prev][None] - eta[:, prev])
        sd = sigma * scale
        return -0.5 * ((y[None] - centre) / sd) ** 2 - np.log(sd) - 0.5 * np.log(2 * np.pi)

    @staticmethod
    def moments(eta: np.ndarray, sigma: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Identity link: ``(eta, 1, sigma^2)`` (after AR(1) prewhitening)."""
        return eta, np.ones_like(eta), np.full_like(eta, sigma**2)


@dataclass(frozen=True)
class NegativeBinomial:
    """Counts ~ NegativeBinomial(mu = exp(intercept + eta), alpha = overdispersion^-2).

    ``Var = mu + overdispersion^2 mu^2``; prior ``overdispersion ~ HalfNormal(over_sd)``.
    Counts go up to ``max_count`` (the diary's limit: :func:`family_of`).
    """

    name: ClassVar[str] = "negbin"
    data_fields: ClassVar[tuple[tuple[str, str], ...]] = (("y", "int64"), ("w", "float64"))
    over_sd: float = 1.0
    max_count: int = int(NUMERIC[SPECS["awakenings"].column].high)

    def add_parameters(self, outcome: str, intercept_mu: Any, eta: Any, w: Any) -> Params:
        """``intercept`` (log mean count) and ``overdispersion``.

        The overdispersion is sampled folded (:mod:`model.likelihood.folded`): its posterior
        often reaches zero.
        """
        import pymc as pm

        from model.likelihood.folded import Folded

        return {"intercept": normal_intercept(outcome, intercept_mu),
                "overdispersion": pm.HalfNormal(f"{outcome}_overdispersion", self.over_sd,
                                                default_transform=Folded())}

    @staticmethod
    def dist(mu: Any, overdispersion: Any) -> Any:
        """The PyMC distribution of a count of mean ``mu``."""
        import pymc as pm

        return pm.NegativeBinomial.dist(mu=mu, alpha=overdispersion**-2)

    def logp(self, y: Any, eta: Any, params: Params, data: Params) -> Any:
        """Log-probability of each count, PyMC's ``NegativeBinomial`` written for the gradient.

        With ``alpha = overdispersion^-2``, ``d = log mu - log alpha`` and
        ``s = log(1 + exp(d))``: ``log p(y) = log[alpha (alpha + 1) ... (alpha + y - 1) / y!]
        - alpha s + y (d - s)``. The first term is read from a table of running sums over
        ``0 .. max_count`` (a diary's counts are small; a table of fixed length keeps the
        graph free of data-dependent shapes, so that the population stage can batch it over
        persons), so a night costs one softplus and no log-gamma or digamma; mu stays on the
        log scale. The term and its gradient take 40 % of the time of PyMC's form at 120
        nights and a quarter at 730 (``benchmarks/bench_gradient.py``).
        """
        import pytensor.tensor as pt

        alpha = params["overdispersion"] ** -2
        log_alpha = pt.log(alpha)
        d = params["intercept"] + eta - log_alpha
        s = pt.log1pexp(d)
        k = np.arange(self.max_count, dtype=float)
        terms = pt.log(alpha + k) - np.log1p(k)
        running = pt.concatenate([pt.zeros(1), pt.cumsum(terms, axis=0)])
        return running[y] - alpha * s + y * (d - s)

    @staticmethod
    def mean(eta: np.ndarray) -> np.ndarray:
        """Expected count ``exp(eta)`` (eta with intercept)."""
        return np.exp(eta)

    @staticmethod
    def draw(mu: np.ndarray, alpha: Any, rng: np.random.Generator) -> np.ndarray:
        """Counts of mean ``mu`` and shape ``alpha`` (``Var = mu + mu^2 / alpha``)."""
        return rng.negative_binomial(alpha, alpha / (alpha + mu))

    @staticmethod
    def loglik(y: np.ndarray, mu: np.ndarray, overdispersion: Any) -> np.ndarray:
        """The numpy :meth:`logp` of counts ``y`` at means ``mu`` (broadcast)."""
        alpha = np.asarray(overdispersion, dtype=float) ** -2
        return (log_rising_factorial(alpha, y) - log_rising_factorial(1.0, y)
                + alpha * (np.log(alpha) - np.log(alpha + mu))
                + y * (np.log(mu) - np.log(alpha + mu)))

    @staticmethod
    def moments(eta: np.ndarray,
                overdispersion: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Log link: ``(mu, mu, mu + overdispersion^2 mu^2)``, eta clipped to [-10, 10]."""
        mu = np.exp(np.clip(eta, -10, 10))
        return mu, mu, mu + overdispersion**2 * mu**2


@dataclass(frozen=True)
class Ordinal:
    """A rating of ``categories`` levels: cumulative logit, ``P(y >= k) = sigmoid(eta - c_k)``.

    The cut-points carry the level (no intercept). Their prior: the first cut-point
    ``Normal(c_1, first_sd)`` and each gap to the next ``LogNormal(log(even gap), gap_sd)``,
    around the cut-points of even shares (:func:`even_share_cutpoints`). A prior on the gaps
    keeps cut-points next to categories a diary never uses (a 0-10 anxiety rating that stays
    between 3 and 7) from drifting into the flat tails that made NUTS diverge; ``Normal``
    priors on the ordered cut-points themselves did (8 of 8 diaries of the independent world
    generator, :mod:`model.simulate.world`, against 0 of 4 with this prior).
    """

    name: ClassVar[str] = "ordinal"
    data_fields: ClassVar[tuple[tuple[str, str], ...]] = (("y", "int64"), ("w", "float64"))
    categories: int
    first_sd: float = 1.5
    gap_sd: float = 0.5

    def add_parameters(self, outcome: str, intercept_mu: Any, eta: Any, w: Any) -> Params:
        """``cutpoints`` (dims ``{outcome}_cut``), ordered: a first one and log-normal gaps."""
        import pymc as pm
        import pytensor.tensor as pt

        centres = even_share_cutpoints(self.categories)
        first = pm.Normal(f"{outcome}_cut_first", centres[0], self.first_sd)
        gaps = pm.LogNormal(f"{outcome}_cut_gaps", mu=np.log(np.diff(centres)),
                            sigma=self.gap_sd, shape=self.categories - 2)
        cuts = pt.concatenate([first[None], first + pt.cumsum(gaps)])
        return {"cutpoints": pm.Deterministic(f"{outcome}_cutpoints", cuts,
                                              dims=f"{outcome}_cut"), "gaps": gaps}

    def logp(self, y: Any, eta: Any, params: Params, data: Params) -> Any:
        """Log-probability of each observed category (:func:`ordered_logistic_logp`).

        Evaluated by :func:`model.likelihood.ordinal_op.ordinal_logp`, the same value and
        gradient in one loop over the nights under numba.
        """
        from model.likelihood.ordinal_op import ordinal_logp

        return ordinal_logp(eta, params["cutpoints"], y, params.get("gaps"))

    @staticmethod
    def above(eta: np.ndarray, cuts: np.ndarray) -> np.ndarray:
        """``P(y >= k)``, k = 1 .. K-1, on a last axis (cuts broadcast against it)."""
        return expit(eta[..., None] - cuts)

    @classmethod
    def mean(cls, eta: np.ndarray, cuts: np.ndarray) -> np.ndarray:
        """Expected 0-based category ``sum_k P(y >= k)``."""
        return cls.above(eta, cuts).sum(-1)

    @classmethod
    def probabilities(cls, eta: np.ndarray, cuts: np.ndarray) -> np.ndarray:
        """``P(y = k)``, k = 0 .. K-1, on a last axis."""
        above = cls.above(eta, cuts)
        ones = np.ones((*above.shape[:-1], 1))
        return -np.diff(np.concatenate([ones, above, 0 * ones], axis=-1), axis=-1)

    @staticmethod
    def draw(eta: np.ndarray, cuts: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """0-based categories: a logistic latent variable cut at ``cuts``.

        ``eta`` ``(night,)`` with ``cuts`` ``(cut,)``, or ``(draw, night)`` with
        ``(draw, 1, cut)``.
        """
        latent = eta + rng.logistic(size=np.shape(eta))
        return (latent[..., None] > cuts).sum(axis=-1)

    @staticmethod
    def loglik(y: np.ndarray, eta: np.ndarray, cuts: np.ndarray) -> np.ndarray:
        """The numpy :meth:`logp` of each night, batched over draws.

        Categories ``y`` ``(night,)``, ``eta`` ``(draw, night)``, ``cuts`` ``(draw, cut)``;
        the same factored form as :func:`ordered_logistic_logp`.
        """
        edges = with_open_ends(cuts)
        width = ordinal_log_width(np.diff(cuts, axis=1))
        return (log_expit(edges[:, y + 1] - eta) + log_expit(eta - edges[:, y])
                + width[:, y])

    @classmethod
    def moments(cls, eta: np.ndarray,
                cuts: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Mean score, its slope and variance (quasi-likelihood on the score)."""
        above = cls.above(eta, cuts[None])
        mean = above.sum(axis=1)
        share = -np.diff(np.column_stack([np.ones(len(eta)), above, np.zeros(len(eta))]))
        second = share @ np.arange(len(cuts) + 1) ** 2
        return mean, (above * (1 - above)).sum(axis=1), np.maximum(second - mean**2, 1e-6)


@dataclass(frozen=True)
class Bernoulli:
    """An event per night: Bernoulli with ``logit P = intercept + eta``."""

    name: ClassVar[str] = "bernoulli"
    data_fields: ClassVar[tuple[tuple[str, str], ...]] = (("y", "int64"), ("w", "float64"))

    def add_parameters(self, outcome: str, intercept_mu: Any, eta: Any, w: Any) -> Params:
        """``intercept`` (log odds without magnesium)."""
        return {"intercept": normal_intercept(outcome, intercept_mu)}

    def logp(self, y: Any, eta: Any, params: Params, data: Params) -> Any:
        """Log-probability of each night's event indicator."""
        import pymc as pm

        return pm.logp(pm.Bernoulli.dist(logit_p=params["intercept"] + eta), y)

    @staticmethod
    def mean(eta: np.ndarray) -> np.ndarray:
        """Event probability ``expit(eta)`` (eta with intercept)."""
        return expit(eta)

    @staticmethod
    def draw(eta: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """Events (bool) of probability ``expit(eta)`` (any shape)."""
        return rng.random(np.shape(eta)) < expit(eta)

    @staticmethod
    def loglik(y: np.ndarray, eta: np.ndarray) -> np.ndarray:
        """The numpy :meth:`logp` of events ``y`` (0/1) at log odds ``eta`` (broadcast)."""
        return np.where(y > 0, log_expit(eta), log_expit(-eta))

    @staticmethod
    def moments(eta: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Logit link: ``(p, p (1 - p), p (1 - p))``, p clipped to [1e-6, 1 - 1e-6]."""
        p = np.clip(expit(eta), 1e-6, 1 - 1e-6)
        return p, p * (1 - p), p * (1 - p)


def family_of(outcome: str) -> LikelihoodFamily:
    """The personal model's family object of an outcome (by :data:`SPECS` ``family``)."""
    spec = SPECS[outcome]
    kinds: dict[Family, Callable[[], LikelihoodFamily]] = {
        "normal_ar1": NormalAR1, "bernoulli": Bernoulli,
        "negbin": lambda: NegativeBinomial(max_count=int(NUMERIC[spec.column].high)),
        "ordinal": lambda: Ordinal(max(spec.categories, 2))}
    return kinds[spec.family]()
