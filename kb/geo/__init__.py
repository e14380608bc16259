"""Geography of the catalogue: the Länder's codes in other systems, the map projection, the
simplified outlines of the Länder (built once by `python -m kb.geo.build`) and the content of the
map of a set of cases. Stands only on kb's root modules and the catalogue."""
