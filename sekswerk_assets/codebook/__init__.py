"""Versioned codebook of the municipal survey."""

from sekswerk_assets.codebook.codebook import Codebook, Column, Question, codebook_for_year, load_codebook

__all__ = ["Codebook", "Column", "Question", "codebook_for_year", "load_codebook"]
