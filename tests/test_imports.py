"""Getting messages in without code: the Connect a channel page, and a file uploaded in the browser, imported in
the background with its progress, errors by line, and a resume after the worker died."""
import io
from datetime import timedelta

import pytest
from flask_babel import force_locale
from sqlalchemy import select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from sellerkit.extensions import db as database
from sellerkit.i18n import gettext
from sellerkit.imports import services
from sellerkit.imports.models import ImportJob
from sellerkit.threads.models import Message
from tests.conftest import NOW

HEADER = "external_id,buyer_id,buyer_name,body,received_at\r\n"


def csv_file(rows):
    return HEADER + "".join(f"{external_id},b-{number},Buyer {number},{body},2026-11-20T10:00:00Z\r\n"
                            for number, (external_id, body) in enumerate(rows, start=1))


@pytest.fixture
def shop(make_user, make_shop, auth):
    shop_id = make_shop(make_user())
    auth.login()
    return shop_id


def upload(client, shop_id, content, filename="messages.csv"):
    data = content.encode() if isinstance(content, str) else content
    return client.post(f"/shops/{shop_id}/imports/new", data={"file": (io.BytesIO(data), filename)},
                       content_type="multipart/form-data")


def run_worker(app, at=NOW):
    with app.app_context():
        return services.run_imports(lambda: at)


def imported(db, shop_id):
    return db.scalars(select(Message.external_id).where(Message.shop_id == shop_id).order_by(Message.external_id))


def test_connect_page_offers_every_way_in(client, shop):
    page = client.get(f"/shops/{shop}/connect").get_data(as_text=True)
    assert "Connect a channel" in page
    assert f'href="/shops/{shop}/imports/new"' in page
    assert f'href="/shops/{shop}/threads/new"' in page
    assert "Paste a conversation" in page


def test_an_agent_sees_the_ways_in_but_may_not_upload(app, client, make_user, make_shop, add_member, auth):
    shop_id = make_shop(make_user())
    add_member(shop_id, make_user("agent@example.com"))
    auth.login("agent@example.com")
    page = client.get(f"/shops/{shop_id}/connect").get_data(as_text=True)
    assert "owners can upload files." in page
    assert f"/shops/{shop_id}/imports/new" not in page
    assert f'href="/shops/{shop_id}/threads/new"' in page
    assert client.get(f"/shops/{shop_id}/imports/new").status_code == 403


def test_the_overview_the_empty_inbox_and_the_notifications_lead_to_the_ways_in(client, shop):
    overview = client.get(f"/shops/{shop}").get_data(as_text=True)
    assert f'href="/shops/{shop}/connect"' in overview
    inbox = client.get("/inbox").get_data(as_text=True)
    assert "Nothing is waiting for a reply" in inbox
    assert "Bring in buyer messages" in inbox
    assert f'href="/shops/{shop}/connect"' in inbox
    assert f'href="/shops/{shop}/threads/new"' in inbox
    for view in ("all", "resolved"):
        assert f'href="/shops/{shop}/threads/new"' in client.get(f"/inbox?view={view}").get_data(as_text=True)
    assert f'href="/shops/{shop}/threads/new"' in client.get("/notifications").get_data(as_text=True)


def test_a_csv_with_a_bad_line_imports_the_others_and_names_the_line(app, client, db, shop):
    content = csv_file([("m-1", "Where is my order?"), ("m-2", ""), ("m-3", "Thank you!")])
    response = upload(client, shop, content)
    assert response.status_code == 302
    progress_url = response.headers["Location"]
    waiting = client.get(progress_url).get_data(as_text=True)
    assert "Waiting to start" in waiting
    assert '<meta http-equiv="refresh"' in waiting

    assert run_worker(app) == 1
    page = client.get(progress_url).get_data(as_text=True)
    assert "Finished" in page
    assert 'value="100"' in page
    assert '<meta http-equiv="refresh"' not in page
    # The header is line 1, so the second row, without a body, is line 3.
    assert "<tr><td>3</td><td>" in page
    assert imported(db, shop) == ["m-1", "m-3"]
    job = db.scalar(select(ImportJob))
    assert (job.rows_done, job.messages_new, job.errors_count) == (3, 2, 1)
    assert not list(services_folder(app).iterdir())


def services_folder(app):
    with app.app_context():
        return services.import_folder()


def test_reasons_are_written_in_the_uploaders_language(app, client, shop):
    client.post("/language", data={"locale": "fa"})
    location = upload(client, shop, csv_file([("m-1", "")])).headers["Location"]
    run_worker(app)
    with app.test_request_context(), force_locale("fa"):
        expected = gettext("Required fields are missing.")
    assert expected != "Required fields are missing."
    assert expected in client.get(location).get_data(as_text=True)


def test_uploading_the_same_file_again_adds_nothing(app, client, db, shop):
    content = csv_file([("m-1", "Hello"), ("m-2", "Is it handmade?")])
    upload(client, shop, content)
    upload(client, shop, content)
    run_worker(app)
    assert imported(db, shop) == ["m-1", "m-2"]
    second = db.scalars(select(ImportJob).order_by(ImportJob.id))[1]
    assert (second.messages_new, second.duplicates) == (0, 2)


def test_json_lines_are_imported_too(app, client, db, shop):
    at = '"buyer": {"id": "b-1"}, "received_at": "2026-11-20T10:00:00Z"'
    content = (f'{{"external_id": "j-1", "body": "Привет", {at}}}\n\nnot json\n'
               f'{{"external_id": "j-2", "body": "Hi", {at}}}\n')
    location = upload(client, shop, content, "export.jsonl").headers["Location"]
    run_worker(app)
    assert imported(db, shop) == ["j-1", "j-2"]
    assert "<tr><td>3</td><td>This line is not valid JSON.</td></tr>" in client.get(location).get_data(as_text=True)


@pytest.mark.parametrize(("filename", "content", "message"), [
    ("messages.xlsx", b"PK\x03\x04", "Upload a CSV file (.csv) or a JSON Lines file (.jsonl)"),
    ("messages.csv", b"external_id,body\r\nm-1,\x00\x01\r\n", "This file is not text."),
    ("messages.csv", "external_id,body\r\nm-1,café\r\n".encode("latin-1"), "The file must be UTF-8 text."),
    ("messages.csv", b"id;text\r\n1;hello\r\n", "one of them must be “body”"),
    ("messages.jsonl", b'[{"body": "hello"}]', "Each line of a JSON Lines file"),
    ("messages.csv", b"", "The file is empty."),
])
def test_a_file_that_cannot_be_imported_is_refused_and_changes_nothing(app, client, db, shop, filename, *, content,
                                                                      message):
    response = upload(client, shop, content, filename)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.count(ImportJob) == 0
    folder = services_folder(app)
    assert not folder.exists() or not list(folder.iterdir())


def test_no_file_is_refused(client, db, shop):
    response = client.post(f"/shops/{shop}/imports/new", data={})
    assert response.status_code == 422
    assert "Choose a file to upload." in response.get_data(as_text=True)


def test_a_file_over_the_limit_is_refused_before_it_is_stored(make_app, make_user, make_shop, tmp_path):
    app = make_app(IMPORT_MAX_MB=1)
    shop_id = make_shop(make_user())
    client = app.test_client()
    client.post("/login", data={"email": "owner@example.com", "password": "correct horse battery"})
    # Encoded here: a body the test client spools to a temporary file stays open when the app never reads it.
    big = csv_file([(f"m-{n}", "x" * 100) for n in range(12000)]).encode()
    boundary, body = encode_multipart({"file": FileStorage(io.BytesIO(big), filename="messages.csv")})
    response = client.post(f"/shops/{shop_id}/imports/new", data=body,
                           content_type=f"multipart/form-data; boundary={boundary}")
    assert response.status_code == 413
    assert "The file is larger than 1 MB." in response.get_data(as_text=True)
    with app.app_context():
        assert database.session.scalar(select(ImportJob)) is None


class WorkerDied(BaseException):
    """What a SIGKILL looks like from inside: nothing after it runs, no handler sees it."""


def interrupt_after_first_piece(monkeypatch, *, before_recording):
    """Let the first piece through, then kill the worker: inside the next piece before the importer runs, or, with
    `before_recording`, right after the importer committed the next piece but before the job recorded it."""
    real = services.import_file
    calls = []

    def import_file(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2 and not before_recording:
            raise WorkerDied
        report = real(*args, **kwargs)
        if len(calls) == 2:
            raise WorkerDied
        return report

    monkeypatch.setattr(services, "import_file", import_file)


def test_an_import_whose_worker_died_resumes_at_the_next_piece(app, client, db, shop, monkeypatch):
    # Every fifth row has no external id: only resuming at the right piece keeps those from being stored twice.
    rows = [("" if number % 5 == 0 else f"m-{number:04}", f"Message {number}") for number in range(1, 1201)]
    upload(client, shop, csv_file(rows))
    interrupt_after_first_piece(monkeypatch, before_recording=False)
    with pytest.raises(WorkerDied):
        run_worker(app)
    job = db.scalar(select(ImportJob))
    assert (job.status, job.rows_done) == ("running", services.domain.ROWS_PER_PIECE)
    assert db.count(Message, Message.shop_id == shop) == services.domain.ROWS_PER_PIECE
    monkeypatch.undo()

    assert run_worker(app, NOW + timedelta(seconds=30)) == 0  # the dead worker's lease still holds
    assert run_worker(app, NOW + services.LEASE + timedelta(seconds=1)) == 1
    job = db.scalar(select(ImportJob))
    assert (job.status, job.rows_done, job.attempts) == ("done", 1200, 2)
    assert db.count(Message, Message.shop_id == shop) == 1200
    assert not list(services_folder(app).iterdir())  # the file and the dead worker's piece are gone


def test_a_piece_imported_again_after_a_death_stores_nothing_twice(app, client, db, shop, monkeypatch):
    """The worker dies after the importer committed a piece and before the job recorded it: the piece is imported
    again on resume, and its messages are known by their external ids."""
    upload(client, shop, csv_file([(f"m-{number:04}", f"Message {number}") for number in range(1, 1201)]))
    interrupt_after_first_piece(monkeypatch, before_recording=True)
    with pytest.raises(WorkerDied):
        run_worker(app)
    monkeypatch.undo()
    run_worker(app, NOW + services.LEASE + timedelta(seconds=1))
    job = db.scalar(select(ImportJob))
    assert (job.status, job.messages_new, job.duplicates) == ("done", 700, 500)
    assert db.count(Message, Message.shop_id == shop) == 1200
    assert len(set(imported(db, shop))) == 1200


def test_a_job_that_kills_every_worker_is_given_up(app, client, db, shop):
    upload(client, shop, csv_file([("m-1", "Hello")]))
    db.update(lambda session: session.execute(
        ImportJob.__table__.update().values(status="running", attempts=services.MAX_ATTEMPTS,
                                           lease_until=NOW - timedelta(seconds=1))))
    run_worker(app)
    job = db.scalar(select(ImportJob))
    assert (job.status, job.failure) == ("failed", "crashed")
    page = client.get(f"/shops/{shop}/imports/{job.id}").get_data(as_text=True)
    assert "The import stopped several times without finishing." in page


def test_another_shops_import_is_not_found(app, client, make_user, make_shop, shop):
    upload(client, shop, csv_file([("m-1", "Hello")]))
    other = make_shop(make_user("other@example.com"), name="Other")
    assert client.get(f"/shops/{other}/imports/1").status_code == 404
    stranger = app.test_client()
    stranger.post("/login", data={"email": "other@example.com", "password": "correct horse battery"})
    assert stranger.get(f"/shops/{shop}/imports/1").status_code == 404
    assert stranger.get(f"/shops/{other}/imports/1").status_code == 404


def test_a_full_disk_answers_503_and_leaves_no_file_or_job(app, client, db, shop, monkeypatch):
    import builtins

    from tests.test_full_disk import FullDiskFile

    real_open = builtins.open
    monkeypatch.setattr(services, "open", lambda path, mode="r", *args, **kwargs: FullDiskFile(
        real_open(path, mode, *args, **kwargs), room=10) if "w" in mode else real_open(path, mode, *args, **kwargs),
        raising=False)
    response = upload(client, shop, csv_file([("m-1", "Hello")]))
    assert response.status_code == 503
    assert db.count(ImportJob) == 0
    assert not list(services_folder(app).iterdir())
