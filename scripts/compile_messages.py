#!/usr/bin/env python3
"""Compile the translations without GNU gettext: every `locale/*/LC_MESSAGES/*.po` under
src/jineng becomes its `.mo` (polib). Commit both.

    .venv/bin/python scripts/compile_messages.py            # compile
    .venv/bin/python scripts/compile_messages.py --check PATH...
        # list the msgids used in the templates and Python files under PATH that
        # src/jineng/locale/en has no translation for (exit 1 if any)

The extractor is a small regex stand-in for `makemessages`: it finds {% translate "…" %},
{% translate '…' %}, {% blocktranslate %}…{% endblocktranslate %} (with {% plural %}) in
templates, and _("…") / gettext("…") / gettext_lazy("…") in Python.
"""

import re
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src" / "jineng"
EN_PO = SRC / "locale" / "en" / "LC_MESSAGES" / "django.po"

TEMPLATE_TRANSLATE = re.compile(r"""\{%\s*(?:translate|trans)\s+(["'])(.+?)\1""")
TEMPLATE_UNDERSCORE = re.compile(r"""_\((["'])(.+?)\1\)""")
TEMPLATE_BLOCK = re.compile(
    r"\{%\s*blocktrans(?:late)?(?P<args>[^%]*)%\}(?P<body>.*?)"
    r"(?:\{%\s*plural\s*%\}(?P<plural>.*?))?\{%\s*endblocktrans(?:late)?\s*%\}",
    re.S,
)
PY_CALL = re.compile(r"""\b(?:_|gettext|gettext_lazy)\(\s*(["'])(.+?)(?<!\\)\1""")
VARIABLE = re.compile(r"\{\{\s*(\w+)\s*\}\}")


def _block_id(text: str) -> str:
    return VARIABLE.sub(r"%(\1)s", text.strip())


def extract(paths) -> set[str]:
    """msgids (plural blocks as their singular) used in the given files or directories."""
    found: set[str] = set()
    files = []
    for p in map(Path, paths):
        files.extend([p] if p.is_file() else sorted(p.rglob("*")))
    for f in files:
        if f.suffix == ".html":
            text = f.read_text(encoding="utf-8")
            found.update(m.group(2) for m in TEMPLATE_TRANSLATE.finditer(text))
            found.update(m.group(2) for m in TEMPLATE_UNDERSCORE.finditer(text))
            found.update(_block_id(m.group("body")) for m in TEMPLATE_BLOCK.finditer(text))
        elif f.suffix == ".py" and "migrations" not in f.parts:
            found.update(m.group(2) for m in PY_CALL.finditer(f.read_text(encoding="utf-8")))
    return found


def missing(paths, po_path: Path = EN_PO) -> list[str]:
    po = polib.pofile(str(po_path))
    done = {e.msgid for e in po if (e.msgstr or e.msgstr_plural.get(0)) and not e.obsolete}
    return sorted(extract(paths) - done)


def compile_all() -> list[Path]:
    written = []
    for po_path in sorted(SRC.rglob("locale/*/LC_MESSAGES/*.po")):
        mo_path = po_path.with_suffix(".mo")
        polib.pofile(str(po_path)).save_as_mofile(str(mo_path))
        written.append(mo_path)
    return written


def main(argv: list[str]) -> int:
    if argv[:1] == ["--check"]:
        gaps = missing(argv[1:] or [SRC])
        for msgid in gaps:
            print(f"未翻译：{msgid}")
        return 1 if gaps else 0
    for mo_path in compile_all():
        print(f"已编译 {mo_path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
