"""The rationalisation target: the saving a year the property plan promises, against what closures and moves deliver."""
