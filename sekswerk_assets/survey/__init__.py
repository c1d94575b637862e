"""The municipal survey: ingestion with validation, tables, response overview, sensor."""
