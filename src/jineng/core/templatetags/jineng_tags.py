from django import template

register = template.Library()


@register.filter
def with_labels(cells, labels):
    """Pairs each cell of a row with its column's label (for data-label on phone cards)."""
    return zip((getattr(label, "label", label) for label in labels), cells, strict=False)
