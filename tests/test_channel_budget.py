"""The request budget shared by every process: Wildberries' 10 requests per 10 seconds per seller is never exceeded,
whichever scheduler or sender asks, and a 429 stops them all until the time the platform named."""
import os
import subprocess
import sys
import textwrap
import time

import pytest

from sellerkit.channels import ratelimit
from sellerkit.channels.kinds import ChannelError
from sellerkit.channels.ratelimit import RateLimited, SharedBudget
from sellerkit.channels.wildberries import WildberriesKind
from tests.conftest import NOW
from tests.contracts.base import Running
from tests.contracts.wildberries import WildberriesPlatform

WORKER = textwrap.dedent("""
    import sys
    from sellerkit import create_app
    from sellerkit.channels.ratelimit import SharedBudget
    from sellerkit.channels.wildberries import WildberriesKind
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "ENV": "development", "DATABASE_URL": sys.argv[1],
                      "INSTANCE_PATH": sys.argv[2]})
    kind = WildberriesKind(allow_private=True, budget=SharedBudget(10, float(sys.argv[4]), 60))
    with app.app_context():
        for _ in range(int(sys.argv[5])):
            checks = kind.test({"base_url": sys.argv[3]}, {"token": "wb-token"}, None)
            assert checks[0].ok, checks
""")


@pytest.fixture
def wb(request):
    running = Running(WildberriesPlatform(limit=10, period=2.0))
    request.addfinalizer(running.stop)
    return running


def test_two_processes_never_exceed_the_sellers_limit_together(app, database_url, tmp_path, wb):
    script = tmp_path / "worker.py"
    script.write_text(WORKER)
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    started = time.monotonic()
    processes = [subprocess.Popen([sys.executable, str(script), database_url, str(tmp_path / f"instance{n}"), wb.base,
                                   "2.0", "8"], env=env, stderr=subprocess.PIPE, text=True) for n in range(2)]
    outcomes = [(process.communicate(timeout=120)[1], process.returncode) for process in processes]
    assert [code for _errors, code in outcomes] == [0, 0], (outcomes, wb.platform.refused)
    assert wb.platform.refused == 0
    # Sixteen requests at ten per two seconds: the last six had to wait for the first ones to leave the window.
    assert time.monotonic() - started >= 2.0


def test_a_429_stops_every_process_until_the_time_the_platform_named(app, wb):
    wb.platform.limit, wb.platform.period = 2, 10.0
    settings, secrets = {"base_url": wb.base}, {"token": "wb-token"}
    generous = WildberriesKind(allow_private=True, budget=SharedBudget(100, 1.0, 0.5))
    with app.app_context():
        generous.test(settings, secrets, NOW)
        generous.test(settings, secrets, NOW)
        with pytest.raises(ChannelError) as limited:
            generous.fetch(settings, secrets, None, 100, NOW)
        assert limited.value.code == "rate_limited"
        asked = len(wb.platform.moments) + wb.platform.refused
        other_process = WildberriesKind(allow_private=True, budget=SharedBudget(100, 1.0, 0.5))
        with pytest.raises(ChannelError) as waiting:
            other_process.fetch(settings, secrets, None, 100, NOW)
        assert waiting.value.code == "rate_limited" and waiting.value.retry_after > 5
    assert len(wb.platform.moments) + wb.platform.refused == asked  # nothing more reached the platform


def test_turns_free_up_as_the_oldest_request_leaves_the_window(app):
    with app.app_context():
        for moment in (100.0, 101.0, 102.0):
            assert ratelimit.take_turn("k", 3, 10.0, moment) == 0
            ratelimit.finish_turn("k", moment, moment + 0.5)
        assert ratelimit.take_turn("k", 3, 10.0, 105.0) == pytest.approx(5.5)
        assert ratelimit.take_turn("other", 3, 10.0, 105.0) == 0
        assert ratelimit.take_turn("k", 3, 10.0, 110.6) == 0
        # A turn whose request is still under way counts as ending now: the platform may not have counted it yet.
        assert ratelimit.take_turn("k", 3, 10.0, 111.0) == pytest.approx(0.5)
        ratelimit.finish_turn("k", 110.6, 111.0)
        budget = SharedBudget(3, 10.0, 0.25, clock=lambda: 112.0, sleep=lambda seconds: None)
        budget.finish("k", budget.acquire("k"))
        with pytest.raises(RateLimited) as waiting:
            budget.acquire("k")
        assert waiting.value.retry_after == pytest.approx(0.5)
