"""numerics room."""
