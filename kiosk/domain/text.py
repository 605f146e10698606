"""Vietnamese text at the kiosk's edges: NFC normalisation, name comparison keys, ASCII folding.

The same name arrives from the chip (DG13), the QR code, a keyboard and the MRZ, in different
Unicode forms (NFC or NFD), cases and tone-mark styles (old "hòa, thủy" or new "hoà, thuỷ"). All
text is stored NFC; ``name_key`` makes the other differences disappear for comparison only, and
``ascii_fold`` gives the diacritic-free form the MRZ carries.
"""

from __future__ import annotations

import unicodedata

# The five tone marks as combining characters (huyền, sắc, hỏi, ngã, nặng). The other Vietnamese
# diacritics (circumflex, breve, horn) belong to the letter and never move.
_TONES = frozenset("\u0300\u0301\u0309\u0303\u0323")
_VOWELS = frozenset("aăâeêioôơuưy")
# Vowels whose own diacritic attracts the tone mark in every style (for example "ươ" -> on ơ).
_MARKED_VOWELS = frozenset("ăâêôơư")
# Open two-vowel endings where the styles differ: old style marks the first vowel (hòa, khỏe,
# thủy), new style the second (hoà, khoẻ, thuỷ). We normalise to the new style (Decision
# 1989/QĐ-BGDĐT, 2018); for comparison either choice works as long as it is the only one.
_NEW_STYLE_PAIRS = frozenset({"oa", "oe", "uy"})


def normalise(text: str) -> str:
    """Text as the kiosk stores it: NFC, trimmed, inner whitespace runs made one space.

    Every boundary (chip, QR, keyboard, files) passes text through here, so that equal names are
    equal strings and the database never holds two forms of one letter.
    """
    return " ".join(unicodedata.normalize("NFC", text).split())


def name_key(name: str) -> str:
    """A key that is equal for two spellings of one name, for matching only (never shown).

    NFC, case fold, single spaces, and each syllable's tone mark moved to one canonical vowel,
    so "Hòa", "HOÀ" and "hoà" (and NFD input) give the same key.
    """
    return " ".join(_place_tone(word) for word in normalise(name).casefold().split(" "))


def ascii_fold(text: str) -> str:
    """``text`` without diacritics (đ -> d), as the MRZ prints names; case is kept."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _place_tone(word: str) -> str:
    """``word`` (lower case) with its single tone mark on the vowel the new style chooses."""
    decomposed = unicodedata.normalize("NFD", word)
    tones = [ch for ch in decomposed if ch in _TONES]
    if len(tones) != 1:
        return word  # no tone, or a malformed syllable: leave it exactly as it came
    letters = unicodedata.normalize("NFC", "".join(ch for ch in decomposed if ch not in _TONES))
    nucleus = _nucleus(letters)
    if nucleus is None:
        return word
    marked = letters[: nucleus + 1] + tones[0] + letters[nucleus + 1 :]
    return unicodedata.normalize("NFC", marked)


def _nucleus(letters: str) -> int | None:
    """The index of the vowel that carries the tone in ``letters`` (a toneless syllable)."""
    start = _vowel_start(letters)
    if start is None:
        return None
    end = start
    while end < len(letters) and letters[end] in _VOWELS:
        end += 1
    cluster = letters[start:end]
    marked = [i for i, ch in enumerate(cluster) if ch in _MARKED_VOWELS]
    if marked:
        return start + marked[-1]
    if end < len(letters) or cluster in _NEW_STYLE_PAIRS:
        return end - 1  # closed syllable (hoàng, thuyết) or new-style pair: the last vowel
    return start + (len(cluster) - 1) // 2  # open: first of two (mùa), middle of three (ngoài)


def _vowel_start(letters: str) -> int | None:
    """Where the vowel cluster starts, skipping the u of "qu" and the i of "gi" + vowel."""
    first = next((i for i, ch in enumerate(letters) if ch in _VOWELS), None)
    if first is None:
        return None
    onset_glide = letters[max(first - 1, 0) : first + 1] in ("qu", "gi")
    if onset_glide and first + 1 < len(letters) and letters[first + 1] in _VOWELS:
        return first + 1
    return first
