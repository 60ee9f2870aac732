"""What a clinic's weekly batch and a dashboard read: JSON fields, the exit code, provenance.

A clinic's audit (15 patients, one ``analyze`` each on Mondays) and an upgrading user's audit:
a forced step's ``p_best`` 1.0 showed as "100 %"; a pregnant person on 300 mg had the dose to
lower to only in the prose; a fit that failed its checks exited 0; every build said mgsleep
"0.1.0"; a stale clinician page could not be told from this week's; a profile of explicit
empty lists was told "no profile given".
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import json
import shutil
from pathlib import Path
from types import SimpleNamespace

import pytest

from model.cli.main import main
from model.core.paths import default_priors_dir
from model.core.provenance import PACKAGE, code_sha256, tree_sha256, versions
from model.core.regimen import Regimen
from model.data.profile import Profile, load_profile
from model.decision import History, decide, screen
from model.decision.rule_words import NO_PROFILE
from model.report import clinician
from model.report.advice import what_to_do
from model.simulate.personas import simulate_diary
from model.testing import FakePosterior

AS_OF = dt.date(2025, 3, 1)
POSTERIOR = FakePosterior(n_draws=200)


def on(form: str, mg: float, nights: int = 30) -> History:
    """``nights`` recorded nights on one regimen."""
    return History(Regimen(form, mg), nights, frozenset({form}), 0)


def recommendation(priors, profile: Profile, past: History, **given) -> dict:
    """The ``recommendation`` entry of the JSON of a decision."""
    decision = decide(POSTERIOR, priors=priors, profile=profile, diary=past, as_of=AS_OF,
                      **given)
    return json.loads(json.dumps(decision.to_dict()))["recommendation"]


# 1. p_best is among options_allowed ----------------------------------------------------------

def test_a_forced_step_says_its_p_best_is_among_one_option(priors):
    """Five nights into glycinate, continuing is the only step allowed (``forced``): its
    ``p_best`` 1 is among ``options_allowed`` 1, not a certainty a dashboard may show."""
    forced = recommendation(priors, Profile(age=40), on("glycinate", 200, nights=5))
    assert forced["reason_codes"] == ["forced"]
    assert (forced["p_best"], forced["options_allowed"]) == (1.0, 1)


def test_options_allowed_are_the_options_p_best_is_shared_among(priors):
    decision = decide(POSTERIOR, priors=priors, profile=Profile(age=40),
                      diary=on("glycinate", 200), as_of=AS_OF)
    rec = decision.to_dict()["recommendation"]
    shared = [a for a in decision.assessments if a.feasible and a.action != "withdrawal"
              and a.action != "placebo_period"]
    assert rec["options_allowed"] == len(shared) > 1
    assert sum(a.p_best for a in shared) == pytest.approx(1.0)
    # a rule's advice consults no posterior: no count beside its placeholder p_best
    refer = recommendation(priors, Profile(pregnant=True), on("glycinate", 200))
    assert refer["from_posterior"] is False and refer["options_allowed"] is None


# 2. The most one may take now, as a number -----------------------------------------------------

def test_a_dose_to_lower_gives_its_ceiling_as_a_number(priors):
    """Pregnant on glycinate 300 mg: ``refer`` with a null form and dose, "at most 250
    mg/day" only in the prose, and a headline without the number."""
    pregnant = decide(POSTERIOR, priors=priors, profile=Profile(pregnant=True),
                      diary=on("glycinate", 300), as_of=AS_OF).recommendation
    assert pregnant.to_dict()["max_mg_now"] == 250
    assert what_to_do(pregnant) == ("From tonight, take no more than 250 mg a day, your daily "
                                    "ceiling, and see your clinician before any other change.")
    failed = decide(POSTERIOR, priors=priors, profile=Profile(age=40), diary=on("citrate", 500),
                    as_of=AS_OF, diagnostics_ok=False).recommendation
    assert failed.to_dict()["max_mg_now"] == 350
    assert what_to_do(failed) == ("From tonight, take no more than 350 mg a day, your daily "
                                  "ceiling, then record more nights.")
    digoxin = decide(POSTERIOR, priors=priors, diary=on("glycinate", 300), as_of=AS_OF,
                     profile=Profile(medications=["digoxin"], max_elemental_mg=200))
    assert "200 mg a day, your daily ceiling, and change nothing" in what_to_do(
        digoxin.recommendation)
    within = recommendation(priors, Profile(pregnant=True), on("glycinate", 200))
    assert within["max_mg_now"] is None


# 4. The code's fingerprint ---------------------------------------------------------------------

@pytest.fixture
def tree(tmp_path) -> tuple[Path, Path]:
    """A copy of the package's .py files and of the bundled priors (a wheel's folder name)."""
    package, data = tmp_path / "model", tmp_path / "model" / "_default_priors"
    shutil.copytree(PACKAGE, package, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(default_priors_dir(), data, dirs_exist_ok=True)
    return package, data


def test_the_code_fingerprint_follows_every_source_and_data_file(tree):
    package, data = tree
    first = tree_sha256(package, data)
    assert first == tree_sha256(package, data) == code_sha256()   # where the copy lives
    assert len(first) == 64 and int(first, 16) >= 0
    source = package / "decision" / "results.py"
    source.write_text(source.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    edited = tree_sha256(package, data)
    assert edited != first
    (data / "safety.toml").write_bytes((data / "safety.toml").read_bytes() + b"\n")
    assert tree_sha256(package, data) not in (first, edited)
    (package / "added.py").write_text("", encoding="utf-8")
    assert len({first, edited, tree_sha256(package, data)}) == 3


def test_every_result_names_the_code_that_made_it():
    assert versions()["code_sha256"] == code_sha256()
    assert code_sha256() is code_sha256()        # computed once per process


# 3 and 5. The exit code of a failed fit, and the clinician page's provenance ------------------

@pytest.mark.fit
def test_a_failed_fit_exits_1_after_writing_results_a_page_says_when_and_of_what(
        tmp_path, capsys):
    """R-hat 1.55 exited 0 (``nof1`` and ``population`` exit 1); the page said only
    "(analysed 2026-11-28)", so last week's, left by a failed run, looked like this week's."""
    diary = tmp_path / "diary.csv"
    simulate_diary("responder", 30, seed=1).to_csv(diary, index=False)
    out, page = tmp_path / "result.json", tmp_path / "clinician.html"
    assert main(["analyze", str(diary), "--no-cache", "--draws", "10", "--chains", "2",
                 "--seed", "1", "--json", str(out), "--clinician", str(page)]) == 1
    assert "mgsleep analyze: NOT CONVERGED (R-hat" in capsys.readouterr().err
    result = json.loads(out.read_text(encoding="utf-8"))
    assert result["diagnostics"]["ok"] is False
    assert result["recommendation"]["reason_codes"] == ["diagnostics_failed"]
    record = result["provenance"]
    assert record["code_sha256"] == code_sha256()
    said = html.unescape(page.read_text(encoding="utf-8"))
    sha = hashlib.sha256(diary.read_bytes()).hexdigest()
    assert (f"Made {dt.date.today().isoformat()}, of the nights up to {result['as_of']}, "
            f"seed 1; diary SHA-256 {sha[:12]}; mgsleep ") in said
    assert f", code {code_sha256()[:12]}." in said


def test_the_page_foot_says_what_is_not_recorded():
    """An analysis without a provenance (built in Python) says so, never a blank."""
    bare = SimpleNamespace(provenance={}, as_of=AS_OF)
    said = clinician.made_line(bare)
    assert said.startswith("Made on a date not recorded, of the nights up to 2025-03-01")
    assert "diary SHA-256 not recorded" in said and "code not recorded." in said


# 6. A profile of empty lists is a profile ------------------------------------------------------

def written(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "me.toml"
    path.write_text(text, encoding="utf-8")
    return path


def page(profile: Profile, priors) -> str:
    """The clinician page's safety screen of ``profile``."""
    result = SimpleNamespace(diary=None, profile=profile,
                             fit=SimpleNamespace(priors_=SimpleNamespace(safety=priors.safety)))
    rules, told = clinician._screen_lines(result)
    return html.unescape(clinician._safety(profile, priors.safety, rules, told))


def test_a_profile_of_empty_lists_is_not_told_no_profile_was_given(tmp_path, priors):
    """``complaint``, ``conditions = []``, ``medications = []``: "no profile given ... give
    it with --profile FILE" though it was given; [] is an answer (none)."""
    listed = load_profile(written(tmp_path, 'complaint = "night_waking"\nconditions = []\n'
                                            "medications = []\n"), safety=priors.safety)
    warned = screen(listed, priors.safety).fact_warnings
    assert not any(NO_PROFILE in w for w in warned)
    assert warned[0] == (
        "your profile gives none of your age, pregnancy or breastfeeding, or kidney function "
        "(eGFR) (conditions and medicines: none listed): mgsleep checked none of them against "
        "its safety rules; write them in your profile (the README's 'The profile')")
    said = page(listed, priors)
    assert "No profile given" not in said
    assert "conditions: none listed; medicines: none listed." in said
    assert "Not checked for want of a fact" in said


def test_a_profile_of_a_ceiling_only_names_the_lists_it_leaves_out(tmp_path, priors):
    with pytest.warns(UserWarning, match="above the safety ceiling"):
        ceiling = load_profile(written(tmp_path, "max_elemental_mg = 400\n"),
                               safety=priors.safety)
    warned = screen(ceiling, priors.safety).fact_warnings
    assert warned[0].startswith("your profile gives none of your age, pregnancy or "
                                "breastfeeding, kidney function (eGFR), conditions, or "
                                "medicines: mgsleep checked none")
    own = load_profile(written(tmp_path, "max_elemental_mg = 200\n"), safety=priors.safety)
    assert screen(own, priors.safety).fact_warnings[0].startswith("your profile gives none")
    # a ceiling written at the safety ceiling is written too, not the one filled in
    at = load_profile(written(tmp_path, "max_elemental_mg = 350\n"), safety=priors.safety)
    assert screen(at, priors.safety).fact_warnings[0].startswith("your profile gives none")
    assert "No profile given" not in page(at, priors)
    # no profile at all is still said so, with how to give one
    nothing = screen(load_profile(None, safety=priors.safety), priors.safety)
    assert nothing.fact_warnings[0].startswith(NO_PROFILE)
    assert "No profile given" in page(load_profile(None, safety=priors.safety), priors)


def test_a_refusal_still_says_what_the_profile_was_read_with(tmp_path, capsys):
    """A refused diary (too few nights) dropped the profile's warnings, NOT CHECKED among
    them: they were caught for the JSON, and the refusal came before (a review of the
    clinic audit's fixes)."""
    diary, profile = tmp_path / "d.csv", tmp_path / "me.toml"
    diary.write_text("date,sol_min\n2024-03-01,30\n2024-03-02,25\n")
    profile.write_text('age = 50\negfr = 80\nmedications = ["zorbulex"]\n')
    assert main(["analyze", str(diary), "--profile", str(profile), "--allow-unknown"]) == 2
    err = capsys.readouterr().err
    assert "NOT CHECKED" in err and "zorbulex" in err and "needs at least" in err
