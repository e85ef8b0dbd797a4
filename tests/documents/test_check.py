"""`flask documents check` and `flask documents extract`."""
import os
import time

from sozialplanung.extensions import db

from . import samples
from .conftest import add_document, stored_files


def run(app, *args):
    return app.test_cli_runner().invoke(args=["documents", *args])


def blob_path(storage_dir, key):
    return storage_dir / "blobs" / key[:2] / key[2:4] / key


def test_all_good(app, people, open_group):
    add_document(people["member"], open_group, data=samples.pdf())
    add_document(people["member"], open_group, "Vorlage.docx", data=samples.docx())
    result = run(app, "check")
    assert result.exit_code == 0, result.output
    assert "2 Dateien geprüft" in result.output and "fehlend: 0, beschädigt: 0" in result.output


def test_missing_and_corrupt_blobs_fail_the_check(app, people, open_group, storage_dir):
    missing = add_document(people["member"], open_group, data=samples.pdf()).current_version
    corrupt = add_document(people["member"], open_group, "Vorlage.docx",
                           data=samples.docx()).current_version
    blob_path(storage_dir, missing.blob_key).unlink()
    path = blob_path(storage_dir, corrupt.blob_key)
    data = bytearray(path.read_bytes())
    data[-1] ^= 0xFF           # same size, different bytes: only the hash tells
    path.write_bytes(bytes(data))
    assert run(app, "check", "--quick").exit_code == 1
    result = run(app, "check")
    assert result.exit_code == 1
    assert f"FEHLT: {missing.blob_key}" in result.output
    assert f"BESCHÄDIGT (Prüfsumme oder Größe falsch): {corrupt.blob_key}" in result.output


def test_orphans_are_reported_and_removed_after_the_grace_period(app, people, open_group,
                                                                 storage_dir):
    add_document(people["member"], open_group)
    old_orphan = blob_path(storage_dir, "a" * 64)
    new_orphan = blob_path(storage_dir, "b" * 64)
    for path in (old_orphan, new_orphan):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"verwaist")
    two_days_ago = time.time() - 48 * 3600
    os.utime(old_orphan, (two_days_ago, two_days_ago))
    stale = storage_dir / "tmp" / "upload-abgebrochen.part"
    stale.write_bytes(b"halb")
    os.utime(stale, (two_days_ago, two_days_ago))

    result = run(app, "check")
    assert result.exit_code == 0
    assert f"VERWAIST: {'a' * 64}" in result.output and "b" * 64 not in result.output
    assert "ALTE ZWISCHENDATEI" in result.output and "neu und noch ohne Version: 1" in result.output

    result = run(app, "check", "--delete-orphans")
    assert "2 verwaiste Dateien gelöscht" in result.output
    assert not old_orphan.exists() and new_orphan.exists() and not stale.exists()


def test_deleted_documents_keep_their_blobs(app, people, open_group, storage_dir):
    from sozialplanung.documents import services

    document = add_document(people["member"], open_group)
    services.delete_document(people["member"], document)
    result = run(app, "check", "--delete-orphans", "--grace-hours", "0")
    assert "verwaist: 0" in result.output
    assert stored_files(storage_dir)[0] == [document.current_version.blob_key]


def test_extract_retries_failed_versions(with_extraction, app, people, open_group):
    app.config["DOCUMENT_EXTRACT_TIMEOUT"] = 0.01
    version = add_document(people["member"], open_group, data=samples.pdf()).current_version
    assert version.extraction_status == "timeout"
    app.config["DOCUMENT_EXTRACT_TIMEOUT"] = 15
    result = run(app, "extract")
    assert "1 Versionen neu ausgewertet" in result.output
    db.session.refresh(version)
    assert version.extraction_status == "ok" and samples.WORD in version.extracted_text
