"""The only Flask code: one module per blueprint."""
