"""sellerkit import messages: the report a seller reads, idempotence, and the same result as one at a time."""
import csv
import json

import pytest
from sqlalchemy import select

from sellerkit import inbox
from sellerkit.extensions import db as sqla
from sellerkit.shops.models import Shop
from sellerkit.threads import importing, search, store
from sellerkit.threads.models import Message, Thread, ThreadEvent
from sellerkit.threads.parsing import inbound_from_json, json_from_csv_row
from tests.conftest import NOW

ROWS = [
    {"external_id": "a1", "thread_external_id": "t1", "buyer_id": "b1", "buyer_name": "Ana",
     "order_reference": "O-1", "subject": "Paczka", "body": "Gdzie jest moja paczka?",
     "received_at": "2026-11-20T10:00:00Z"},
    {"external_id": "a2", "thread_external_id": "t1", "buyer_id": "b1", "buyer_name": "Ana",
     "order_reference": "O-1", "subject": "Paczka", "body": "Czy już wysłana?", "received_at": "2026-11-20T09:00:00Z"},
    {"external_id": "a3", "thread_external_id": "", "buyer_id": "b2", "buyer_name": "Олег",
     "order_reference": "O-2", "subject": "", "body": "Где мой заказ?", "received_at": "2026-11-21T08:00:00+03:00"},
    {"external_id": "a4", "thread_external_id": "t4", "buyer_id": "b3", "buyer_name": "", "order_reference": "",
     "subject": "", "body": "", "received_at": "2026-11-21T08:00:00Z"},
    {"external_id": "a5", "thread_external_id": "t5", "buyer_id": "b3", "buyer_name": "", "order_reference": "",
     "subject": "", "body": "没有时区", "received_at": "2026-11-21T08:00:00"},
    {"external_id": "a1", "thread_external_id": "t1", "buyer_id": "b1", "buyer_name": "Ana",
     "order_reference": "O-1", "subject": "Paczka", "body": "Gdzie jest moja paczka?",
     "received_at": "2026-11-20T10:00:00Z"},
]


def write_csv(path, rows):
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def run_import(app, path, shop_id):
    result = app.test_cli_runner().invoke(args=["import", "messages", str(path), "--shop", str(shop_id)])
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture
def shop_id(make_user, make_shop):
    return make_shop(make_user())


def test_import_reports_new_duplicates_and_rejected_lines(app, db, tmp_path, shop_id):
    output = run_import(app, write_csv(tmp_path / "messages.csv", ROWS), shop_id)
    assert "3 new, 1 duplicates, 2 rejected" in output
    assert "line 5: Required fields are missing. (body: This field is required.)" in output  # header is line 1
    assert "line 6:" in output and "timezone" in output
    thread = db.scalar(select(Thread).where(Thread.external_id == "t1"))
    assert thread.waiting_since.hour == 9 and thread.last_message_at.hour == 10 and thread.language == "pl"
    assert db.count(ThreadEvent) == 3


def test_import_twice_stores_nothing_new(app, db, tmp_path, shop_id):
    path = write_csv(tmp_path / "messages.csv", ROWS)
    run_import(app, path, shop_id)
    assert "0 new, 4 duplicates, 2 rejected" in run_import(app, path, shop_id)
    assert db.count(Message) == 3


def test_json_lines_with_a_broken_line(app, db, tmp_path, shop_id):
    path = tmp_path / "messages.jsonl"
    path.write_text("\n".join([
        json.dumps({"external_id": "j1", "buyer": {"id": "b1", "language": "fa"}, "body": "سلام",
                    "received_at": "2026-11-20T10:00:00Z", "order": {"reference": "O-9", "total": "10.5"}}),
        "{not json",
        json.dumps(["a list"]),
        json.dumps({"external_id": "j2", "buyer": {"id": "b1"}, "body": "hi", "received_at": "2026-11-20T10:00:00Z",
                    "surprise": 1}),
    ]), encoding="utf-8")
    output = run_import(app, path, shop_id)
    assert "1 new, 0 duplicates, 3 rejected" in output
    assert "line 2: not valid JSON" in output and "line 3: not a JSON object" in output
    assert "line 4:" in output and "surprise" in output


def test_a_message_with_a_nul_character_is_rejected_and_the_rest_imported(app, db, tmp_path, shop_id):
    path = tmp_path / "messages.jsonl"
    path.write_text("\n".join(json.dumps({"external_id": f"n{number}", "buyer": {"id": "b1"}, "body": body,
                                          "received_at": "2026-11-20T10:00:00Z"})
                              for number, body in enumerate(["Hello", "Broken \x00 text"], start=1)), encoding="utf-8")
    output = run_import(app, path, shop_id)
    assert "1 new, 0 duplicates, 1 rejected" in output and "line 2: body contains a NUL character" in output
    assert db.count(Message) == 1


def test_large_files_go_through_the_reader_process(app, db, tmp_path, shop_id, monkeypatch):
    monkeypatch.setattr(importing, "PARALLEL_FROM_BYTES", 0)
    rows = [dict(ROWS[0], external_id=f"p{n}", thread_external_id=f"t{n // 3}", buyer_id=f"b{n // 3}")
            for n in range(1200)]
    output = run_import(app, write_csv(tmp_path / "big.csv", rows), shop_id)
    assert "1200 new, 0 duplicates, 0 rejected" in output
    assert db.count(Thread) == 400


def test_unknown_shop_is_refused(app, tmp_path):
    result = app.test_cli_runner().invoke(args=["import", "messages", str(write_csv(tmp_path / "m.csv", ROWS)),
                                                "--shop", "424242"])
    assert result.exit_code != 0 and "No shop with id 424242" in result.output


def snapshot(app, shop_id):
    with app.app_context():
        threads = sqla.session.scalars(select(Thread).where(Thread.shop_id == shop_id).order_by(Thread.external_id,
                                                                                               Thread.id)).all()
        return [(t.external_id, t.status, t.waiting_since, t.last_message_at, t.language, t.subject,
                 sorted((m.external_id, m.body, m.language, m.posted_at) for m in sqla.session.scalars(
                     select(Message).where(Message.thread_id == t.id))))
                for t in threads]


def test_bulk_import_gives_the_same_result_as_one_message_at_a_time(app, tmp_path, make_user, make_shop):
    """The bulk path runs the same rules set-wise: the threads it builds equal those receive builds."""
    owner = make_user()
    one_by_one, bulk_shop = make_shop(owner, name="One"), make_shop(owner, name="Bulk")
    good = [row for row in ROWS if row["body"] and row["received_at"].endswith(("Z", "+03:00"))]
    with app.app_context():
        shop = sqla.session.get(Shop, one_by_one)
        for row in good:
            inbox.receive_buyer_message(shop, inbound_from_json(json_from_csv_row(row)), NOW)
        sqla.session.commit()
    run_import(app, write_csv(tmp_path / "same.csv", good), bulk_shop)
    assert snapshot(app, one_by_one) == snapshot(app, bulk_shop)
    page = app.test_client()
    page.post("/login", data={"email": "owner@example.com", "password": "correct horse battery"})
    found = page.get("/inbox", query_string={"view": "all", "q": "paczka", "shop": bulk_shop}).get_data(as_text=True)
    assert "Ana" in found


def test_orders_delivered_and_not_in_one_import_and_a_later_delivery_are_all_kept(app, db, tmp_path, shop_id):
    from sellerkit.threads.models import Order

    def line(number, order):
        return json.dumps({"external_id": f"d{number}", "buyer": {"id": f"b{number}"}, "body": "Hello",
                           "received_at": "2026-11-20T10:00:00Z", "order": order})

    path = tmp_path / "orders.jsonl"
    path.write_text("\n".join([line(1, {"reference": "O-1", "delivered_at": "2026-11-18T10:00:00Z"}),
                               line(2, {"reference": "O-2", "tracking_number": "TRK-2"})]), encoding="utf-8")
    assert "2 new, 0 duplicates, 0 rejected" in run_import(app, path, shop_id)
    later = tmp_path / "later.jsonl"
    later.write_text(line(3, {"reference": "O-2", "delivered_at": "2026-11-21T10:00:00Z"}), encoding="utf-8")
    run_import(app, later, shop_id)
    orders = {o.platform_order_ref: o for o in db.scalars(select(Order))}
    assert orders["O-1"].delivered_at.day == 18 and orders["O-1"].tracking_number is None
    assert orders["O-2"].tracking_number == "TRK-2" and orders["O-2"].delivered_at.day == 21


def test_imported_messages_are_found_by_search(app, db, tmp_path, shop_id):
    run_import(app, write_csv(tmp_path / "messages.csv", ROWS), shop_id)
    with app.app_context():
        def found(words):
            return set(sqla.session.scalars(select(Thread.external_id).where(
                Thread.id.in_(search.matching_thread_ids(words)))))

        # The subject is searched with a new thread's first message, the body with every message.
        assert found("paczka") == {"t1"} and found("wysłana") == {"t1"}
        assert found("заказ") == {None} and found("nothing-like-this") == set()


def test_batch_look_ups_are_planned_for_their_own_values_on_postgresql(app, shop_id):
    """A prepared look-up of a batch's thousands of buyers, orders or threads may get one generic plan that tests
    every row against every value; the importer's statements are planned each time instead, and the app's own
    statements are prepared again afterwards."""
    with app.app_context():
        connection = sqla.session.connection()
        if connection.dialect.name != "postgresql":
            pytest.skip("only PostgreSQL prepares statements")
        shop = sqla.session.get(Shop, shop_id)
        report = importing.ImportReport()
        for batch in range(7):  # psycopg prepares a statement on its fifth run
            rows = [dict(ROWS[0], external_id=f"p{batch}-{n}", thread_external_id=f"pt{batch}-{n}",
                         buyer_id=f"pb{batch}-{n}", order_reference=f"PO-{batch}-{n}") for n in range(3)]
            importing.store_batch(shop, [(n, store.prepare(inbound_from_json(json_from_csv_row(row))))
                                         for n, row in enumerate(rows)], NOW, report)
        prepared = connection.exec_driver_sql("SELECT statement FROM pg_prepared_statements").scalars().all()
        assert report.new == 21 and len(set(sqla.session.scalars(select(Thread.buyer_id)))) == 21
        assert not [statement for statement in prepared if "ANY" in statement], prepared
        assert connection.connection.driver_connection.prepare_threshold is not None
        sqla.session.rollback()
