"""The programme: themes and categories, programme targets, and cost avoided."""
