"""Property service: rationalising the office estate."""
