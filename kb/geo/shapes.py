"""Plane geometry of the map's outlines, in SVG user units: Douglas–Peucker simplification,
the even-odd point-in-polygon test, ring area and a label point inside a polygon."""

import math

Point = tuple[float, float]
Ring = list[Point]


def _segment_distance(p: Point, a: Point, b: Point) -> float:
    (px, py), (ax, ay), (bx, by) = p, a, b
    dx, dy = bx - ax, by - ay
    length = dx * dx + dy * dy
    t = 0.0 if length == 0 else max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / length))
    return math.hypot(px - ax - t * dx, py - ay - t * dy)


def simplify(points: Ring, tolerance: float) -> Ring:
    """Douglas–Peucker: the points that keep the line within `tolerance` of the original."""
    if len(points) < 3:
        return list(points)
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:  # iterative: long rings would exceed the recursion limit
        first, last = stack.pop()
        index, worst = 0, tolerance
        for i in range(first + 1, last):
            d = _segment_distance(points[i], points[first], points[last])
            if d > worst:
                index, worst = i, d
        if index:
            keep[index] = True
            stack += [(first, index), (index, last)]
    return [p for p, k in zip(points, keep, strict=True) if k]


def area(ring: Ring) -> float:
    """The ring's area (shoelace formula), whatever its orientation."""
    return abs(
        sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True))
        / 2
    )


def contains(rings: list[Ring], point: Point) -> bool:
    """Whether `point` lies inside the polygon of `rings` by the even-odd rule (holes, such as
    Berlin in Brandenburg, are rings too)."""
    x, y = point
    inside = False
    for ring in rings:
        for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True):
            if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
                inside = not inside
    return inside


def label_point(rings: list[Ring], steps: int = 40) -> Point:
    """A point well inside the polygon: of a grid over its bounding box, the inside point
    farthest from every edge (a centroid can fall outside, or into Berlin for Brandenburg)."""
    xs = [x for ring in rings for x, _ in ring]
    ys = [y for ring in rings for _, y in ring]
    edges = [(a, b) for ring in rings for a, b in zip(ring, ring[1:] + ring[:1], strict=True)]
    best, best_distance = (xs[0], ys[0]), -1.0
    for i in range(steps + 1):
        for j in range(steps + 1):
            p = (
                min(xs) + (max(xs) - min(xs)) * i / steps,
                min(ys) + (max(ys) - min(ys)) * j / steps,
            )
            if not contains(rings, p):
                continue
            d = min(_segment_distance(p, a, b) for a, b in edges)
            if d > best_distance:
                best, best_distance = p, d
    return round(best[0], 1), round(best[1], 1)
