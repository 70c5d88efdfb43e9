"""Text helpers for Vietnamese data."""

from django.utils.text import slugify

# đ/Đ is a letter of its own, not d with a mark: Unicode gives it no decomposition, so
# slugify's NFKD + ASCII step would drop it ("Đắk Lắk" -> "k-lk").
_STROKED_D = str.maketrans({"đ": "d", "Đ": "D"})


def vn_slugify(value: str, *, max_length: int | None = None) -> str:
    """ASCII slug of a Vietnamese text: "Tỉnh Thử Nghiệm" -> "tinh-thu-nghiem",
    "Đắk Lắk" -> "dak-lak". Cut at max_length without a trailing hyphen."""
    slug = slugify(str(value).translate(_STROKED_D))
    if max_length is not None and len(slug) > max_length:
        slug = slug[:max_length].rstrip("-")
    return slug
