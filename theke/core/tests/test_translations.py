"""The English catalog is complete, compiled, and actually used for English visitors."""

from __future__ import annotations

import ast
import contextlib
import gettext
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse

CATALOG_DIR = Path(settings.LOCALE_PATHS[0]) / "en" / "LC_MESSAGES"
PO_FILE = CATALOG_DIR / "django.po"
MO_FILE = CATALOG_DIR / "django.mo"
SOURCE_DIR = Path(settings.LOCALE_PATHS[0]).parent  # theke/, where `make messages` runs
# The files makemessages reads for the "django" domain (html, txt, py).
SOURCE_SUFFIXES = {".py", ".html", ".txt"}
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")


@dataclass
class Entry:
    flags: set[str] = field(default_factory=set)
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    obsolete: bool = False


def parse_po(path: Path) -> list[Entry]:
    """A minimal .po reader (stdlib only): flags, msgid, msgid_plural and msgstr[n]."""
    entries: list[Entry] = []
    entry = Entry()
    target: tuple[str, int] | None = None

    def finish() -> None:
        nonlocal entry, target
        if target is not None:
            entries.append(entry)
        entry, target = Entry(), None

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            finish()
        elif line.startswith("#~"):
            entry.obsolete = True
        elif line.startswith("#,"):
            entry.flags.update(flag.strip() for flag in line[2:].split(","))
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            assert target is not None, f"continuation line without keyword: {raw!r}"
            text = ast.literal_eval(line)
            kind, index = target
            if kind == "msgstr":
                entry.msgstr[index] += text
            else:
                setattr(entry, kind, (getattr(entry, kind) or "") + text)
        else:
            keyword, _, value = line.partition(" ")
            text = ast.literal_eval(value)
            if keyword in ("msgid", "msgid_plural"):
                setattr(entry, keyword, text)
                target = (keyword, 0)
            elif match := re.fullmatch(r"msgstr(?:\[(\d+)\])?", keyword):
                index = int(match.group(1) or 0)
                entry.msgstr[index] = text
                target = ("msgstr", index)
            else:
                raise AssertionError(f"unexpected line in {path.name}: {raw!r}")
    finish()
    return [e for e in entries if not e.obsolete]


@pytest.fixture(scope="module")
def entries() -> list[Entry]:
    return [e for e in parse_po(PO_FILE) if e.msgid]  # without the header


def test_catalog_has_entries(entries):
    assert len(entries) > 100


def test_no_entry_is_fuzzy(entries):
    header = parse_po(PO_FILE)[0]
    fuzzy = [e.msgid for e in entries if "fuzzy" in e.flags]
    assert "fuzzy" not in header.flags
    assert fuzzy == []


def test_every_entry_is_translated(entries):
    untranslated = []
    for e in entries:
        forms = 2 if e.msgid_plural is not None else 1
        if len(e.msgstr) != forms or not all(e.msgstr.values()):
            untranslated.append(e.msgid)
    assert untranslated == []


def test_translations_keep_placeholders_and_surrounding_whitespace(entries):
    broken = []
    for e in entries:
        sources = [e.msgid] if e.msgid_plural is None else [e.msgid, e.msgid_plural]
        for index, translation in e.msgstr.items():
            source = sources[min(index, len(sources) - 1)]
            same_placeholders = sorted(PLACEHOLDER.findall(source)) == sorted(
                PLACEHOLDER.findall(translation)
            )
            same_edges = (source[:1].isspace(), source[-1:].isspace()) == (
                translation[:1].isspace(),
                translation[-1:].isspace(),
            )
            if not (same_placeholders and same_edges):
                broken.append(source)
    assert broken == []


def extract_msgids(tmp_path: Path) -> list[Entry]:
    """Run makemessages like `make messages` does, on a copy of the source tree.

    The copy gets an empty locale directory of its own, so the committed catalog is never
    touched and the result is exactly the set of strings the source code asks for.
    """
    if shutil.which("xgettext") is None:
        pytest.fail("GNU gettext (xgettext) is needed: apt-get install gettext")
    copy = tmp_path / SOURCE_DIR.name
    for source in SOURCE_DIR.rglob("*"):
        relative = source.relative_to(SOURCE_DIR)
        if (
            source.suffix in SOURCE_SUFFIXES
            and source.is_file()
            and relative.parts[0] != "locale"
            and "__pycache__" not in relative.parts
        ):
            target = copy / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
    locale = copy / "locale"
    (locale / "en" / "LC_MESSAGES").mkdir(parents=True)
    with override_settings(LOCALE_PATHS=[locale]), contextlib.chdir(copy):
        call_command("makemessages", locale=["en"], no_location=True, verbosity=0)
    return [e for e in parse_po(locale / "en" / "LC_MESSAGES" / "django.po") if e.msgid]


def test_every_source_string_is_in_the_catalog(entries, tmp_path):
    """Every string makemessages extracts from the source is in the catalog, translated.

    The checks above only see entries already in the .po; this one also catches strings
    that were added to the code without running `make messages`.
    """
    catalog = {(e.msgid, e.msgid_plural): e for e in entries}
    missing, untranslated = [], []
    for e in extract_msgids(tmp_path):
        known = catalog.get((e.msgid, e.msgid_plural))
        if known is None:
            missing.append(e.msgid)
        elif "fuzzy" in known.flags or not all(known.msgstr.values()):
            untranslated.append(e.msgid)
    if missing or untranslated:
        pytest.fail(
            f"{len(missing)} source strings are missing from the English catalog and "
            f"{len(untranslated)} are untranslated or fuzzy there. Run `make messages`, "
            f"translate them in {PO_FILE.relative_to(SOURCE_DIR.parent)} and run "
            "`make messages` again to compile:\n"
            + "".join(f"  missing: {msgid!r}\n" for msgid in missing)
            + "".join(f"  untranslated or fuzzy: {msgid!r}\n" for msgid in untranslated),
            pytrace=False,
        )


def test_compiled_catalog_matches_po(entries):
    """The .mo must be compiled from the current .po (run compilemessages after editing)."""
    with MO_FILE.open("rb") as fp:
        compiled = gettext.GNUTranslations(fp)
    stale = []
    for e in entries:
        if e.msgid_plural is None:
            ok = compiled.gettext(e.msgid) == e.msgstr[0]
        else:
            ok = (
                compiled.ngettext(e.msgid, e.msgid_plural, 1) == e.msgstr[0]
                and compiled.ngettext(e.msgid, e.msgid_plural, 2) == e.msgstr[1]
            )
        if not ok:
            stale.append(e.msgid)
    assert stale == []


@pytest.mark.django_db
def test_login_page_in_english(client):
    response = client.get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "Log in" in html
    assert "Forgot your password?" in html
    assert "Anmelden" not in html


@pytest.mark.django_db
def test_login_page_in_german(client):
    response = client.get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE="de")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="de">' in html
    assert "Anmelden" in html
    assert "Log in" not in html
