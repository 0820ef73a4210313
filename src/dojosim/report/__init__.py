"""Output: JSON documents on stdout, tables and plots."""
