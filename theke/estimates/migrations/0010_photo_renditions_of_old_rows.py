"""Photos stored before the image pipeline get what new ones have: the thumbnail the customer
page lists, and a stored photo that is upright and without metadata (the upload as it came
may carry the GPS position, and the customer's "tap to enlarge" served it).

Every stored file is processed once (versions of an estimate share their photos' files):
the original through the pipeline (theke.core.images, bounded memory), replacing the
original and the preview, which are deleted after the commit. An original the pipeline
refuses (too many pixels, unreadable, missing) is kept, and only the thumbnail is made from
the preview; a photo with neither keeps no thumbnail and the page shows what it has.
"""

from django.core.files.base import ContentFile
from django.db import migrations, transaction

from theke.estimates.models import photo_path

# The sizes as this migration makes them (theke.estimates.services.photos may change later).
SIZES = {
    "photo": ((2560, 2560), "JPEG", 85),
    "preview": ((1600, 1600), "JPEG", 82),
    "thumbnail": ((480, 960), "WEBP", 75),
}


def _read(storage, name):
    if not name:
        return None
    try:
        with storage.open(name, "rb") as stored:
            return stored.read()
    except OSError:
        return None


def _process(data, names):
    from theke.core import images

    if not data:
        return None
    renditions = [images.Rendition(name, *SIZES[name]) for name in names]
    try:
        return images.process(data, renditions, images.PHOTO_TYPES, field=None, max_bytes=len(data))
    except images.ImageError:
        return None


def make_renditions(apps, schema_editor):
    photo_model = apps.get_model("estimates", "EstimatePhoto")
    storage = photo_model._meta.get_field("file").storage
    done = set()
    obsolete = []
    for photo in photo_model.objects.filter(thumbnail="").order_by("pk").iterator(chunk_size=200):
        if photo.file.name in done:
            continue
        done.add(photo.file.name)
        sharing = photo_model.objects.filter(file=photo.file.name, thumbnail="")
        processed = _process(_read(storage, photo.file.name), ("photo", "preview", "thumbnail"))
        if processed is not None:
            stored = processed["photo"]
            preview = processed["preview"]
            values = {
                "file": storage.save(photo_path(photo, "photo.jpg"), ContentFile(stored.data)),
                "preview": storage.save(photo_path(photo, "preview.jpg"), ContentFile(preview.data)),
                "width": preview.width,
                "height": preview.height,
            }
            obsolete += [photo.file.name, photo.preview.name]
        else:
            processed = _process(_read(storage, photo.preview.name), ("thumbnail",))
            if processed is None:
                continue
            values = {}
        thumbnail = processed["thumbnail"]
        values["thumbnail"] = storage.save(
            photo_path(photo, "thumbnail.webp"), ContentFile(thumbnail.data)
        )
        values["thumbnail_width"] = thumbnail.width
        values["thumbnail_height"] = thumbnail.height
        sharing.update(**values)

    def delete_obsolete():
        for name in obsolete:
            if name:
                try:
                    storage.delete(name)
                except OSError:
                    pass

    transaction.on_commit(delete_obsolete)


class Migration(migrations.Migration):
    dependencies = [
        ("estimates", "0009_photo_thumbnails"),
    ]

    operations = [
        migrations.RunPython(make_renditions, migrations.RunPython.noop, elidable=True),
    ]
