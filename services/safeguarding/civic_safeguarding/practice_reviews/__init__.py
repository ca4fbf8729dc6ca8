"""Child Safeguarding Practice Reviews: a children's partnership's reviews of serious child safeguarding cases."""
