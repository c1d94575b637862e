"""Deduplication: between sites per week, within and between sites per year, and the ad lifecycle."""
