"""bridge.busy: the count of requests a process is serving, which the customer list's
background writer waits on (it must fall back to 0 whatever a request did, or the writer
would only ever write at its per-block limit)."""

from __future__ import annotations

import threading

from bridge import busy


def test_every_kind_of_request_leaves_the_count_as_it_found_it(bridge) -> None:
    before = busy.serving()
    assert bridge.get("/api/v1/customers").status_code == 200
    assert bridge.get("/health/live").status_code == 200  # public path
    assert bridge.session.get(bridge.base + "/api/v1/customers",
                              headers={"X-LMSTV-Secret": "wrong"}).status_code == 401
    assert bridge.post("/api/v1/customers/1/pins", json=None).status_code >= 400
    assert bridge.get("/api/v1/no-such-thing").status_code == 404
    assert busy.serving() == before


def test_waiting_for_a_gap_ends_when_idle_and_when_never_idle() -> None:
    done = threading.Event()

    def wait(limit: float) -> None:
        busy.wait_for_gap(limit)
        done.set()

    busy.enter()
    try:
        threading.Thread(target=wait, args=(0.05,)).start()  # never idle: the limit ends it
        assert done.wait(30)
        done.clear()
        waiter = threading.Thread(target=wait, args=(600,))
        waiter.start()
        assert not done.wait(0.2)  # still serving: it waits
    finally:
        busy.leave()
    assert done.wait(30)  # the gap came
    waiter.join(30)
