"""Evidence files (佐证材料, 留痕) attached to a milestone, a monthly progress report or an
exemption request.

The file is stored under a name the server generates (``evidence/<zone code>/<yyyy>/<mm>/
<uuid4><ext>``, the extension that of the kind detected from the content); the user's file name
is kept, sanitised, in ``original_name`` for display and for the download's file name only.
Files are never served from MEDIA_URL: the download view looks the row up in the user's scope.
Rows are written only through ``investment.services.attach_evidence`` and ``delete_evidence``.
"""

from __future__ import annotations

import re
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from devzone.access import ScopedQuerySet
from devzone.uploads import CONTENT_TYPE_EXTENSION
from investment.models.projects import Milestone, ProgressReport, _zone_paths
from investment.models.supervision import Exemption
from zones.models import Zone

TARGET_FIELDS = ("milestone", "report", "exemption")


def evidence_upload_path(instance: Evidence, filename: str) -> str:
    """A server-side name; ``filename`` (the user's) is ignored on purpose."""
    code = re.sub(r"[^A-Za-z0-9_-]", "_", instance.zone.code) or "zone"
    extension = CONTENT_TYPE_EXTENSION.get(instance.content_type, ".bin")
    now = timezone.localtime()
    return f"evidence/{code}/{now:%Y}/{now:%m}/{uuid.uuid4().hex}{extension}"


class EvidenceQuerySet(ScopedQuerySet):
    scope_paths = _zone_paths("")


class Evidence(models.Model):
    """One evidence file of exactly one milestone, progress report or exemption request.

    ``zone`` repeats the target's zone so that scoping is one filter; the service sets it from
    the target. ``content_type``, ``size`` and ``sha256`` describe the stored bytes as checked
    by ``devzone.uploads.check_upload``.
    """

    zone = models.ForeignKey(
        Zone, on_delete=models.PROTECT, related_name="evidence", verbose_name=_("开发区")
    )
    milestone = models.ForeignKey(
        Milestone,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="evidence",
        verbose_name=_("节点"),
    )
    report = models.ForeignKey(
        ProgressReport,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="evidence",
        verbose_name=_("进展月报"),
    )
    exemption = models.ForeignKey(
        Exemption,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="evidence_files",
        verbose_name=_("容错免责申请"),
    )
    file = models.FileField(_("文件"), upload_to=evidence_upload_path, max_length=200)
    original_name = models.CharField(_("原文件名"), max_length=255)
    content_type = models.CharField(_("文件类型"), max_length=100)
    size = models.PositiveBigIntegerField(_("大小（字节）"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    description = models.CharField(_("说明"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("上传人"),
    )
    uploaded_at = models.DateTimeField(_("上传时间"), default=timezone.now, editable=False)

    objects = EvidenceQuerySet.as_manager()

    class Meta:
        ordering = ["uploaded_at", "pk"]
        verbose_name = _("佐证材料")
        verbose_name_plural = _("佐证材料")
        indexes = [models.Index(fields=["zone", "uploaded_at"])]
        constraints = [
            models.CheckConstraint(
                name="evidence_one_target",
                condition=(
                    Q(milestone__isnull=False) & Q(report__isnull=True) & Q(exemption__isnull=True)
                )
                | (Q(milestone__isnull=True) & Q(report__isnull=False) & Q(exemption__isnull=True))
                | (Q(milestone__isnull=True) & Q(report__isnull=True) & Q(exemption__isnull=False)),
                violation_error_message=_(
                    "佐证材料须属于一个节点、一份进展月报或一项容错免责申请。"
                ),
            )
        ]

    def __str__(self) -> str:
        return self.original_name

    @property
    def target(self) -> Milestone | ProgressReport | Exemption | None:
        for name in TARGET_FIELDS:
            if getattr(self, f"{name}_id"):
                return getattr(self, name)
        return None
