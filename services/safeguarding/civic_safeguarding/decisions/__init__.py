"""Board decisions: at a meeting or between meetings, and their ratification."""
