import string

from django.core.exceptions import ValidationError


def character_classes(password: str) -> int:
    classes = [
        any(c in string.ascii_uppercase for c in password),
        any(c in string.ascii_lowercase for c in password),
        any(c in string.digits for c in password),
        any(not c.isalnum() for c in password),
    ]
    return sum(classes)


class PolicyPasswordValidator:
    """Length and character classes from the security policy (default: 10 and 3 of 4)."""

    def validate(self, password, user=None):
        from jineng.orgs.models import SecurityPolicy

        policy = SecurityPolicy.current()
        errors = []
        if len(password) < policy.password_min_length:
            errors.append(f"密码长度至少 {policy.password_min_length} 位")
        if character_classes(password) < policy.password_min_classes:
            errors.append(
                f"密码须包含大写字母、小写字母、数字、符号中的至少 {policy.password_min_classes} 类"
            )
        if errors:
            raise ValidationError("；".join(errors), code="password_policy")

    def get_help_text(self):
        return "密码至少 10 位，包含大写字母、小写字母、数字、符号中的至少 3 类"
