"""Buildings: the estate register and each building's lifecycle, to closure and disposal."""
