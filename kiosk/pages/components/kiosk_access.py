"""What every kiosk screen shares so people new to touch screens can use it: display modes, press feedback and
the guidance voice.

- High contrast (yellow and white on black) and larger text, switched from one "Tampilan" button and kept
  for the visit only: the idle reset puts them back, because the next resident may not need them.
- A pressed key or tile changes at once in the browser itself (no round trip to the Pi), so a tap never
  feels lost while the server works.
- Spoken guidance: one sentence per screen from pre-made clips (kiosk.announce.guidance), played only when
  the resident switched it on.
"""

from __future__ import annotations

from typing import Any, Callable

from nicegui import Client, app, background_tasks, run, ui

from kiosk.context import AppContext
from kiosk.i18n import Translator

MODES_KEY = "kiosk_modes"
MODES = ("contrast", "large", "voice")

# In NiceGUI's `overrides` layer: Quasar's colour classes are !important in a later layer, and for !important
# rules the earlier layer wins, so only a layered rule can turn a teal tile black.
ACCESS_CSS = """
@layer overrides {
html.balai-large { font-size: 118%; }
html.balai-large .q-btn { font-size: 1.08em; }
.q-btn.balai-pressed { transform: scale(0.96); filter: brightness(0.82); transition: none; }
.q-btn { transition: transform 80ms ease-out, filter 80ms ease-out; }
body.balai-contrast, body.balai-contrast .q-page, body.balai-contrast .nicegui-content,
body.balai-contrast .q-card, body.balai-contrast .q-dialog__inner > div, body.balai-contrast [class*="bg-"] {
  background: #000 !important; color: #fff !important; }
body.balai-contrast [class*="text-"] { color: inherit !important; }
body.balai-contrast .q-btn.q-btn { background: #000 !important; color: #ffeb3b !important;
  border: 3px solid #ffeb3b !important; }
body.balai-contrast .q-btn.q-btn * { color: #ffeb3b !important; background: transparent !important; }
body.balai-contrast .q-btn.q-btn.balai-mode-on, body.balai-contrast .q-btn.q-btn.balai-mode-on * {
  background: #ffeb3b !important; color: #000 !important; }
body.balai-contrast .q-btn.q-btn:disabled, body.balai-contrast .q-btn.q-btn.disabled,
body.balai-contrast .q-btn.q-btn.disabled * { color: #9e9e9e !important; border-color: #9e9e9e !important; }
body.balai-contrast .q-field__control, body.balai-contrast .q-field__native { color: #fff !important; }
body.balai-contrast .q-field--outlined .q-field__control:before { border: 2px solid #fff !important; }
body.balai-contrast .text-red-9, body.balai-contrast .text-negative { color: #ff8a80 !important; }
body.balai-contrast .q-card { border: 2px solid #fff; }
.balai-mode-button { min-height: 72px; font-size: 1.2rem; border-radius: 14px; }
}
"""

# Runs in the browser: marks a button as pressed on pointerdown (visible in the same frame) and unmarks it
# a moment after release; also plays the guidance clips one after another.
ACCESS_JS = """
(() => {
  if (window.balaiAccess) return;
  window.balaiAccess = true;
  const pressed = (event) => event.target.closest && event.target.closest('.q-btn');
  document.addEventListener('pointerdown', (event) => {
    const button = pressed(event); if (button) button.classList.add('balai-pressed');
  }, true);
  const release = () => setTimeout(() => document.querySelectorAll('.balai-pressed')
    .forEach((b) => b.classList.remove('balai-pressed')), 120);
  document.addEventListener('pointerup', release, true);
  document.addEventListener('pointercancel', release, true);
  window.balaiSay = (url) => {
    window.balaiLastSaid = url;
    if (window.balaiVoice) { window.balaiVoice.pause(); }
    window.balaiVoice = new Audio(url);
    window.balaiVoice.play().catch(() => {});
  };
  window.balaiHush = () => { if (window.balaiVoice) window.balaiVoice.pause(); };
})();
"""


def modes() -> dict[str, bool]:
    stored = app.storage.user.get(MODES_KEY) or {}
    return {mode: bool(stored.get(mode)) for mode in MODES}


def set_mode(mode: str, on: bool) -> None:
    current = modes()
    current[mode] = on
    app.storage.user[MODES_KEY] = current
    apply_modes()


def reset_modes() -> bool:
    """Back to the standard display at idle; True when something was switched off."""
    changed = any(modes().values())
    app.storage.user[MODES_KEY] = {}
    if changed:
        apply_modes()
        ui.run_javascript("window.balaiHush && window.balaiHush()")
    return changed


def apply_modes() -> None:
    """Set the page's classes from the stored modes (larger text scales the root font, so rem sizes follow)."""
    current = modes()
    ui.query("body").classes(add="balai-contrast" if current["contrast"] else "",
                             remove="" if current["contrast"] else "balai-contrast")
    ui.query("html").classes(add="balai-large" if current["large"] else "",
                             remove="" if current["large"] else "balai-large")


def install() -> None:
    """Once per kiosk page: styles, the press-feedback script and the current modes."""
    ui.add_css(ACCESS_CSS)
    ui.add_head_html(f"<script>{ACCESS_JS}</script>")
    apply_modes()


def say(ctx: AppContext, client: Client, key: str, lang: str, **params: Any) -> None:
    """Speak `voice.<key>` when the resident turned the voice on; silent otherwise or without espeak-ng.

    The fixed clips exist already (Guidance.prepare at start); one with a number in it is made by espeak-ng
    off the event loop, so the screen it belongs to is never held up by the voice. `client` is the page's, taken
    when the page was built: the button whose handler speaks has usually just been cleared away."""
    guidance = ctx.extras.get("guidance")
    if guidance is None or not ctx.settings.kiosk_voice or not modes()["voice"]:
        return

    async def speak() -> None:
        clip = await run.io_bound(guidance.clip, key, lang, **params)
        if clip is not None and not client.is_deleted:
            client.run_javascript(f"window.balaiSay('/audio/{clip.name}')")

    background_tasks.create(speak(), name="kiosk-guidance")


def access_button(ctx: AppContext, client: Client, t: Translator, lang: str, on_change: Callable[[], None],
                  touched: Callable[[], None]) -> ui.button:
    """The header button opening the display-modes dialog (three big on/off switches with words)."""
    guidance = ctx.extras.get("guidance")
    voice_ok = bool(ctx.settings.kiosk_voice and guidance is not None and guidance.available())

    def open_dialog() -> None:
        touched()
        say(ctx, client, "access", lang)
        with ui.dialog().props("persistent transition-show=fade transition-hide=fade") as dialog, \
                ui.card().classes("q-pa-lg gap-3").style("min-width: min(560px, 92vw)").mark("access-dialog"):
            ui.label(t("access.title")).classes("text-h5")
            rows = [("contrast", "contrast", "access.contrast", "access.contrast_hint"),
                    ("large", "text_increase", "access.large", "access.large_hint")]
            if voice_ok:
                rows.append(("voice", "record_voice_over", "access.voice", "access.voice_hint"))
            for mode, icon, title, hint in rows:
                mode_row(mode, icon, t(title), t(hint))
            if ctx.settings.kiosk_voice and not voice_ok:
                ui.label(t("access.voice_missing")).classes("text-body2 text-grey-8")
            ui.button(t("access.close"), icon="check", on_click=lambda: (touched(), dialog.close(), on_change())) \
                .props("unelevated color=teal-8 size=lg no-caps").classes("self-end min-h-[64px] min-w-[160px]") \
                .mark("access-close")
        dialog.on("hide", lambda: dialog.delete())
        dialog.open()

    def mode_row(mode: str, icon: str, title: str, hint: str) -> None:
        on = modes()[mode]
        button = ui.button(on_click=lambda: flip()) \
            .props(f"{'unelevated' if on else 'outline'} color=teal-8 no-caps align=left") \
            .classes("balai-mode-button w-full" + (" balai-mode-on" if on else "")).mark(f"access-{mode}")

        def flip() -> None:
            touched()
            now = not modes()[mode]
            set_mode(mode, now)
            button.props(f"{'unelevated' if now else 'outline'}", remove="outline" if now else "unelevated")
            button.classes(add="balai-mode-on" if now else "", remove="" if now else "balai-mode-on")
            state.set_text(t("access.on") if now else t("access.off"))
            if mode == "voice" and now:
                say(ctx, client, "access", lang)

        with button, ui.row().classes("items-center no-wrap gap-3 w-full"):
            ui.icon(icon, size="2rem")
            with ui.column().classes("items-start gap-0 grow"):
                ui.label(title).classes("text-weight-bold")
                ui.label(hint).classes("text-body2 opacity-80 text-left")
            state = ui.label(t("access.on") if on else t("access.off")).classes("text-weight-bold") \
                .mark(f"access-{mode}-state")

    return ui.button(t("access.button"), icon="settings_accessibility", on_click=open_dialog) \
        .props("outline color=white size=lg no-caps no-wrap").classes("min-h-[64px]").mark("kiosk-access")
