"""Blob storage for document files, addressed by SHA-256: a local directory (default) or an
S3-compatible bucket, behind one small interface."""
import os
import re
from datetime import datetime, timezone
from pathlib import Path

from flask import current_app

KEY = re.compile(r"[0-9a-f]{64}")


class StorageError(Exception):
    """The storage backend failed (disk full, bucket unreachable)."""


def check_key(key):
    """Keys are SHA-256 hex digests and nothing else, so they can never name another path."""
    if not isinstance(key, str) or not KEY.fullmatch(key):
        raise ValueError(f"invalid blob key: {key!r}")
    return key


class BlobStorage:
    """What the documents domain needs from a storage backend.

    `put` receives a complete, verified file in the staging directory; it returns True if the
    blob was new (False: identical content was stored before; the staged file is left alone).
    """

    name = "abstract"

    def exists(self, key):
        raise NotImplementedError

    def put(self, key, path):
        raise NotImplementedError

    def open(self, key):
        """A binary stream of the blob; the caller closes it."""
        raise NotImplementedError

    def size(self, key):
        """Size in bytes, or None if the blob is missing."""
        raise NotImplementedError

    def local_path(self, key):
        """A filesystem path to serve directly, or None when the blob lives elsewhere."""
        return None

    def delete(self, key):
        raise NotImplementedError

    def iter_blobs(self):
        """(key, modified_at as naive UTC) for every blob, for the consistency check."""
        raise NotImplementedError


class LocalStorage(BlobStorage):
    """Blobs under `root/ab/cd/<sha256>`; written by an atomic rename from the staging
    directory on the same filesystem, so a reader never sees half a file."""

    name = "local"

    def __init__(self, root):
        self.root = Path(root)

    def _path(self, key):
        check_key(key)
        return self.root / key[:2] / key[2:4] / key

    def exists(self, key):
        return self._path(key).is_file()

    def put(self, key, path):
        target = self._path(key)
        if target.is_file():
            return False
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            os.chmod(path, 0o640)
            os.replace(path, target)
            _fsync_dir(target.parent)
        except OSError as exc:
            raise StorageError(str(exc)) from exc
        return True

    def open(self, key):
        return open(self._path(key), "rb")

    def size(self, key):
        try:
            return self._path(key).stat().st_size
        except FileNotFoundError:
            return None

    def local_path(self, key):
        return self._path(key)

    def delete(self, key):
        self._path(key).unlink(missing_ok=True)

    def iter_blobs(self):
        if not self.root.is_dir():
            return
        for path in sorted(self.root.glob("??/??/*")):
            if path.is_file() and KEY.fullmatch(path.name):
                modified = datetime.fromtimestamp(path.stat().st_mtime, timezone.utc)
                yield path.name, modified.replace(tzinfo=None)


def _fsync_dir(directory):
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


class S3Storage(BlobStorage):
    """Blobs as objects `<prefix>ab/<sha256>` in a bucket of any S3-compatible service (AWS S3,
    MinIO, Ceph, the hosting provider's object storage), for several app instances.

    Setup: DOCUMENT_STORAGE=s3, DOCUMENT_S3_BUCKET, and for services other than AWS
    DOCUMENT_S3_ENDPOINT_URL (e.g. https://s3.example.de); DOCUMENT_S3_REGION as the service
    wants it; credentials in DOCUMENT_S3_ACCESS_KEY_ID / DOCUMENT_S3_SECRET_ACCESS_KEY or
    boto3's usual sources. The bucket stays private (no public access, no website hosting):
    every download goes through the app's permission check. The key needs s3:GetObject,
    s3:PutObject, s3:DeleteObject (orphan clean-up) and s3:ListBucket (`flask documents
    check`). Uploads are still checked on local disk first (DOCUMENT_STORAGE_PATH/tmp), so
    each instance needs space there for the largest file."""

    name = "s3"

    def __init__(self, bucket, prefix="", client=None, **client_options):
        self.bucket = bucket
        self.prefix = prefix
        self._client = client
        self._client_options = client_options

    @property
    def client(self):
        if self._client is None:
            # Imported here: boto3 costs a third of a second at start-up, and only S3 needs it.
            import boto3
            from botocore.config import Config

            options = {k: v for k, v in self._client_options.items() if v}
            self._client = boto3.client(
                "s3", config=Config(retries={"max_attempts": 5, "mode": "standard"},
                                    signature_version="s3v4"), **options)
        return self._client

    def _object(self, key):
        check_key(key)
        return f"{self.prefix}{key[:2]}/{key}"

    def _head(self, key):
        from botocore.exceptions import ClientError

        try:
            return self.client.head_object(Bucket=self.bucket, Key=self._object(key))
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return None
            raise StorageError(str(exc)) from exc

    def exists(self, key):
        return self._head(key) is not None

    def put(self, key, path):
        from boto3.s3.transfer import TransferConfig
        from botocore.exceptions import BotoCoreError, ClientError

        if self.exists(key):
            return False
        try:
            # Multipart from the file on disk: memory stays flat for large files.
            self.client.upload_file(
                str(path), self.bucket, self._object(key),
                ExtraArgs={"ContentType": "application/octet-stream"},
                Config=TransferConfig(multipart_threshold=16 * 1024 * 1024,
                                      multipart_chunksize=16 * 1024 * 1024, max_concurrency=2))
        except (BotoCoreError, ClientError) as exc:
            raise StorageError(str(exc)) from exc
        return True

    def open(self, key):
        from botocore.exceptions import ClientError

        try:
            return self.client.get_object(Bucket=self.bucket, Key=self._object(key))["Body"]
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey"):
                raise FileNotFoundError(key) from exc
            raise StorageError(str(exc)) from exc

    def size(self, key):
        head = self._head(key)
        return None if head is None else head["ContentLength"]

    def delete(self, key):
        self.client.delete_object(Bucket=self.bucket, Key=self._object(key))

    def iter_blobs(self):
        paginator = self.client.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=self.prefix):
            for item in page.get("Contents", []):
                name = item["Key"].rsplit("/", 1)[-1]
                if KEY.fullmatch(name):
                    modified = item["LastModified"].astimezone(timezone.utc).replace(tzinfo=None)
                    yield name, modified


def create_storage(config):
    backend = config["DOCUMENT_STORAGE"]
    if backend == "local":
        return LocalStorage(Path(config["DOCUMENT_STORAGE_PATH"]) / "blobs")
    if backend == "s3":
        return S3Storage(config["DOCUMENT_S3_BUCKET"], prefix=config["DOCUMENT_S3_PREFIX"],
                         endpoint_url=config["DOCUMENT_S3_ENDPOINT_URL"],
                         region_name=config["DOCUMENT_S3_REGION"],
                         aws_access_key_id=config["DOCUMENT_S3_ACCESS_KEY_ID"],
                         aws_secret_access_key=config["DOCUMENT_S3_SECRET_ACCESS_KEY"])
    raise RuntimeError(f"DOCUMENT_STORAGE must be 'local' or 's3', not {backend!r}")


def get_storage():
    """The app's storage, built once per configuration (tests may switch the configuration)."""
    config = current_app.config
    signature = tuple(str(config.get(name)) for name in (
        "DOCUMENT_STORAGE", "DOCUMENT_STORAGE_PATH", "DOCUMENT_S3_BUCKET", "DOCUMENT_S3_PREFIX",
        "DOCUMENT_S3_ENDPOINT_URL"))
    cached = current_app.extensions.get("documents_storage")
    if cached is None or cached[0] != signature:
        cached = (signature, create_storage(config))
        current_app.extensions["documents_storage"] = cached
    return cached[1]


def staging_dir():
    """Where uploads are written while they are checked; on the local storage's filesystem,
    so accepting a file is a rename."""
    path = Path(current_app.config["DOCUMENT_STORAGE_PATH"]) / "tmp"
    path.mkdir(parents=True, exist_ok=True)
    return path
