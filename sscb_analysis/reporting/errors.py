"""The errors of the reporting layer that mean "fix the configuration": ``sscb run`` exits 2.

Every message names the key or parameter at fault and says how to fix it.
"""

from __future__ import annotations


class ConfigError(ValueError):
    """The reports configuration (``config/reports.yml`` or a ``-p`` option) cannot be used."""


class ProfileError(ConfigError):
    """The ``area:`` block of a profile cannot be used as written."""
