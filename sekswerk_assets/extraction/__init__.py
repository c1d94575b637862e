"""Extraction: parse the raw ad pages, mine the text and pseudonymise (ads/parsed_ads)."""
