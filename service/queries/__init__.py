"""Read side: queries returning rows and view objects."""
