"""The editors' work on the catalogue: talk notes, editor accounts, the history of revisions
(diffs, restore) and the check of the catalogue's cited links. Stands on kb.catalogue.browsing."""
