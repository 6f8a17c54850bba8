"""Flow 6: an agency supervisor opens the monitoring dashboard in English and in Vietnamese, and each
time the screen's own words are in that language (the names of places and units stay as they are)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from babel.messages.pofile import read_po
from playwright.sync_api import expect

from tests.e2e.browser.harness import DESKTOP, Session

CATALOG = Path(__file__).resolve().parents[3] / "postal_hub/translations/vi/LC_MESSAGES/messages.po"
# The screen's own words: headings, labels, column heads, captions, buttons.
UI_TEXT = "main :is(h1, h2, th, label, legend, figcaption, summary, button, dt, .kpi__label, a.btn)"


def _translations() -> dict[str, str]:
    """English → Vietnamese, for the catalogue's simple entries whose two versions differ."""
    with CATALOG.open("rb") as handle:
        catalog = read_po(handle)
    return {
        m.id: m.string
        for m in catalog
        if isinstance(m.id, str) and isinstance(m.string, str) and m.id and m.string and m.string != m.id
    }


def _screen_words(s: Session) -> list[str]:
    return [t.strip() for t in s.page.locator(UI_TEXT).all_inner_texts() if t.strip()]


def test_a_supervisor_reads_the_monitoring_dashboard_in_english_and_in_vietnamese(
    open_session: Callable[..., Session],
) -> None:
    vi_for = _translations()
    english, vietnamese = set(vi_for), set(vi_for.values()) - set(vi_for)
    s = open_session(**DESKTOP)
    s.sign_in("supervisor")
    s.go("/monitoring")
    expect(s.page.locator(".kpis .kpi").first).to_be_visible()

    s.language("en")
    assert s.page.url.endswith("/monitoring")  # the switch comes back to the same page
    words = _screen_words(s)
    assert len([w for w in words if w in english]) >= 15, words
    assert not [w for w in words if w in vietnamese], "Vietnamese on the English dashboard"
    heading = s.page.inner_text("h1").strip()
    assert heading in english
    kpis = s.page.locator(".kpis .kpi").count()
    assert kpis >= 5
    s.assert_styled()
    s.shot("test_a_supervisor_reads_the_monitoring_dashboard_in_english_and_in_vietnamese-en")

    s.language("vi")
    assert s.page.url.endswith("/monitoring")
    words = _screen_words(s)
    assert len([w for w in words if w in vietnamese]) >= 15, words
    assert not [w for w in words if w in english], "English on the Vietnamese dashboard"
    assert s.page.inner_text("h1").strip() == vi_for[heading]
    expect(s.page.locator(".kpis .kpi")).to_have_count(kpis)  # the same figures, in the other language
    s.assert_fits_the_screen()
