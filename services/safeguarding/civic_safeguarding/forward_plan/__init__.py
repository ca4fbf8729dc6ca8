"""The forward plan of key decisions: what the board will decide, when, and on which documents."""
