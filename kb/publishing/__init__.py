"""What the catalogue publishes beyond its pages: side-by-side comparisons, citations and
the Atom feeds."""
