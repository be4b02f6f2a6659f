"""Channel polling in real scheduler processes: three never poll one channel at once, and a poller killed in the
middle of a fetch loses nothing and stores nothing twice."""
import os
import signal
import subprocess
import sys
import textwrap
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select

from sellerkit.extensions import db as sqla
from sellerkit.threads.models import Message
from tests import fakechannel
from tests.conftest import NOW

ROOT = Path(__file__).resolve().parent.parent

POLLER = textwrap.dedent("""
    import sys
    from datetime import datetime
    sys.path.insert(0, sys.argv[4])
    from sellerkit import create_app
    from sellerkit.channels.polling import poll_due
    from tests import fakechannel
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "ENV": "development", "DATABASE_URL": sys.argv[1],
                      "INSTANCE_PATH": sys.argv[2]})
    fakechannel.register(app)
    with app.app_context():
        poll_due(datetime.fromisoformat(sys.argv[3]), limit=1)
""")


def _start(script, database_url, instance, now, env):
    return subprocess.Popen([sys.executable, str(script), database_url, str(instance), now.isoformat(), str(ROOT)],
                            env=env, stderr=subprocess.PIPE, text=True)


def _stored(app):
    with app.app_context():
        return sqla.session.scalars(select(Message.external_id).where(Message.direction == "in")).all()


def _fetches(source):
    """(start, end) of every fetch of one channel that finished, from the kind's log."""
    path = source.with_suffix(".log")
    lines = [line.split() for line in path.read_text().splitlines()] if path.exists() else []
    return sorted((float(started), float(ended)) for event, started, ended, _pid in lines if event == "end")


def test_three_schedulers_never_poll_one_channel_at_once(app, database_url, tmp_path, make_user, make_shop,
                                                         make_channel):
    shop_id = make_shop(make_user())
    # Each channel needs several batches (50 messages each), each fetch taking a while: plenty of chances to
    # overlap if the lease did not keep the other pollers out.
    sources = [fakechannel.write_messages(make_channel(shop_id, delay=0.2)[1], 120, start=n * 1000)
               for n in range(4)]
    # The instance folder holds the channel key: every process shares it, as processes of one installation do.
    instance = Path(app.instance_path)
    script = tmp_path / "poller.py"
    script.write_text(POLLER)
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    processes = [_start(script, database_url, instance, NOW, env) for _n in range(3)]
    for process in processes:
        _out, errors = process.communicate(timeout=240)
        assert process.returncode == 0, errors
    stored = _stored(app)
    assert len(stored) == 480
    assert len(set(stored)) == 480
    for source in sources:
        fetches = _fetches(source)
        assert len(fetches) == 3
        for (_start_a, end_a), (start_b, _end_b) in zip(fetches, fetches[1:], strict=False):
            assert end_a <= start_b, f"two pollers fetched {source.name} at once"
    pids = {line.split()[3] for source in sources for line in source.with_suffix(".log").read_text().splitlines()}
    assert len(pids) > 1, "the work was not shared between the processes"


def test_a_scheduler_killed_mid_fetch_loses_nothing_and_stores_nothing_twice(app, database_url, tmp_path, make_user,
                                                                             make_shop, make_channel):
    """SIGKILL while the kind is fetching, after some batches were stored: a later scheduler, once the dead one's
    lease has run out, goes on from the stored cursor."""
    from sellerkit.channels.models import Channel

    shop_id = make_shop(make_user())
    channel_id, source = make_channel(shop_id, count=200, delay=1)
    instance = Path(app.instance_path)
    script = tmp_path / "poller.py"
    script.write_text(POLLER)
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    first = _start(script, database_url, instance, NOW, env)
    log = source.with_suffix(".log")
    deadline = time.monotonic() + 120
    # Two batches stored and the third being fetched: the kill lands inside a fetch.
    while time.monotonic() < deadline:
        events = [line.split()[0] for line in log.read_text().splitlines()] if log.exists() else []
        if events.count("end") >= 2 and events[-1] == "start" and len(_stored(app)) == 100:
            break
        time.sleep(0.05)
    first.send_signal(signal.SIGKILL)
    first.communicate(timeout=30)
    stored = _stored(app)
    assert len(stored) == 100, "the kill must land between stored batches, in a fetch"
    with app.app_context():
        assert sqla.session.get(Channel, channel_id).cursor == {"after": 100}

    later = NOW + timedelta(minutes=6)  # the dead poller's lease has run out
    second = _start(script, database_url, instance, later, env)
    _out, errors = second.communicate(timeout=240)
    assert second.returncode == 0, errors
    stored = _stored(app)
    assert len(stored) == 200  # nothing lost
    assert len(set(stored)) == 200  # nothing twice
    with app.app_context():
        assert sqla.session.scalar(select(func.count()).select_from(Message)) == 200
        assert sqla.session.get(Channel, channel_id).cursor == {"after": 200}
