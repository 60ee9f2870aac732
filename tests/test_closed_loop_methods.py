"""The closed loop's methods, as a reviewer asked: several seeds, a world with one store per
form, persons with safety limits of their own, the quick-vs-full check that says when it is
skipped or its full fits fail, commitments kept, common random numbers, and no magnesium that
firms stools.
"""

import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from model import load_priors
from model.core.forms import FORMS
from model.core.regimen import NO_MAGNESIUM, Regimen
from model.data.profile import Profile
from model.simulate.world import (
    WorldPerson,
    draw_world_person,
    separate_stores,
    simulate_world,
    true_change,
)

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import closed_loop as cl

GLY200, TAU200, THR200 = (Regimen(f, 200.0) for f in ("glycinate", "taurate", "threonate"))


@pytest.fixture(scope="module")
def priors():
    return load_priors()


def test_several_seeds_give_per_seed_rows_pooled_means_and_the_tool_over_fixed(capsys):
    result = cl.main(["--persons", "2", "--workers", "1", "--full-subset", "0", "--draws",
                      "200", "--seeds", "1,2", "--policies", "tool,fixed"])
    assert result["seeds"] == [1, 2] and [r["seed"] for r in result["runs"]] == [1, 2]
    rows = pd.DataFrame(result["across"]["rows"]).set_index(["policy", "seed"])
    records = pd.concat([pd.DataFrame(r["records"]) for r in result["runs"]])
    for name in ("tool", "fixed"):
        mine = records.loc[records["policy"] == name, "regret_week12"]
        assert rows.loc[(name, "all"), "persons"] == 4
        assert rows.loc[(name, "all"), "regret_week12"] == pytest.approx(mine.mean())
        assert rows.loc[(name, "all"), "regret_se"] == pytest.approx(mine.std() / 2)
    tool = records.loc[records["policy"] == "tool", "regret_week12"].mean()
    fixed = records.loc[records["policy"] == "fixed", "regret_week12"].mean()
    assert result["across"]["tool_over_fixed"]["all"][0] == pytest.approx(tool / fixed)
    out = capsys.readouterr().out
    assert "seed 1: 2 persons" in out and "seed 2: 2 persons" in out
    assert "| tool | all | 4 |" in out and "tool / fixed: 1 " in out
    assert cl.seed_list("3, 1,3") == (3, 1)


def test_the_per_form_world_builds_each_form_up_on_its_own():
    # a taurate-only responder switched from glycinate 200 to taurate 200 mg, no expectation
    person = WorldPerson(effects={"taurate": {"sol": 0.3}}, expectation=0.0, drift=0.0,
                         lag_days=3.0, ramp_days=10.0, hill_ed50_mg=1.0)
    path = [NO_MAGNESIUM] * 10 + [GLY200] * 40 + [TAU200] * 40
    off = [NO_MAGNESIUM] * 10 + [GLY200] * 40 + [GLY200] * 40     # taurate never taken
    shared = simulate_world(person, path, seed=4)["sol_min"].to_numpy()
    stored = separate_stores(person, np.random.default_rng(0))
    assert stored.stores == "per_form" and set(stored.form_kinetics) == set(FORMS)
    assert all(lag >= 1.5 for lag, _ in stored.form_kinetics.values())
    own = simulate_world(stored, path, seed=4)["sol_min"].to_numpy()
    never = simulate_world(stored, off, seed=4)["sol_min"].to_numpy()
    first = slice(50, 51)                                  # the first taurate night
    seen = np.isfinite(own[first]) & np.isfinite(never[first]) & (never[first] > 3)
    assert seen.all()
    # the shared store shows taurate at full strength at once; its own store has not begun
    assert shared[first] == pytest.approx(0.3 * never[first], abs=1.0)
    assert own[first] == pytest.approx(never[first])
    # built up in the end, in both worlds alike
    assert np.nanmean(own[-10:]) == pytest.approx(np.nanmean(shared[-10:]))


def test_the_per_form_world_has_the_same_persons_and_profiles():
    drawn, per_form = cl.draw_subjects(5, 3), cl.draw_subjects(5, 3, world=cl.PER_FORM)
    for a, b in zip(drawn, per_form, strict=True):
        assert (a.profile, a.seed) == (b.profile, b.seed)
        assert replace(b.person, stores="shared", form_kinetics={}) == a.person
        assert a.person.stores == "shared" and b.person.stores == "per_form"


def test_a_share_of_persons_has_safety_limits_and_the_rest_are_unchanged():
    subjects, plain = cl.draw_subjects(200, 1), cl.draw_subjects(200, 1, restricted=0.0)
    limited = [s.profile for s in subjects if s.profile != Profile(
        gut_sensitivity=s.profile.gut_sensitivity, complaint=s.profile.complaint)]
    assert 0.2 < len(limited) / 200 < 0.4
    assert {p.max_elemental_mg for p in limited} <= {None, *cl.OWN_CEILINGS}
    assert {m for p in limited for m in p.medications} <= set(cl.MEDICINES)
    assert any(p.excluded_forms for p in limited) and any(p.medications for p in limited)
    assert any(p.max_elemental_mg for p in limited)
    for a, b in zip(subjects, plain, strict=True):
        assert (a.person, a.seed, a.profile.complaint) == (b.person, b.seed, b.profile.complaint)
        assert b.profile.max_elemental_mg is None and not b.profile.medications


def test_limits_of_the_profile_are_breaches_and_bound_the_best(priors):
    held = Profile(medications=["digoxin"])
    assert cl.allowed_regimens(held, priors) == [NO_MAGNESIUM]
    assert cl.breaches([GLY200, NO_MAGNESIUM], held, priors) == 1
    capped = Profile(medications=["magnesium hydroxide 200 mg"], excluded_forms=["taurate"])
    allowed = cl.allowed_regimens(capped, priors)
    assert max(r.elemental_mg for r in allowed) == 150.0
    assert not any(r.form == "taurate" for r in allowed)
    assert cl.breaches([TAU200, Regimen("glycinate", 150.0), GLY200], capped, priors) == 2


def test_the_tool_keeps_to_limits_a_fixed_advice_breaks(capsys):
    result = cl.main(["--persons", "3", "--workers", "1", "--full-subset", "0", "--draws",
                      "200", "--seed", "2", "--restricted", "1", "--policies", "tool,fixed"])
    summary = pd.DataFrame(result["summary"]).set_index("policy")
    assert summary.loc["tool", "ceiling_breaches"] == 0
    assert summary.loc["fixed", "ceiling_breaches"] > 0      # counted, not refused
    assert all(pd.DataFrame(result["records"])["restricted"])


def test_a_skipped_check_is_said_on_stderr_and_above_the_table(capsys):
    cl.main(["--persons", "1", "--workers", "1", "--full-subset", "0", "--draws", "200",
             "--policies", "tool"])
    out, err = capsys.readouterr()
    assert "SKIPPED" in err and "SKIPPED" in out.split("| policy |")[0]
    cl.main(["--persons", "1", "--workers", "1", "--full-subset", "0", "--policies", "fixed"])
    assert "SKIPPED" not in capsys.readouterr().err          # no model policy: nothing to check


def row(ok=True):
    return {"quick": "continue none", "full": "continue none" if ok else "collect_more_data",
            "diagnostics_ok": ok, "same_options": ok, "p_best_chosen": (0.5, 0.5) if ok else None,
            "p_best": [(0.5, 0.5)] if ok else [], "p_violation": [(0.1, 0.1)] if ok else []}


def test_failed_full_fits_count_in_the_verdict():
    one = cl.verdict(cl.agreement([row(False)] + [row() for _ in range(5)]))
    assert one[0] == "" and "full fit failed its checks at 17%" in one[1]
    half = cl.verdict(cl.agreement([row(False)] * 3 + [row() for _ in range(3)]))
    assert "full fit failed its checks at 50%" in half[0]


def look(night, regimen, commit):
    return {"night": night, "regimen": regimen.label, "commit": commit}


def test_a_commitment_kept_is_the_first_one_never_left():
    switched = [look(14, GLY200, True), look(28, TAU200, False), look(42, TAU200, True),
                look(56, Regimen("taurate", 300.0), False), look(98, TAU200, False)]
    assert cl.kept_commit(switched) == 42                  # dose changes keep the form
    stopped = [look(14, GLY200, True), look(98, NO_MAGNESIUM, False)]
    assert cl.kept_commit(stopped) is None
    assert cl.kept_commit([look(14, GLY200, False), look(98, GLY200, False)]) is None


def test_the_score_has_both_commit_figures(priors):
    subject = cl.Subject(0, WorldPerson(), Profile(), 2)
    taken = [NO_MAGNESIUM] * cl.BASELINE + [GLY200] * 14 + [TAU200] * 70
    looks = [look(14, GLY200, True) | {"estimates": {}},
             look(28, TAU200, True) | {"estimates": {}}, look(98, TAU200, False)
             | {"estimates": {}}]
    record = cl.score(subject, taken, looks, priors)
    assert record["committed"] and record["commit_week"] == 0.0
    assert record["committed_kept"] and record["kept_commit_week"] == 2.0


def test_every_noise_source_is_common_to_two_regimen_paths():
    # a glycinate responder (fewer awakenings, shorter latency) on glycinate or threonate:
    # the same GI chance on both paths, and a different number of awakenings on the first
    drawn = draw_world_person(np.random.default_rng(3))
    person = replace(drawn, effects={"glycinate": {"sol": 0.5, "awakenings": 0.5}},
                     expectation=0.0)
    paths = [[NO_MAGNESIUM] * 14 + [r] * 84 for r in (GLY200, THR200)]
    assert person.gi_probability(GLY200) == person.gi_probability(THR200)
    helped, not_helped = (simulate_world(person, p, seed=11) for p in paths)
    for column in ("stool_bristol", "caffeine_late"):
        pd.testing.assert_series_equal(helped[column], not_helped[column])
    pd.testing.assert_frame_equal(helped.isna(), not_helped.isna())
    # the same latency and awakenings draws, lowered by the effect: never more on glycinate
    for column in ("sol_min", "awakenings"):
        seen = helped[column].notna()
        assert (helped.loc[seen, column] <= not_helped.loc[seen, column]).all()
    assert (helped["sol_min"] < not_helped["sol_min"]).sum() > 40
    # a path with more GI nights changes the stool of those nights only
    loose = simulate_world(person, [NO_MAGNESIUM] * 14 + [Regimen("oxide", 350.0)] * 84,
                           seed=11)
    gi = helped["stool_bristol"] >= 6
    assert (gi <= (loose["stool_bristol"] >= 6))[helped["stool_bristol"].notna()].all()


def test_magnesium_never_lowers_loose_stools_below_none():
    rng = np.random.default_rng(8)
    for _ in range(50):
        person = draw_world_person(rng, responder=0.5)
        person = replace(person, gut_sensitivity=min(person.gut_sensitivity, -1.0))
        for form in FORMS:
            for dose in (100.0, 350.0):
                assert true_change(person, Regimen(form, dose))["gi"] >= 0.0
        assert true_change(person, Regimen("glycinate", 350.0))["gi"] == 0.0


def test_the_quick_check_names_an_advice_with_no_regimen_behind_it():
    """The quick-vs-full check looked for a `continue` behind every advice without a chosen
    action and stopped on a referral (StopIteration) once persons had limits of their own."""
    import datetime as dt

    from model.decision import decide
    from model.testing import FakePosterior
    from tests.test_effects import diary

    nights = diary(("none", 0, 14), ("glycinate", 200, 20))
    model = FakePosterior(n_draws=400, seed=1)
    as_of = dt.date(2025, 2, 4)
    refer = decide(model, priors=load_priors(), profile=Profile(egfr=25), diary=nights,
                   as_of=as_of)
    assert refer.behind is None and cl._advised(refer) == "refer"
    kept = decide(model, priors=load_priors(), diary=nights, as_of=as_of)
    assert cl._advised(kept).startswith(kept.recommendation.action + " ")
