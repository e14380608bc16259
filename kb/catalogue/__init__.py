"""The catalogue: cases, talks, series and instruments, the controlled vocabulary, the schemas
every write is checked against, the file format of an item, browsing with facets, and what a
case's facts rest on (provenance) and still lack (completeness). Stands only on kb's root
modules."""
