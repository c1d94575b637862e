"""The chapter-2 tables and figures from the unique ads of a measurement year."""
