"""Sentiment labels and touchpoint tags for mention texts."""
