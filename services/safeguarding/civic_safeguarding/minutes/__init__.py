"""Minutes: drafted, submitted to the chair, approved at a later meeting, then only corrected."""
