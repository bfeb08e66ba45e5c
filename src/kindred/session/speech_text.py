"""Numbers and times the way a person says them: "about twelve minutes", "your second session"."""

from __future__ import annotations

_ONES = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
         "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
         "eighteen", "nineteen"]
_TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
_ORDINAL_ONES = {"one": "first", "two": "second", "three": "third", "five": "fifth",
                 "eight": "eighth", "nine": "ninth", "twelve": "twelfth"}


def number_words(n: int) -> str:
    """0..999 in words ("forty-two"); larger numbers as digits."""
    if n < 0 or n > 999:
        return str(n)
    if n < 20:
        return _ONES[n]
    if n < 100:
        tens, ones = divmod(n, 10)
        return _TENS[tens] + (f"-{_ONES[ones]}" if ones else "")
    hundreds, rest = divmod(n, 100)
    return f"{_ONES[hundreds]} hundred" + (f" and {number_words(rest)}" if rest else "")


def ordinal_words(n: int) -> str:
    """1 -> "first", 22 -> "twenty-second"."""
    words = number_words(n)
    head, sep, last = words.rpartition("-") if "-" in words else ("", "", words)
    if last in _ORDINAL_ONES:
        last = _ORDINAL_ONES[last]
    elif last.endswith("y"):
        last = last[:-1] + "ieth"
    else:
        last += "th"
    return f"{head}{sep}{last}"


def time_phrase(seconds: float) -> str:
    """A natural, rounded amount of time: "about twelve minutes", "just under a minute"."""
    if seconds < 45:
        return "less than a minute"
    if seconds < 60:
        return "just under a minute"
    if seconds < 90:
        return "about one minute"
    return f"about {number_words(max(2, round(seconds / 60)))} minutes"


def time_phrases(from_s: float, to_s: float) -> list[str]:
    """Every phrase time_phrase() gives between from_s and to_s seconds, shortest first
    (sampled every 5 s: each phrase covers at least 15 s)."""
    out: dict[str, None] = {}
    for tenth in range(int(from_s * 10), int(to_s * 10) + 1, 50):
        out.setdefault(time_phrase(tenth / 10), None)
    out.setdefault(time_phrase(to_s), None)
    return list(out)


def clock_stamp(seconds: float) -> str:
    """Session time for transcripts: MM:SS (minutes may exceed 59)."""
    whole = int(round(seconds))
    return f"{whole // 60:02d}:{whole % 60:02d}"


def capitalize_first(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text
