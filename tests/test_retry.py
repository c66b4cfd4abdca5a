"""The shared HTTP retry policy (hunter_cli/retry.py) on real stamina: tries, budgets, Retry-After, jitter."""

import asyncio
import email.utils
import time

import pytest
import stamina

from hunter_cli import retry
from hunter_cli.retry import Policy, RetryableAnswer, parse_retry_after

TINY = Policy("Test", frozenset({429, 500, 503}), attempts=4, wait_initial=0.02, wait_max=0.05, retry_after_max=2)


class Script:
    """A request that answers with the given statuses in turn (then 200); records each try."""

    def __init__(self, *answers, policy=TINY):
        self.answers = list(answers)
        self.policy = policy
        self.tries = 0

    def __call__(self):
        self.tries += 1
        answer = self.answers.pop(0) if self.answers else 200
        if isinstance(answer, BaseException):
            raise answer
        status, retry_after = answer if isinstance(answer, tuple) else (answer, None)
        self.policy.check(status, retry_after, f"HTTP {status}")
        return status


@pytest.mark.parametrize(
    "header,expected",
    [
        ("0", 0.0),
        ("120", 120.0),
        ("  7\t", 7.0),
        ("-5", None),  # not 1*DIGIT
        ("1.5", None),
        ("soon", None),
        ("٣", None),  # a non-ASCII digit is not delay-seconds
        ("Sun, 06 Nov 1994 08:49:37 GMT", 0.0),  # IMF-fixdate in the past
        ("Sunday, 06-Nov-94 08:49:37 GMT", 0.0),  # obsolete RFC 850 form
    ],
)
def test_parse_retry_after(header, expected):
    assert parse_retry_after(header) == expected


def test_parse_retry_after_date_in_the_future():
    now = time.time()
    header = email.utils.formatdate(now + 90, usegmt=True)
    assert 88 <= parse_retry_after(header, now=now) <= 90


def test_first_answer_good_makes_one_try():
    script = Script()
    assert retry.call(TINY, script) == 200 and script.tries == 1


def test_retryable_statuses_are_tried_again_then_succeed(retries):
    script = Script(503, 500, (429, "0"))
    assert retry.call(TINY, script) == 200
    assert script.tries == 4
    assert retries == [("Test", 503, None), ("Test", 500, None), ("Test", 429, 0.0)]


def test_tries_are_bounded_and_the_last_answer_comes_back():
    script = Script(*[503] * 10)
    with pytest.raises(RetryableAnswer) as err:
        retry.call(TINY, script)
    assert script.tries == TINY.attempts == err.value.tries
    assert err.value.status == 503 and err.value.refused_wait is None
    assert "kept answering HTTP 503 (4 tries)" in err.value.give_up_text(TINY.retry_after_max)


@pytest.mark.parametrize("status", [400, 401, 403, 404, 409, 412, 501])
def test_statuses_outside_the_policy_are_not_retried(status):
    script = Script(status)
    assert retry.call(TINY, script) == status and script.tries == 1


def test_other_exceptions_pass_through_at_once():
    script = Script(KeyError("boom"))
    with pytest.raises(KeyError):
        retry.call(TINY, script, transient=(ConnectionResetError,))
    assert script.tries == 1


def test_transient_errors_are_retried_within_the_same_budget():
    script = Script(ConnectionResetError(), 503, ConnectionResetError())
    assert retry.call(TINY, script, transient=(ConnectionResetError,)) == 200 and script.tries == 4
    script = Script(*[ConnectionResetError()] * 9)
    with pytest.raises(ConnectionResetError):
        retry.call(TINY, script, transient=(ConnectionResetError,))
    assert script.tries == TINY.attempts


def test_retry_after_longer_than_the_policy_honours_is_not_asked_again_early(retries):
    script = Script((429, "3600"))
    with pytest.raises(RetryableAnswer) as err:
        retry.call(TINY, script)
    assert script.tries == 1 and retries == []
    assert err.value.refused_wait == 3600
    assert "asks to wait 3600 s" in err.value.give_up_text(TINY.retry_after_max)


def test_throttle_budget_is_counted_apart_from_server_errors():
    policy = Policy("T", frozenset({429, 503}), attempts=3, wait_initial=0.01, wait_max=0.01, retry_after_max=1,
                    throttle_retries=5)  # fmt: skip
    # 5 throttles and 2 server errors: within both budgets
    script = Script((429, "0"), 503, (429, "0"), (429, "0"), 503, (429, "0"), (429, "0"), policy=policy)
    assert retry.call(policy, script) == 200 and script.tries == 8
    # a sixth throttle is one too many
    script = Script(*[(429, "0")] * 9, policy=policy)
    with pytest.raises(RetryableAnswer) as err:
        retry.call(policy, script)
    assert script.tries == 6 and err.value.status == 429
    # the third server error ends it, however many throttles are left
    script = Script(503, (429, "0"), 503, 503, policy=policy)
    with pytest.raises(RetryableAnswer):
        retry.call(policy, script)
    assert script.tries == 4


def test_async_calls_follow_the_same_policy(retries):
    async def run(script):
        async def attempt():
            return script()

        return await retry.acall(TINY, attempt, transient=(ConnectionResetError,))

    script = Script(ConnectionResetError(), (503, "0"))
    assert asyncio.run(run(script)) == 200 and script.tries == 3
    assert retries == [("", "ConnectionResetError", None), ("Test", 503, 0.0)]
    bad = Script(*[500] * 9)
    with pytest.raises(RetryableAnswer):
        asyncio.run(run(bad))
    assert bad.tries == TINY.attempts


def test_real_waits_back_off_exponentially_with_bounded_jitter():
    """Outside test mode: the n-th wait lies in [initial * 2**(n-1), min(max, that + jitter)]."""
    policy = Policy("J", frozenset({503}), attempts=5, wait_initial=0.01, wait_max=0.05, retry_after_max=1,
                    wait_jitter=0.02)  # fmt: skip
    waits: list[float] = []
    stamina.instrumentation.set_on_retry_hooks([lambda d: waits.append(d.wait_for)])
    try:
        with stamina.set_testing(False):
            script = Script(*[503] * 10, policy=policy)
            started = time.monotonic()
            with pytest.raises(RetryableAnswer):
                retry.call(policy, script)
            elapsed = time.monotonic() - started
    finally:
        stamina.instrumentation.set_on_retry_hooks(None)
    assert len(waits) == 4
    for n, wait in enumerate(waits, start=1):
        low = min(policy.wait_max, policy.wait_initial * 2 ** (n - 1))
        assert low - 1e-9 <= wait <= min(policy.wait_max, low + policy.jitter) + 1e-9, (n, wait)
    assert elapsed >= sum(waits) * 0.9


def test_real_retry_after_is_waited_exactly():
    waits: list[float] = []
    stamina.instrumentation.set_on_retry_hooks([lambda d: waits.append(d.wait_for)])
    try:
        with stamina.set_testing(False):
            started = time.monotonic()
            assert retry.call(TINY, Script((503, "1"), (429, "0"))) == 200
            elapsed = time.monotonic() - started
    finally:
        stamina.instrumentation.set_on_retry_hooks(None)
    assert waits == [1.0, 0.0]  # the server's numbers, no backoff or jitter added
    assert 1.0 <= elapsed < 1.5


def test_hold_never_sleeps_in_test_mode():
    started = time.monotonic()
    retry.hold(30)
    assert time.monotonic() - started < 1


def test_stop_waiting_cuts_a_real_retry_after_short_in_another_thread():
    """Ctrl-C in `crm push` (trial 16): a worker thread waiting out a server's Retry-After: 30 stops at
    once with Stopped, and so does any later call, until resume_waiting; stamina still reports the wait."""
    import threading

    waits: list[float] = []
    outcome: list[BaseException] = []
    patient = Policy("Test", frozenset({503}), attempts=3, wait_initial=0.02, wait_max=0.05, retry_after_max=60)

    def worker() -> None:
        try:
            retry.call(patient, Script((503, "30"), 200, policy=patient))
        except BaseException as exc:  # noqa: BLE001
            outcome.append(exc)

    stamina.instrumentation.set_on_retry_hooks([lambda d: waits.append(d.wait_for)])
    try:
        with stamina.set_testing(False):
            t = threading.Thread(target=worker)
            t.start()
            end = time.monotonic() + 5
            while not waits and time.monotonic() < end:
                time.sleep(0.01)
            started = time.monotonic()
            retry.stop_waiting()
            t.join(5)
            assert time.monotonic() - started < 1 and not t.is_alive()
            with pytest.raises(retry.Stopped):
                retry.call(TINY, Script(200))
    finally:
        retry.resume_waiting()
        stamina.instrumentation.set_on_retry_hooks(None)
    assert waits == [30.0] and len(outcome) == 1 and isinstance(outcome[0], retry.Stopped)
    assert retry.call(TINY, Script(200)) == 200
