"""Change champions: at least one in every council service, and the coverage gap where there is none."""
