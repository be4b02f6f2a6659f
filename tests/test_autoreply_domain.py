"""Auto-reply rules, case by case and as a state machine driven by hypothesis through random conversations."""
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from sellerkit.autoreply.domain import (
    BUYER_COOLDOWN,
    SELLER_ACTIVE,
    History,
    Incoming,
    automated_reason,
    decide,
)

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
QUIET = History(False, None, None)


@pytest.mark.parametrize("headers, sender, reason", [
    ({"Auto-Submitted": "auto-replied"}, None, "auto_submitted"),
    ({"Auto-Submitted": "auto-generated"}, None, "auto_submitted"),
    ({"Precedence": "bulk"}, None, "bulk"),
    ({"Precedence": "junk"}, None, "bulk"),
    ({"List-Id": "<news.example.com>"}, None, "mailing_list"),
    ({"X-Auto-Response-Suppress": "All"}, None, "suppressed"),
    ({}, "noreply@marketplace.example", "no_reply_sender"),
    ({}, "Etsy <do-not-reply@etsy.example>", "no_reply_sender"),
    ({}, "MAILER-DAEMON@mx.example", "no_reply_sender"),
])
def test_machines_are_never_answered(headers, sender, reason):
    incoming = Incoming("buyer", headers, sender)
    assert automated_reason(incoming) == reason
    assert decide(incoming, True, QUIET, NOW).send is False


def test_a_person_is_answered_once_while_away():
    person = Incoming("buyer", {"Auto-Submitted": "no", "Precedence": "first-class"}, "maryam@example.com")
    assert decide(person, True, QUIET, NOW).send is True
    assert decide(person, False, QUIET, NOW).reason == "not_away"
    assert decide(person, True, History(True, None, None), NOW).reason == "already_answered_thread"
    assert decide(person, True, History(False, NOW - timedelta(days=6), None), NOW).reason == \
        "buyer_answered_recently"
    assert decide(person, True, History(False, None, NOW - timedelta(minutes=5)), NOW).reason == "seller_active"
    assert decide(Incoming("reply", {}), True, QUIET, NOW).reason == "not_buyer"
    assert decide(Incoming("buyer", {}, is_ours=True), True, QUIET, NOW).reason == "ours"


class Conversations(RuleBasedStateMachine):
    """Buyers write (people and machines), the seller replies, time passes, vacations start and end.

    The simulation applies `decide` exactly as the app does and keeps its own record of every auto-reply,
    then checks the promises: never to a machine, once per thread per vacation, once per buyer per 7 days,
    never within 10 minutes of the seller's reply.
    """

    def __init__(self):
        super().__init__()
        self.now = NOW
        self.vacation = 0  # 0: at work; otherwise the number of the vacation in progress
        self.vacations_started = 0
        self.sent = []  # (time, thread, buyer, vacation)
        self.seller_replies = []  # (time, thread, step)
        self.step = 0  # orders events that happen at the same instant
        self.bad = []

    def _receive(self, thread, buyer, incoming):
        history = History(
            replied_in_thread_this_period=any(t == thread and v == self.vacation for _, t, _, v, _ in self.sent),
            last_auto_reply_to_buyer_at=max((at for at, _, b, _, _ in self.sent if b == buyer), default=None),
            last_seller_reply_at=max((at for at, t, _ in self.seller_replies if t == thread), default=None))
        decision = decide(incoming, self.vacation != 0, history, self.now)
        if decision.send:
            if automated_reason(incoming):
                self.bad.append("answered a machine")
            self.step += 1
            self.sent.append((self.now, thread, buyer, self.vacation, self.step))
        return decision

    @rule(thread=st.integers(0, 3), buyer=st.integers(0, 2))
    def buyer_writes(self, thread, buyer):
        self._receive(thread, buyer, Incoming("buyer", {}, f"buyer{buyer}@example.com"))

    @rule(thread=st.integers(0, 3), buyer=st.integers(0, 2),
          headers=st.sampled_from([{"Auto-Submitted": "auto-replied"}, {"Precedence": "bulk"}, {"List-Id": "x"}]))
    def machine_writes(self, thread, buyer, headers):
        self._receive(thread, buyer, Incoming("buyer", headers, f"buyer{buyer}@example.com"))

    @rule(thread=st.integers(0, 3))
    def seller_replies_in(self, thread):
        self.step += 1
        self.seller_replies.append((self.now, thread, self.step))

    @rule(minutes=st.integers(1, 60 * 24 * 10))
    def time_passes(self, minutes):
        self.now += timedelta(minutes=minutes)

    @rule()
    def vacation_starts_or_ends(self):
        if self.vacation:
            self.vacation = 0
        else:
            self.vacations_started += 1
            self.vacation = self.vacations_started

    @rule(thread=st.integers(0, 3), buyer=st.integers(0, 2))
    def another_auto_responder_answers_us(self, thread, buyer):
        """A buyer's own out-of-office answers our auto-reply: the loop must stop at once."""
        before = len(self.sent)
        self._receive(thread, buyer, Incoming("buyer", {"Auto-Submitted": "auto-replied"}, "buyer@example.com"))
        if len(self.sent) != before:
            self.bad.append("replied to an auto-responder")

    @invariant()
    def promises_hold(self):
        assert not self.bad, self.bad
        per_thread_vacation = [(t, v) for _, t, _, v, _ in self.sent]
        assert len(per_thread_vacation) == len(set(per_thread_vacation)), "twice in one thread in one vacation"
        for buyer in {b for _, _, b, _, _ in self.sent}:
            times = sorted(at for at, _, b, _, _ in self.sent if b == buyer)
            assert all(later - earlier >= BUYER_COOLDOWN for earlier, later in zip(times, times[1:], strict=False))
        for at, thread, _, _, step in self.sent:
            assert not any(t == thread and earlier < step and at - replied < SELLER_ACTIVE
                           for replied, t, earlier in self.seller_replies), "answered while the seller was answering"


Conversations.TestCase.settings = settings(max_examples=150, stateful_step_count=40, deadline=None)
test_auto_reply_state_machine = Conversations.TestCase
