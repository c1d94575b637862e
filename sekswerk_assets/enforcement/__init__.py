"""Survey stage: enforcement."""
