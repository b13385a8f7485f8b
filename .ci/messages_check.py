"""Fail when ``makemessages`` changed what locale/ says, not how it is laid out.

Usage: messages_check.py COMMITTED.po REGENERATED.po

The catalogue is edited by hand and with polib, which wrap lines and order
entries differently from msgmerge, and every run stamps a new
POT-Creation-Date: a plain ``git diff`` would fail on layout alone. This
compares the entries instead: the same messages, the same translations,
none fuzzy or untranslated.
"""

import sys

import polib


def entries(path: str) -> dict:
    catalogue = polib.pofile(path)
    return {
        (entry.msgctxt, entry.msgid, entry.msgid_plural): (
            entry.msgstr,
            tuple(sorted(entry.msgstr_plural.items())),
            entry.fuzzy,
        )
        for entry in catalogue
        if not entry.obsolete
    }


def main(committed_path: str, regenerated_path: str) -> int:
    committed, regenerated = entries(committed_path), entries(regenerated_path)
    problems = []
    for key in regenerated.keys() - committed.keys():
        problems.append(f"new string, not in the committed catalogue: {key[1]!r}")
    for key in committed.keys() - regenerated.keys():
        problems.append(f"string no longer in the code: {key[1]!r}")
    for key in committed.keys() & regenerated.keys():
        if committed[key] != regenerated[key]:
            problems.append(f"translation changed by makemessages: {key[1]!r}")
    for key, (msgstr, plurals, fuzzy) in regenerated.items():
        if fuzzy or not (msgstr or any(text for _index, text in plurals)):
            problems.append(f"fuzzy or untranslated: {key[1]!r}")
    for problem in sorted(problems):
        print(problem)
    if problems:
        print(
            f"{len(problems)} problem(s): run `make messages`, translate, and commit locale/.",
            file=sys.stderr,
        )
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
