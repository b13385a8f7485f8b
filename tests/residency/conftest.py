import pytest
from django.core.files.storage import FileSystemStorage

from residency.models import Document


@pytest.fixture(autouse=True)
def _private_files_in_tmp(tmp_path, monkeypatch):
    """Uploaded documents go to a per-test folder, not the project's private_media."""
    monkeypatch.setattr(
        Document._meta.get_field("file"), "storage", FileSystemStorage(location=tmp_path)
    )
