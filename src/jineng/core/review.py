"""Review chains: filings and claims of every app go through configured steps.

An app registers each kind of filing in its AppConfig.ready() with `register_review_kind`
(how to find the subject's region, what to do on approval, return and rejection) and calls
`review_submit` when the filing is made; officers decide with `review_decide`. The chain of a
kind is data (`ReviewChain` and its `ReviewStep`s: a permission and a region level each), the
one at the subject's region or the nearest region above, else the default shipped for the
kind; a province officer edits it with `review_chain_save`.

Maker-checker: whoever submitted a review, or decided an earlier step of this round, cannot
decide the next step. A step's decider holds its permission with a scope that covers the
subject's region at the step's level (the county itself, or the city above it ...).
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import reduce
from operator import or_

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jineng.core.actors import actor_label, system_actor, user_or_none
from jineng.core.audit import audit_record
from jineng.core.errors import Conflict, Forbidden, NotFound, ServiceError
from jineng.core.events import ReviewAction
from jineng.core.lock_objects import locked
from jineng.core.models import (
    Review,
    ReviewChain,
    ReviewDecision,
    ReviewDecisionKind,
    ReviewLevel,
    ReviewState,
    ReviewStep,
    ReviewSubmission,
)
from jineng.core.refusals import OutOfScope, require, require_region
from jineng.core.scope import ScopeSpec, user_reach

CHAIN_CHANGE_PERMISSION = "core.change_reviewchain"

# What the queue filters on: the current step's region.
_STEP_SCOPE = ScopeSpec(regions=("step_region",))


@dataclass(frozen=True)
class ReviewKind:
    kind: str
    label: str
    region_of: Callable
    on_approved: Callable
    on_returned: Callable | None = None
    on_rejected: Callable | None = None
    title_of: Callable | None = None
    url_of: Callable | None = None
    permissions: dict = field(default_factory=dict)   # code -> Chinese label
    default_steps: tuple = ()                          # ((permission, ReviewLevel), ...)

    def title(self, subject) -> str:
        return str(self.title_of(subject) if self.title_of else subject)[:200]

    def url(self, subject) -> str:
        return self.url_of(subject) if self.url_of else ""


_KINDS: dict[str, ReviewKind] = {}
_PERMISSION_LABELS: dict[str, str] = {}


def register_review_kind(kind: str, label: str, *, region_of, on_approved, on_returned=None,
                         on_rejected=None, title_of=None, url_of=None,
                         permissions: dict | None = None,
                         default_steps: Sequence[tuple[str, int]] = ()) -> ReviewKind:
    """Declare a kind of filing. `permissions` names the permissions its steps may ask for
    (code → Chinese label, for the chain page); `default_steps` is the chain shipped for
    everywhere, installed after migrate (and on the first submission if still missing)."""
    spec = ReviewKind(kind, label, region_of, on_approved, on_returned, on_rejected, title_of,
                      url_of, dict(permissions or {}),
                      tuple((p, int(level)) for p, level in default_steps))
    _KINDS[kind] = spec
    _PERMISSION_LABELS.update(spec.permissions)
    for permission, _level in spec.default_steps:
        _PERMISSION_LABELS.setdefault(permission, permission)
    return spec


def review_kinds() -> list[ReviewKind]:
    return sorted(_KINDS.values(), key=lambda k: k.kind)


def review_kind(kind: str) -> ReviewKind:
    try:
        return _KINDS[kind]
    except KeyError:
        message = f"未登记的审核事项「{kind}」"
        raise ServiceError(message, errors={"kind": message}) from None


def kind_label(kind: str) -> str:
    spec = _KINDS.get(kind)
    return str(spec.label) if spec else kind


def permission_label(code: str) -> str:
    return str(_PERMISSION_LABELS.get(code, code))


def review_permissions() -> list[str]:
    """Every permission a registered kind's steps may ask for (who gets the queue)."""
    return sorted(_PERMISSION_LABELS)


def holds_review_permission(user) -> bool:
    return any(user.has_permission(p) for p in review_permissions())


def step_label(level: int) -> str:
    return str(ReviewLevel(level).label)


# ---------------------------------------------------------------- chains


def _regions_up(region) -> list:
    """The region and those above it, nearest first."""
    out = []
    while region is not None:
        out.append(region)
        region = region.parent if region.parent_id else None
    return out


def region_at_level(region, level: int):
    """The subject's region at a step's level: itself, or its ancestor at that level."""
    for node in _regions_up(region):
        if node.level <= level:
            return node
    return region


def review_chain_for(kind: str, region) -> ReviewChain | None:
    """The active chain of `kind` at `region` or the nearest region above; else the default."""
    ups = _regions_up(region)
    chains = {c.region_id: c for c in ReviewChain.objects.filter(
        Q(region__in=ups) | Q(region__isnull=True), kind=kind, is_active=True)}
    for node in ups:
        if node.pk in chains:
            return chains[node.pk]
    return chains.get(None)


def chain_steps(chain: ReviewChain) -> list[dict]:
    return [{"permission": s.permission, "level": s.level}
            for s in chain.steps.order_by("order")]


def _clean_steps(spec: ReviewKind, steps) -> list[tuple[str, int]]:
    cleaned = []
    if not steps:
        raise ServiceError("审核流程至少需要一个步骤", errors={"steps": "审核流程至少需要一个步骤"})
    for n, (permission, level) in enumerate(steps, start=1):
        if spec.permissions and permission not in spec.permissions:
            message = f"第 {n} 步：「{permission}」不是「{spec.label}」可用的审核权限"
            raise ServiceError(message, errors={"steps": message})
        if int(level) not in ReviewLevel.values:
            message = f"第 {n} 步：审核层级应为省级、市级或县级"
            raise ServiceError(message, errors={"steps": message})
        cleaned.append((permission, int(level)))
    return cleaned


def _write_steps(chain: ReviewChain, steps) -> None:
    chain.steps.all().delete()
    ReviewStep.objects.bulk_create([ReviewStep(chain=chain, order=n, permission=p, level=lv)
                                    for n, (p, lv) in enumerate(steps, start=1)])


@transaction.atomic
def review_chain_install_default(*, kind: str, actor=None) -> ReviewChain | None:
    """The kind's shipped chain for everywhere, if none is there yet (idempotent)."""
    spec = review_kind(kind)
    if not spec.default_steps:
        return None
    existing = ReviewChain.objects.filter(kind=kind, region__isnull=True).first()
    if existing is not None:
        return existing
    chain = ReviewChain.objects.create(kind=kind, region=None)
    _write_steps(chain, spec.default_steps)
    audit_record(actor=actor or system_actor("presets"), action=ReviewAction.CHAIN_DEFAULT,
                 obj=chain, changes={"kind": kind, "steps": chain_steps(chain)})
    return chain


def review_chain_install_defaults(**kwargs) -> None:
    """Every registered kind's default chain (a post_migrate handler)."""
    for spec in review_kinds():
        review_chain_install_default(kind=spec.kind)


@transaction.atomic
def review_chain_save(*, actor, kind: str, region, steps: Sequence[tuple[str, int]]
                      ) -> ReviewChain:
    """Set the chain of `kind` at `region` (for it and the regions below it that have none
    of their own): a province officer's, within their region."""
    require(actor, CHAIN_CHANGE_PERMISSION, message="只有省级人社部门可以修改审核流程")
    require_region(actor, ReviewChain, "change", region,
                   message=f"无权修改「{getattr(region, 'name', '')}」的审核流程")
    spec = review_kind(kind)
    cleaned = _clean_steps(spec, steps)
    chain, _created = ReviewChain.objects.get_or_create(kind=kind, region=region)
    before = chain_steps(chain)
    chain.is_active = True
    chain.save()
    _write_steps(chain, cleaned)
    audit_record(actor=actor, action=ReviewAction.CHAIN_CHANGE, obj=chain,
                 changes={"kind": kind, "region": region.code,
                          "steps": [before, chain_steps(chain)]})
    return chain


# ---------------------------------------------------------------- submit and decide


def _subject_key(subject) -> dict:
    return {"content_type": ContentType.objects.get_for_model(type(subject)),
            "object_id": subject.pk}


def review_of(subject) -> Review | None:
    """The current (latest) review of a subject."""
    return Review.objects.filter(**_subject_key(subject)).order_by("-pk").first()


def _enter_step(review: Review, index: int) -> None:
    step = review.steps[index]
    review.step_index = index
    review.step_permission = step["permission"]
    review.step_region = region_at_level(review.region, step["level"])


def _chain_or_default(spec: ReviewKind, region) -> ReviewChain:
    chain = review_chain_for(spec.kind, region)
    if chain is None:
        chain = review_chain_install_default(kind=spec.kind)
    if chain is None or not chain.steps.exists():
        raise ServiceError(
            f"「{spec.label}」在「{region.name}」没有配置审核流程，请联系省级人社部门")
    return chain


@transaction.atomic
def review_submit(*, actor, kind: str, subject) -> Review:
    """Start the review of `subject` at the first step of its chain, or restart one that was
    returned for changes. The caller's service has checked that the actor may file it."""
    spec = review_kind(kind)
    key = _subject_key(subject)
    current = locked(Review.objects.filter(**key)).order_by("-pk").first()
    title = spec.title(subject)
    if current is not None and current.state == ReviewState.PENDING:
        raise Conflict(f"「{title}」已在审核中，不能重复提交")
    if current is not None and current.state == ReviewState.REJECTED:
        raise Conflict(f"「{title}」已被驳回，审核已终结，不能再次提交")
    region = spec.region_of(subject)
    chain = _chain_or_default(spec, region)
    now = timezone.now()
    if current is not None and current.state == ReviewState.RETURNED:
        review = current
        review.round += 1
    else:
        review = Review(kind=kind, **key)
    review.kind, review.title, review.region, review.chain = kind, title, region, chain
    review.steps = chain_steps(chain)
    review.state, review.decided_at = ReviewState.PENDING, None
    review.submitted_by, review.submitted_at = user_or_none(actor), now
    _enter_step(review, 0)
    try:
        with transaction.atomic():  # two first submissions at once: the constraint decides
            review.save()
    except IntegrityError:
        raise Conflict(f"「{title}」已在审核中，不能重复提交") from None
    ReviewSubmission.objects.create(review=review, round=review.round,
                                    submitted_by=user_or_none(actor),
                                    actor_name=actor.username, at=now)
    audit_record(actor=actor, action=ReviewAction.SUBMIT, obj=review,
                 changes={"kind": kind, "subject": f"{key['content_type'].model}:{subject.pk}",
                          "round": review.round, "steps": review.steps})
    return review


_DECISION_ACTIONS = {
    ReviewDecisionKind.APPROVE: ReviewAction.APPROVE,
    ReviewDecisionKind.RETURN: ReviewAction.RETURN,
    ReviewDecisionKind.REJECT: ReviewAction.REJECT,
}


def _check_decision(decision: str, reason: str) -> None:
    if decision not in ReviewDecisionKind.values:
        raise ServiceError("审核意见应为通过、退回修改或驳回",
                           errors={"decision": "审核意见应为通过、退回修改或驳回"})
    if decision != ReviewDecisionKind.APPROVE and not reason.strip():
        label = ReviewDecisionKind(decision).label
        message = f"{label}须填写理由"
        raise ServiceError(message, errors={"reason": message})


def _check_current(fresh: Review, seen: Review) -> None:
    """The review is still where the decider saw it: pending, at the same step."""
    if fresh.state != ReviewState.PENDING and seen.state != ReviewState.PENDING:
        raise Conflict(f"「{fresh.title}」的审核已结束（{fresh.get_state_display()}），不能再审核")
    if (fresh.state, fresh.round, fresh.step_index) != (ReviewState.PENDING, seen.round,
                                                       seen.step_index):
        raise Conflict(f"「{fresh.title}」的这一步已被他人处理，请刷新后查看")


def require_step_decider(actor, review: Review) -> None:
    """Refuse unless `actor` may decide the review's current step: the step's permission,
    over the step's region, and neither the submitter nor an earlier step's decider."""
    n, step = review.step_index + 1, review.steps[review.step_index]
    permission, region = step["permission"], review.step_region
    if not actor.has_permission(permission):
        raise Forbidden(f"第 {n} 步须具有「{permission_label(permission)}」权限，您没有该权限")
    if not user_reach(actor, permission).admits_region(region.pk, region.path):
        raise OutOfScope(f"第 {n} 步须由{region.name}（{step_label(step['level'])}）的审核人员"
                         f"审核，不在您的数据范围内")
    pk = getattr(actor, "pk", None)
    if pk is None:  # the system
        return
    if review.submissions.filter(submitted_by_id=pk).exists():
        raise Forbidden("您提交了该事项，不能审核自己提交的事项（提交与审核须由不同人员）")
    earlier = review.decisions.filter(round=review.round, actor_id=pk).first()
    if earlier is not None:
        raise Forbidden(f"您已审核过第 {earlier.step_index + 1} 步，不能再审核第 {n} 步"
                        f"（每一步须由不同人员审核）")


@transaction.atomic
def review_decide(*, actor, review: Review, decision: str, reason: str = "") -> Review:
    """Approve (to the next step; the last approves the subject), return to the submitter,
    or reject (final). Two deciders at once: the first wins, the other is told."""
    _check_decision(decision, reason)
    fresh = locked(Review.objects.filter(pk=review.pk)).select_related("step_region").get()
    _check_current(fresh, review)
    require_step_decider(actor, fresh)
    spec = review_kind(fresh.kind)
    now = timezone.now()
    ReviewDecision.objects.create(review=fresh, round=fresh.round, step_index=fresh.step_index,
                                  decision=decision, reason=reason.strip(),
                                  actor=user_or_none(actor), actor_name=actor.username, at=now)
    step, last = fresh.step_index, fresh.step_index + 1 >= fresh.step_count
    hook = None
    if decision == ReviewDecisionKind.APPROVE and not last:
        _enter_step(fresh, fresh.step_index + 1)
    else:
        fresh.state = {ReviewDecisionKind.APPROVE: ReviewState.APPROVED,
                       ReviewDecisionKind.RETURN: ReviewState.RETURNED,
                       ReviewDecisionKind.REJECT: ReviewState.REJECTED}[decision]
        fresh.decided_at = now
        hook = {ReviewState.APPROVED: spec.on_approved, ReviewState.RETURNED: spec.on_returned,
                ReviewState.REJECTED: spec.on_rejected}[fresh.state]
    fresh.save()
    audit_record(actor=actor, action=_DECISION_ACTIONS[decision], obj=fresh,
                 changes={"kind": fresh.kind, "round": fresh.round, "step": step + 1,
                          "state": fresh.state, "reason": reason.strip()})
    if hook is not None:
        hook(fresh.subject, actor=actor, reason=reason.strip())
    return fresh


# ---------------------------------------------------------------- reads


def review_queue(*, user) -> QuerySet[Review]:
    """The reviews waiting for a decision this user may take (待我审核): pending, at a step
    whose permission the user holds over the step's region, not submitted by them nor with
    an earlier step of this round decided by them."""
    pending = Review.objects.filter(state=ReviewState.PENDING)
    conditions = []
    for permission in pending.values_list("step_permission", flat=True).distinct():
        q = user_reach(user, permission).q(_STEP_SCOPE)
        if q is not None:
            conditions.append(Q(step_permission=permission) & q)
    if not conditions:
        return Review.objects.none()
    qs = pending.filter(reduce(or_, conditions))
    pk = getattr(user, "pk", None)
    if pk is not None:
        qs = qs.exclude(Exists(ReviewSubmission.objects.filter(review=OuterRef("pk"),
                                                               submitted_by_id=pk)))
        qs = qs.exclude(Exists(ReviewDecision.objects.filter(
            review=OuterRef("pk"), round=OuterRef("round"), actor_id=pk)))
    return qs.select_related("region", "submitted_by", "step_region").order_by(
        "submitted_at", "pk")


def review_reachable(*, user, pk) -> tuple[Review, bool]:
    """A review and whether the user may decide its step now: one in their queue, or one
    they may see; anything else is the 404 of a review that does not exist."""
    review = review_queue(user=user).filter(pk=pk).first()
    if review is not None:
        return review, True
    review = Review.objects.restrict(user, "view").select_related("region").filter(pk=pk).first()
    if review is None:
        raise NotFound()
    return review, False


def review_count_for(user) -> int:
    return review_queue(user=user).count()


@dataclass(frozen=True)
class TimelineEntry:
    what: str          # 提交审核 / 通过 / 退回修改 / 驳回
    actor_name: str
    at: object
    round: int
    step: str = ""     # 第 1 步/共 2 步（县级）
    reason: str = ""
    decision: str = ""  # "" for a submission
    who: str = ""      # the person's name as pages show it


def _who(user, actor_name: str) -> str:
    return str(user) if user is not None else actor_label(actor_name)


def review_timeline(subject) -> list[TimelineEntry]:
    """Every submission and decision on the subject's reviews, in the order they happened."""
    reviews = {r.pk: r for r in Review.objects.filter(**_subject_key(subject))}
    entries = []
    for s in ReviewSubmission.objects.filter(review__in=reviews).select_related("submitted_by"):
        entries.append(((s.review_id, s.round, 0, 0), TimelineEntry(
            str(ReviewAction.SUBMIT.label), s.actor_name, s.at, s.round,
            who=_who(s.submitted_by, s.actor_name))))
    for d in ReviewDecision.objects.filter(review__in=reviews).select_related("actor"):
        steps = reviews[d.review_id].steps
        level = steps[d.step_index]["level"] if d.step_index < len(steps) else None
        where = f"（{step_label(level)}）" if level else ""
        entries.append(((d.review_id, d.round, 1, d.step_index), TimelineEntry(
            str(ReviewDecisionKind(d.decision).label), d.actor_name, d.at, d.round,
            f"{step_position(d.step_index, len(steps))}{where}", d.reason, d.decision,
            _who(d.actor, d.actor_name))))
    return [entry for _key, entry in sorted(entries, key=lambda pair: pair[0])]


def step_position(index: int, count: int) -> str:
    return str(_("第 %(n)s 步/共 %(count)s 步") % {"n": index + 1, "count": count})
