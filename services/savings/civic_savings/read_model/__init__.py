"""The read model: the totals each change adds to, in shards folded in the background."""
