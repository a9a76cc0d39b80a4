"""Reading YAML that people write (report configs and area profiles, layout files, indicator
definitions, ``-p`` values): YAML's safe loader, without aliases, duplicate keys or excess.

``yaml.safe_load`` builds no objects, but it does follow aliases (``*name``): a file of a few
hundred bytes whose anchors nest nine lists of nine ("billion laughs") loads as one small shared
structure, and the first code that walks it runs for hours. No file this project reads needs an
alias, so one is refused as a YAML error at its line and column, like any other mistake.

It also keeps the last of two equal keys without a word (``period: 2012-13`` then, further down a
copied profile, ``period: latest``), so a duplicate key is refused at its line. And a text over
:data:`MAX_CHARS` or nested deeper than :data:`MAX_DEPTH` is refused before it is composed (a
megabyte of ``[`` ends in Python's recursion limit, not a sentence). Every refusal is a
:class:`yaml.YAMLError`, so a caller's one ``except`` gives the user one message.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

__all__ = ["MAX_CHARS", "MAX_DEPTH", "LimitError", "describe", "load", "load_path"]

ALIAS_PROBLEM = "an alias (*name) repeats an anchored part of the file; write the values out"
#: No YAML this project reads comes near a megabyte (a profile or layout is a few KB).
MAX_CHARS = 1_000_000
#: Mappings and lists nested deeper than this are refused (real files nest four or five deep).
MAX_DEPTH = 50


class LimitError(yaml.YAMLError):
    """The text is larger or deeper than any file this project reads; ``problem`` says which."""

    def __init__(self, problem: str):
        super().__init__(problem)
        self.problem = problem
        self.problem_mark = None


class _StrictLoader(yaml.SafeLoader):
    """The safe loader, refusing every alias, duplicate key and deep nesting as it composes."""

    def __init__(self, stream: Any) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:  # type: ignore[override]
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(None, None, ALIAS_PROBLEM, event.start_mark)
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                mark = self.peek_event().start_mark
                raise yaml.composer.ComposerError(
                    None, None, f"nested more than {MAX_DEPTH} levels deep", mark
                )
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_mapping(self, node: Any, deep: bool = False) -> Any:  # type: ignore[override]
        if isinstance(node, yaml.MappingNode):
            seen: dict[Any, Any] = {}
            for key_node, _value in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":  # `<<:`, merged by the base class
                    continue
                key = self.construct_object(key_node, deep=True)
                try:
                    first = seen.setdefault(key, key_node)
                except TypeError:  # an unhashable key: the base class says so
                    continue
                if first is not key_node:
                    raise yaml.constructor.ConstructorError(
                        "while reading a mapping",
                        node.start_mark,
                        f"the key {str(key)[:60]!r} is given twice (line {first.start_mark.line + 1} "
                        "and here); keep one",
                        key_node.start_mark,
                    )
        return super().construct_mapping(node, deep=deep)


def describe(exc: yaml.YAMLError) -> str:
    """One line for a refusal: "line 4, column 3: the key 'period' is given twice ..."."""
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or "not valid YAML"
    return f"line {mark.line + 1}, column {mark.column + 1}: {problem}" if mark else problem


def load(text: str) -> Any:
    """``text`` parsed as YAML with the safe loader; an alias, a duplicate key, a text over
    :data:`MAX_CHARS` characters or nesting deeper than :data:`MAX_DEPTH` raises
    :class:`yaml.YAMLError`."""
    if len(text) > MAX_CHARS:
        raise LimitError(
            f"it is {len(text):,} characters long; no YAML this project reads needs more than "
            f"{MAX_CHARS:,}"
        )
    return yaml.load(text, Loader=_StrictLoader)


def load_path(path: str | Path) -> Any:
    """The YAML file at ``path`` (UTF-8), read as :func:`load` reads text; its size is checked
    before it is read. Raises ``OSError``, ``UnicodeDecodeError`` or :class:`yaml.YAMLError`."""
    path = Path(path)
    size = path.stat().st_size
    if size > MAX_CHARS * 4:  # the most bytes MAX_CHARS characters of UTF-8 can take
        raise LimitError(f"it is {size:,} bytes long; no YAML this project reads is that large")
    return load(path.read_text(encoding="utf-8"))
