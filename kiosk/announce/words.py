"""Indonesian wording of a queue call, for the TV display and for espeak-ng.

The display and the voice must say the same thing, so both sentences are built here from one
template. Numbers are written out as words because espeak-ng reads digits fine but the TV caption
should match what people hear, and because "Loket 2" read by a speech engine may come out as an
English-style number or a date depending on the voice.
"""

from __future__ import annotations

import re

__all__ = ["number_to_words", "letter_name", "call_text", "spoken_text"]

_ONES: tuple[str, ...] = (
    "nol",
    "satu",
    "dua",
    "tiga",
    "empat",
    "lima",
    "enam",
    "tujuh",
    "delapan",
    "sembilan",
)

# (value, word) from the largest down; "ribu" is the only scale whose "one" becomes the "se-" prefix.
_SCALES: tuple[tuple[int, str], ...] = (
    (10**12, "triliun"),
    (10**9, "miliar"),
    (10**6, "juta"),
    (10**3, "ribu"),
)

_MAX_NUMBER = 10**15 - 1

# Indonesian letter names (ejaan): spelled so espeak-ng's Indonesian voice says "be", not "bee".
_LETTER_NAMES: dict[str, str] = {
    "A": "a",
    "B": "be",
    "C": "ce",
    "D": "de",
    "E": "e",
    "F": "ef",
    "G": "ge",
    "H": "ha",
    "I": "i",
    "J": "je",
    "K": "ka",
    "L": "el",
    "M": "em",
    "N": "en",
    "O": "o",
    "P": "pe",
    "Q": "ki",
    "R": "er",
    "S": "es",
    "T": "te",
    "U": "u",
    "V": "fe",
    "W": "we",
    "X": "eks",
    "Y": "ye",
    "Z": "zet",
}

# A counter label ending in an integer ("Loket 2", "Loket-3", "Meja #4"); the separator is dropped.
_TRAILING_NUMBER = re.compile(r"^(?P<head>.*?)[\s\-_#:.]*(?P<number>\d+)$")


def _below_thousand(n: int) -> str:
    """Words for 1..999; kept separate because every scale group (ribu, juta, ...) reuses it."""
    hundreds, rest = divmod(n, 100)
    parts: list[str] = []
    if hundreds == 1:
        parts.append("seratus")
    elif hundreds > 1:
        parts.append(f"{_ONES[hundreds]} ratus")
    if rest == 0:
        pass
    elif rest < 10:
        parts.append(_ONES[rest])
    elif rest == 10:
        parts.append("sepuluh")
    elif rest == 11:
        parts.append("sebelas")
    elif rest < 20:
        parts.append(f"{_ONES[rest - 10]} belas")
    else:
        tens, ones = divmod(rest, 10)
        parts.append(f"{_ONES[tens]} puluh")
        if ones:
            parts.append(_ONES[ones])
    return " ".join(parts)


def number_to_words(n: int) -> str:
    """Indonesian words for 0..999 999 999 999 999, e.g. 12 -> "dua belas", 1000 -> "seribu".

    Ticket numbers only go into the hundreds, but counters, years or amounts may reuse this, so the
    range reaches the triliun. Negative numbers have no place in a queue call and raise ValueError
    rather than being read as "minus", which would hide a bug upstream.
    """
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"number_to_words() needs an int, got {type(n).__name__}")
    if n < 0:
        raise ValueError(f"number_to_words() needs a non-negative number, got {n}")
    if n > _MAX_NUMBER:
        raise ValueError(f"number_to_words() supports up to {_MAX_NUMBER}, got {n}")
    if n == 0:
        return _ONES[0]
    parts: list[str] = []
    rest = n
    for value, word in _SCALES:
        group, rest = divmod(rest, value)
        if group == 0:
            continue
        if group == 1 and value == 1000:
            parts.append("seribu")
        else:
            parts.append(f"{_below_thousand(group)} {word}")
    if rest:
        parts.append(_below_thousand(rest))
    return " ".join(parts)


def letter_name(ch: str) -> str:
    """How one ticket-prefix letter is said in Indonesian ("B" -> "be"), case-insensitive.

    espeak-ng reads a lone capital letter with its own idea of the name, which for several letters
    (Q, V, X, Y) is not what Indonesians say; feeding it the spelled-out name avoids that.
    """
    if len(ch) != 1 or ch.upper() not in _LETTER_NAMES:
        raise ValueError(f"letter_name() needs one letter A-Z, got {ch!r}")
    return _LETTER_NAMES[ch.upper()]


def _check_prefix(prefix: str) -> str:
    """Upper-case a ticket prefix after checking it is only A-Z letters (it may be empty)."""
    upper = prefix.strip().upper()
    if any(c not in _LETTER_NAMES for c in upper):
        raise ValueError(f"ticket prefix must be letters A-Z, got {prefix!r}")
    return upper


def _counter_words(counter_label: str) -> str:
    """The counter as said in the sentence: "Loket 2" -> "loket dua"; a label without a number is kept.

    The first letter of the word before the number is lowered because it sits mid-sentence
    ("silakan menuju loket dua"), unless that word is an acronym such as "KTP".
    """
    label = " ".join(counter_label.split())
    if not label:
        raise ValueError("counter_label must not be empty")
    match = _TRAILING_NUMBER.match(label)
    if match is None:
        return label
    head = match.group("head").strip()
    words = number_to_words(int(match.group("number")))
    if not head:
        return words
    first_word = head.split(" ", 1)[0]
    if not (len(first_word) > 1 and first_word.isupper()):
        head = head[0].lower() + head[1:]
    return f"{head} {words}"


def _sentence(prefix_words: str, number: int, counter_label: str) -> str:
    """The one template both the caption and the voice use, so they can never drift apart."""
    ticket = f"{prefix_words} {number_to_words(number)}" if prefix_words else number_to_words(number)
    return f"Nomor antrian {ticket}, silakan menuju {_counter_words(counter_label)}"


def call_text(prefix: str, number: int, counter_label: str) -> str:
    """The caption shown on the TV: "Nomor antrian A dua belas, silakan menuju loket dua".

    The prefix is shown as capital letters, exactly as printed on the ticket, so people can match
    it at a glance; an empty prefix is simply left out.
    """
    return _sentence(_check_prefix(prefix), number, counter_label)


def spoken_text(prefix: str, number: int, counter_label: str) -> str:
    """The sentence fed to espeak-ng: like `call_text` but each prefix letter spelled by its name.

    "Nomor antrian be seratus lima, ..." makes the Indonesian voice say the letter the way a
    person at the counter would.
    """
    spelled = " ".join(letter_name(c) for c in _check_prefix(prefix))
    return _sentence(spelled, number, counter_label)
