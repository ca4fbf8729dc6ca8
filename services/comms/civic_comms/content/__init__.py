"""Content through approval to publication, the campaigns it belongs to, and the forward plan."""
