"""Otklik: a self-hosted brand-reputation monitor."""

__version__ = "0.1.0"
