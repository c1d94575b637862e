"""CBS municipality reference data (lists, population, size class, place names, mergers, boundaries)."""
