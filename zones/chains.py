"""Chain templates of the leading industries (产业链图谱), loaded from data/chains.yaml.

The file holds researched chains (links by segment, with sources) for Guizhou's main leading
industries; its industry codes are ``zones.Industry`` codes. Loading is idempotent: a template's
links are matched by name, new links are added, and the order and English names follow the
file. A link that left the file is kept while enterprises point at it, so no recorded fact is
lost.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

CHAINS_FILE = Path(__file__).resolve().parent.parent / "data" / "chains.yaml"
SEGMENTS = ("upstream", "midstream", "downstream")


def read_chains(path: Path = CHAINS_FILE) -> list[dict[str, Any]]:
    """The industries of the file, each with its links; a malformed file fails loudly."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    industries = data.get("industries")
    if not isinstance(industries, list):
        raise ValueError(f"{path}: expected a list under 'industries'")
    for entry in industries:
        code = entry.get("code")
        links = entry.get("links") or []
        if not code or not entry.get("name") or not links:
            raise ValueError(f"{path}: industry {code!r} needs code, name and links")
        for link in links:
            if link.get("segment") not in SEGMENTS or not link.get("name"):
                raise ValueError(f"{path}: industry {code}: bad link {link!r}")
    return industries


def load_chain_templates(apps=None, path: Path = CHAINS_FILE) -> tuple[int, int]:
    """Create or update the templates and links of the file; returns (templates, links) written.

    ``apps`` is a migration's app registry (historical models) or None for the current models.
    An industry of the file that is not in the database yet is created with the file's name.
    """
    if apps is None:
        from django.apps import apps as current

        apps = current
    Industry = apps.get_model("zones", "Industry")
    ChainTemplate = apps.get_model("zones", "ChainTemplate")
    ChainLink = apps.get_model("zones", "ChainLink")
    templates = links = 0
    for entry in read_chains(path):
        industry, _created = Industry.objects.get_or_create(
            code=entry["code"], defaults={"name": entry["name"]}
        )
        template, _created = ChainTemplate.objects.update_or_create(
            industry=industry, defaults={"source": entry.get("source", "")}
        )
        templates += 1
        for order, link in enumerate(entry["links"], start=1):
            ChainLink.objects.update_or_create(
                template=template,
                name=link["name"],
                defaults={
                    "segment": link["segment"],
                    "name_en": link.get("en", ""),
                    "order": order,
                },
            )
            links += 1
    return templates, links
