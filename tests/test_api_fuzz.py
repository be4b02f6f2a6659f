"""schemathesis drives every operation of /api/v1/openapi.json with generated input: no server error, ever.

The operations are driven programmatically (schemathesis' pytest plugin does not run under pytest 9).
"""
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

EXAMPLES_PER_OPERATION = 40


# schemathesis' WSGI transport never closes a streamed response (an attachment download), so Python warns
# about the file when the response is collected; the app itself closes files through the WSGI server.
@pytest.mark.filterwarnings("ignore::ResourceWarning")
def test_no_input_makes_the_api_fail(app, make_user, make_shop, make_conversation):
    owner = make_user()
    make_conversation(make_shop(owner), owner)
    result = app.test_cli_runner().invoke(args=["create-token", "owner@example.com", "--name", "fuzz"])
    headers = {"Authorization": f"Bearer {result.output.strip().splitlines()[-1]}"}
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [entry.ok() for entry in schema.get_all_operations()]
    labels = {operation.label for operation in operations}
    assert "POST /shops/{shop_id}/messages" in labels and "PATCH /threads/{thread_id}" in labels

    for operation in operations:
        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        def never_a_server_error(case):
            response = case.call(headers=headers)
            case.validate_response(response, checks=[not_a_server_error])

        never_a_server_error()
