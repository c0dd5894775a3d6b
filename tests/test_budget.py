"""Pacing webhook drains inside Xero's daily call budget (a token bucket)."""

from datetime import datetime, timedelta

from xero_crm.xero.budget import Bucket, DrainPacer

NOON = datetime(2026, 11, 29, 12, 0, 0)


def test_a_lone_change_is_fetched_at_once():
	go, bucket, _wait = DrainPacer().take(NOON, None, used_today=0)
	assert go and bucket.tokens == 9


def test_a_run_of_changes_goes_through_until_the_bucket_is_empty():
	pacer = DrainPacer(budget=1000, burst=10)
	bucket, drained, now = None, 0, NOON
	for _ in range(30):  # 30 changes, one a second
		go, bucket, _ = pacer.take(now, bucket, used_today=400)
		drained += go
		now += timedelta(seconds=1)
	assert drained == 10  # the burst; the rest waits for tokens


def test_tokens_come_back_so_the_budget_lasts_the_day():
	pacer = DrainPacer(budget=1000, catch_up_minutes=30)
	assert pacer.catch_up_reserve(NOON) == 150  # 12 h left: 25 catch-ups of 6 calls
	assert pacer.rate(NOON, used_today=400) == (1000 - 400 - 150) / (12 * 3600)
	go, bucket, wait = pacer.take(NOON, Bucket(0.0, NOON), used_today=400)
	assert not go and round(wait) == round(12 * 3600 / 450)  # about 96 s
	assert pacer.take(NOON + timedelta(seconds=wait + 1), bucket, used_today=400)[0]


def test_a_bigger_budget_means_fresher_data():
	assert DrainPacer(budget=5000).rate(NOON, 400) > 5 * DrainPacer(budget=1000).rate(NOON, 400)


def test_when_the_budget_is_spent_webhooks_wait_for_catch_up():
	go, _bucket, wait = DrainPacer(budget=1000).take(NOON, Bucket(0.0, NOON), used_today=930)
	assert not go and wait is None
