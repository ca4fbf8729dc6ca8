"""Safeguarding service: running a statutory safeguarding board."""
