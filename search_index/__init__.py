"""German full-text search over cases, talks and notes (Whoosh); plain data in, plain data out."""

from search_index import whoosh_patches

whoosh_patches.apply()
