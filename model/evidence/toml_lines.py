"""Where a key is in a TOML text: the line of every key and table, by its key path.

``tomllib`` gives values without their places, so a fault in a value (a negative SE, a
misspelt grade) would name its key path alone. :func:`with_lines` adds the line to every
fault of a TOML file that names a key (``line 18, key studies[1 id=X].se``): it reads the
text once more, line by line (:func:`key_lines`), and finds the line of the key path, or of
the nearest enclosing key or table when the path ends inside an inline table or a
multi-line array (:func:`line_of`).
"""

from __future__ import annotations

import dataclasses
import re
import tomllib
from collections.abc import Sequence
from typing import Any

from model.core.errors import Fault, InputError
from model.core.input_files import read_input

KeyPath = tuple[int | str, ...]

_PART = r"""(?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*')"""
_DOTTED = rf"{_PART}(?:\s*\.\s*{_PART})*"
_ARRAY_TABLE = re.compile(rf"\[\[\s*({_DOTTED})\s*\]\]")
_TABLE = re.compile(rf"\[\s*({_DOTTED})\s*\]")
_KEY = re.compile(rf"({_DOTTED})\s*=")
_MESSAGE_KEY = re.compile(r"key ((?:[^\s:\[]|\[[^\]]*\])+): ")


def _parts(dotted: str) -> list[str]:
    """The names of a dotted key, quotes removed (``certainty."very low"``)."""
    return [a or b or c for a, b, c in re.findall(r""""([^"]*)"|'([^']*)'|([A-Za-z0-9_-]+)""",
                                                   dotted)]


def key_lines(text: str) -> dict[KeyPath, int]:
    """The 1-based line of every table header and key of a TOML text, by key path.

    An array of tables adds its 0-based index to the path, as the parsed document's
    lists do; a table nested in one (``[[groups.studies]]``) belongs to its last entry.
    Lines inside a multi-line string are skipped.
    """
    lines: dict[KeyPath, int] = {}
    entries: dict[KeyPath, int] = {}            # an array of tables -> its last index
    table: KeyPath = ()
    in_string = False
    array: tuple[KeyPath, int] | None = None
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        quotes = stripped.count('"""') + stripped.count("'''")
        if in_string:
            in_string = quotes % 2 == 0
            continue
        in_string = quotes % 2 == 1
        if array is not None:                 # inside a multi-line array
            array = _entries(array[0], array[1], stripped, number, lines)
            continue
        header = _ARRAY_TABLE.match(stripped) or _TABLE.match(stripped)
        if header:
            table = _resolve(_parts(header[1]), entries)
            if header.re is _ARRAY_TABLE:
                entries[table] = entries.get(table, -1) + 1
                table = (*table, entries[table])
            lines.setdefault(table, number)
        elif key := _KEY.match(stripped):
            path = (*table, *_parts(key[1]))
            lines.setdefault(path, number)
            if stripped[key.end():].lstrip().startswith("["):
                array = _entries(path, 0, stripped[key.end():], number, lines)
    return lines


_ITEM = re.compile(r"""\[|\]|"(?:[^"\\]|\\.)*"|'[^']*'|#.*""")


def _entries(path: KeyPath, depth: int, text: str, number: int,
             lines: dict[KeyPath, int]) -> tuple[KeyPath, int] | None:
    """Give each string of the array of ``path`` on this line its line: ``(path, 2)``, ...

    The array's depth after the line, or None once it is closed.
    """
    index = sum(1 for k in lines if k[:-1] == path and isinstance(k[-1], int))
    for token in _ITEM.findall(text):
        if token in "[]":
            depth += 1 if token == "[" else -1
            if depth == 0:
                return None
        elif token[0] in "\"'" and depth == 1:
            lines.setdefault((*path, index), number)
            index += 1
    return path, depth


def _resolve(names: Sequence[str], entries: dict[KeyPath, int]) -> KeyPath:
    """The key path of a header's names, each array of tables named taken at its last entry."""
    path: KeyPath = ()
    for name in names[:-1]:
        path = (*path, name)
        if path in entries:
            path = (*path, entries[path])
    return (*path, names[-1])


def line_of(lines: dict[KeyPath, int], where: Sequence[int | str]) -> int | None:
    """The line of key path ``where``, or of its nearest enclosing key or table; None if none."""
    for end in range(len(where), 0, -1):
        found = lines.get(tuple(where[:end]))
        if found is not None:
            return found
    return None


def with_lines(faults: Sequence[Fault]) -> list[Fault]:
    """``faults``, each naming a key of a readable TOML file given its line as well.

    The key is the fault's place (``key studies[1 id=X].se``) or, for a check of the whole
    file, the start of its message (``key groups[2].name: a second group ...``).
    """
    texts: dict[str, str | None] = {}
    out = []
    for fault in faults:
        if fault.file not in texts:
            texts[fault.file] = _text(fault.file)
        text = texts[fault.file]
        said = None if fault.where else _MESSAGE_KEY.match(fault.message)
        key = said[1] if said else fault.where.removeprefix("key ") \
            if fault.where.startswith("key ") else None
        line = None if text is None or key is None else \
            line_of(key_lines(text), _key_path(key, tomllib.loads(text)))
        if line is None:
            out.append(fault)
        else:
            out.append(dataclasses.replace(fault, where=f"line {line}, key {key}",
                                           message=fault.message[said.end():] if said
                                           else fault.message))
    return out


def _text(file: str) -> str | None:
    """The text of a TOML file that parses, or None."""
    try:
        text = read_input(file, "a TOML file", pipes=False).decode("utf-8-sig")
        tomllib.loads(text)
    except (InputError, UnicodeDecodeError, tomllib.TOMLDecodeError, RecursionError):
        return None
    return text


def _key_path(key: str, document: dict[str, Any]) -> KeyPath:
    """The key path of a fault's key (``groups[name=osmotic].factor``, ``studies[2 id=X]``).

    An entry named by its position counts from 1; one named ``[name=X]`` is looked up.
    """
    path: list[int | str] = []
    node: Any = document
    for name, entry in re.findall(r"([^.\[\]]+)(?:\[([^\]]*)\])?", key):
        path.append(name)
        node = node.get(name) if isinstance(node, dict) else None
        if not entry or not isinstance(node, list):
            continue
        position = re.match(r"(\d+)", entry)
        field, _, value = entry.partition("=")
        index = int(position[1]) - 1 if position else next(
            (i for i, item in enumerate(node) if isinstance(item, dict)
             and str(item.get(field.strip())) == value.strip()), None)
        if index is None or not 0 <= index < len(node):
            break
        path.append(index)
        node = node[index]
    return tuple(path)
