"""mapping room."""
