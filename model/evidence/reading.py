"""Reading a priors TOML file into its schema, every fault named by the file and the key.

:func:`parse_file` turns TOML syntax errors, bad encodings, NaN or infinite numbers and every
validation error of the schema (:mod:`model.evidence.schema`) into :class:`Fault` lines: an
unknown key with a "did you mean" hint (:func:`hint`), a list entry named by its ``id``; and
:func:`unknown_name` says why a name is none of a list of names.
"""

from __future__ import annotations

import difflib
import math
import tomllib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, get_args, get_origin

from pydantic import BaseModel, ValidationError

from model.core.errors import Fault, InputError, PriorsError
from model.core.input_files import read_input
from model.evidence.toml_lines import with_lines


def hint_word(word: str, options: tuple[str, ...] | list[str]) -> str | None:
    """The one of ``options`` closest to ``word``, if any is close, whatever the case.

    ``eGFR`` is ``egfr`` (the README writes eGFR; it had no "did you mean": a life-stage audit).
    """
    lowered = {option.lower(): option for option in reversed(options)}
    close = difflib.get_close_matches(word.lower(), list(lowered), n=1, cutoff=0.6)
    return lowered[close[0]] if close else None


def hint(word: str, options: tuple[str, ...] | list[str]) -> str:
    """`` (did you mean 'x'?)`` for the option closest to ``word``, or nothing."""
    close = hint_word(word, options)
    return f" (did you mean {close!r}?)" if close else ""


def unknown_name(kind: str, name: str, known: Sequence[str],
                 hinted: Callable[[str], str] | None = None) -> str | None:
    """Return why ``name`` is not one of ``known`` (with a did-you-mean), or None if it is.

    Parameters
    ----------
    kind : str
        What the name names, for the message (``form``).
    name : str
        The name given.
    known : sequence of str
        The valid names.
    hinted : callable, optional
        ``name -> " (did you mean 'x'?)"`` or ``""`` (default: the closest of ``known``).

    Returns
    -------
    str or None

    """
    if name in known:
        return None
    said = (hinted or (lambda given: hint(given, list(known))))(name)
    return f"unknown {kind} {name!r}{said or f' (expected one of {', '.join(known)})'}"


def _location(loc: tuple[int | str, ...], raw: dict[str, Any]) -> str:
    """Render a pydantic error location as a key path, naming entries by their id."""
    parts: list[str] = []
    node: Any = raw
    for item in loc:
        if isinstance(item, int) and isinstance(node, list) and item < len(node):
            entry = node[item]
            ident = entry.get("id") if isinstance(entry, dict) else None
            parts[-1] = f"{parts[-1]}[{item + 1}{f' id={ident}' if ident else ''}]"
            node = entry
            continue
        parts.append(str(item))
        node = node.get(item) if isinstance(node, dict) else None
    return ".".join(parts)


def _fields_at(schema: type[BaseModel], loc: tuple[int | str, ...]) -> list[str]:
    """Field names allowed at the parent of ``loc`` (for "did you mean" hints)."""
    node: Any = schema
    for item in loc[:-1]:
        if isinstance(item, int):
            continue
        if get_origin(node) is dict:          # a dict key: step into the value type
            node = get_args(node)[1]
            continue
        if get_origin(node) is tuple:
            node = get_args(node)[0]
        if not (isinstance(node, type) and issubclass(node, BaseModel)):
            return []
        field = node.model_fields.get(item)
        if field is None:
            return []
        node = field.annotation
        if get_origin(node) is tuple:
            node = get_args(node)[0]
    return list(node.model_fields) if isinstance(node, type) and issubclass(node, BaseModel) \
        else []


CI_KEYS = frozenset({"ci", "ci_low", "ci_high", "ci_lower", "ci_upper", "lower", "upper",
                     "lower_ci", "upper_ci", "ci95"})
"""Keys a confidence interval is written under: the files take its SE instead."""


def _ci_hint(key: str, fields: list[str]) -> str:
    """How to give a confidence interval where an SE is asked for (or nothing)."""
    if key.lower() in CI_KEYS and "se" in fields:
        return " (give the interval as its SE: from a 95 % CI, se = (upper - lower) / 3.92)"
    return ""


def _key_advice(schema: type[BaseModel], loc: Sequence[int | str],
                context: dict[str, Any]) -> str:
    """What the schema says of an unknown top-level key (its ``unknown_key_advice``), or "".

    A profile's ``breastfeeding = true`` is a condition to list under ``conditions``
    (:meth:`model.data.profile.Profile.unknown_key_advice`).
    """
    advice: Callable[[str, dict[str, Any]], str] | None = getattr(
        schema, "unknown_key_advice", None)
    return advice(str(loc[0]), context) if advice is not None and len(loc) == 1 else ""


def parse_file[M: BaseModel](path: Path, schema: type[M], context: dict[str, Any] | None = None
                             ) -> tuple[M | None, list[Fault]]:
    """Read a TOML file into ``schema`` (``context``: its validators'); the object or faults."""
    try:
        raw = tomllib.loads(read_input(path, "a TOML file", pipes=False).decode("utf-8-sig"))
        bad = _non_finite(raw, ())
    except InputError as error:     # a device, a pipe no one writes to, over 50 MB, missing
        return None, error.faults
    except tomllib.TOMLDecodeError as error:
        return None, [Fault(str(path), "", f"not valid TOML: {error}")]
    except RecursionError:
        return None, [Fault(str(path), "", "not valid TOML: nested too deeply")]
    except UnicodeDecodeError as error:
        return None, [Fault(str(path), "", f"not UTF-8 text (byte {error.start}); save it as "
                            "UTF-8")]
    except OSError as error:
        return None, [Fault(str(path), "", f"cannot read: {error.strerror or error}")]
    faults = [Fault(str(path), f"key {_location(where, raw)}",
                    f"expected a finite number, got {value!r}") for where, value in bad]
    if faults:
        return None, faults
    try:
        return schema.model_validate(raw, context=context), []
    except ValidationError as error:
        faults = []
        items = error.errors()
        # a typo'd key is reported once, as the unknown key with its hint, not also as missing
        typos = {(*item["loc"][:-1], hint_word(str(item["loc"][-1]),
                                                 _fields_at(schema, tuple(item["loc"]))))
                 for item in items if item["type"] == "extra_forbidden"}
        for item in items:
            if item["type"] == "missing" and tuple(item["loc"]) in typos:
                continue
            where = _location(tuple(item["loc"]), raw)
            if item["type"] == "extra_forbidden":
                key = str(item["loc"][-1])
                fields = _fields_at(schema, tuple(item["loc"]))
                message = (f"unknown key {key!r}{hint(key, fields) or _ci_hint(key, fields)}"
                           f"{_key_advice(schema, item['loc'], context or {})}")
            elif item["type"] in ("float_type", "int_type") and isinstance(item["input"], str):
                message = f"expected a number, got the text {item['input']!r} (remove the quotes)"
            else:
                message = item["msg"].removeprefix("Value error, ")
                if "input" in item and item["type"] not in ("missing",) \
                        and not isinstance(item["input"], dict | list):
                    message += f" (got {item['input']!r})"
            faults.append(Fault(str(path), f"key {where}" if where else "", message))
        return None, faults


def _non_finite(node: Any, where: tuple[int | str, ...]
                ) -> list[tuple[tuple[int | str, ...], float]]:
    """Every NaN or infinite number in a parsed TOML document, with its key path."""
    if isinstance(node, float):
        return [] if math.isfinite(node) else [(where, node)]
    items = node.items() if isinstance(node, dict) else \
        enumerate(node) if isinstance(node, list) else ()
    return [found for key, value in items for found in _non_finite(value, (*where, key))]


def raise_if(faults: Sequence[Fault]) -> None:
    """Raise :class:`PriorsError` when any fault was found, each key's fault with its line."""
    if faults:
        raise PriorsError(with_lines(faults))
