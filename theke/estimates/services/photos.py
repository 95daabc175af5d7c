"""Defect photos of an estimate, through the image pipeline (theke.core.images): checked by
content and size before decoding, stored upright and without metadata under random names, in
three sizes (the photo, a preview for the full view, a thumbnail for the page)."""

from __future__ import annotations

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from theke.audit.services import Actor, record
from theke.core.images import PHOTO_TYPES, ProcessedImage, Rendition, process
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
from theke.estimates.services.data import REVISED_STATUSES, new_version

# What is stored of an uploaded photo: the photo itself as a JPEG (large enough to zoom into
# a scratch, no larger), the preview the staff pages show, and the thumbnail the customer's
# page lists: 480 px are 3 device pixels for each of the 160 CSS px the page's `sizes` asks
# for on a phone, so Safari (the first candidate at or above the screen's density) and
# Chrome alike take the thumbnail, not the preview.
PHOTO_RENDITIONS = (
    Rendition("photo", (2560, 2560), "JPEG", 85),
    Rendition("preview", (1600, 1600), "JPEG", 82),
    Rendition("thumbnail", (480, 960), "WEBP", 75),
)


def process_photo(data: bytes) -> ProcessedImage:
    """The stored renditions of an uploaded photo, or an ImageError (field "file")."""
    return process(data, PHOTO_RENDITIONS, PHOTO_TYPES, field="file")


def _delete_files(photo: EstimatePhoto) -> None:
    """Delete the photo's files once committed, unless an older version still shows them."""
    shared = EstimatePhoto.objects.filter(file=photo.file.name).exclude(pk=photo.pk).exists()
    if not shared:
        delete_files_on_commit(photo.file.name, photo.preview.name, photo.thumbnail.name)


def _touch(estimate: Estimate) -> None:
    # The photos are part of the estimate: its change time moves, and with it the key of the
    # customer's cached page.
    estimate.save(update_fields=["updated_at"])


def add_photo(
    estimate: Estimate,
    actor: Actor,
    *,
    data: bytes,
    caption: str = "",
    external_id: str = "",
) -> tuple[EstimatePhoto, bool]:
    """Add a defect photo (JPEG, PNG, WebP or HEIC, checked by content) to the live estimate.

    A photo with the same `external_id` is replaced in place (same position): sending the
    same photo again is harmless. Returns the photo and whether it was added (not replaced).
    """
    caption = caption.strip()
    external_id = external_id.strip()
    if len(caption) > 300:
        raise EstimateError(
            _("Höchstens %(limit)d Zeichen.") % {"limit": 300}, "caption", "too_long"
        )
    refuse_final(estimate)  # before the work; checked again under the lock
    # Outside the transaction: decoding takes a while and may wait for memory, and must not
    # hold the database's write lock meanwhile.
    processed = process_photo(data)
    return _store_photo(estimate, actor, processed, caption, external_id)


@transaction.atomic
def _store_photo(
    estimate: Estimate,
    actor: Actor,
    processed: ProcessedImage,
    caption: str,
    external_id: str,
) -> tuple[EstimatePhoto, bool]:
    locked = (
        Estimate.objects.select_for_update(of=("self",))
        .select_related("tenant")
        .get(pk=estimate.pk)
    )
    refuse_final(locked)
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
    photo.content_type = processed.info.content_type
    photo.size = processed.info.size
    stored, preview, thumbnail = (
        processed["photo"],
        processed["preview"],
        processed["thumbnail"],
    )
    photo.width, photo.height = preview.width, preview.height
    photo.thumbnail_width, photo.thumbnail_height = thumbnail.width, thumbnail.height
    photo.file.save(f"photo{stored.extension}", ContentFile(stored.data), save=False)
    photo.preview.save(f"preview{preview.extension}", ContentFile(preview.data), save=False)
    photo.thumbnail.save(f"thumbnail{thumbnail.extension}", ContentFile(thumbnail.data), save=False)
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
def remove_photo(photo: EstimatePhoto, actor: Actor) -> Estimate:
    """Delete a photo of an estimate that is not yet answered; returns the live version.

    The photo is part of what the customer was sent: removing it from a sent, viewed or
    expired estimate makes a new version without it (like every other change, see
    `save_estimate`), and the old version keeps showing it.
    """
    locked = (
        Estimate.objects.select_for_update(of=("self",))
        .select_related("tenant")
        .get(pk=photo.estimate_id)
    )
    refuse_final(locked)
    photo = EstimatePhoto.objects.get(pk=photo.pk, estimate=locked)
    label = photo.caption or photo.external_id
    data = {"photo": photo.external_id, "label": label}
    if locked.status in REVISED_STATUSES:
        previous_version = new_version(locked)  # `locked` is the new version from here on
        EstimatePhoto.objects.filter(estimate=locked, external_id=photo.external_id).delete()
        record(
            locked.tenant,
            actor,
            "estimate.new_version",
            locked,
            {"version": locked.version, "previous_version": previous_version, "changes": {}},
        )
    else:
        _delete_files(photo)
        photo.delete()
        _touch(locked)
    record(locked.tenant, actor, "estimate.photo_removed", locked, data)
    return locked
