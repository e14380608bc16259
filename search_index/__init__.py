"""German full-text search over cases, talks and notes (Whoosh); plain data in, plain data out."""
