"""The bulk update that an import's confirm step uses: one UPDATE ... FROM (VALUES ...) a batch
must write exactly what a per-row save() would, on SQLite and on PostgreSQL alike."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from devzone import imports_bulk as bulk
from tests.factories import EnterpriseFactory, ZoneFactory
from zones.models import Enterprise

pytestmark = pytest.mark.django_db


def test_changed_columns_of_every_type_are_written_and_others_kept():
    zone = ZoneFactory()
    other_zone = ZoneFactory()
    rows = [
        EnterpriseFactory(zone=zone, name=f"企业{n}", land_area_mu=Decimal("10.5"))
        for n in range(3)
    ]
    stamped = {e.pk: e.updated_at for e in rows}
    first, second, third = rows
    first.name = "改名后的企业"
    first.land_area_mu = Decimal("1234.56")
    first.above_designated_size = True
    first.established_on = datetime.date(2019, 3, 1)
    second.land_area_mu = None  # a null written through a typed VALUES column
    second.zone = other_zone  # a foreign key
    third.name = "只改名称"

    bulk.update(
        Enterprise,
        [
            (first, {"name", "land_area_mu", "above_designated_size", "established_on"}),
            (second, {"land_area_mu", "zone_id"}),
            (third, {"name"}),
        ],
    )

    first.refresh_from_db()
    second.refresh_from_db()
    third.refresh_from_db()
    assert first.name == "改名后的企业"
    assert first.land_area_mu == Decimal("1234.56")
    assert first.above_designated_size is True
    assert first.established_on == datetime.date(2019, 3, 1)
    assert second.land_area_mu is None and second.zone_id == other_zone.pk
    assert second.name == "企业1"
    assert third.name == "只改名称" and third.land_area_mu == Decimal("10.5")
    assert all(e.updated_at > stamped[e.pk] for e in (first, second, third))


def test_a_batch_larger_than_one_statement_is_split_and_fully_written():
    zone = ZoneFactory()
    rows = Enterprise.objects.bulk_create(
        [
            EnterpriseFactory.build(zone=zone, land_area_mu=Decimal(n))
            for n in range(bulk.UPDATE_CHUNK + 37)
        ]
    )
    for enterprise in rows:
        enterprise.land_area_mu = enterprise.land_area_mu + Decimal("0.25")

    bulk.update(Enterprise, [(e, {"land_area_mu"}) for e in rows])

    stored = dict(Enterprise.objects.filter(zone=zone).values_list("pk", "land_area_mu"))
    assert stored == {e.pk: e.land_area_mu for e in rows}


def test_an_update_of_a_row_deleted_meanwhile_fails_instead_of_writing_less():
    zone = ZoneFactory()
    kept, gone = EnterpriseFactory(zone=zone), EnterpriseFactory(zone=zone)
    Enterprise.objects.filter(pk=gone.pk).delete()
    kept.name = gone.name = "不应写入"

    with pytest.raises(RuntimeError, match="wrote 1 rows"):
        bulk.update(Enterprise, [(kept, {"name"}), (gone, {"name"})])
