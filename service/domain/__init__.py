"""Domain rules: plain Python, no Flask, no database session."""
