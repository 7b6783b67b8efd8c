"""Property-based requests generated from the OpenAPI schema (schemathesis): never a 500."""

from __future__ import annotations

import time

import pytest

schemathesis = pytest.importorskip("schemathesis")
pytestmark = pytest.mark.slow


def test_no_server_errors_under_schema_fuzz(make_client):
    from hypothesis import HealthCheck, settings

    client = make_client(max_steps=3, max_images=2, sync_timeout_s=60, queue_size=2)
    schema = schemathesis.openapi.from_asgi("/openapi.json", client.app)
    failures = []
    ops = [op for op in schema.get_all_operations()]
    for result in ops:
        op = result.ok()
        strategy = op.as_strategy()

        from hypothesis import given

        @settings(max_examples=8, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        @given(case=strategy)
        def check(case):
            response = case.call(timeout=120)
            if response.status_code >= 500:
                failures.append((op.label, response.status_code, response.text[:200]))

        t0 = time.monotonic()
        check()
        print(f"{op.label}: {time.monotonic() - t0:.1f} s")
    assert not failures, failures[:5]
