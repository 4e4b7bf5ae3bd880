"""qa.memo.Memo: bounded, least recently used dropped first, and looked up many at a time."""

from __future__ import annotations

from qa.memo import Memo


def test_lookup_splits_keys_into_found_and_missing_and_refreshes_what_it_found() -> None:
    memo: Memo[str, int] = Memo(2)
    memo.put("a", 1)
    memo.put("b", 2)
    found, missing = memo.lookup(["c", "a", "c", "d"])
    assert found == {"a": 1}
    assert missing == ["c", "d"]  # each once, in order
    memo.put("e", 5)  # "a" was used last, so "b" goes
    assert memo.get("b") is None and memo.get("a") == 1
    assert len(memo) == 2
