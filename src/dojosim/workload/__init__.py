"""workload room."""
