"""site room."""
