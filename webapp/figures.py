"""What the figures (map, typology matrix, timeline) share: each governance type's colour, the
same as the badges' in static/site.css (--gov-*), for SVG drawn on the server. Keep the two in
step; colour never stands alone (the map adds shapes, the timeline patterns)."""

GOVERNANCE_COLOURS = {
    "top-down": "#1f4e79",
    "bottom-up": "#2e6b30",
    "cross-over": "#6b3d7a",
}
OTHER_COLOUR = "#4a535e"  # a type a later vocabulary adds, or a place of several types


def governance_colour(governance: str) -> str:
    return GOVERNANCE_COLOURS.get(governance, OTHER_COLOUR)
