"""The English catalog: complete, up to date with the code, and used when the user picks English.

Simplified Chinese is the source language; locale/en/LC_MESSAGES/django.po holds the English.
The compiled .mo is built at setup (``make run`` / ``make test``), not committed; the
``english_catalog`` fixture compiles it when it is missing or older than the .po, so a plain
``pytest`` works too.
"""

from __future__ import annotations

import ast
import contextlib
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.utils.translation.reloader import translation_file_changed

EN_PO = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.po"
HAN = re.compile(r"[\u4e00-\u9fff]")
# %(name)s, %s, %d ... (python-format), {name} (python-brace-format) and HTML tags (a known
# element name, so that "Token <令牌>" / "Token <token>" is text, not a tag).
PLACEHOLDER = re.compile(
    r"%\(\w+\)[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]|%[sd]|\{\w*\}"
    r"|</?(?:a|abbr|b|br|code|div|em|i|kbd|li|ol|p|small|span|strong|sub|sup|ul)\b[^<>]*>"
)
MAKEMESSAGES_IGNORES = (".venv", "node_modules", "var", "tests", "bench")
NO_GETTEXT = (
    "GNU gettext ({tool}) is not installed; `make test` installs it (or: apt-get install gettext)."
)


# --- a small .po reader (no polib dependency) --------------------------------------------------


def read_po(path: Path) -> list[dict]:
    """The catalog's live entries (obsolete ``#~`` entries skipped), header included.

    Each entry: ``msgid``, optional ``msgid_plural``, ``msgstr`` ({index: text}), ``flags``.
    """
    entries: list[dict] = []
    entry: dict | None = None
    key = None

    def finish():
        nonlocal entry, key
        if entry is not None and "msgid" in entry:
            entries.append(entry)
        entry, key = None, None

    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#~"):
            if not line.strip():
                finish()
            continue
        starts_entry = line.startswith("#") or line.startswith("msgid ")
        if entry is not None and entry["msgstr"] and starts_entry:
            finish()
        if entry is None:
            entry = {"flags": set(), "msgstr": {}}
        if line.startswith("#,"):
            entry["flags"] |= {flag.strip() for flag in line[2:].split(",")}
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            text = ast.literal_eval(line)
            if isinstance(key, int):
                entry["msgstr"][key] += text
            else:
                entry[key] += text
        else:
            keyword, rest = line.split(" ", 1)
            text = ast.literal_eval(rest)
            plural = re.fullmatch(r"msgstr\[(\d+)\]", keyword)
            if plural or keyword == "msgstr":
                key = int(plural.group(1)) if plural else 0
                entry["msgstr"][key] = text
            else:
                key = keyword
                entry[key] = text
    finish()
    return entries


def messages(path: Path) -> list[dict]:
    return [entry for entry in read_po(path) if entry["msgid"]]


def placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text))


# --- the compiled catalog ----------------------------------------------------------------------


@pytest.fixture(scope="session")
def english_catalog():
    """Compile the project's .po files when a .mo is missing or older than its .po."""
    stale = [
        po
        for locale_dir in settings.LOCALE_PATHS
        for po in Path(locale_dir).rglob("*.po")
        if not po.with_suffix(".mo").exists()
        or po.with_suffix(".mo").stat().st_mtime < po.stat().st_mtime
    ]
    if stale:
        if shutil.which("msgfmt") is None:
            pytest.fail(NO_GETTEXT.format(tool="msgfmt"))
        try:
            with contextlib.chdir(settings.BASE_DIR):
                call_command(
                    "compilemessages", ignore_patterns=[".venv", "node_modules"], verbosity=0
                )
        except CommandError as error:
            pytest.fail(f"compilemessages failed: {error}")
        # Django caches catalogs per process: drop them so the new .mo is read.
        translation_file_changed(sender=None, file_path=stale[0].with_suffix(".mo"))


# --- the catalog itself ------------------------------------------------------------------------


def test_every_english_message_is_translated_and_not_fuzzy():
    entries = read_po(EN_PO)
    assert "fuzzy" not in entries[0]["flags"], "the catalog's header is still marked fuzzy"
    problems = []
    for entry in messages(EN_PO):
        if "fuzzy" in entry["flags"]:
            problems.append(f"fuzzy: {entry['msgid']!r}")
        if not all(entry["msgstr"].values()):
            problems.append(f"empty msgstr: {entry['msgid']!r}")
    assert not problems, "\n".join(problems)
    assert len(messages(EN_PO)) > 300


def test_english_messages_keep_the_placeholders_and_html_of_the_chinese():
    problems = []
    for entry in messages(EN_PO):
        for index, text in entry["msgstr"].items():
            source = entry["msgid"] if index == 0 else entry.get("msgid_plural", entry["msgid"])
            if placeholders(text) != placeholders(source) and not (
                "msgid_plural" in entry and placeholders(text) == placeholders(entry["msgid"])
            ):
                problems.append(
                    f"{entry['msgid']!r}: {placeholders(text)} != {placeholders(source)}"
                )
    assert not problems, "\n".join(problems)


def test_english_messages_contain_no_chinese():
    leftovers = [
        entry["msgid"]
        for entry in messages(EN_PO)
        if any(HAN.search(text) for text in entry["msgstr"].values())
    ]
    assert not leftovers, leftovers


def test_the_catalog_has_every_string_marked_in_the_code(tmp_path):
    """makemessages on a copy of the project finds no message the committed .po lacks."""
    for tool in ("xgettext", "msgmerge", "msguniq"):
        if shutil.which(tool) is None:
            pytest.fail(NO_GETTEXT.format(tool=tool))
    base = Path(settings.BASE_DIR)
    copy = tmp_path / "project"
    shutil.copytree(
        base,
        copy,
        ignore=shutil.ignore_patterns(
            *MAKEMESSAGES_IGNORES, ".git", "__pycache__", "*.mo", ".*_cache", "*.egg-info", "build"
        ),
    )
    ignores = [arg for name in MAKEMESSAGES_IGNORES for arg in ("--ignore", name)]
    env = {**os.environ, "DEVZONE_VAR_DIR": str(tmp_path / "var")}
    result = subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "en", *ignores],
        cwd=copy,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    committed = {entry["msgid"] for entry in messages(EN_PO)}
    regenerated = {entry["msgid"] for entry in messages(copy / EN_PO.relative_to(base))}
    missing = sorted(regenerated - committed)
    assert not missing, (
        "locale/en/LC_MESSAGES/django.po lacks these strings; run makemessages and translate "
        "them (docs/i18n.md):\n" + "\n".join(missing)
    )


# --- the pages ---------------------------------------------------------------------------------


def _navigation(html: str) -> str:
    nav = re.search(r"<nav\b.*?</nav>", html, re.S)
    assert nav, "the page has no navigation bar"
    # the language switch names Chinese in Chinese on purpose
    return re.sub(r"<form[^>]*dz-lang.*?</form>", "", nav.group(0), flags=re.S)


def _column_headings(html: str) -> list[str]:
    thead = re.search(r"<thead\b.*?</thead>", html, re.S)
    assert thead, "the zone list has no table head"
    cells = re.findall(r"<th\b[^>]*>(.*?)</th>", thead.group(0), re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", cell).split()) for cell in cells]


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


@pytest.mark.django_db
def test_a_user_who_chose_english_gets_the_zone_list_in_english(english_catalog, cast, client):
    client.force_login(cast.staff_a)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get("/zones/")
    assert response.status_code == 200
    assert response.headers["Content-Language"] == "en"
    html = response.content.decode()

    navigation = _text(_navigation(html))
    for label in ("Home", "Development zone", "Enterprises", "Indicators", "Zone staff", "Log out"):
        assert label in navigation
    assert not HAN.search(navigation), navigation

    headings = _column_headings(html)
    for heading in ("Code", "Name", "Type", "Prefecture", "Year founded", "Leading industry"):
        assert heading in headings
    assert not any(HAN.search(heading) for heading in headings), headings
    assert "Development zone directory" in html
    assert "测试开发区A" in html  # data stays as entered


@pytest.mark.django_db
def test_without_the_language_cookie_the_zone_list_stays_chinese(english_catalog, cast, client):
    client.force_login(cast.staff_a)
    response = client.get("/zones/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response.headers["Content-Language"] == "zh-hans"
    html = response.content.decode()

    navigation = _text(_navigation(html))
    for label in ("首页", "开发区", "企业", "指标", "园区工作人员", "退出登录"):
        assert label in navigation
    assert "Enterprises" not in navigation

    headings = _column_headings(html)
    for heading in ("编码", "名称", "类型", "所属市州", "设立年份", "首位产业"):
        assert heading in headings
    assert "开发区名录" in html
