"""Reading YAML that people write (layout files, indicator definitions): YAML's safe loader,
without aliases.

``yaml.safe_load`` builds no objects, but it does follow aliases (``*name``): a file of a few
hundred bytes whose anchors nest nine lists of nine ("billion laughs") loads as one small shared
structure, and the first code that walks it runs for hours. No file this project reads needs an
alias, so one is refused as a YAML error at its line and column, like any other mistake.
"""

from __future__ import annotations

from typing import Any

import yaml

__all__ = ["load"]

ALIAS_PROBLEM = "an alias (*name) repeats an anchored part of the file; write the values out"


class _NoAliasLoader(yaml.SafeLoader):
    """The safe loader, refusing every alias event before it is composed."""

    def compose_node(self, parent: Any, index: Any) -> Any:  # type: ignore[override]
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(None, None, ALIAS_PROBLEM, event.start_mark)
        return super().compose_node(parent, index)


def load(text: str) -> Any:
    """``text`` parsed as YAML with the safe loader; an alias raises :class:`yaml.YAMLError`."""
    return yaml.load(text, Loader=_NoAliasLoader)
