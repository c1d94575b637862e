"""Constants of the measurement shared by both flows, defined once."""

#: the three ad sites of the study, in the order of the report (kinky is kept in between-site deduplication)
SITES: tuple[str, ...] = ("kinky", "sexjobs", "topescortbabes")

#: the kinds of page a raw snapshot's manifest holds
PAGE_TYPES: tuple[str, ...] = ("robots", "wall", "listing", "ad", "api")

#: origin regions of chapter 2 (Figure 2.10)
REGIONS: tuple[str, ...] = ("netherlands", "eastern_europe", "rest_of_europe", "south_america", "other")

#: search terms that can point at licensed work (Table 2.6)
LICENSED_TERMS: tuple[str, ...] = ("club", "privehuis", "bureau", "kvk")

#: owner of every asset in the code location
OWNERS: tuple[str, ...] = ("team:data-engineering",)

#: the one concurrency pool of everything that opens the DuckDB file (DuckDB locks the file per process)
DUCKDB_POOL = "duckdb"
