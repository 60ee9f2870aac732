"""The personal model on Gwern's blinded magnesium citrate self-trial (real data)."""

import pytest
from conftest import REAL_DATA

from model.core.regimen import Regimen
from model.data.diary import read_diary
from model.data.gwern import gwern_diary
from model.personal.fit import PersonalModel

GWERN = REAL_DATA / "gwern_magnesium_2013_2014.csv"
pytestmark = [pytest.mark.fit,
              pytest.mark.skipif(not GWERN.exists(), reason="shared/real-data is absent")]


@pytest.fixture(scope="module")
def gwern_fit(priors):
    diary = read_diary(gwern_diary(GWERN))
    return PersonalModel(priors, draws=1000, tune=500, chains=4, random_seed=3).fit(diary)


def test_conversion_keeps_placebo_doses_and_the_gap(gwern_fit):
    diary = gwern_fit.diary_
    assert diary.regimen_counts() == {"placebo": 100, "citrate@136": 57, "citrate@800": 49}
    # the month-long break (2013-12-19 to 2014-01-25) and a few single nights are unrecorded
    assert diary.n_nights - diary.n_recorded == 44
    assert not diary.nights.loc["2014-01-01", "recorded"]


def test_fits_with_diagnostics_ok_and_finds_fewer_awakenings(gwern_fit):
    assert gwern_fit.diagnostics_.ok, gwern_fit.diagnostics_
    effects = gwern_fit.effects().set_index(["form", "outcome"])
    # raw means: 6.09 awakenings on placebo nights, 5.49 (136 mg) and 5.61 (800 mg) on citrate
    assert effects.loc[("citrate", "awakenings"), "p_benefit"] > 0.8
    assert effects.loc[("citrate", "awakenings"), "tried"]
    pred = gwern_fit.predict([Regimen("placebo"), Regimen("citrate", 800)])
    awake = pred["awakenings"].mean("draw")
    assert float(awake.sel(regimen="citrate@800")) < float(awake.sel(regimen="placebo"))
