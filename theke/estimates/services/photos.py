"""Defect photos of an estimate: checked by content, stored under random names, with a
smaller upright copy for the customer's page."""

from __future__ import annotations

import io

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _
from PIL import Image, ImageOps

from theke.audit.services import Actor, record
from theke.core.files import IMAGE_TYPES, check_upload
from theke.estimates.models import (
    Estimate,
    EstimatePhoto,
)
from theke.estimates.services.common import (
    EstimateError,
    delete_files_on_commit,
    full_clean,
    refuse_final,
)

PREVIEW_SIZE = (1600, 1600)


def _preview(data: bytes) -> tuple[bytes, int, int]:
    """A JPEG of at most 1600 px, turned upright, without the original's metadata."""
    with Image.open(io.BytesIO(data)) as original:
        image = ImageOps.exif_transpose(original)
        image.thumbnail(PREVIEW_SIZE)
        if image.mode in ("RGBA", "LA", "P"):
            image = image.convert("RGBA")
            background = Image.new("RGB", image.size, "#ffffff")
            background.paste(image, mask=image.getchannel("A"))
            image = background
        elif image.mode != "RGB":
            image = image.convert("RGB")
        out = io.BytesIO()
        image.save(out, "JPEG", quality=82, optimize=True, progressive=True)
        return out.getvalue(), image.width, image.height


def _delete_files(photo: EstimatePhoto) -> None:
    """Delete the photo's files once committed, unless an older version still shows them."""
    shared = EstimatePhoto.objects.filter(file=photo.file.name).exclude(pk=photo.pk).exists()
    if not shared:
        delete_files_on_commit(photo.file.name, photo.preview.name)


def _touch(estimate: Estimate) -> None:
    # The photos are part of the estimate: its change time moves, and with it the key of the
    # customer's cached page.
    estimate.save(update_fields=["updated_at"])


@transaction.atomic
def add_photo(
    estimate: Estimate,
    actor: Actor,
    *,
    data: bytes,
    caption: str = "",
    external_id: str = "",
) -> tuple[EstimatePhoto, bool]:
    """Add a defect photo (JPEG, PNG or WebP, checked by content) to the live estimate.

    A photo with the same `external_id` is replaced in place (same position): sending the
    same photo again is harmless. Returns the photo and whether it was added (not replaced).
    """
    checked = check_upload(data, IMAGE_TYPES, "file")
    caption = caption.strip()
    external_id = external_id.strip()
    if len(caption) > 300:
        raise EstimateError(
            _("Höchstens %(limit)d Zeichen.") % {"limit": 300}, "caption", "too_long"
        )
    locked = (
        Estimate.objects.select_for_update(of=("self",))
        .select_related("tenant")
        .get(pk=estimate.pk)
    )
    refuse_final(locked)
    try:
        preview, width, height = _preview(data)
    except (OSError, ValueError, Image.DecompressionBombError) as exc:
        raise EstimateError(_("Das Bild kann nicht gelesen werden."), "file", "unreadable") from exc
    photo = None
    if external_id:
        photo = EstimatePhoto.objects.filter(estimate=locked, external_id=external_id).first()
    added = photo is None
    if photo is None:
        last = EstimatePhoto.objects.filter(estimate=locked).aggregate(m=Max("position"))["m"]
        photo = EstimatePhoto(
            tenant=locked.tenant,
            estimate=locked,
            position=(last or 0) + 1,
        )
        photo.external_id = external_id or photo.key
    else:
        _delete_files(photo)
    photo.caption = caption
    photo.content_type = checked.content_type
    photo.size = checked.size
    photo.width, photo.height = width, height
    photo.file.save(f"photo{checked.extension}", ContentFile(data), save=False)
    photo.preview.save("preview.jpg", ContentFile(preview), save=False)
    full_clean(photo)
    photo.save()
    _touch(locked)
    action = "estimate.photo_added" if added else "estimate.photo_replaced"
    record(
        locked.tenant,
        actor,
        action,
        locked,
        {"photo": photo.external_id, "label": caption or photo.external_id, "size": photo.size},
    )
    return photo, added


@transaction.atomic
def remove_photo(photo: EstimatePhoto, actor: Actor) -> None:
    """Delete a photo of an estimate that is not yet answered."""
    locked = (
        Estimate.objects.select_for_update(of=("self",))
        .select_related("tenant")
        .get(pk=photo.estimate_id)
    )
    refuse_final(locked)
    photo = EstimatePhoto.objects.get(pk=photo.pk, estimate=locked)
    _delete_files(photo)
    label = photo.caption or photo.external_id
    photo.delete()
    _touch(locked)
    data = {"photo": photo.external_id, "label": label}
    record(locked.tenant, actor, "estimate.photo_removed", locked, data)
