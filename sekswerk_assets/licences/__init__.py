"""Survey stage: licences."""
