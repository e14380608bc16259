"""The map's projection: Lambert conformal conic on the sphere with standard parallels 48°40'
and 53°40' (the usual one for maps of Germany), centred on 51° N, 10.5° E. Shapes are true
(conformal), and the scale error stays below 0.5 % between 47° and 55° N.

A sphere, not the GRS 80 ellipsoid: the difference is below a kilometre over Germany, far less
than a pixel of the map. `Frame` then scales projected metres into the map's SVG user units."""

import math
from dataclasses import dataclass

EARTH_RADIUS_M = 6_371_008.8  # mean radius (IUGG)
STANDARD_PARALLELS = (48 + 40 / 60, 53 + 40 / 60)
ORIGIN = (51.0, 10.5)  # latitude, longitude of the projection's origin


def _t(lat: float) -> float:
    return math.tan(math.pi / 4 + math.radians(lat) / 2)


def _power(base: float, exponent: float) -> float:
    return float(base**exponent)  # float ** float is typed Any (it may be complex)


@dataclass(frozen=True)
class Lambert:
    """The projection's constants (cone constant `n`, `f`, and the radius at the origin)."""

    n: float
    f: float
    rho0: float
    lon0: float

    @classmethod
    def germany(cls) -> "Lambert":
        lat1, lat2 = STANDARD_PARALLELS
        c1, c2 = math.cos(math.radians(lat1)), math.cos(math.radians(lat2))
        n = math.log(c1 / c2) / math.log(_t(lat2) / _t(lat1))
        f = c1 * _power(_t(lat1), n) / n
        return cls(n, f, EARTH_RADIUS_M * f / _power(_t(ORIGIN[0]), n), ORIGIN[1])

    def project(self, lat: float, lon: float) -> tuple[float, float]:
        """(x, y) in metres from the origin, x to the east, y to the north."""
        rho = EARTH_RADIUS_M * self.f / _power(_t(lat), self.n)
        theta = self.n * math.radians(lon - self.lon0)
        return rho * math.sin(theta), self.rho0 - rho * math.cos(theta)

    def scale_factor(self, lat: float) -> float:
        """The scale along (and, conformal, across) the parallel `lat`: 1 on the standard ones."""
        rho = EARTH_RADIUS_M * self.f / _power(_t(lat), self.n)
        return self.n * rho / (EARTH_RADIUS_M * math.cos(math.radians(lat)))


@dataclass(frozen=True)
class Frame:
    """Projected metres -> SVG user units: x = (mx - left) * scale, y = (top - my) * scale."""

    left: float
    top: float
    scale: float
    width: float
    height: float

    def to_svg(self, lat: float, lon: float) -> tuple[float, float]:
        mx, my = LAMBERT.project(lat, lon)
        return self.from_metres(mx, my)

    def from_metres(self, mx: float, my: float) -> tuple[float, float]:
        return (round((mx - self.left) * self.scale, 1), round((self.top - my) * self.scale, 1))


LAMBERT = Lambert.germany()
