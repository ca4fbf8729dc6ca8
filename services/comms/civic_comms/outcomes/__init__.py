""""We asked, you said, we did": a closed consultation's outcome, published with the decision it informed."""
