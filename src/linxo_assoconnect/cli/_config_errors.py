"""Where a configuration problem is: the line of each key of the TOML file, and the error
that lists every problem with its line (or the ``LINXO_ASSOCONNECT_*`` variable that set it)."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from .._core.errors import ConfigurationError
from .._core.models import ENV_PREFIX

__all__ = ["ConfigError", "KeyLines", "key_lines", "locate"]

KeyLines = dict[tuple[str | int, ...], int]
"""The line (1-based) of each key, by its path as pydantic reports it."""


class ConfigError(ConfigurationError):
    """The configuration file holds mistakes; ``problems`` lists each, with its line."""

    def __init__(self, path: Path, problems: list[str]) -> None:
        count = f"{len(problems)} problème{'s' if len(problems) > 1 else ''}"
        super().__init__(f"{path}: {count} dans la configuration : " + " ; ".join(problems))
        self.problems = problems


def locate(path: Path, lines: KeyLines, location: Any, message: str) -> tuple[int, str]:
    """``message`` about the value at ``location``, prefixed with where it is; with its line
    (0 when a variable set the value, or the line is unknown), to sort problems by."""
    location = tuple(location)
    dotted = ".".join(f"[{part}]" if isinstance(part, int) else str(part) for part in location)
    dotted = dotted.replace(".[", "[")
    message = message.removeprefix("Value error, ")
    variable = _variable_for(location)
    if variable is not None:
        return 0, f"{variable} (variable d’environnement) : {message}"
    line = _line_of(lines, location)
    where = f"{path}:{line}" if line else str(path)
    return line, f"{where}: {dotted}: {message}" if dotted else f"{where}: {message}"


def _variable_for(location: tuple[str | int, ...]) -> str | None:
    """The ``LINXO_ASSOCONNECT_*`` variable that set the value at ``location``, if one did."""
    names = [str(part).upper() for part in location if isinstance(part, str)]
    for end in range(len(names), 0, -1):
        variable = ENV_PREFIX + "__".join(names[:end])
        if variable in os.environ:
            return variable
    return None


def _line_of(lines: KeyLines, location: tuple[str | int, ...]) -> int:
    for end in range(len(location), 0, -1):
        if location[:end] in lines:
            return lines[location[:end]]
    return 0


_TABLE = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?")
_KEY = re.compile(r"""^\s*([A-Za-z0-9_.\-"' ]+?)\s*=""")
_INLINE_KEY = re.compile(r"""([{,]\s*)([A-Za-z0-9_\-]+|"[^"]*")\s*=""")


def _key_parts(key: str) -> tuple[str, ...]:
    return tuple(part.strip().strip("\"'") for part in key.split("."))


def key_lines(text: str) -> KeyLines:
    """The line (1-based) of each key of a TOML document, by its path as pydantic reports it.

    Covers tables, arrays of tables, dotted keys, inline tables and arrays of inline tables
    one per line: the shapes a configuration is written in.
    """
    found: KeyLines = {}
    counts: dict[tuple[str | int, ...], int] = {}
    table: tuple[str | int, ...] = ()
    array: tuple[str | int, ...] | None = None  # a multi-line array of inline tables
    items = 0
    for number, line in enumerate(text.splitlines(), start=1):
        code = line.split("#", 1)[0] if '"' not in line else line
        header = _TABLE.match(code)
        if header:
            path: tuple[str | int, ...] = _key_parts(header.group(2))
            if header.group(1) == "[[":
                index = counts.get(path, 0)
                counts[path] = index + 1
                path = (*path, index)
            table, array = path, None
            found.setdefault(table, number)
            continue
        key = _KEY.match(code)
        if key and array is None:
            here = (*table, *_key_parts(key.group(1)))
            found.setdefault(here, number)
            rest = code[key.end() :]
            if rest.lstrip().startswith("[") and "]" not in rest:
                array, items = here, 0
            prefix = here
            if rest.lstrip().startswith("[{") or rest.lstrip().startswith("[ {"):
                prefix = (*here, 0)
                found.setdefault(prefix, number)
            for inline in _INLINE_KEY.finditer(rest):
                found.setdefault((*prefix, *_key_parts(inline.group(2))), number)
            continue
        if array is not None:
            if "{" in code:
                item = (*array, items)
                items += 1
                found.setdefault(item, number)
                for inline in _INLINE_KEY.finditer(code):
                    found.setdefault((*item, *_key_parts(inline.group(2))), number)
            if "]" in code.replace("[", ""):
                array = None
    return found
