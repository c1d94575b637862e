"""Weekly collection of the ad sites: adapters, Playwright collector, encrypted raw snapshots."""
