"""A programme's investment (its cost of change) and when the savings it buys pay it back."""
