"""Pandera DataFrameModels of every table, one module per stage."""
