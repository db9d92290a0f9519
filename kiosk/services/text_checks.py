"""What "looks like code" means for text people type into Balai (complaints, polls, budget lines).

Such text is refused, not cleaned: nothing a resident or an operator means to say needs `<script>` or
`' OR 1=1 --`, and silently changing their words would be worse than asking again. Pages show stored text as
text anyway (labels, autoescaped templates) and every query is parameterised, so this is a second wall, not
the only one. Ordinary punctuation stays allowed: "jalan rusak < 5 m & licin", "2024--2025", "A & B".

One definition for every form, so a pattern learnt from one attack protects all of them.
"""

from __future__ import annotations

import re

MARKUP = re.compile(
    r"</?[a-z!?]"                             # a tag, a comment or a doctype opener: <b>, </div, <!--, <?php
                                              # (browsers need the name right after "<": "< Rp 5.000" is text)
    r"|&lt;|&#"                               # an entity-escaped tag
    r"|javascript\s*:|vbscript\s*:|data\s*:\s*text/html"
    r"|\bon[a-z]{3,20}\s*=",                  # onerror=, onclick=
    re.IGNORECASE)
SQL = re.compile(
    r"\bunion\s+(all\s+)?select\b|\bselect\b.+\bfrom\b|\bdrop\s+(table|database)\b|\binsert\s+into\b"
    r"|\bdelete\s+from\b|\bupdate\s+\w+\s+set\b|\balter\s+table\b|\btruncate\s+table\b|\bxp_cmdshell\b"
    r"|\bexec(ute)?\s*\(|\bsleep\s*\(\s*\d"
    r"|;\s*(select|insert|update|delete|drop|alter|create|exec|union|truncate)\b"
    r"|['\"]\s*(or|and)\s+['\"]?\w+['\"]?\s*=\s*['\"]?\w+|;\s*--|'\s*--|--\s*$|/\*|\*/",
    re.IGNORECASE | re.DOTALL)
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def code_in(text: str) -> str | None:
    """'markup' or 'sql' when the text carries either, else None (the caller names the field in its message)."""
    if MARKUP.search(text):
        return "markup"
    if SQL.search(text):
        return "sql"
    return None
