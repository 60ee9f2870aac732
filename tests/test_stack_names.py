"""A supplement stacker's names: combinations, near misses, topicals, "or" (an outside audit).

"Calcium Magnesium Zinc" was read as zinc alone (``calcium`` and ``magnesium`` were salt
words), "calcium" as Valium and "calcium carbonate" as lithium carbonate, "magnesium oil" as
magnesium oxide, "Epsom salt baths twice a week" as the oral laxative, and "Rennie or
Gaviscon for heartburn" whole as magnesium carbonate. None of these tests fits a model.
"""

import pytest

from model.core.errors import InputError
from model.data.profile import Profile, ProfileWarning, load_profile
from model.decision.screening import near_misses
from model.evidence.floor import bundled_safety
from model.evidence.name_words import unknown_warning
from model.evidence.names import NameIndex, unknown_message

SAFETY = bundled_safety()
INDEX = NameIndex.of(SAFETY)
GROUPS = {m: group for group in SAFETY.interactions for m in group.medications}


def magnesium_product(name: str) -> bool:
    """Whether ``name`` is read as a medicine that is magnesium too (kind ``magnesium``)."""
    group = GROUPS.get(INDEX.match(name, "medicine") or "")
    return group is not None and group.kind == "magnesium"


@pytest.mark.parametrize(("entry", "others"), [
    ("Calcium Magnesium Zinc", {"calcium", "zinc"}),
    ("Zinc & Magnesium", {"zinc"}),
    ("magnesium melatonin", {"melatonin"}),
    ("Magnesium with vitamin B6", {"vitamin b6"}),
    ("magnesium glycinate capsules with zinc", {"zinc"})])
def test_magnesium_named_beside_other_products_is_read_as_magnesium_and_each_of_them(entry,
                                                                                      others):
    parts = Profile(medications=[entry]).medications
    assert sum(magnesium_product(part) for part in parts) == 1, parts
    assert {INDEX.match(part, "medicine") for part in parts
            if not magnesium_product(part)} == others


@pytest.mark.parametrize("entry", ["esomeprazole magnesium", "Nexium 20 mg",
                                   "omeprazole magnesium 20 mg", "pantoprazole magnesium",
                                   "esomeprazole magnesium trihydrate"])
def test_a_medicines_magnesium_salt_is_no_magnesium_product(entry):
    """The magnesium of esomeprazole magnesium (Nexium) is its salt: the PPI's rule, whole."""
    assert Profile(medications=[entry]).medications == (entry,)
    assert GROUPS[INDEX.match(entry, "medicine")].group == "proton-pump inhibitors"


@pytest.mark.parametrize("entry", ["Calcium Magnesium Zinc 1000 mg", "Zinc & Magnesium 500 mg",
                                   "Calcium + Magnesium (1,000 mg)", "magnesium melatonin 5 mg",
                                   "zinc 30 mg and magnesium"])
def test_a_dose_written_with_a_combination_is_never_the_magnesium_parts(entry):
    """A written magnesium dose counts towards the ceiling: the 1000 mg of a "Calcium
    Magnesium Zinc 1000 mg" tablet are not magnesium's."""
    parts = INDEX.split(entry, "medicine")
    magnesium = [part for part in parts if magnesium_product(part)]
    assert len(magnesium) == 1 and not any(c.isdigit() for c in magnesium[0]), parts


@pytest.mark.parametrize(("entry", "parts"), [
    ("magnesium glycinate 200 mg", ("magnesium glycinate 200 mg",)),
    ("zinc 15 mg, magnesium glycinate 200 mg", ("zinc 15 mg", "magnesium glycinate 200 mg")),
    ("magnesium citrate 150 mg + calcium", ("magnesium citrate 150 mg", "calcium")),
    ("Zinc & Magnesium 500 mg", ("Zinc", "Magnesium")),
    ("Calcium Magnesium Zinc 1000 mg", ("Calcium", "Magnesium", "Zinc"))])
def test_a_magnesium_dose_written_for_magnesium_alone_stays_with_it(entry, parts):
    assert Profile(medications=[entry]).medications == parts


@pytest.mark.parametrize("name", [
    "calcium", "Calcium", "calcium carbonate", "calcium citrate 600 mg", "Vitamin D3 1000 IU",
    "vitamin B6", "pyridoxine", "L-theanine 200 mg", "ashwagandha", "St. John's wort",
    "propranolol 10 mg", "magnesium oil", "magnesium spray"])
def test_a_stackers_supplements_are_known_as_themselves_with_no_rule(tmp_path, name):
    """With --allow-unknown "calcium" got Valium's benzodiazepine rule (a near miss),
    "calcium carbonate" lithium's, "magnesium oil" magnesium oxide's; none of these has an
    interaction with magnesium in the sources cited (safety.toml, recognised)."""
    assert INDEX.match(name, "medicine") is not None
    assert INDEX.match(name, "medicine") not in GROUPS
    path = tmp_path / "p.toml"
    path.write_text(f"medications = [{name!r}]\n")
    profile = load_profile(path, safety=SAFETY)       # no error, so no --allow-unknown
    assert profile.medications == (name,) and not near_misses(profile, SAFETY)


def test_a_multivitamin_stays_unknown_and_is_asked_about_its_magnesium():
    """A multivitamin often holds magnesium (and iron): it is no name with no rule."""
    assert INDEX.match("multivitamin", "medicine") is None
    assert "whether it contains magnesium" in unknown_warning("multivitamin", "medicine")


@pytest.mark.parametrize("name", [
    "Epsom salt baths twice a week", "magnesium oil spray", "magnesium lotion",
    "magnesium gel", "magnesium cream", "magnesium bath flakes", "bath salts", "foot soak",
    "Epsom salt foot soak"])
def test_magnesium_on_the_skin_or_in_a_bath_is_no_magnesium_by_mouth(name):
    assert INDEX.match(name, "medicine") is not None and not magnesium_product(name)
    assert INDEX.split(name, "medicine") == (name,)


def test_epsom_salt_alone_stays_the_oral_laxative_and_an_oral_form_is_no_topical():
    """"magnesium gel caps" and "magnesium oral spray" are taken by mouth: unknown, and taken
    as magnesium with --allow-unknown (a near miss only adds rules)."""
    assert INDEX.match("Epsom salt", "medicine") == "magnesium sulfate"
    # a review: chloride flakes are drunk dissolved in water too, and calcium acetate is a
    # phosphate binder, not calcium: neither is read as harmless
    for name in ("magnesium gel caps", "magnesium oral spray", "magnesium flakes",
                 "magnesium chloride flakes"):
        assert INDEX.match(name, "medicine") is None
        taken = near_misses(Profile(medications=[name]), SAFETY)[name]
        assert "magnesium" in " ".join(taken), taken
    assert INDEX.match("calcium acetate 667 mg", "medicine") is None
    assert INDEX.match("doxycycline calcium", "medicine") == "doxycycline"


def test_a_magnesium_typo_is_offered_magnesium_products_only():
    """"milk of magnesium" was offered nothing (no name with the word magnesium was close)."""
    message = unknown_message("milk of magnesium", "medicine", INDEX)
    assert "did you mean 'milk of magnesia'?" in message
    # not the oil; and a GP's audit: no guess beyond a typo ("oill" is 3 edits from "oxide"),
    # the magnesium written in it is named instead
    assert INDEX.suggest("magnesium oill", "medicine") is None
    assert "(it names 'magnesium'" in unknown_message("magnesium oill", "medicine", INDEX)


@pytest.mark.parametrize(("entry", "parts"), [
    ("Rennie or Gaviscon for heartburn", ("Rennie", "Gaviscon for heartburn")),
    ("Rennie or Milk of Magnesia", ("Rennie", "Milk of Magnesia"))])
def test_products_joined_by_or_are_read_each_on_its_own(entry, parts):
    assert INDEX.split(entry, "medicine") == parts
    assert INDEX.match("Rennie", "medicine") == "magnesium carbonate"


@pytest.mark.parametrize("when", ["as needed", "when needed", "if needed", "occasionally",
                                  "sometimes"])
def test_how_often_is_no_part_of_a_name(when):
    assert INDEX.match(f"milk of magnesia {when}", "medicine") == "magnesium hydroxide"


@pytest.mark.parametrize(("name", "salt"), [
    ("Citramag", "magnesium citrate"), ("Citro-Mag", "magnesium citrate"),
    ("Andrew's Liver Salts", "magnesium sulfate"), ("andrews salts", "magnesium sulfate")])
def test_a_bowel_prep_or_liver_salts_is_its_magnesium_salt(name, salt):
    """A reader's audit (/tmp/w53/r R7): Citramag, a bowel preparation of magnesium citrate,
    and Andrews Liver Salts (magnesium sulphate) were unknown medicines."""
    assert INDEX.match(name, "medicine") == salt


def test_the_stackers_profile_reads_each_product(tmp_path):
    """The audit's profile, as the person wrote it: each product read, the rest unknown."""
    path = tmp_path / "p.toml"
    path.write_text('medications = [\n  "calcium 600 mg + vitamin D",\n'
                    '  "milk of magnesia as needed",\n  "Rennie or Gaviscon for heartburn",\n'
                    '  "Epsom salt baths twice a week",\n  "magnesium oil spray",\n'
                    '  "ashwaganda", "L-theanine", "St. John\'s wort", "propanolol 10mg",\n]\n')
    with pytest.warns(ProfileWarning) as caught:
        profile = load_profile(path, safety=SAFETY, allow_unknown=True)
    unknown = {str(w.message).split("'")[1] for w in caught if "NOT CHECKED" in str(w.message)}
    assert unknown == {"Gaviscon for heartburn", "ashwaganda", "propanolol 10mg"}
    assert "calcium 600 mg" in profile.medications and "Rennie" in profile.medications
    assert near_misses(profile, SAFETY) == {"ashwaganda": ("ashwagandha",),
                                            "propanolol 10mg": ("propranolol",)}


def test_a_fault_names_the_entry_and_line_written_in_a_multi_line_list(tmp_path):
    """Every fault said "line 6" (the array's first line), and an entry split from one
    listing several was numbered among the split names ("medications[10]" for entry 6)."""
    path = tmp_path / "me.toml"
    path.write_text('age = 45\nmedications = [\n  "Rennie or Gaviscon for heartburn",\n'
                    '  "melatonin",\n  "ashwaganda",\n]\n')
    with pytest.raises(InputError) as raised:
        load_profile(path, safety=SAFETY)
    said = str(raised.value)
    assert "line 3, key medications[1]: unknown medicine 'Gaviscon for heartburn'" in said
    assert "line 5, key medications[3]: unknown medicine 'ashwaganda'" in said
