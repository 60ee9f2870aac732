"""A pathway within the Monte Carlo error of another step says so (a daily user's audit).

/tmp/w46 C F3: each morning's re-analysis re-decided the pathways on a third of the draws, and
taurate's "if it goes well" branch named raise to taurate 300 mg, malate, threonate, citrate,
oxide and citrate in turn with nothing new in the diary: close calls among untried forms
flipped on the draws' noise. A close call names every step it is between, in a fixed order.
"""

import dataclasses
import datetime as dt
import functools

from model.analysis.pathways import Pathway, Step, pathways, unless_it_moves_on
from model.core.forms import FORMS
from model.core.regimen import Regimen
from model.data.profile import Profile
from model.decision import decide, history
from model.report.pathway_words import IN_TURN, pathway_line, pathway_lines
from model.testing import FakePosterior
from tests.test_effects import cached_priors, diary

AS_OF = dt.date(2025, 4, 30)
# three forms tried (the planned crossover is over): threonate, the current one, may help; of
# the untried forms, citrate and oxide are as promising as each other, the rest worse
THREE_TRIED = diary(("none", 0, 14), ("glycinate", 300, 25), ("taurate", 300, 25),
                    ("threonate", 300, 25))


@functools.cache
def found(oxide: float, seed: int) -> tuple[Pathway, ...]:
    fake = FakePosterior(benefit={f: {"citrate": 0.5, "oxide": oxide, "threonate": 0.8}.get(
        f, -1.0) for f in FORMS}, benefit_sd=0.4, known={"threonate": 0.8},
        gi={f: -1.0 for f in FORMS}, gi_sd=0.1, n_draws=900, seed=seed)
    decision = decide(fake, priors=cached_priors(), profile=Profile(), diary=THREE_TRIED,
                      as_of=AS_OF, separable=True)
    return pathways(fake, decision, history(THREE_TRIED), priors=cached_priors(),
                    profile=Profile(), as_of=AS_OF, separable=True)


def test_two_untried_forms_as_promising_are_a_close_call_naming_both():
    badly = found(0.5, 2)[0]
    assert badly.scenario == "badly" and badly.action == "switch_form"
    assert {badly.regimen.form, *(s.regimen.form for s in badly.close_to)} == {"citrate", "oxide"}
    assert pathway_line(badly) == ("if it goes badly: switch to citrate 350 mg or oxide 350 mg, "
                                   "too close to call")
    entry = badly.to_dict()
    assert entry["close_call"] and [s["form"] for s in entry["close_to"]] == [
        s.regimen.form for s in badly.close_to] and entry["form"] == badly.regimen.form


def test_a_clear_winner_is_named_alone():
    badly, *kept = found(0.0, 2)
    assert (badly.action, badly.regimen, badly.close_to) == (
        "switch_form", Regimen("citrate", 350), ())
    assert pathway_line(badly) == "if it goes badly: switch to citrate 350 mg"
    assert not badly.to_dict()["close_call"] and badly.to_dict()["close_to"] == []
    assert all(not p.close_to and p.regimen.form == "threonate" for p in kept)


def test_another_seed_of_the_same_posterior_gives_the_same_words():
    # the two seeds' thirds choose citrate and oxide: the old words named one at random
    one, other = found(0.5, 2), found(0.5, 4)
    assert one[0].regimen != other[0].regimen
    assert pathway_lines(one) == pathway_lines(other)


def test_a_form_left_after_it_went_well_says_why():
    here = Regimen("taurate", 200)
    well = Pathway("well", here, 2.5, "switch_form", Regimen("oxide", 200),
                   ("crossover", "learn"))
    assert pathway_line(well) == f"if it goes well: switch to oxide 200 mg{IN_TURN}"
    badly = dataclasses.replace(well, scenario="badly")
    assert pathway_line(badly) == "if it goes badly: switch to oxide 200 mg (to learn)"
    kept = dataclasses.replace(well, action="increase_dose", regimen=Regimen("taurate", 300),
                               reason_codes=("titration",))
    assert IN_TURN not in pathway_line(kept)
    # the crossover's untried forms in a close call are one step: which passes its bar is
    # noise too (named, they flipped malate, threonate, citrate, oxide from morning to morning)
    citrate = Step("switch_form", Regimen("citrate", 200), ("crossover", "learn"))
    untried = dataclasses.replace(well, close_to=(citrate,))
    assert pathway_line(untried) == ("if it goes well: switch to another untried form, too close "
                                     f"to call{IN_TURN}")
    raised = dataclasses.replace(kept, close_to=(citrate,))
    assert pathway_line(raised) == ("if it goes well: raise the dose to taurate 300 mg or switch "
                                    f"to another untried form, too close to call{IN_TURN}")
    assert [s["form"] for s in raised.to_dict()["close_to"]] == ["citrate"]


def test_a_commitment_a_close_call_may_keep_is_not_withdrawn():
    """Every pathway's step moves on, but one close call could keep today's regimen: the
    next period need not undo the commitment, so it stands (its words do not say "whichever
    way the next period goes, the model then expects to move on")."""
    here, there = Regimen("glycinate", 300), Regimen("threonate", 300)
    decision = decide(FakePosterior(benefit={"glycinate": 0.4}), priors=cached_priors(),
                      diary=THREE_TRIED, as_of=AS_OF, separable=True)
    committed = dataclasses.replace(decision, recommendation=dataclasses.replace(
        decision.recommendation, action="continue", regimen=here, commit=True,
        reason_codes=("commit",)))
    moving = tuple(Pathway(s, here, 0.0, "switch_form", there) for s in ("badly", "as_expected",
                                                                        "well"))
    assert not unless_it_moves_on(committed, moving).recommendation.commit
    close = (*moving[:2], dataclasses.replace(moving[2], close_to=(Step("continue", here),)))
    assert unless_it_moves_on(committed, close) == committed
