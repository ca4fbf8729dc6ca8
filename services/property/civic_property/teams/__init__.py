"""Teams and moves: teams, their workforce and desk needs, and moves between buildings."""
