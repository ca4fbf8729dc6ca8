"""Decision notices: each decision of the board, published as the record of what was decided."""
