"""The storage interface, run against the local directory and a local S3-compatible server
(moto in server mode, over HTTP with boto3), plus uploads and downloads through S3."""
import hashlib
import io

import pytest

from sozialplanung.documents.storage import LocalStorage, create_storage

from . import samples
from .conftest import add_document, counts, post_upload

BUCKET = "sozialplanung-dokumente"


@pytest.fixture(scope="module")
def s3_server():
    moto_server = pytest.importorskip("moto.server")
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def s3_config(app, s3_server):
    import boto3

    options = {"endpoint_url": s3_server, "region_name": "eu-central-1",
               "aws_access_key_id": "test", "aws_secret_access_key": "test"}
    client = boto3.client("s3", **options)
    existing = [b["Name"] for b in client.list_buckets().get("Buckets", [])]
    if BUCKET not in existing:
        client.create_bucket(Bucket=BUCKET,
                             CreateBucketConfiguration={"LocationConstraint": "eu-central-1"})
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=BUCKET):
        for item in page.get("Contents", []):
            client.delete_object(Bucket=BUCKET, Key=item["Key"])
    saved = {k: app.config.get(k) for k in ("DOCUMENT_STORAGE", "DOCUMENT_S3_BUCKET",
                                            "DOCUMENT_S3_ENDPOINT_URL", "DOCUMENT_S3_REGION",
                                            "DOCUMENT_S3_ACCESS_KEY_ID",
                                            "DOCUMENT_S3_SECRET_ACCESS_KEY", "DOCUMENT_S3_PREFIX")}
    app.config.update(DOCUMENT_STORAGE="s3", DOCUMENT_S3_BUCKET=BUCKET,
                      DOCUMENT_S3_ENDPOINT_URL=s3_server, DOCUMENT_S3_REGION="eu-central-1",
                      DOCUMENT_S3_ACCESS_KEY_ID="test", DOCUMENT_S3_SECRET_ACCESS_KEY="test",
                      DOCUMENT_S3_PREFIX="test/")
    yield client
    app.config.update(saved)


@pytest.fixture(params=["local", "s3"])
def storage(request, app, tmp_path):
    if request.param == "local":
        return LocalStorage(tmp_path / "blobs")
    request.getfixturevalue("s3_config")
    return create_storage(app.config)


def staged(tmp_path, data, name="staged"):
    path = tmp_path / name
    path.write_bytes(data)
    return path, hashlib.sha256(data).hexdigest()


def test_put_is_content_addressed_and_idempotent(storage, tmp_path):
    data = samples.pdf()
    path, key = staged(tmp_path, data)
    assert not storage.exists(key) and storage.size(key) is None
    assert storage.put(key, path) is True
    again, _ = staged(tmp_path, data, "again")
    assert storage.put(key, again) is False
    assert storage.exists(key) and storage.size(key) == len(data)
    with storage.open(key) as stream:
        assert stream.read() == data
    assert [k for k, _modified in storage.iter_blobs()] == [key]
    storage.delete(key)
    assert not storage.exists(key) and list(storage.iter_blobs()) == []


def test_large_blobs_go_through_multipart(storage, tmp_path):
    data = b"x" * (17 * 1024 * 1024)
    path, key = staged(tmp_path, data)
    storage.put(key, path)
    assert storage.size(key) == len(data)


@pytest.mark.parametrize("key", ["../../etc/passwd", "A" * 64, "abc", None])
def test_keys_must_be_sha256_digests(storage, key):
    with pytest.raises(ValueError):
        storage.exists(key)


def test_missing_blob_cannot_be_opened(storage):
    with pytest.raises(FileNotFoundError):
        storage.open("0" * 64)


def test_local_storage_serves_files_directly_and_s3_does_not(app, tmp_path, s3_config):
    assert create_storage(app.config).local_path("0" * 64) is None
    assert LocalStorage(tmp_path).local_path("0" * 64) == tmp_path / "00" / "00" / ("0" * 64)


def test_upload_and_download_through_s3(s3_config, as_user, people, open_group, storage_dir):
    data = samples.pdf(pages=2)
    client = as_user(people["member"])
    assert post_upload(client, open_group, "Bericht über Jena.pdf", data).status_code == 302
    objects = s3_config.list_objects_v2(Bucket=BUCKET)["Contents"]
    key = hashlib.sha256(data).hexdigest()
    assert [o["Key"] for o in objects] == [f"test/{key[:2]}/{key}"]
    assert not list((storage_dir / "blobs").glob("**/*"))
    assert list((storage_dir / "tmp").iterdir()) == []
    from sozialplanung.documents.models import Document
    from sozialplanung.extensions import db

    document = db.session.query(Document).one()
    response = client.get(f"/dokumente/{document.id}/herunterladen")
    assert response.status_code == 200 and response.data == data
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert int(response.headers["Content-Length"]) == len(data)
    partial = client.get(f"/dokumente/{document.id}/herunterladen",
                         headers={"Range": "bytes=5-14"})
    assert partial.status_code == 206 and partial.data == data[5:15]
    etag = response.headers["ETag"]
    assert client.get(f"/dokumente/{document.id}/herunterladen",
                      headers={"If-None-Match": etag}).status_code == 304
    assert as_user(people["outsider"]).get(
        f"/dokumente/{document.id}/herunterladen").status_code == 200


def test_refused_upload_leaves_nothing_in_s3(s3_config, as_user, people, open_group):
    response = post_upload(as_user(people["member"]), open_group, "x.pdf", samples.HTML)
    assert response.status_code == 400 and counts() == (0, 0, 0)
    assert s3_config.list_objects_v2(Bucket=BUCKET).get("KeyCount", 0) == 0


def test_check_command_against_s3(s3_config, app, people, open_group):
    document = add_document(people["member"], open_group)
    key = document.current_version.blob_key
    s3_config.put_object(Bucket=BUCKET, Key=f"test/ab/{'ab' * 32}", Body=io.BytesIO(b"x"))
    result = app.test_cli_runner().invoke(args=["documents", "check", "--grace-hours", "0"])
    assert result.exit_code == 0, result.output
    assert "1 Dateien geprüft" in result.output and f"VERWAIST: {'ab' * 32}" in result.output
    s3_config.delete_object(Bucket=BUCKET, Key=f"test/{key[:2]}/{key}")
    result = app.test_cli_runner().invoke(args=["documents", "check"])
    assert result.exit_code == 1 and f"FEHLT: {key}" in result.output
