"""Local servers that answer as the marketplaces' chat APIs do, by their published documentation."""
