"""Fixtures for sentiment tests: the shared labelled data folder and a loaded bundled model."""

from __future__ import annotations

from pathlib import Path

import pytest

from sentiment.bundled import BundledClassifier
from sentiment.train import DEFAULT_DATA as SHARED_SENTIMENT


@pytest.fixture(scope="session")
def bundled() -> BundledClassifier:
    return BundledClassifier()


@pytest.fixture
def shared_sentiment() -> Path:
    if not (SHARED_SENTIMENT / "rusentitweet_train.jsonl").is_file():
        pytest.skip(f"labelled data not present at {SHARED_SENTIMENT}")
    return SHARED_SENTIMENT
