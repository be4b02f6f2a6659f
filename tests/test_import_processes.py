"""`sellerkit import messages` killed mid-import: its reader process and multiprocessing's helper end with it."""
import json
import os
import signal
import subprocess
import sys
import time

import pytest

from sellerkit.threads import importing

#: How long the helpers get to notice that the import is gone (they are expected to go at once).
GRACE_SECONDS = 30


def children_of(pid):
    """Process ids whose parent is `pid`, read from /proc."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as handle:
                    fields = handle.read().rpartition(")")[2].split()
            except OSError:
                continue  # it ended while the folder was read
            if int(fields[1]) == pid:
                found.append(int(entry))
    return found


def is_running(pid):
    """True while the process exists and is not a zombie waiting to be reaped."""
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().rpartition(")")[2].split()[0] != "Z"
    except OSError:
        return False


def wait_for(condition, seconds):
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def write_big_file(path):
    lines = (json.dumps({"external_id": f"k{n}", "thread_external_id": f"t{n // 4}", "buyer": {"id": f"b{n // 4}"},
                         "body": "Dzień dobry, czy paczka z zamówienia już wyszła? Czekam od tygodnia.",
                         "received_at": "2026-11-20T10:00:00Z"}, ensure_ascii=False) for n in range(60_000))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert path.stat().st_size > importing.PARALLEL_FROM_BYTES
    return path


@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGTERM])
def test_killed_import_leaves_no_helper_process(migrated_database, make_user, make_shop, tmp_path, how):
    shop_id = make_shop(make_user())
    path = write_big_file(tmp_path / "messages.jsonl")
    env = {**os.environ, "SELLERKIT_ENV": "development", "SELLERKIT_INSTANCE_PATH": str(tmp_path / "instance"),
           "SELLERKIT_DATABASE_URL": migrated_database}
    command = os.path.join(os.path.dirname(sys.executable), "sellerkit")
    process = subprocess.Popen([command, "import", "messages", str(path), "--shop", str(shop_id)], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    helpers = []
    try:
        # The reader process and multiprocessing's resource tracker.
        assert wait_for(lambda: len(children_of(process.pid)) >= 2, 60), "the import did not start its reader"
        helpers.extend(children_of(process.pid))
        process.send_signal(how)
        process.wait(timeout=30)
        assert wait_for(lambda: not any(is_running(pid) for pid in helpers), GRACE_SECONDS), \
            [open(f"/proc/{pid}/cmdline").read().replace("\0", " ") for pid in helpers if is_running(pid)]
    finally:
        process.kill()
        process.wait()
        for pid in helpers:
            if is_running(pid):
                os.kill(pid, signal.SIGKILL)  # only the helpers this test saw start, by their id
