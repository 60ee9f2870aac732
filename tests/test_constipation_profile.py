"""A constipated person's profile: IBS-C is no loose gut, and what is counted is said.

An outside audit (/tmp/w52/d F4, F5): ``conditions = ["IBS-C"]`` beside the person's own
``gut_sensitivity = "none"`` was forced to "ibs" (+0.9 log-odds of a GI night for every form,
a 100 mg start), though magnesium oxide is an IBS-C laxative; and nothing said that a softer
stool counts only as harm, never as the easing a constipated person takes magnesium for.
"""

import warnings

import pytest

from model.data.profile import Profile, ProfileWarning, load_profile

COUNTED = ("mgsleep counts only loose stools (Bristol 6-7) and upset stomachs as GI nights, "
           "never a softer normal stool, so a form's easing of constipation is not credited "
           "here; exclude = laxative in the diary leaves out a laxative night's sleep and, with "
           "no supplement that night, its stool record")


def _loaded(tmp_path, body: str) -> tuple[Profile, list[str]]:
    """The profile written as ``body``, and the warnings said of it (unknown names let through)."""
    path = tmp_path / "me.toml"
    path.write_text(body)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        profile = load_profile(path, allow_unknown=True)
    return profile, [str(w.message) for w in caught if issubclass(w.category, ProfileWarning)]


@pytest.mark.parametrize("entry", ["IBS-C", "IBS with constipation", "IBS (constipation)",
                                   "constipation-predominant IBS",
                                   "irritable bowel syndrome with constipation"])
def test_ibs_with_constipation_keeps_the_persons_own_gut(tmp_path, entry):
    """IBS-C sets no 'ibs' over the person's 'none' (nor over the default), and says what is
    counted; IBS-D, IBS-M, IBS-U and plain IBS still set 'ibs'."""
    profile, said = _loaded(tmp_path, f'gut_sensitivity = "none"\nconditions = ["{entry}"]\n')
    assert profile.gut_sensitivity == "none", said
    assert not [m for m in said if "gut_sensitivity 'ibs' is used" in m], said
    assert any(f"{entry!r} names constipation: {COUNTED}" in m for m in said), said
    for loose in ("IBS-D", "IBS-M", "IBS-U", "IBS"):
        profile, said = _loaded(tmp_path, f'gut_sensitivity = "none"\nconditions = ["{loose}"]\n')
        assert profile.gut_sensitivity == "ibs", (loose, said)
        assert not [m for m in said if "names constipation" in m], said


@pytest.mark.parametrize("entry", ["constipation", "chronic constipation",
                                   "opioid-induced constipation", "slow transit constipation"])
def test_a_constipation_is_told_that_softer_stools_are_not_credited(tmp_path, entry):
    profile, said = _loaded(tmp_path, f'conditions = ["{entry}"]\n')
    assert profile.gut_sensitivity == "none"
    assert sum(f"{entry!r} names constipation: {COUNTED}" in m for m in said) == 1, said


def test_ibs_c_beside_ibs_d_is_still_ibs(tmp_path):
    """Both subtypes named (IBS-M written as two): the loose one sets 'ibs'."""
    profile, said = _loaded(tmp_path, 'conditions = ["IBS-C", "IBS-D"]\n')
    assert profile.gut_sensitivity == "ibs"
    assert any("'IBS-D' is irritable bowel syndrome" in m for m in said), said
    assert any("'IBS-C' names constipation" in m for m in said), said


@pytest.mark.parametrize("entry", ["constipation", "chronic constipation",
                                   "functional constipation", "opioid-induced constipation",
                                   "slow transit constipation"])
def test_a_constipation_is_a_known_condition(tmp_path, entry):
    """They were "unknown condition" errors, plain constipation with "did you mean 'ibs
    constipation'?", which would have set the IBS gut (/tmp/w52/d F4)."""
    path = tmp_path / "me.toml"
    path.write_text(f'conditions = ["{entry}"]\n')
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ProfileWarning)
        assert load_profile(path).conditions == (entry,)
