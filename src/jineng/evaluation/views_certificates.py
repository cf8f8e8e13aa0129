"""Pages of certificates: the scoped list, a certificate's page (status, revocation, the PDF,
the QR code and its signed text), a worker's own certificates, and the public verification
page (by number, or by name and identity number sent only in a POST body)."""

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from jineng.core.errors import Forbidden, NotFound, ServiceError
from jineng.core.refusals import require
from jineng.core.views import Column, Filter, ScopedListPage
from jineng.evaluation import certificates, forms, selectors
from jineng.evaluation.models import CertificateStatus
from jineng.orgs.forms import region_filter
from jineng.people.selectors import person_of_user


def occupation_text(c) -> str:
    return f"{c.occupation.name}（{c.work_type.name}）" if c.work_type_id else c.occupation.name


class CertificateList(ScopedListPage):
    title = _("职业技能等级证书")
    permission = "evaluation.view_certificate"
    export_permission = "evaluation.export_certificate"
    selector = selectors.certificate_list
    object_type = "evaluation.certificate"
    filters = [Filter("status", _("状态"), CertificateStatus.choices), region_filter()]
    columns = [
        Column(_("证书编号"), lambda c: c.number, link=True),
        Column(_("状态"), lambda c: c.get_status_display()),
        Column(_("持证人"), lambda c: c.person.name),
        Column(_("证件号码"), lambda c: c.person.id_masked),
        Column(_("职业（工种）"), occupation_text),
        Column(_("等级"), lambda c: c.level.name),
        Column(_("评价机构"), lambda c: c.body.name),
        Column(_("发证日期"), lambda c: c.issued_on),
    ]

    def row_url(self, obj):
        return reverse("evaluation:certificate_detail", args=[obj.pk])


def _certificate_or_404(request, pk):
    try:
        return certificates.certificate_for_holder(user=request.user, pk=pk)
    except NotFound:
        raise Http404 from None


def _qr(certificate) -> tuple[str, str]:
    payload = certificates.qr_payload(certificate)
    return payload, segno.make(payload, error="m").svg_data_uri(scale=4, border=2)


@login_required
def certificate_detail_view(request, pk):
    require(request.user, "evaluation.view_certificate")
    certificate = _certificate_or_404(request, pk)
    user = request.user
    payload, qr = _qr(certificate)
    own = certificate.person.user_id == user.pk
    return render(request, "evaluation/certificate_detail.html", {
        "title": certificate.number, "c": certificate, "payload": payload, "qr": qr,
        "own": own, "occupation": occupation_text(certificate),
        "can_revoke": certificate.status == CertificateStatus.VALID
        and user.has_permission("evaluation.revoke_certificate"),
        "can_plan": user.has_permission("evaluation.view_evaluationplan") and not own,
        "verify_url": reverse("evaluation:verify") + f"?number={certificate.number}",
    })


@login_required
@require_POST
def certificate_revoke_view(request, pk):
    certificate = _certificate_or_404(request, pk)
    try:
        with transaction.atomic(durable=True):
            certificates.certificate_revoke(actor=request.user, certificate=certificate,
                                            reason=request.POST.get("reason", ""))
    except Forbidden:
        raise
    except ServiceError as exc:
        messages.error(request, exc.errors.get("reason") or exc.message)
    else:
        messages.success(request, _("证书已撤销"))
    return redirect("evaluation:certificate_detail", pk=certificate.pk)


@login_required
def certificate_pdf_view(request, pk):
    """The certificate as a PDF, for its holder and for whoever may see it."""
    require(request.user, "evaluation.view_certificate")
    certificate = _certificate_or_404(request, pk)
    from jineng.evaluation.pdf import certificate_pdf

    response = HttpResponse(certificate_pdf(certificate), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        True, f"职业技能等级证书-{certificate.number}.pdf")
    return response


@login_required
def my_certificates_view(request):
    """A worker's own certificates, each with its download."""
    require(request.user, "evaluation.view_certificate")
    person = person_of_user(user=request.user)
    rows = (selectors.person_certificates(user=request.user, person=person)
            if person is not None else [])
    return render(request, "evaluation/my_certificates.html", {
        "title": _("我的证书"), "certificates": rows, "person": person})


# ---------------------------------------------------------------- public verification


def _shown(v) -> dict:
    """What the public page shows of one answer: the printed facts, the holder's name masked."""
    f = v.facts
    if f is None:
        return {"code": v.code, "message": v.message}
    return {"code": v.code, "message": v.message, "number": f.number, "holder": f.holder,
            "occupation": f.occupation, "level": f.level_name, "body": f.body_name,
            "issued_on": f.issued_on, "evaluation_type": f.evaluation_type,
            "revoked_on": f.revoked_on, "revoked_reason": f.revoked_reason}


@never_cache
def verify_view(request):
    """Anyone: a certificate by its number (GET ?number=), or a holder's certificates by
    name and identity number (POST only: an identity number never goes into a URL)."""
    if "id_number" in request.GET or "name" in request.GET:
        messages.warning(request, _("为保护个人信息，证件号码不能放在网址中，请在下方重新输入"))
        return redirect("evaluation:verify")
    number = request.GET.get("number", "").strip()
    answers, holder_form, asked = [], forms.VerifyHolderForm(), ""
    status = 200
    if request.method == "POST":
        asked = "holder"
        holder_form = forms.VerifyHolderForm(request.POST)
        if holder_form.is_valid():
            found = certificates.verify_holder(holder_form.cleaned_data["name"],
                                               holder_form.cleaned_data["id_number"])
            answers = [_shown(v) for v in found]
        else:
            status = 400
    elif number:
        asked = "number"
        answers = [_shown(certificates.verify_number(number))]
    return render(request, "evaluation/verify.html", {
        "title": _("职业技能等级证书查询"), "number": number, "holder_form": holder_form,
        "asked": asked, "answers": answers,
    }, status=status)


urlpatterns = [
    path("certificates/", CertificateList.as_view(), name="certificate_list"),
    path("certificates/<int:pk>/", certificate_detail_view, name="certificate_detail"),
    path("certificates/<int:pk>/revoke/", certificate_revoke_view, name="certificate_revoke"),
    path("certificates/<int:pk>/pdf/", certificate_pdf_view, name="certificate_pdf"),
    path("my/certificates/", my_certificates_view, name="my_certificates"),
    path("verify/", verify_view, name="verify"),
]
