"""Boards and their members: roles, memoranda of understanding, named deputies."""
