"""The per-process cache of values fixed under their key: bounded, oldest out first."""

from __future__ import annotations

import threading

from projects.process_cache import ProcessCache


def test_it_keeps_at_most_its_bound_and_drops_the_oldest_first():
    cache: ProcessCache[int, str] = ProcessCache(3)
    for n in range(5):
        cache.put(n, f"v{n}")
    assert len(cache) == 3
    assert [cache.get(n) for n in range(5)] == [None, None, "v2", "v3", "v4"]
    cache.put(3, "again")  # a key already held replaces its value and drops nothing
    assert len(cache) == 3 and cache.get(2) == "v2" and cache.get(3) == "again"
    cache.clear()
    assert len(cache) == 0 and cache.get(4) is None


def test_threads_sharing_it_never_push_it_past_its_bound():
    cache: ProcessCache[tuple[int, int], int] = ProcessCache(50)

    def fill(worker: int) -> None:
        for n in range(2_000):
            cache.put((worker, n), n)
            cache.get((worker, n - 1))

    threads = [threading.Thread(target=fill, args=(w,)) for w in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(cache) == 50


def test_remember_builds_a_value_once_and_keeps_it():
    cache: ProcessCache[str, list[int]] = ProcessCache(2)
    built: list[str] = []

    def build(name: str):  # type: ignore[no-untyped-def]
        def make() -> list[int]:
            built.append(name)
            return [len(built)]

        return make

    first = cache.remember("a", build("a"))
    assert cache.remember("a", build("a")) is first and built == ["a"]
    cache.remember("b", build("b"))
    cache.remember("c", build("c"))  # past the bound: "a" goes
    assert cache.remember("a", build("a")) == [4] and built == ["a", "b", "c", "a"]
