"""The certificate as a PDF: one A4 page in the font shipped with the project (文泉驿微米黑,
fonts/, embedded as a subset, so it renders the same on any machine and never depends on the
viewer's fonts), the holder's masked identity number, and the QR code of the signed payload
drawn as vector squares. Rendered on demand and kept by number and status: a revoked
certificate is rendered again, marked revoked."""

import hashlib
import os
from io import BytesIO
from pathlib import Path

import segno
from django.conf import settings
from django.utils import timezone
from reportlab.lib.colors import Color, black
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from jineng.evaluation.certificates import qr_payload, signature_of
from jineng.evaluation.models import Certificate, CertificateStatus

FONT_FILE = Path(__file__).with_name("fonts") / "wqy-microhei.ttc"
FONT = "WenQuanYiMicroHei"
RED = Color(0.72, 0.1, 0.1)


def _font() -> str:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(FONT, str(FONT_FILE), subfontIndex=0))
    return FONT


def _qr(pdf: canvas.Canvas, payload: str, x: float, y: float, size: float) -> None:
    code = segno.make(payload, error="m", micro=False)
    matrix = list(code.matrix)
    cell = size / len(matrix)
    pdf.setFillColor(black)
    for r, row in enumerate(matrix):
        for c, dark in enumerate(row):
            if dark:
                pdf.rect(x + c * cell, y + size - (r + 1) * cell, cell, cell, stroke=0, fill=1)


def _fields(certificate: Certificate) -> list[tuple[str, str]]:
    occupation = certificate.occupation.name
    if certificate.work_type_id:
        occupation += f"（{certificate.work_type.name}）"
    return [
        ("姓　　名", certificate.person.name),
        ("证件号码", certificate.person.id_masked),
        ("职业（工种）", occupation),
        ("职业技能等级", certificate.level.name),
        ("评价类型", certificate.evaluation_type.name),
        ("评价机构", certificate.body.name),
        ("发证日期", f"{certificate.issued_on:%Y年%m月%d日}"),
        ("证书编号", certificate.number),
    ]


def render(certificate: Certificate) -> bytes:
    font = _font()
    out = BytesIO()
    pdf = canvas.Canvas(out, pagesize=A4, invariant=1)
    pdf.setTitle(f"职业技能等级证书 {certificate.number}")
    pdf.setAuthor(certificate.body.name)
    width, height = A4
    pdf.setStrokeColor(RED)
    pdf.setLineWidth(2)
    pdf.rect(15 * mm, 15 * mm, width - 30 * mm, height - 30 * mm)
    pdf.setFillColor(RED)
    pdf.setFont(font, 30)
    pdf.drawCentredString(width / 2, height - 55 * mm, "职业技能等级证书")
    pdf.setFillColor(black)
    y = height - 90 * mm
    for label, value in _fields(certificate):
        pdf.setFont(font, 13)
        pdf.drawString(35 * mm, y, label)
        pdf.setFont(font, 15)
        pdf.drawString(75 * mm, y, value)
        y -= 14 * mm
    _qr(pdf, qr_payload(certificate), width - 75 * mm, 30 * mm, 45 * mm)
    pdf.setFont(font, 9)
    pdf.drawString(35 * mm, 40 * mm, "扫描右侧二维码可离线核验签名；")
    pdf.drawString(35 * mm, 34 * mm, "联网查询：本系统“证书查询”页，输入证书编号。")
    if certificate.status == CertificateStatus.REVOKED:
        pdf.saveState()
        pdf.setFillColor(RED)
        pdf.setFont(font, 60)
        pdf.translate(width / 2, height / 2)
        pdf.rotate(30)
        pdf.drawCentredString(0, 0, "已撤销")
        pdf.setFont(font, 14)
        when = timezone.localtime(certificate.revoked_at)
        note = f"{when:%Y-%m-%d} 撤销：{certificate.revoked_reason}"
        pdf.drawCentredString(0, -22 * mm, note[:60])
        pdf.restoreState()
    pdf.showPage()
    pdf.save()
    return out.getvalue()


def cache_path(certificate: Certificate) -> Path:
    """Where the rendered PDF is kept: by number, status and signature. A number alone could
    be issued again to someone else (a database restored from a backup, then a new
    publication) and the kept file would then show the wrong holder; the signature covers
    the holder, occupation, level and date, so a file is only ever served for the facts it
    shows."""
    digest = hashlib.sha256(signature_of(certificate).encode()).hexdigest()[:16]
    return (Path(settings.CERTIFICATE_PDF_DIR)
            / f"{certificate.number}-{certificate.status}-{digest}.pdf")


def certificate_pdf(certificate: Certificate) -> bytes:
    """The PDF, from the cache when this certificate in this status was rendered before."""
    path = cache_path(certificate)
    folder = path.parent
    if path.exists():
        return path.read_bytes()
    data = render(certificate)
    folder.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)
    return data
