"""A full disk while an attachment is saved: the sender gets 503, and no file or row is left behind."""
import errno
import io
import os

import pytest

from sellerkit.attachments.models import Attachment
from sellerkit.threads.models import Message
from tests.samples import PDF, png
from tests.test_api import make_token

MESSAGE = '{"external_id": "m-1", "body": "Photos of the damage", "received_at": "2026-11-23T10:00:00Z", ' \
          '"buyer": {"id": "b-1"}}'


def enospc(*args):
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


class FullDiskFile:
    """A file opened for writing on a disk with about `room` bytes left: writes past it fail with ENOSPC."""

    def __init__(self, handle, room):
        self.handle, self.room = handle, room

    def write(self, data):
        if len(data) > self.room:
            enospc()
        self.room -= len(data)
        return self.handle.write(data)

    def __getattr__(self, name):
        return getattr(self.handle, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.handle.close()


def fill_disk(monkeypatch, where):
    """The operating system's answer to a full disk, at `where`: the write itself, or the fsync after it
    (file systems that allocate late report ENOSPC only then). The first file still fits."""
    if where == "fsync":
        real_fsync, calls = os.fsync, []

        def fsync(fd):
            calls.append(fd)
            return real_fsync(fd) if len(calls) == 1 else enospc()

        monkeypatch.setattr(os, "fsync", fsync)
        return
    real_fdopen, opened = os.fdopen, []

    def fdopen(fd, mode="r", *args, **kwargs):
        handle = real_fdopen(fd, mode, *args, **kwargs)
        if "w" not in mode:
            return handle
        opened.append(fd)
        return handle if len(opened) == 1 else FullDiskFile(handle, room=10)

    monkeypatch.setattr(os, "fdopen", fdopen)


def stored_files(app):
    folder = app.config["ATTACHMENTS_DIR"]
    return sorted(os.listdir(folder)) if os.path.isdir(folder) else []


@pytest.fixture
def conversation(app, auth, make_user, make_shop, make_conversation):
    owner = make_user()
    ids = make_conversation(make_shop(owner), owner)
    return ids


@pytest.mark.parametrize("where", ["write", "fsync"])
def test_reply_with_files_on_a_full_disk_is_503_and_keeps_nothing(app, client, db, auth, conversation,
                                                                  monkeypatch, *, where):
    auth.login()
    before = stored_files(app), db.count(Message), db.count(Attachment)
    fill_disk(monkeypatch, where)
    response = client.post(f"/threads/{conversation['thread_id']}/reply", data={
        "body": "Invoice and photo attached.",
        "attachments": [(io.BytesIO(PDF), "faktura.pdf"), (io.BytesIO(png(64, 64)), "paczka.png")]},
        content_type="multipart/form-data")
    assert response.status_code == 503
    assert "disk may be full" in response.get_data(as_text=True)
    assert (stored_files(app), db.count(Message), db.count(Attachment)) == before


@pytest.mark.parametrize("where", ["write", "fsync"])
def test_api_message_with_files_on_a_full_disk_is_503_and_keeps_nothing(app, client, db, auth, make_user,
                                                                        make_shop, *, monkeypatch, where):
    shop_id = make_shop(make_user())
    headers = make_token(client, auth)
    fill_disk(monkeypatch, where)
    response = client.post(f"/api/v1/shops/{shop_id}/messages", headers=headers, data={
        "message": MESSAGE,
        "attachments": [(io.BytesIO(png(64, 64)), "box.png"), (io.BytesIO(png(80, 80)), "cup.png")]})
    assert response.status_code == 503
    assert response.json["error"]["code"] == "storage_unavailable"
    assert stored_files(app) == []
    assert db.count(Message) == 0
