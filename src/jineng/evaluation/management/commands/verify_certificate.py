import json

from django.core.management.base import BaseCommand, CommandError

from jineng.evaluation.certificates import public_keys, verify_payload


def _load(path: str, what: str) -> dict:
    try:
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)
    except (OSError, ValueError) as exc:
        raise CommandError(f"无法读取{what} {path}：{exc}") from None


class Command(BaseCommand):
    help = ("离线核验证书二维码：只用公钥检查签名（不连数据库），"
            "给出撤销名单时再对照名单")

    def add_arguments(self, parser):
        parser.add_argument("qr_text", metavar="QR_TEXT", help="扫码得到的二维码文本")
        parser.add_argument("--keys", metavar="FILE",
                            help="公钥文件（/api/v1/certificates/keys 的 JSON）；"
                                 "不给则用本机配置的签名密钥的公钥")
        parser.add_argument("--revocations", metavar="FILE",
                            help="撤销名单（/api/v1/certificates/revocations 的 JSON）")

    def handle(self, *args, qr_text, keys=None, revocations=None, **options):
        known = _load(keys, "公钥文件") if keys else public_keys()
        known = known.get("keys", known)  # the API's answer, or a plain {id: hex}
        listed = _load(revocations, "撤销名单") if revocations else None
        check = verify_payload(qr_text, known, listed)
        if not check.genuine or check.revoked:
            raise CommandError(check.message)
        self.stdout.write(check.message)
