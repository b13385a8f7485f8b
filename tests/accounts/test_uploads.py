"""The shared upload pipeline, on real image bytes made with Pillow."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from accounts.uploads import IMAGE_KINDS, upload_clean

GPS_IFD = 0x8825


def jpeg_with_gps(size=(800, 800)) -> bytes:
    image = Image.new("RGB", size, (200, 150, 100))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # camera make
    exif[GPS_IFD] = {1: "N", 2: (25.0, 17.0, 0.0), 3: "E", 4: (51.0, 32.0, 0.0)}
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif.tobytes(), comment=b"secret comment")
    return buffer.getvalue()


def png(size=(700, 700), mode="RGBA") -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size).save(buffer, format="PNG")
    return buffer.getvalue()


def upload(content: bytes, name="file.bin", content_type="application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def test_jpeg_is_re_encoded_without_gps_or_other_metadata():
    original = jpeg_with_gps()
    assert Image.open(io.BytesIO(original)).getexif().get(GPS_IFD) is not None
    clean = upload_clean(upload(original, "IMG_0001.jpg", "image/jpeg"))
    image = Image.open(io.BytesIO(clean.content))
    assert clean.kind == "jpeg"
    assert clean.content_type == "image/jpeg"
    assert (image.width, image.height) == (800, 800)
    assert len(image.getexif()) == 0
    assert b"secret comment" not in clean.content
    assert b"PhoneMaker" not in clean.content


def test_png_keeps_its_transparency():
    clean = upload_clean(upload(png()))
    assert clean.kind == "png"
    assert Image.open(io.BytesIO(clean.content)).mode == "RGBA"


def pdf(pages: int = 1) -> bytes:
    buffer = io.BytesIO()
    images = [Image.new("RGB", (595, 842), "white") for _ in range(pages)]
    images[0].save(buffer, format="PDF", save_all=True, append_images=images[1:])
    return buffer.getvalue()


def test_a_real_pdf_is_accepted_as_it_is():
    content = pdf(pages=2)
    clean = upload_clean(upload(content, "letter.pdf", "application/pdf"))
    assert clean.kind == "pdf"
    assert clean.content == content
    assert clean.extension == ".pdf"


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"%PDF-1.4\n<html><script>alert(document.cookie)</script></html>", "pdf_unsafe"),
        (pdf() + b"<!DOCTYPE html><body onload=alert(1)>", "pdf_unsafe"),
        (
            pdf().replace(b"/Type /Catalog", b"/Type /Catalog /OpenAction << /S /JavaScript >>"),
            "pdf_unsafe",
        ),
        (
            pdf().replace(b"/Type /Catalog", b"/Type /Catalog /OpenAction << /S /Launch >>"),
            "pdf_unsafe",
        ),
        (b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n", "pdf_unreadable"),
        (b"%PDF-1.4 then nothing a reader could use", "pdf_unreadable"),
    ],
)
def test_pdf_polyglots_active_content_and_broken_pdfs_are_refused(content, code):
    with pytest.raises(ValidationError) as excinfo:
        upload_clean(upload(content, "scan.pdf", "application/pdf"))
    assert excinfo.value.code == code


@pytest.mark.parametrize(
    ("content", "name", "content_type"),
    [
        (b"MZ\x90\x00 a windows program", "photo.jpg", "image/jpeg"),
        (b"<html><script>alert(1)</script></html>", "scan.pdf", "application/pdf"),
        (b"GIF89a" + b"\x00" * 20, "image.gif", "image/gif"),
        (b"PK\x03\x04 a zip file", "document.pdf", "application/pdf"),
        (b" %PDF-1.4 leading space", "file.pdf", "application/pdf"),
    ],
)
def test_files_are_judged_by_content_not_name_or_browser_type(content, name, content_type):
    with pytest.raises(ValidationError) as excinfo:
        upload_clean(upload(content, name, content_type))
    assert excinfo.value.code == "file_type"


def test_a_pdf_is_refused_where_only_images_are_allowed():
    with pytest.raises(ValidationError) as excinfo:
        upload_clean(upload(pdf()), kinds=IMAGE_KINDS)
    assert excinfo.value.code == "file_type"


def test_files_over_five_megabytes_are_refused():
    with pytest.raises(ValidationError) as excinfo:
        upload_clean(upload(b"%PDF-" + b"0" * (5 * 1024 * 1024)))
    assert excinfo.value.code == "file_too_large"


def test_a_file_exactly_at_the_size_limit_is_accepted():
    content = pdf()
    assert upload_clean(upload(content), max_bytes=len(content)).kind == "pdf"
    with pytest.raises(ValidationError):
        upload_clean(upload(content), max_bytes=len(content) - 1)


def test_empty_file_is_refused():
    with pytest.raises(ValidationError) as excinfo:
        upload_clean(upload(b""))
    assert excinfo.value.code == "file_empty"


def test_truncated_image_is_refused():
    with pytest.raises(ValidationError) as excinfo:
        upload_clean(upload(jpeg_with_gps()[:400]))
    assert excinfo.value.code == "image_unreadable"


def test_a_photo_of_600_by_600_is_accepted():
    assert upload_clean(upload(png((600, 600), "RGB")), min_side=600).width == 600


@pytest.mark.parametrize("size", [(599, 800), (800, 599)])
def test_photo_must_be_at_least_600_by_600(size):
    with pytest.raises(ValidationError) as excinfo:
        upload_clean(upload(png(size, "RGB")), min_side=600)
    assert excinfo.value.code == "image_too_small"


def test_decompression_bomb_is_refused_without_decoding_it():
    buffer = io.BytesIO()
    Image.new("1", (10_000, 10_000)).save(buffer, format="PNG")
    with pytest.raises(ValidationError) as excinfo:
        upload_clean(upload(buffer.getvalue()))
    assert excinfo.value.code == "image_unreadable"
