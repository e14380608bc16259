"""Search over the catalogue and the notes: the documents made from the database
(`indexing`), the service that keeps the index in step with saves and answers queries
(`service`), and `kb search` from the index alone when nothing is pending (`direct`). The only
part of kb that talks to search_index; stands on kb.editorial and kb.catalogue.browsing."""
