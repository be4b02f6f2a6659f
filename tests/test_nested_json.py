"""JSON nested far deeper than any real body is refused as malformed input (400), never a crash (500)."""
import base64
import io

import pytest

from tests.test_api import make_token

#: From the deepest that still parses to far past Python's recursion limit.
DEPTHS = [40, 900, 990, 5_000, 200_000]


def nested(depth):
    return "[" * depth + "]" * depth


def nested_object(depth):
    return '{"a":' * depth + "1" + "}" * depth


@pytest.fixture
def api(client, auth, make_user, make_shop):
    shop_id = make_shop(make_user())
    return shop_id, make_token(client, auth)


def json_endpoints(shop_id):
    return [f"/api/v1/shops/{shop_id}/messages", "/api/v1/shops", f"/api/v1/shops/{shop_id}/coupons",
            f"/api/v1/shops/{shop_id}/saved-replies", f"/api/v1/shops/{shop_id}/redemptions"]


@pytest.mark.parametrize("depth", DEPTHS)
def test_deeply_nested_body_is_a_bad_request_on_every_json_endpoint(client, api, depth):
    shop_id, headers = api
    for path in json_endpoints(shop_id):
        for body in (nested(depth), nested_object(depth), '{"body": ' + nested(depth) + "}"):
            response = client.post(path, data=body, content_type="application/json", headers=headers)
            assert response.status_code == 400, (path, depth, response.status_code)
            assert response.json["error"]["code"] == "malformed"


def test_deeply_nested_message_part_of_an_upload_is_a_bad_request(client, api):
    shop_id, headers = api
    response = client.post(f"/api/v1/shops/{shop_id}/messages", headers=headers,
                           data={"message": nested(100_000), "attachments": (io.BytesIO(b"hi"), "note.txt")})
    assert response.status_code == 400
    assert response.json["error"]["code"] == "malformed"


def test_deeply_nested_list_cursor_is_refused_like_any_foreign_cursor(client, api):
    shop_id, headers = api
    cursor = base64.urlsafe_b64encode(nested(100_000).encode()).decode().rstrip("=")
    response = client.get(f"/api/v1/shops/{shop_id}/threads?cursor={cursor}", headers=headers)
    foreign = client.get(f"/api/v1/shops/{shop_id}/threads?cursor=bm90LW91cnM", headers=headers)
    assert response.status_code == foreign.status_code
    assert response.json == foreign.json


def test_deeply_nested_saved_reply_file_gets_the_form_error(client, auth, make_user, make_shop):
    shop_id = make_shop(make_user())
    auth.login()
    response = client.post(f"/shops/{shop_id}/replies/import",
                           data={"file": (io.BytesIO(nested(100_000).encode()), "replies.json")})
    assert response.status_code == 422
