"""Benchmarks (`make bench`): a deterministic large catalogue, search against SQLite FTS5."""
