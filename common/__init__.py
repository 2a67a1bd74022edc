"""The bottom of the tree: what every package shares (error base, clock, backoff, working time).

It imports nothing of ours, so any package may import it without pulling in another one.
"""
