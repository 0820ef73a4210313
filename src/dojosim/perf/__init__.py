"""perf room."""
