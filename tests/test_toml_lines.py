"""A fault in a priors or profile value names its line, found from the key path."""

from pathlib import Path

import pytest

from model.core.errors import InputError, PriorsError
from model.data.profile import load_profile
from model.evidence.priorset import load_priors
from model.evidence.toml_lines import key_lines, line_of

TEXT = '''# a comment
name = "top"
[certainty."very low"]
power = 1
[[groups]]
name = "osmotic"
notes = """
fake = 1
"""
[[groups.studies]]
id = "A"
se = 0.5
[[groups.studies]]
id = "B"
se = 0.5
[[groups]]
name = "chelate"
members = [
  "glycinate",
]
[[groups.studies]]
id = "C"
inline = { se = 0.4 }
'''


def test_every_key_is_found_on_its_line_by_its_path() -> None:
    lines = key_lines(TEXT)
    assert lines[("name",)] == 2
    assert lines[("certainty", "very low", "power")] == 4
    assert lines[("groups", 0, "notes")] == 7
    assert ("groups", 0, "fake") not in lines            # inside a multi-line string
    assert lines[("groups", 0, "studies", 1, "se")] == 15
    assert lines[("groups", 1, "studies", 0, "id")] == 22
    assert line_of(lines, ("groups", 1, "members")) == 18         # a multi-line array
    assert line_of(lines, ("groups", 1, "members", 0)) == 19      # its entry's own line
    assert line_of(lines, ("groups", 1, "studies", 0, "inline", "se")) == 23
    assert line_of(lines, ("groups", 1, "studies", 0, "missing")) == 21  # its table
    assert line_of(lines, ("nowhere",)) is None


def _nth_line(path: Path, text: str, n: int) -> int:
    """The 1-based number of the ``n``-th line of ``path`` that is ``text``."""
    found = [i for i, line in enumerate(path.read_text().splitlines(), 1) if line == text]
    return found[n - 1]


def test_a_bad_value_in_a_nested_table_of_the_priors_names_its_line(priors_copy: Path) -> None:
    groups = priors_copy / "groups.toml"
    line = _nth_line(groups, "se = 0.5", 2)
    lines = groups.read_text().splitlines()
    lines[line - 1] = "se = -0.5"
    groups.write_text("\n".join(lines) + "\n")
    with pytest.raises(PriorsError) as caught:
        load_priors(priors_copy)
    assert f"groups.toml: line {line}, key groups[2].studies[1 id=CHELATES_GENTLE].se: " \
        in str(caught.value)


def test_a_bad_profile_value_names_its_line(tmp_path: Path) -> None:
    profile = tmp_path / "me.toml"
    profile.write_text('age = 41\ncomplaint = "sleep_onset"\n\n[weights]\nsol = -2.0\n')
    with pytest.raises(InputError) as caught:
        load_profile(profile)
    assert "me.toml: line 5, key weights.sol" in str(caught.value)
