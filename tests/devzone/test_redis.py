"""Django's cache through a real Redis, shared between processes (web workers, Celery)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.core.cache import cache, caches

pytestmark = pytest.mark.redis

BASE_DIR = Path(__file__).resolve().parents[2]


def in_other_process(code: str) -> str:
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()\n" + code],
        cwd=BASE_DIR,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "devzone.settings"},
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_the_cache_is_the_redis_backend():
    assert type(caches["default"]).__name__ == "RedisCache"


def test_a_value_cached_in_one_process_is_read_in_another():
    key = f"test-{uuid.uuid4().hex}"
    cache.set(key, {"zone": "贵阳高新区", "tier": "1000+"}, timeout=60)
    try:
        seen = in_other_process(
            f"from django.core.cache import cache; print(cache.get({key!r})['zone'])"
        )
        assert seen == "贵阳高新区"
    finally:
        cache.delete(key)


def test_a_value_cached_in_another_process_is_read_here_until_it_expires():
    key = f"test-{uuid.uuid4().hex}"
    in_other_process(f"from django.core.cache import cache; cache.set({key!r}, 42, timeout=2)")
    assert cache.get(key) == 42
    time.sleep(2.5)
    assert cache.get(key) is None
