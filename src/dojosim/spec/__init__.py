"""spec room."""
