"""The catalogue in and out of files: import (all-or-nothing), export, the codebook of the
download columns, the JSON representations of items and the sets of cases readers filtered
(what a download holds)."""
