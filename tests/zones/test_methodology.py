"""Methodology versions are data: validated section by section, one active, frozen once they
have produced results, changed only by deriving a new version; and the chain templates."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from tests.factories import UserFactory, ZoneFactory
from zones import methodology as methods
from zones.chains import CHAINS_FILE, load_chain_templates, read_chains
from zones.models import (
    Capacity,
    ChainLink,
    ChainTemplate,
    Industry,
    Methodology,
    ZoneScore,
)

pytestmark = pytest.mark.django_db

INDICATOR = {
    "code": "tax_per_mu",
    "name": "亩均税收",
    "capacity": "resource",
    "formula": "税收收入 ÷ 供地面积",
    "unit": "万元/亩",
    "direction": "higher",
    "weight": 1,
    "normalisation": "minmax_floor",
    "data_source": "开发区年度指标",
}


def test_a_new_install_has_the_documented_default_version_active():
    version = Methodology.objects.get(version=methods.DEFAULT_VERSION)  # the data migration
    assert version.is_active and version.activated_at is not None
    assert methods.parameter_problems(version.parameters) == []
    assert (
        set(version.parameters)
        == set(methods.SECTIONS)
        >= {
            "stage",
            "capacities",
            "quadrant",
            "land",
            "accountability",
        }
    )
    capacities = set(version.indicators.values_list("capacity", flat=True))
    assert capacities == {c.value for c in Capacity}
    again = methods.create_default_version([INDICATOR])  # idempotent: nothing added
    assert again.pk == version.pk
    assert not version.indicators.filter(code="tax_per_mu", name="亩均税收", weight=1).exists()


def test_the_default_version_is_created_and_activated_when_missing():
    Methodology.objects.all().delete()
    version = methods.create_default_version([INDICATOR])
    assert version.is_active and version.indicators.get().code == "tax_per_mu"


def test_only_one_version_can_be_active_at_a_time():
    first = methods.create_default_version()
    second = methods.derive_version(None, first, "2026.2")
    with pytest.raises(IntegrityError), transaction.atomic():
        Methodology.objects.filter(pk=second.pk).update(is_active=True)

    methods.activate(second)

    first.refresh_from_db()
    assert not first.is_active and second.is_active
    assert methods.active_methodology() == second


def test_a_derived_version_copies_parameters_and_indicators_and_names_its_origin():
    admin = UserFactory(username="methodology_admin")
    source = methods.create_default_version([INDICATOR])
    derived = methods.derive_version(admin, source, "2026.2", "调整权重")
    assert derived.based_on == source and derived.created_by == admin
    assert derived.parameters == source.parameters and not derived.is_active
    assert list(derived.indicators.values_list("code", "weight")) == list(
        source.indicators.values_list("code", "weight")
    )
    derived.parameters["stage"]["core_min_leading_share"] = 0.5  # the copy is independent
    derived.save()
    source.refresh_from_db()
    assert source.parameters["stage"]["core_min_leading_share"] == 0.4


def test_a_taken_version_number_is_refused():
    source = methods.create_default_version()
    with pytest.raises(ValidationError) as error:
        methods.derive_version(None, source, source.version)
    assert "已存在" in str(error.value)


def test_a_version_that_produced_results_is_frozen():
    version = methods.create_default_version()
    methods.ensure_editable(version)  # no results yet: editable
    ZoneScore.objects.create(
        zone=ZoneFactory(),
        period=datetime.date(2026, 10, 1),
        methodology=version,
        stage="agglomerating",
    )
    with pytest.raises(ValidationError) as error:
        methods.ensure_editable(version)
    assert "已产生评价结果" in str(error.value)


@pytest.mark.parametrize(
    ("parameters", "problem"),
    [
        ([], "parameters: expected an object"),
        ({"surprise": {}}, "surprise: unknown section"),
        ({"stage": "strict"}, "stage: expected an object"),
        ({"stage": None}, "stage: expected an object"),
    ],
)
def test_malformed_parameters_are_refused_with_the_section_named(parameters, problem):
    problems = methods.parameter_problems(parameters)
    assert any(p.startswith(problem) for p in problems), problems


def test_a_version_stored_before_a_section_existed_is_valid_and_takes_its_defaults():
    stored = methods.default_parameters()
    del stored["promise"]  # as the default version of an install older than the section
    assert methods.parameter_problems(stored) == []
    assert methods.parameter_problems({}) == []  # every section at its defaults
    version = Methodology(version="old", parameters=stored)
    assert version.section("promise") == {}  # the scoring module overlays it on its defaults


def test_a_bad_threshold_is_refused_on_activation_and_nothing_changes():
    active = methods.create_default_version()
    draft = methods.derive_version(None, active, "2026.9")
    draft.parameters["stage"]["core_min_leading_share"] = 40  # a percent typed as a share
    draft.save()
    with pytest.raises(ValidationError) as error:
        methods.activate(draft)
    assert "core_min_leading_share" in str(error.value)
    active.refresh_from_db()
    draft.refresh_from_db()
    assert active.is_active and not draft.is_active


def test_every_chain_template_of_the_file_is_loaded_with_links_in_three_segments():
    chains = read_chains(CHAINS_FILE)
    assert ChainTemplate.objects.count() == len(chains) >= 11  # the data migration loaded them
    for entry in chains:
        template = ChainTemplate.objects.get(industry__code=entry["code"])
        assert template.links.count() == len(entry["links"])
        assert set(template.links.values_list("segment", flat=True)) == {
            "upstream",
            "midstream",
            "downstream",
        }


def test_loading_the_chains_again_changes_nothing_and_keeps_links_in_use():
    links_before = ChainLink.objects.count()
    link = ChainLink.objects.first()
    load_chain_templates()
    assert ChainLink.objects.count() == links_before
    assert ChainLink.objects.filter(pk=link.pk).exists()
    assert Industry.objects.filter(code="jiangxiang_baijiu").exists()


def test_a_malformed_chain_file_fails_loudly(tmp_path):
    bad = tmp_path / "chains.yaml"
    bad.write_text(
        "industries:\n  - code: x\n    name: 某产业\n    links:\n      - {segment: top, name: a}\n"
    )
    with pytest.raises(ValueError, match="bad link"):
        read_chains(bad)


# --- the admin ----------------------------------------------------------------------------


def admin_action(client, action: str, *versions: Methodology):
    from django.urls import reverse

    return client.post(
        reverse("admin:zones_methodology_changelist"),
        {"action": action, "_selected_action": [v.pk for v in versions]},
        follow=True,
    )


def test_the_administrator_derives_and_activates_a_version_in_the_admin(
    client_for, cast, django_capture_on_commit_callbacks
):
    from zones.models import ScoreRun

    client = client_for(cast.admin)
    active = Methodology.objects.get(is_active=True)
    admin_action(client, "derive", active)
    derived = Methodology.objects.get(based_on=active)
    assert derived.indicators.count() == active.indicators.count()

    with django_capture_on_commit_callbacks() as callbacks:
        response = admin_action(client, "activate", derived)

    assert "全部开发区的评价将在后台重新计算" in response.content.decode()
    derived.refresh_from_db()
    assert derived.is_active and not Methodology.objects.get(pk=active.pk).is_active
    assert ScoreRun.objects.filter(kind="activation", methodology=derived).count() == 1
    assert len(callbacks) == 1


def test_a_version_with_results_cannot_be_changed_in_the_admin(client_for, cast):
    from django.urls import reverse

    version = Methodology.objects.get(is_active=True)
    ZoneScore.objects.create(
        zone=cast.zone_a, period=datetime.date(2026, 10, 1), methodology=version, stage="core"
    )
    parameters = dict(version.parameters)
    url = reverse("admin:zones_methodology_change", args=[version.pk])
    response = client_for(cast.admin).post(url, {"version": "x", "name": "x", "parameters": "{}"})
    assert response.status_code == 403
    version.refresh_from_db()
    assert version.parameters == parameters and version.version == methods.DEFAULT_VERSION


def test_zone_staff_cannot_reach_the_methodology_admin(client_for, cast):
    from django.urls import reverse

    response = client_for(cast.staff_a).get(reverse("admin:zones_methodology_changelist"))
    assert response.status_code == 302  # to the admin login
