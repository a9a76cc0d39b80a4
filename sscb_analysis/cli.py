"""The ``sscb`` command: ``synth``, ``clean``, ``run`` and friends.

Each sub-command lives in ``sscb_analysis/commands/<name>.py`` as a click command called
``command``; it is imported only when used, so ``sscb --help`` stays fast.
"""

from __future__ import annotations

import importlib
import importlib.util

import click

# name -> module holding a click command called ``command``.
COMMANDS: dict[str, str] = {
    "synth": "sscb_analysis.commands.synth",
    "clean": "sscb_analysis.commands.clean",
    "inspect": "sscb_analysis.commands.inspect",
    "run": "sscb_analysis.commands.run",
    "init": "sscb_analysis.commands.init",
    "dfe": "sscb_analysis.commands.dfe",
    "refresh-notebooks": "sscb_analysis.commands.refresh",
}


class LazyGroup(click.Group):
    """A click group whose sub-commands are imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [name for name, module in COMMANDS.items() if _importable(module)]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        module_name = COMMANDS[cmd_name]
        if not _importable(module_name):
            return None
        return importlib.import_module(module_name).command


def _importable(module_name: str) -> bool:
    return importlib.util.find_spec(module_name) is not None


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="sscb-analysis")
def main() -> None:
    """Clean, analyse and report anonymised safeguarding audit extracts."""


if __name__ == "__main__":  # pragma: no cover
    main()
