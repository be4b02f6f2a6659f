"""A real scheduler process killed with SIGKILL in the middle of an uploaded file: the next one resumes the import,
and every message is stored exactly once."""
import io
import os
import signal
import subprocess
import sys
from datetime import timedelta

from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from sellerkit.clock import utcnow
from sellerkit.imports import services
from sellerkit.imports.models import ImportJob
from sellerkit.threads.models import Message
from tests.test_import_processes import wait_for

ROWS = 20_000


def test_a_scheduler_killed_mid_file_leaves_the_rest_to_the_next(migrated_database, app, db, make_user, make_shop,
                                                                  tmp_path):
    shop_id = make_shop(make_user())
    client = app.test_client()
    client.post("/login", data={"email": "owner@example.com", "password": "correct horse battery"})
    rows = "".join(f"k-{n},b-{n // 3},Buyer,Is order {n} on its way?,2026-11-20T10:00:00Z\r\n" for n in range(ROWS))
    content = ("external_id,buyer_id,buyer_name,body,received_at\r\n" + rows).encode()
    # Encoded here: a large body that the test client spools to a temporary file would stay open after the test.
    boundary, body = encode_multipart({"file": FileStorage(io.BytesIO(content), filename="history.csv")})
    response = client.post(f"/shops/{shop_id}/imports/new", data=body,
                           content_type=f"multipart/form-data; boundary={boundary}")
    assert response.status_code == 302

    env = {**os.environ, "SELLERKIT_ENV": "development", "SELLERKIT_INSTANCE_PATH": app.instance_path,
           "SELLERKIT_DATABASE_URL": migrated_database}
    command = os.path.join(os.path.dirname(sys.executable), "sellerkit")
    scheduler = subprocess.Popen([command, "scheduler", "--once"], env=env, stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL)
    try:
        assert wait_for(lambda: db.scalar(select(ImportJob.rows_done)) >= 1000, 120), "the scheduler did not start"
        scheduler.send_signal(signal.SIGKILL)
        scheduler.wait(timeout=30)
    finally:
        scheduler.kill()
        scheduler.wait()
    job = db.scalar(select(ImportJob))
    assert job.status == "running"
    assert job.rows_done < ROWS, "the import finished before the scheduler was killed: make the file larger"

    with app.app_context():
        assert services.run_imports(lambda: utcnow() + services.LEASE + timedelta(seconds=1)) == 1
    job = db.scalar(select(ImportJob))
    assert (job.status, job.rows_done, job.errors_count) == ("done", ROWS, 0)
    assert db.count(Message, Message.shop_id == shop_id) == ROWS
    assert db.scalar(select(func.count(func.distinct(Message.external_id))).where(Message.shop_id == shop_id)) == ROWS
