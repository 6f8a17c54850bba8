"""Build postal_hub/core/data/places.json and crosswalk.json from the vietnam-provinces wheel.

Why a generated file instead of a runtime dependency: vietnam-provinces' newest data (2026.x) needs
Python >= 3.12 and is GPL-3.0-or-later, while we support 3.11. Administrative units are public facts
(GSO codes and names), so we ship our own data file read from the package's wheel, and record the
source and version in the file. Run:  python scripts/build_places_data.py [--version 2026.9.0]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

OUT_DIR = Path(__file__).resolve().parent.parent / "postal_hub" / "core" / "data"


def fetch_wheel(version: str, workdir: Path) -> Path:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--no-deps",
            "--only-binary=:all:",
            "--python-version",
            "3.12",
            f"vietnam-provinces=={version}",
            "-d",
            str(workdir),
        ],
        check=True,
    )
    wheel = next(workdir.glob("vietnam_provinces-*.whl"))
    with zipfile.ZipFile(wheel) as zf:
        zf.extractall(workdir / "unpacked")
    return workdir / "unpacked"


def build(version: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = fetch_wheel(version, Path(tmp))
        sys.path.insert(0, str(root))
        from vietnam_provinces import _province_conversion_2025 as pconv  # type: ignore[import-not-found]
        from vietnam_provinces import _ward_conversion_2025 as wconv  # type: ignore[import-not-found]
        from vietnam_provinces.legacy import _lookup as legacy  # type: ignore[import-not-found]

        nested = json.loads(
            (root / "vietnam_provinces" / "data" / "nested-divisions.json").read_text("utf-8")
        )
        source = {
            "package": "vietnam-provinces",
            "version": version,
            "effective_date": wconv.EFFECTIVE_DATE,
            "conversion_source": wconv.SOURCE,
        }
        provinces = [
            {
                "code": f"{p['code']:02d}",
                "name": p["name"],
                "division_type": p["division_type"],
                "communes": [
                    [f"{w['code']:05d}", w["name"], w["division_type"]]
                    for w in sorted(p["wards"], key=lambda w: w["code"])
                ],
            }
            for p in sorted(nested, key=lambda p: p["code"])
        ]
        (OUT_DIR / "places.json").write_text(
            json.dumps({"source": source, "provinces": provinces}, ensure_ascii=False, separators=(",", ":")),
            "utf-8",
        )

        old_provinces = [
            [f"{code:02d}", p.name, [f"{n.code:02d}" for n in pconv.OLD_TO_NEW[code].new_provinces]]
            for code, p in sorted(legacy.PROVINCE_MAPPING.items())
        ]
        old_districts = [
            [f"{code:03d}", d.name, f"{int(d.province_code):02d}"]
            for code, d in sorted(legacy.DISTRICT_MAPPING.items())
        ]
        old_wards = []
        for code, w in sorted(legacy.WARD_MAPPING.items()):
            entry = wconv.OLD_TO_NEW.get(code)
            if entry is None:
                continue  # a pre-2025 ward the conversion table does not carry (already dissolved)
            old_wards.append(
                [
                    f"{code:05d}",
                    w.name,
                    f"{int(w.district_code):03d}",
                    [f"{n.code:05d}" for n in entry.new_wards],
                    bool(entry.old_ward.is_partly_merged),
                ]
            )
        (OUT_DIR / "crosswalk.json").write_text(
            json.dumps(
                {
                    "source": source,
                    "columns": {
                        "provinces": ["code", "name", "new_province_codes"],
                        "districts": ["code", "name", "province_code"],
                        "wards": ["code", "name", "district_code", "new_commune_codes", "partly_merged"],
                    },
                    "provinces": old_provinces,
                    "districts": old_districts,
                    "wards": old_wards,
                },
                ensure_ascii=False,
                separators=(",", ":"),
            ),
            "utf-8",
        )
        print(
            f"provinces={len(provinces)} communes={sum(len(p['communes']) for p in provinces)} "
            f"old provinces={len(old_provinces)} districts={len(old_districts)} wards={len(old_wards)}"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--version", default="2026.9.0")
    build(parser.parse_args().version)
