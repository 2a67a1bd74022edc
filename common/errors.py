"""The base of Otklik's exception hierarchy; each package defines its own errors on top of it."""

from __future__ import annotations


class OtklikError(Exception):
    """Base of every error Otklik raises on purpose."""


class ConfigError(OtklikError):
    """The settings, the brands file or a source's options are wrong; the message says where."""
