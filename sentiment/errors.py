"""Errors of the sentiment package."""

from __future__ import annotations

from common.errors import OtklikError


class SentimentError(OtklikError):
    """A sentiment model could not be loaded or run."""
