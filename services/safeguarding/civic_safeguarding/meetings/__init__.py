"""Board meetings: agenda, attendance register, quorum, declarations of interest, voting."""
