"""Magnesium forms: canonical names, aliases and elemental-magnesium conversion."""

from __future__ import annotations

import csv
import difflib
import math
import re
import unicodedata
import zlib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from model.core.errors import Fault, PriorsError
from model.core.paths import default_priors_dir

FORMS: tuple[str, ...] = (
    "glycinate",
    "taurate",
    "threonate",
    "citrate",
    "oxide",
    "malate",
    "chloride",
    "lactate",
)
"""The magnesium forms mgsleep models: the one list of them (README, "Adding a form").

Its order is the display order and the order in which the planned crossover tries forms as
promising as each other (:func:`model.decision.choice.crossover`, said by
:func:`model.decision.explain.tie_order_words`): the forms gentler on the gut first (the
chelates and threonate of ``priors/groups.toml``), then the salts that loosen stools. A new
form goes where its gut tolerance puts it, not at the end by default."""

FORMS_LISTED = "the forms mgsleep models, listed in FORMS in model/core/forms.py"
"""Where a fault about an unknown form in the priors points a contributor adding a form."""

PLACEBO = "placebo"
NONE = "none"

ALIASES: dict[str, str] = {
    "bisglycinate": "glycinate",
    "diglycinate": "glycinate",
    "magtein": "threonate",
    "taurinate": "taurate",
}

ABROAD: dict[str, str] = {word: form for form, words in {
    "glycinate": "glycinat bisglycinat diglycinat glycinaat bisglycinaat glicinato bisglicinato",
    "taurate": "taurat tauraat taurato",
    "threonate": "threonat treonat threonaat treonato",
    "citrate": "citrat citraat citrato",
    "oxide": "oxid oksid oxyde oxido ossido",
    "malate": "malat malaat malato",
    "chloride": "chlorid klorid chlorure cloruro cloreto",
    "lactate": "lactat laktat lactaat lactato lattato",
}.items() for word in words.split()}
"""The forms' own words on labels abroad, accents off, where not the English: they were "none
of the forms" (a traveller's audit, /tmp/w55/t T5). One is read beside the element's word; alone
it may be a slip ("glycinat"), offered its form. A compound of no form (``Carbonat``) has none."""

PRODUCTS: dict[str, tuple[str, str, str]] = {
    "zma": ("ZMA", "zinc, magnesium aspartate and vitamin B6", "aspartate"),
}
"""Magnesium products known by a name that is no form's (a word of it, lower case): the product's
name, what it holds, and the compound its magnesium is. The one list of them: the diary's form cell
says such a product is none of the forms (:func:`model.data.form_cells.unknown_form`), and the
profile takes it for magnesium (:func:`model.evidence.name_hints.names_magnesium`: ``"ZMA 450 mg"``
was counted as 0 mg, and a dose raised on top of it, a supplement-label reader's audit)."""

CHELATE = re.compile(r"(?<=[a-z])[\s-]+chelat(?:ed?)?\b|^chelat(?:ed?)?[\s-]+(?=[a-z])", re.I)
"""The word "chelate" beside a form's name: "Magnesium Bisglycinate Chelate" is glycinate (it
was refused: a supplement-label reader's audit). "Chelate" alone names no form."""


def product_named(name: str) -> tuple[str, str, str] | None:
    """The :data:`PRODUCTS` entry a word of ``name`` names (``"ZMA 450 mg"``), or None."""
    return next((PRODUCTS[w] for w in re.findall(r"[a-z\d]+", name.lower()) if w in PRODUCTS), None)


ELEMENT = ("magnesium", "magnesio", "mag", "mg")
"""The element's word on labels (``magnésium`` without its accent; ``magnesio`` abroad)."""

_ELEMENT_WORD = re.compile(rf"^(?:magnesium(?=[a-z]{{3}})|(?:{'|'.join(ELEMENT)})[\s-]+)"
                           r"|(?<=[a-z])[\s-]+(?:d[ei][\s-]+)?magnesi(?:um|o)$")
"""The element's word before the form ("Mg-citrate"; glued, "Magnesiumcitrat") or after it
("citrate de magnésium", "citrato di magnesio")."""

_BRAND = re.compile(r"(?<=\S)\s*\((?:(?:as|aus|als|en|como)\s+([^()]+)|[^()]*)\)$")
"""A brand in brackets after the name, no part of it: "magnesium bisglycinate (Albion)"; a
compound in them, all of it: "Magnesium (as magnesium glycinate)" (/tmp/w55/t2 N5)."""

AS_NEEDED = re.compile(r"(?<=\S)[\s,;-]*(\()?\b(?:(?:as|when|if)\s+needed|p\.?r\.?n\.?)(?(1)\))$")
"""Words after the name of when it is taken, no part of it ("glycinate prn": /tmp/w57/n N7)."""


def _key(name: str) -> tuple[str, bool]:
    """A spelling as looked up, and whether the element's word (:data:`ELEMENT`) was in it.

    Lower case, accents off, no words of when taken (:data:`AS_NEEDED`), a bracket's compound
    or no brand (:data:`_BRAND`), no chelate (:data:`CHELATE`), element's word, nor L- (L-Threonat).
    """
    folded = "".join(c for c in unicodedata.normalize("NFKD", name.strip().lower())
                     if not unicodedata.combining(c))
    said = _BRAND.search(folded := AS_NEEDED.sub("", folded))
    plain = CHELATE.sub("", said[1] if said and said[1] else _BRAND.sub("", folded)).strip()
    bare = _ELEMENT_WORD.sub("", plain).strip()
    return re.sub(r"^l-(?=[a-z])", "", bare), bare != plain


def canonical_form(name: str) -> str | None:
    """Return the canonical form for a diary spelling, or None if it is not a known form.

    ``placebo`` is returned as is; blank means no magnesium and returns ``"none"``; a word of
    :data:`ABROAD` is read beside the element's: ``"citrate de magnésium"``.
    """
    key, element = _key(name)
    if key in ("", NONE):
        return NONE
    return key if key in (PLACEBO, *FORMS) else (
        ALIASES.get(key) or (ABROAD.get(key) if element else None))


TYPO_RATIO = 0.85
"""How alike a misspelt form must be to the name "did you mean" offers (difflib's ratio: one
slip in seven letters is 0.86). No two forms' names are as alike (taurate and citrate: 0.71),
and a name is offered only when all as alike are of one form: "chelate" was "did you mean
'threonate'?" at difflib's 0.6, a form of other evidence and another elemental fraction (a
supplement-label reader's audit), which a slip of spelling never makes."""


def form_hint(name: str, *, placebo: bool = True) -> str:
    """`` (did you mean 'glycinate'?)`` for a misspelt form (aliases, words abroad), else empty.

    A compound of ``elemental_fractions.csv`` that is none of the forms (carbonate, hydroxide,
    Epsom salt) is said to be one, never taken for the closest form: "did you mean 'threonate'?"
    for carbonate would log 7 % elemental magnesium for 29 %; where its magnesium goes is said,
    taken by mouth (the profile's ``other_magnesium_mg``) or on the skin (nowhere: an Epsom bath
    was sent to ``other_magnesium_mg``, which the README leaves it out of). The bare element, or
    "chelate", asks for the form. A misspelt name is offered only within :data:`TYPO_RATIO`.
    ``placebo``: whether placebo is among the names a reader accepts there.
    """
    key = _key(name)[0]
    if key in ELEMENT:
        return " (which form? labels name it after the word magnesium: glycinate, citrate, ...)"
    if key == "chelate":
        return (" (which chelate? labels name its form before the word: 'bisglycinate "
                "chelate' is glycinate; a chelate naming no form (amino acid chelate) is none "
                "of the forms mgsleep models)")
    other = unmodelled_compound(name)
    if other is not None:
        return (f" ({other} is none of the forms mgsleep models; do not log it as another "
                "form: its elemental magnesium differs; taken by mouth every day beside your "
                "supplement, give its magnesium as other_magnesium_mg in your profile; in a "
                "bath or on the skin it is not counted)")
    names = {f: f for f in (*FORMS, *((PLACEBO,) if placebo else ()))} | ALIASES | ABROAD
    close = difflib.get_close_matches(key, list(names), n=len(names), cutoff=TYPO_RATIO)
    return (f" (did you mean {ABROAD.get(close[0], close[0])!r}?)"
            if len({names[c] for c in close}) == 1 else "")


def form_streams(entropy: int) -> dict[str, np.random.Generator]:
    """One random stream per form, keyed by its name: a form added leaves the others' draws.

    Simulations and test doubles draw a form's numbers from its own stream, never in one
    stream of ``len(FORMS)`` rows, which a ninth form would shift for every later draw.

    Parameters
    ----------
    entropy : int
        The seed (not negative) every stream derives from, with a CRC-32 of the form's name.

    Returns
    -------
    dict of str to numpy.random.Generator
        One for every form of :data:`FORMS`.

    """
    return {form: np.random.default_rng([entropy, zlib.crc32(form.encode())]) for form in FORMS}


def _words(text: str) -> set[str]:
    """The words of a compound's name that tell it apart (no element, hydrate or isomer)."""
    return {w for w in re.findall(r"[a-z]+", text.lower())
            if len(w) > 2 and w != "magnesium" and not w.endswith(("hydrate", "hydrous"))}


def unmodelled_compound(name: str) -> str | None:
    """The compound of the bundled fractions table ``name`` names, when it is none of the forms.

    ``"carbonate"``: magnesium carbonate; ``"Epsom"``: magnesium sulfate heptahydrate. None
    for a name of a form (``"chloride hexahydrate"``) or of no compound.
    """
    given = _words(_key(name)[0])
    forms = {*FORMS, *ALIASES}
    for compound in load_compounds():
        own = _words(compound.name)
        if own.isdisjoint(forms) and not given.isdisjoint(own):
            return compound.name
    return None


@dataclass(frozen=True)
class Compound:
    """One magnesium compound with its elemental fraction by mass."""

    name: str
    formula: str
    molar_mass: float
    elemental_fraction: float
    default_for_form: str | None


MG_MOLAR_MASS = 24.305
"""g/mol of magnesium: a compound's percent must be its Mg atoms' share of its molar mass."""

ATOMIC_WEIGHTS: dict[str, float] = {"Mg": MG_MOLAR_MASS, "C": 12.011, "H": 1.008, "N": 14.007,
                                    "O": 15.999, "S": 32.06, "Cl": 35.45, "P": 30.974}
"""g/mol: the atomic weights of the evidence brief, section 5.1, which the bundled
``elemental_fractions.csv`` names in its ``source`` column; a row's molar mass is checked
against its formula with them."""

LABELLED = " as labelled"
"""A formula's suffix saying the row's molar mass and percent are a label's figures (Magtein:
2000 mg compound = 144 mg magnesium), heavier than the formula (water, excipient)."""

MOLAR_MASS_TOLERANCE = 0.005
"""Largest relative difference between a row's molar mass and its formula's (0.5 %)."""

PERCENT_TOLERANCE = 0.2
"""Largest difference, in percentage points, between a row's percent and its formula's Mg
atoms' share of its molar mass."""


def _group_atoms(text: str) -> Counter[str]:
    """Atoms of a formula without a hydrate part: ``Mg(C2H6NO3S)2`` (nested brackets too)."""
    tokens = re.findall(r"[A-Z][a-z]?|\d+|[()]", text)
    if "".join(tokens) != text:
        raise ValueError(f"cannot read {text!r} (elements, counts and brackets only)")
    stack: list[Counter[str]] = [Counter()]
    last: Counter[str] | None = None
    for token in tokens:
        if token == "(":
            stack.append(Counter())
            last = None
        elif token == ")" and len(stack) > 1:
            last = stack.pop()
            stack[-1].update(last)
        elif token.isdigit() and last is not None:
            stack[-1].update({atom: count * (int(token) - 1) for atom, count in last.items()})
            last = None
        elif token in ATOMIC_WEIGHTS:
            last = Counter({token: 1})
            stack[-1].update(last)
        else:
            raise ValueError(f"unknown element {token!r}" if token[0].isalpha() else
                             f"unexpected {token!r} in {text!r}")
    if len(stack) > 1:
        raise ValueError(f"an unclosed bracket in {text!r}")
    return stack[0]


def formula_atoms(formula: str) -> Counter[str]:
    """Atoms per formula unit, hydrate water included.

    Raises
    ------
    ValueError
        For an element without an atomic weight in :data:`ATOMIC_WEIGHTS`, an unbalanced
        bracket or any other text.

    Examples
    --------
    >>> formula_atoms("MgCl2·6H2O") == {"Mg": 1, "Cl": 2, "H": 12, "O": 6}
    True
    """
    atoms: Counter[str] = Counter()
    for part in formula.replace(" ", "").split("·"):
        digits = part[:len(part) - len(part.lstrip("0123456789"))]   # 6 of 6H2O
        count = int(digits) if digits else 1
        atoms.update({a: n * count for a, n in _group_atoms(part[len(digits):]).items()})
    return atoms


def formula_molar_mass(atoms: Counter[str]) -> float:
    """Molar mass (g/mol) of a formula's atoms with :data:`ATOMIC_WEIGHTS`."""
    return sum(ATOMIC_WEIGHTS[atom] * count for atom, count in atoms.items())

COLUMNS = ("compound", "formula", "molar_mass_g_per_mol", "elemental_mg_percent",
           "default_for_form")
"""The columns ``elemental_fractions.csv`` must have (the bundled file adds ``source``)."""


def load_compounds(priors_dir: Path | None = None) -> list[Compound]:
    """Read ``elemental_fractions.csv`` from a priors directory (default: the bundled one).

    Raises
    ------
    PriorsError
        Every fault, naming the file, the line and the column: a missing column, a row with
        more or fewer fields than the header, a number that is not one, a formula that is
        not read (:func:`formula_atoms`), a molar mass more than 0.5 % from the formula's
        with :data:`ATOMIC_WEIGHTS` (a label's figure, formula ending in
        :data:`LABELLED`, may be heavier, never lighter), a percentage more than 0.2
        percentage points from the formula's Mg atoms' share of the molar mass (a percent
        typed as a fraction, or ten times too large), an unknown form, or a second default
        compound of one form (which would decide the conversion by row order). A file that
        is not UTF-8 is named too.
    """
    path = (priors_dir or default_priors_dir()) / "elemental_fractions.csv"
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            rows = list(csv.reader(handle))
    except UnicodeDecodeError as error:
        raise PriorsError([Fault(str(path), f"byte {error.start}", "not UTF-8 text; save it "
                                 "as UTF-8 (CSV UTF-8)")]) from None
    header = rows[0] if rows else []
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise PriorsError([Fault(str(path), "line 1", f"missing column(s) {', '.join(missing)}; "
                                 f"expected {', '.join(COLUMNS)}")])
    faults: list[Fault] = []
    compounds: list[Compound] = []
    for line, fields in enumerate(rows[1:], start=2):
        if not any(f.strip() for f in fields):
            continue
        if len(fields) != len(header):
            faults.append(Fault(str(path), f"line {line}", f"{len(fields)} fields, the header "
                                f"has {len(header)} (a decimal comma, or a comma not quoted?)"))
            continue
        compound = _compound(dict(zip(header, fields, strict=True)), str(path), line, faults)
        if compound is not None:
            compounds.append(compound)
    defaults = [c for c in compounds if c.default_for_form is not None]
    for n, c in enumerate(defaults):
        if any(d.default_for_form == c.default_for_form for d in defaults[:n]):
            faults.append(Fault(str(path), f"compound {c.name!r}, column default_for_form",
                                f"a second default compound for {c.default_for_form!r}; "
                                "one form has one default"))
    if faults:
        raise PriorsError(faults)
    return compounds


def _finite(text: str) -> float | None:
    """A CSV cell as a finite number, or None."""
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _compound(row: dict[str, str], path: str, line: int, faults: list[Fault]) -> Compound | None:
    """One row as a :class:`Compound`, or None with its faults added to ``faults``."""
    numbers = {column: _finite(row[column]) for column in ("elemental_mg_percent",
                                                           "molar_mass_g_per_mol")}
    bad = [Fault(path, f"line {line}, column {column}",
                 f"expected a finite number, got {row[column]!r}")
           for column, value in numbers.items() if value is None]
    if bad:
        faults += bad
        return None
    percent, molar_mass = numbers["elemental_mg_percent"], numbers["molar_mass_g_per_mol"]
    assert percent is not None and molar_mass is not None
    form = row["default_for_form"].strip() or None
    found = _formula_faults(row["formula"], molar_mass, percent, path, line)
    if not 0 < percent <= 100:
        found.append(Fault(path, f"line {line}, column elemental_mg_percent",
                           f"expected a percentage in (0, 100], got {percent}"))
    if form is not None and form not in FORMS:
        found.append(Fault(path, f"line {line}, column default_for_form",
                           f"unknown form {form!r}; expected one of {', '.join(FORMS)} "
                           f"({FORMS_LISTED})"))
    faults += found
    if found:
        return None
    return Compound(row["compound"], row["formula"], molar_mass, percent / 100.0, form)


def _formula_faults(formula: str, molar_mass: float, percent: float, path: str,
                    line: int) -> list[Fault]:
    """A row's molar mass against its formula, and its percent against its Mg atoms' share.

    A molar mass lighter than the formula's reads label doses low (taurate at 300 g/mol
    for 272.57: 8.10 % for 8.92 %), the direction that lets intake pass the ceiling unseen.
    """
    where = f"line {line}, column "
    try:
        atoms = formula_atoms(formula.removesuffix(LABELLED))
    except ValueError as error:
        return [Fault(path, where + "formula", f"{formula!r}: {error}")]
    if not atoms["Mg"]:
        return [Fault(path, where + "formula", f"{formula!r} has no Mg")]
    found = []
    computed = formula_molar_mass(atoms)
    labelled = formula.endswith(LABELLED)
    off = (molar_mass - computed) / computed
    if off < -MOLAR_MASS_TOLERANCE or (off > MOLAR_MASS_TOLERANCE and not labelled):
        found.append(Fault(path, where + "molar_mass_g_per_mol", (
            f"{molar_mass:g} g/mol differs from the formula {formula!r}: {computed:.2f} g/mol "
            "with the atomic weights of the evidence brief section 5.1 (more than "
            f"{100 * MOLAR_MASS_TOLERANCE:g} % apart"
            + ("; a label's figure may be heavier, never lighter)" if labelled else ")"))))
    expected = 100 * MG_MOLAR_MASS * atoms["Mg"] / molar_mass
    if 0 < percent <= 100 and abs(percent - expected) > PERCENT_TOLERANCE:
        found.append(Fault(path, where + "elemental_mg_percent", (
            f"{percent:g} % does not match the formula {formula!r} and the molar mass "
            f"{molar_mass:g} g/mol ({expected:.2f} %): {atoms['Mg']} Mg x {MG_MOLAR_MASS} / "
            f"molar mass, more than {PERCENT_TOLERANCE:g} percentage points apart")))
    return found


def missing_defaults(compounds: list[Compound] | tuple[Compound, ...],
                     path: Path) -> list[Fault]:
    """The fault of forms without a default compound in ``elemental_fractions.csv`` (or none).

    Every form needs one row marked ``default_for_form``: the compound a label's weight
    (``compound_mg``) is of. Loading the priors checks it, not only a first compound weight.
    """
    missing = [f for f in FORMS if all(c.default_for_form != f for c in compounds)]
    if not missing:
        return []
    return [Fault(str(path), "column default_for_form",
                  f"no default compound for form(s) {', '.join(missing)}: write the form's "
                  "name in this column of the row of the compound its labels' weights are of")]


def elemental_fractions(priors_dir: Path | None = None) -> dict[str, float]:
    """Map each form to the elemental Mg fraction of its default compound."""
    compounds = load_compounds(priors_dir)
    faults = missing_defaults(compounds,
                              (priors_dir or default_priors_dir()) / "elemental_fractions.csv")
    if faults:
        raise PriorsError(faults)
    return {c.default_for_form: c.elemental_fraction for c in compounds if c.default_for_form}


def compound_to_elemental(form: str, compound_mg: float, priors_dir: Path | None = None) -> float:
    """Convert mg of a form's default compound to mg of elemental magnesium.

    Examples
    --------
    >>> round(compound_to_elemental("oxide", 400.0), 1)
    241.2
    """
    return compound_mg * elemental_fractions(priors_dir)[form]
