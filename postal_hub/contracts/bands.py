"""Distance bands of the home-pickup price: "5:0; 10:10000; 30:25000" means up to 5 km the term's
price, up to 10 km 10,000 VND more, up to 30 km 25,000 VND more, and nothing farther under this
contract. No bands: one price at any distance the office serves."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from postal_hub.core.validators import MAX_VND, InvalidValue

MAX_BANDS = 10
Bands = list[tuple[float, int]]


def parse_bands(text: str | None) -> Bands:
    bands: Bands = []
    for part in (text or "").replace(",", ";").split(";"):
        part = part.strip()
        if not part:
            continue
        km_text, sep, price_text = part.partition(":")
        try:
            km = float(km_text.strip())
            surcharge = int(price_text.strip().replace(".", "").replace(" ", "")) if sep else -1
        except ValueError:
            raise InvalidValue(_l("Write each band as kilometres:surcharge, e.g. 5:0; 10:10000.")) from None
        km = round(km, 1)  # tenths of a kilometre: what is written back reads back the same
        if not sep or surcharge < 0 or not 0 < km <= 200 or km != km:
            raise InvalidValue(_l("Write each band as kilometres:surcharge, e.g. 5:0; 10:10000."))
        if surcharge > MAX_VND:
            raise InvalidValue(_l("A surcharge that large is not a real amount."))
        if bands and km <= bands[-1][0]:
            raise InvalidValue(_l("Bands must go outwards: each farther than the one before."))
        bands.append((km, surcharge))
    if len(bands) > MAX_BANDS:
        raise InvalidValue(_l("At most %(n)d bands.", n=MAX_BANDS))
    return bands


def normalise_bands(text: str | None) -> str:
    return "; ".join(f"{km:g}:{surcharge}" for km, surcharge in parse_bands(text))


def banded_price(base: int, bands_text: str | None, distance_km: float) -> int | None:
    """The price at this distance; None when it lies beyond the last band (not covered)."""
    bands = parse_bands(bands_text)
    if not bands:
        return base
    for km, surcharge in bands:
        if distance_km <= km:
            return base + surcharge
    return None


def reach_km(bands_text: str | None) -> float | None:
    bands = parse_bands(bands_text)
    return bands[-1][0] if bands else None
