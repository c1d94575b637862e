"""Survey stage: policy."""
