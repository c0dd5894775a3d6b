"""Pacing webhook drains inside Xero's daily call budget."""

from datetime import datetime, timedelta

from xero_crm.xero.budget import DrainPacer

NOON = datetime(2026, 11, 29, 12, 0, 0)


def test_a_lone_change_is_fetched_at_once():
	assert DrainPacer().wait(NOON, last_drain=None, used_today=0) == 0.0
	assert DrainPacer().wait(NOON, last_drain=NOON - timedelta(hours=1), used_today=100) == 0.0


def test_a_stream_of_changes_is_spaced_so_the_budget_lasts_the_day():
	pacer = DrainPacer(budget=1000, catch_up_minutes=30)
	reserve = pacer.catch_up_reserve(NOON)  # 12 h left: 25 catch-ups of 3 calls
	assert reserve == 75
	wait = pacer.wait(NOON, last_drain=NOON, used_today=400)
	assert wait == 12 * 3600 / (1000 - 400 - 75)  # ~82 s between drains
	assert pacer.wait(NOON + timedelta(seconds=wait), last_drain=NOON, used_today=400) == 0.0


def test_a_bigger_budget_means_fresher_data():
	assert DrainPacer(budget=5000).wait(NOON, NOON, 400) < DrainPacer(budget=1000).wait(NOON, NOON, 400) / 5


def test_never_more_often_than_the_minimum_interval():
	assert DrainPacer(budget=10**9, min_interval=2.0).wait(NOON, NOON, 0) == 2.0


def test_when_the_budget_is_spent_webhooks_wait_for_catch_up():
	assert DrainPacer(budget=1000).wait(NOON, NOON - timedelta(hours=2), used_today=930) is None
