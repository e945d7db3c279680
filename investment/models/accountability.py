"""Stored monthly accountability scores (督查督办问责评分), one row per subject, period and
methodology version, written only by the recompute (``investment.accountability``).

Subjects are project leads, zone leaders (一把手), zones and prefectures. Every row carries its
explanation: the components with the ids of the milestones, reports, projects and supervision
items behind them, so a score can always be traced back to the records that produced it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from devzone.access import Role, ScopedQuerySet, ScopePaths, get_scope
from investment.models.projects import Project
from zones.models import Membership, Methodology, Prefecture, ScoreRun, Zone


class SubjectKind(models.TextChoices):
    LEAD = "lead", _("项目负责人")
    ZONE_LEADER = "zone_leader", _("开发区一把手")
    ZONE = "zone", _("开发区")
    PREFECTURE = "prefecture", _("市州")


class ScoreColour(models.TextChoices):
    GREEN = "green", _("绿")
    YELLOW = "yellow", _("黄")
    RED = "red", _("红")


def subject_key(kind: str, subject_id: int) -> str:
    """The unique key of a subject: ``"lead:12"``, ``"zone:5"``, ``"prefecture:3"``."""
    return f"{kind}:{subject_id}"


def subject_id_of(key: str) -> int:
    return int(key.rsplit(":", 1)[1])


class AccountabilityScoreQuerySet(ScopedQuerySet):
    """Zone, lead and zone-leader rows are scoped by their zone, prefecture rows (and rows of a
    subject spanning several zones of one prefecture) by their prefecture.

    A lead or zone leader spanning several zones has no zone of its own (``zone`` is null); such
    a row is also visible to whoever may see one of the projects the lead leads, or one of the
    zones the leader leads, so a zone's staff see every lead of their zone.
    """

    scope_paths = ScopePaths(zone="zone", prefecture="prefecture", province="prefecture__province")

    def for_user(self, user, action: str = "view"):
        scope = get_scope(user)
        q = scope.q(action, self.scope_paths)
        if action in scope.everything or not scope.allows_anywhere(action):
            return self.filter(q)
        led = Project.objects.for_user(user, action).filter(lead__isnull=False).values("lead_id")
        leaders = Membership.objects.filter(
            role=Role.ZONE_LEADER, zone__in=Zone.objects.for_user(user, action).values("pk")
        ).values("user_id")
        q |= Q(subject_kind=SubjectKind.LEAD, zone__isnull=True, user_id__in=led)
        q |= Q(subject_kind=SubjectKind.ZONE_LEADER, zone__isnull=True, user_id__in=leaders)
        return self.filter(q)


class AccountabilityScore(models.Model):
    """A subject's accountability score for one month under one methodology version.

    ``score`` is None when the subject had nothing to be judged on (no data, never 0).
    ``rank`` is the competition rank among the subjects of the same kind in the period (1, 2,
    2, 4); ``previous_score``, ``movement`` and ``rank_movement`` compare with the previous
    month under the same version (positive ``rank_movement``: climbed).
    """

    subject_kind = models.CharField(_("评价对象类型"), max_length=20, choices=SubjectKind.choices)
    subject_key = models.CharField(_("评价对象标识"), max_length=40, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("用户"),
    )
    zone = models.ForeignKey(
        Zone,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("开发区"),
    )
    prefecture = models.ForeignKey(
        Prefecture,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("市州"),
    )
    period = models.DateField(_("评价期"), help_text=_("月份的第一天"))
    methodology = models.ForeignKey(
        Methodology, on_delete=models.PROTECT, related_name="+", verbose_name=_("评价方法版本")
    )
    run = models.ForeignKey(
        ScoreRun,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("计算批次"),
    )
    score = models.DecimalField(
        _("问责得分"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    colour = models.CharField(
        _("等级"), max_length=10, choices=ScoreColour.choices, blank=True, default=""
    )
    components = models.JSONField(_("分项得分"), default=dict)
    based_on = models.JSONField(_("依据的开发区"), default=list, blank=True)
    rank = models.PositiveIntegerField(_("排名"), null=True, blank=True)
    previous_score = models.DecimalField(
        _("上期得分"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    movement = models.DecimalField(
        _("得分变化"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    rank_movement = models.IntegerField(_("名次变化"), null=True, blank=True)
    computed_at = models.DateTimeField(_("计算时间"), default=timezone.now)

    objects = AccountabilityScoreQuerySet.as_manager()

    class Meta:
        ordering = ["-period", "subject_kind", "rank", "subject_key"]
        verbose_name = _("问责评分")
        verbose_name_plural = _("问责评分")
        constraints = [
            models.UniqueConstraint(
                fields=["subject_kind", "subject_key", "period", "methodology"],
                name="accountability_score_unique_subject_period",
            )
        ]
        indexes = [models.Index(fields=["methodology", "period", "subject_kind", "rank"])]

    def __str__(self) -> str:
        return f"{self.get_subject_kind_display()} {self.subject_key} {self.period:%Y-%m}"

    @property
    def subject_id(self) -> int:
        return subject_id_of(self.subject_key)

    @property
    def subject_label(self) -> str:
        """The subject's name (select_related user, zone and prefecture for lists)."""
        if self.subject_kind in (SubjectKind.LEAD, SubjectKind.ZONE_LEADER):
            if self.user is None:
                return self.subject_key
            return self.user.get_full_name() or self.user.get_username()
        if self.subject_kind == SubjectKind.ZONE:
            return self.zone.name if self.zone_id else self.subject_key
        return self.prefecture.name if self.prefecture_id else self.subject_key
