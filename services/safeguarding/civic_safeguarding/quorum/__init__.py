"""Quorum: the attendance register of a meeting, and whether those attending may decide."""
