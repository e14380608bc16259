"""The Länder's outlines as the map draws them: the packaged kb/geo/laender.json (built by
kb.geo.build), read once per process, with each Land's SVG path and the frame that places a
coordinate on the same drawing."""

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from kb.geo.lands import LAND_BY_ISO
from kb.geo.projection import Frame
from kb.geo.shapes import Point, Ring

OUTLINES = Path(__file__).resolve().parent / "laender.json"


@dataclass(frozen=True)
class Outline:
    land: str  # our code (vocabulary `lands`)
    iso: str
    rings: tuple[Ring, ...]
    label: Point  # where the Land's count is written
    leader: Point | None  # a small Land's count is beside it: where its line meets the outline
    path: str  # SVG path data: a closed subpath per ring (drawn with fill-rule evenodd)


def _path(rings: tuple[Ring, ...]) -> str:
    return "".join("M" + "L".join(f"{x:g} {y:g}" for x, y in ring) + "Z" for ring in rings)


@dataclass(frozen=True)
class Outlines:
    frame: Frame
    lands: dict[str, Outline]  # by our Land code


@cache
def outlines() -> Outlines:
    data = json.loads(OUTLINES.read_text(encoding="utf-8"))
    lands = {}
    for entry in data["lands"]:
        land = LAND_BY_ISO[entry["iso"]]
        rings = tuple([(x, y) for x, y in ring] for ring in entry["rings"])
        label = (entry["label"][0], entry["label"][1])
        leader = tuple(entry["leader"]) if entry["leader"] else None
        lands[land] = Outline(land, entry["iso"], rings, label, leader, _path(rings))
    return Outlines(Frame(**data["frame"]), lands)
