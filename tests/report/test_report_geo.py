"""Great circles, the map frame, antimeridian-safe rings, and where places are drawn."""

from __future__ import annotations

import itertools
import math

import pytest

from paradiplo.report.data import Place, locate, region_centre
from paradiplo.report.geo import (
    central_meridian,
    continuous_collection,
    continuous_ring,
    distance_km,
    great_circle,
    shift_into,
)

BEIJING, MOSCOW = (116.39723, 39.9075), (37.61781, 55.75204)


def test_great_circle_along_the_equator() -> None:
    line = great_circle((0.0, 0.0), (90.0, 0.0))
    assert line[0] == (0.0, 0.0) and line[-1] == (90.0, 0.0)
    assert all(abs(lat) < 1e-9 for _, lat in line)
    # One point per 2 degrees of arc, evenly spaced.
    steps = [b[0] - a[0] for a, b in itertools.pairwise(line)]
    assert len(line) == 46 and steps == pytest.approx([2.0] * 45)


def test_great_circle_goes_over_the_pole_when_that_is_shorter() -> None:
    line = great_circle((0.0, 80.0), (180.0, 80.0))
    assert max(lat for _, lat in line) == pytest.approx(90.0, abs=1.0)


def test_great_circle_across_the_pacific_is_continuous() -> None:
    line = great_circle((170.0, 0.0), (-170.0, 0.0))
    lons = [lon for lon, _ in line]
    assert lons[0] == 170.0 and lons[-1] == pytest.approx(190.0)
    assert all(abs(b - a) < 10 for a, b in itertools.pairwise(lons))


def test_distance_beijing_moscow() -> None:
    # About 5,800 km; the spherical formula is within half a percent of the ellipsoid.
    assert distance_km(BEIJING, MOSCOW) == pytest.approx(5795, rel=0.005)


def test_central_meridian_puts_the_frame_edge_in_the_empty_ocean() -> None:
    lines = [great_circle(BEIJING, MOSCOW), great_circle((126.6, 45.7), (30.3, 59.9))]
    center = central_meridian(lines)
    for line in lines:
        shifted = shift_into(line, center)
        assert all(center - 180 < lon < center + 180 for lon, _ in shifted)
    # A world of lines leaves no gap: the Greenwich frame is kept.
    world = [great_circle((lon, 0.0), (lon + 100.0, 0.0)) for lon in range(-180, 180, 60)]
    assert central_meridian(world) == 0.0
    assert central_meridian([]) == 0.0


def test_continuous_ring_removes_the_antimeridian_jump() -> None:
    ring = [(170, 60), (179, 60), (-179, 60), (-175, 65), (-179, 70), (179, 70), (170, 60)]
    out = continuous_ring(ring)
    assert out == [(170, 60), (179, 60), (181, 60), (185, 65), (181, 70), (179, 70), (170, 60)]


def test_continuous_ring_closes_a_ring_around_the_pole() -> None:
    ring = [(-180, -80), (-90, -85), (0, -80), (90, -85), (180, -80)]
    out = continuous_ring(ring)
    assert out[:5] == [(-180, -80), (-90, -85), (0, -80), (90, -85), (180, -80)]
    assert out[5:] == [(180, -90.0), (-180, -90.0), (-180, -80)]


def test_continuous_collection_fixes_polygons() -> None:
    collection = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"name": "x"},
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [[[179, 1], [-179, 1], [-179, 2], [179, 1]]],
                },
            }
        ],
    }
    fixed = continuous_collection(collection)["features"][0]
    assert fixed["properties"] == {"name": "x"}
    assert fixed["geometry"]["coordinates"] == [[[179, 1], [181, 1], [181, 2], [179, 1]]]


CITY = "https://w3id.org/paradiplo/id/city/"
REGION = "https://w3id.org/paradiplo/id/region/"


def test_locate_prefers_own_coordinates_then_capital_then_city_then_mean() -> None:
    capitals = {REGION + "cn-hl": ((126.65, 45.75), CITY + "cn-harbin")}
    centres = {REGION + "cn-hl": ((128.0, 47.0), 12), REGION + "ru-amu": ((128.5, 50.3), 3)}
    own = Place(CITY + "cn-heihe", "Heihe", "city", point=(127.5, 50.2))
    assert locate(own, capitals, centres).method == "own coordinates"
    province = Place(REGION + "cn-hl", "Heilongjiang", "region")
    found = locate(province, capitals, centres)
    assert found is not None and found.point == (126.65, 45.75)
    assert found.method == "capital (cn-harbin)"
    oblast = Place(REGION + "ru-amu", "Amur", "region")
    found = locate(oblast, capitals, centres)
    assert found is not None and found.point == (128.5, 50.3)
    assert found.method == "mean of 3 cities in the data"
    district = Place(
        "d",
        "Daoli",
        "district",
        region=REGION + "cn-hl",
        city_point=((126.6, 45.7), CITY + "cn-harbin"),
    )
    found = locate(district, capitals, centres)
    assert found is not None and found.method == "containing city (cn-harbin)"
    county = Place("c", "Xunke", "district", region=REGION + "ru-amu")
    found = locate(county, capitals, centres)
    assert found is not None and found.method == "mean of 3 cities of ru-amu"
    assert locate(Place("x", "Nowhere", "region"), capitals, centres) is None


def test_region_centre_across_the_antimeridian_stays_in_place() -> None:
    # The mean of 179 and -179 is 180, not 0 (what a plain average gives).
    lon, lat = region_centre(lat=65.0, lon=0.0, lon360=180.0, west=-179.0, east=179.0)
    assert (abs(lon), lat) == (180.0, 65.0)
    assert region_centre(lat=45.0, lon=120.0, lon360=120.0, west=110.0, east=130.0) == (120.0, 45.0)
    lon, _ = region_centre(lat=0.0, lon=-60.0, lon360=300.0, west=-70.0, east=-50.0)
    assert math.isclose(lon, -60.0)
    # Chukotka-like: Anadyr at 177.5 and Provideniya at -173.2 -> centre near 177.2.
    lon, _ = region_centre(lat=64.6, lon=2.15, lon360=182.15, west=-173.2, east=177.5)
    assert lon == pytest.approx(-177.85)
