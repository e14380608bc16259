"""German full-text search over cases, talks and notes (Whoosh); plain data in, plain data out.

Importing the package changes nothing in Whoosh: the index store and the search engine apply
search_index.whoosh_internals.install() when they are made. It does import Whoosh, leaving out
two of Whoosh's own imports it never uses (search_index.whoosh_loading)."""

from search_index.whoosh_loading import load_whoosh

load_whoosh()
