"""The board's oversight of itself: budget, attendance, sub-groups, annual report, disputes."""
