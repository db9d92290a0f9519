"""Keys drawn in the page for the touch kiosk, whose browser runs full screen over the OS keyboard.

`digit_keypad` types digits (NIK, PIN, numbers, money, times); `letter_keyboard` types short texts (names,
addresses, a reason). Both write into an input element's `value` (a `ui.input` marked `inputmode=none`, so no
OS keyboard pops up while a USB keyboard, if one is plugged in, still works) and never into anything else.
Every key is at least 64 px and carries a marker `key-<name>` for the page tests.
"""

from __future__ import annotations

from typing import Any, Callable

from nicegui import app, ui

KEY_CSS = """
.balai-key { min-height: 64px; min-width: 64px; font-size: 1.6rem; font-weight: 600; border-radius: 12px;
             padding: 0 !important; }
.balai-key.balai-key-wide { font-size: 1.2rem; }
.balai-key .q-icon { font-size: 1.8rem; }
.balai-keyrow { display: grid; width: 100%; gap: 6px; grid-auto-rows: 64px;
                grid-template-columns: repeat(11, minmax(0, 1fr)); }
/* A row of eleven 64 px keys needs 764 px; the page keeps 16 px either side. Narrower screens (portrait)
   wrap each row onto two lines, keys in the same order: eight a line down to 586 px wide, six down to 446. */
@media (max-width: 795px) { .balai-keyrow { grid-template-columns: repeat(8, minmax(0, 1fr)); } }
@media (max-width: 585px) { .balai-keyrow { grid-template-columns: repeat(6, minmax(0, 1fr)); } }
@media (max-width: 445px) { .balai-keyrow { grid-template-columns: repeat(5, minmax(0, 1fr)); } }
"""

BACKSPACE = "back"
CLEAR = "clear"
SPACE = "space"
SHIFT = "shift"
_LETTER_ROWS = ("1234567890", "QWERTYUIOP-", "ASDFGHJKL,.", "ZXCVBNM/")
_EXTRA_NAMES = {".": "dot", ",": "comma", "-": "dash", "/": "slash"}


def _marker(key: str) -> str:
    return f"key-{_EXTRA_NAMES.get(key, key)}"


class KeyTarget:
    """What the keys write into: an input element's value, capped at `max_length`, limited to `allowed`
    characters. `on_change` runs after each key (the page resets its idle timer, refreshes a display)."""

    def __init__(self, element: Any, *, max_length: int, allowed: str | None = None,
                 on_change: Callable[[str], None] | None = None, upper: bool = False) -> None:
        self.element = element
        self.max_length = max_length
        self.allowed = allowed
        self.on_change = on_change
        self.upper = upper
        # Sentence style: the first letter of an empty field is a capital, the rest small unless shifted.
        self.shift = not upper and not self.value

    @property
    def value(self) -> str:
        return str(self.element.value or "")

    def press(self, key: str) -> None:
        text = self.value
        if key == BACKSPACE:
            text = text[:-1]
        elif key == CLEAR:
            text = ""
        elif key == SHIFT:
            self.shift = not self.shift
            self._changed(text)
            return
        else:
            char = " " if key == SPACE else key
            if len(char) != 1 or (self.allowed is not None and char not in self.allowed):
                return
            if char.isalpha():
                char = char.upper() if (self.upper or self.shift) else char.lower()
                self.shift = False
            if len(text) >= self.max_length:
                return
            text += char
        if not text and not self.upper:
            self.shift = True
        self.element.value = text
        self._changed(text)

    def _changed(self, text: str) -> None:
        if self.on_change is not None:
            self.on_change(text)


def _add_css() -> None:
    """The keys' style, once per page (steps redraw their keys many times)."""
    if not app.storage.client.get("balai_key_css"):
        ui.add_css(KEY_CSS)
        app.storage.client["balai_key_css"] = True


def _key(label: str | None, key: str, target: KeyTarget, *, icon: str | None = None, color: str = "grey-3",
         text_color: str = "grey-10", wide: bool = False) -> ui.button:
    button = ui.button(label or "", icon=icon, on_click=lambda: target.press(key)) \
        .props(f"unelevated no-caps color={color} text-color={text_color}") \
        .classes("balai-key w-full h-full" + (" balai-key-wide" if wide else "")).mark(_marker(key))
    char = " " if key == SPACE else key
    if len(char) == 1 and target.allowed is not None and char not in target.allowed:
        button.disable()  # e.g. the letters a tracking code never uses
    return button


def digit_keypad(target: KeyTarget, *, extra: str | None = None, width_px: int = 300,
                 clear_label: str = "C") -> ui.grid:
    """1-9, then (an extra key such as "." for a time, or clear) 0 backspace, in a 3x4 grid."""
    _add_css()
    grid = ui.grid(columns=3).classes("balai-digits gap-2") \
        .style(f"width:{width_px}px; grid-auto-rows: minmax(64px, 1fr)")
    with grid:
        for digit in "123456789":
            _key(digit, digit, target)
        if extra:
            _key(extra, extra, target)
        else:
            _key(clear_label, CLEAR, target, color="grey-4", wide=True)
        _key("0", "0", target)
        _key(None, BACKSPACE, target, icon="backspace", color="grey-4")
    return grid


def letter_keyboard(target: KeyTarget, *, space_label: str = "spasi") -> ui.column:
    """Digits and capitals in four rows of eleven keys (shift, space and backspace included): fits 800 px wide
    with every key at least 64 px; on a narrower (portrait) screen each row wraps onto two lines (KEY_CSS).
    Small letters come from the sentence-style shift."""
    _add_css()
    shift_buttons: list[ui.button] = []

    def refresh_letters(_: str = "") -> None:
        lower = not (target.upper or target.shift)
        for button, letter in letter_buttons:
            button.set_text(letter.lower() if lower else letter)
        for button in shift_buttons:
            button.props(f"color={'teal-7' if target.shift else 'grey-4'}")

    chained = target.on_change

    def changed(text: str) -> None:
        refresh_letters()
        if chained is not None:
            chained(text)

    target.on_change = changed
    letter_buttons: list[tuple[ui.button, str]] = []
    column = ui.column().classes("w-full").style("gap: 6px")
    with column:
        for row_index, row in enumerate(_LETTER_ROWS):
            with ui.element("div").classes("balai-keyrow"):
                if row_index == 3 and not target.upper:
                    shift_buttons.append(_key(None, SHIFT, target, icon="arrow_upward", color="grey-4"))
                for char in row:
                    button = _key(char, char, target)
                    if char.isalpha():
                        letter_buttons.append((button, char))
                if row_index == 0:
                    _key(None, BACKSPACE, target, icon="backspace", color="grey-4")
                if row_index == 3:
                    _key(space_label, SPACE, target, color="grey-4", wide=True).style("grid-column: span 2")
    refresh_letters()
    return column
