"""The HTTP API on a real uvicorn server on loopback, driven with httpx."""

from __future__ import annotations

import gzip
import json
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from api.state import RETRY_SECONDS
from tests.api.conftest import AUTH
from tests.conftest import ROOT, SEED_ID

pytestmark = pytest.mark.slow
JACMEL = "The bridge in Jacmel opened on Friday after repairs."
GONAIVES = "The port of Gonaives reopened on Monday after the storm."


def test_ask_search_documents_and_health(server: httpx.Client) -> None:
    assert server.get("/healthz").json() == {"status": "ok"}
    ready = server.get("/readyz").json()
    assert ready["articles"] == 1 and ready["model"].endswith("all-MiniLM-L6-v2")
    answer = server.post("/ask", json={"question": "where are the forward operating bases?"})
    body = answer.json()
    assert "Haitian Police Academy" in body["answers"][0]["text"]
    follow = server.post(
        "/ask",
        json={
            "question": "what are they improving?",
            "history": [{"question": "where are the forward operating bases?"}],
        },
    ).json()
    assert follow["answers"][0]["text"].startswith("patrol reach, cutting response times")
    hits = server.get("/search", params={"q": "gunfire near the embassy"}).json()
    assert hits and "citation" in hits[0]
    listed = server.get("/documents").json()
    assert listed["total"] == 1 and listed["items"][0]["doc_id"] == SEED_ID
    doc = server.get(f"/documents/{SEED_ID}").json()
    c = body["answers"][0]["citation"]
    assert doc["text"][c["start"] : c["end"]] == body["answers"][0]["text"]


def test_writes_need_the_token_and_are_seen_by_the_next_question(server: httpx.Client) -> None:
    article = {
        "articles": [
            {
                "id": "jacmel",
                "title": "Bridge",
                "text": "The bridge in Jacmel opened on Friday after repairs.",
            }
        ]
    }
    assert server.post("/documents", json=article).status_code == 401
    assert (
        server.post(
            "/documents", json=article, headers={"Authorization": "Bearer wrong"}
        ).status_code
        == 401
    )
    added = server.post("/documents", json=article, headers=AUTH)
    assert added.status_code == 200 and added.json()["added"] == 1
    answer = server.post("/ask", json={"question": "when did the bridge in Jacmel open?"}).json()
    assert answer["answers"][0]["text"] == "Friday"
    assert server.delete("/documents/jacmel", headers=AUTH).json() == {"deleted": "jacmel"}
    assert server.get("/documents/jacmel").status_code == 404
    assert server.delete("/documents/jacmel", headers=AUTH).status_code == 404


@pytest.mark.parametrize(
    ("payload", "status"),
    [
        ({"question": ""}, 400),
        ({"question": "   "}, 400),
        ({"question": "x" * 100_000}, 400),
        ({"question": 42}, 422),
        ({"question": "ok?", "top_k": "many"}, 422),
        ({"question": "🚀🚀🚀"}, 400),  # no words: was answered with stray symbols
        ({"question": "?!"}, 400),
    ],
)
def test_bad_questions_get_a_4xx_with_a_message(
    server: httpx.Client, payload: object, status: int
) -> None:
    response = server.post("/ask", json=payload)
    assert response.status_code in (status, 413)  # 100 KB may hit the body limit first
    assert 400 <= response.status_code < 500 and response.json()["detail"]


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b'{"question": "where are the \\ud83d bases?"}', "lone surrogate"),
        (b'{"question": "and?", "history": [{"question": "\\udc00"}]}', "lone surrogate"),
        (b'{"question": "bases?", "filters": {"source": "\\ud83d"}}', "lone surrogate"),
        (b'{"question": "bases?", "filters": {"published_after": "2025-08-01"}}', "Extra"),
        (b'{"question": "bases?", "filters": {"published_from": "Aug 2025"}}', "ISO date"),
        (
            b'{"question": "bases?", "filters": '
            b'{"published_from": "2025-09-01", "published_to": "2025-08-01"}}',
            "is after",
        ),
        (b'{"question": "bases?", "top-k": 5}', "Extra"),
    ],
)
def test_questions_that_cannot_be_read_or_filtered_as_asked_get_a_422(
    server: httpx.Client, body: bytes, reason: str
) -> None:
    # Each would otherwise fail inside (a 500) or quietly search without the filter.
    response = server.post("/ask", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 422, response.text
    assert reason in response.text


def test_an_upload_with_a_record_that_cannot_be_stored_keeps_the_rest(
    server: httpx.Client,
) -> None:
    lines = b'{"id": "cut", "text": "A cut \\ud83d emoji."}\n{"id": "whole", "text": "Whole."}\n'
    response = server.post(
        "/documents", headers=AUTH, files={"file": ("feed.jsonl", lines, "application/x-ndjson")}
    )
    report = response.json()
    assert response.status_code == 200 and report["doc_ids"] == ["whole"]
    assert report["failed"] == 1 and "lone surrogate" in report["failures"][0]
    assert server.delete("/documents/whole", headers=AUTH).status_code == 200


def test_malformed_json_binary_and_oversized_uploads_are_refused(server: httpx.Client) -> None:
    bad = server.post("/ask", content=b"{not json", headers={"content-type": "application/json"})
    assert bad.status_code == 422 and bad.json()["detail"]
    binary = server.post(
        "/documents", headers=AUTH, files={"file": ("x.txt", bytes(range(256)) * 4, "text/plain")}
    )
    assert binary.status_code == 400 and "binary" in binary.json()["detail"]
    huge = server.post(
        "/documents", headers=AUTH, files={"file": ("big.txt", b"word " * 20_000, "text/plain")}
    )
    assert huge.status_code == 413 and "limit" in huge.json()["detail"]
    assert server.get("/readyz").json()["articles"] == 1  # nothing already indexed was lost


def test_bodies_that_are_not_utf8_json_say_why(server: httpx.Client) -> None:
    # Each was FastAPI's 400 "There was an error parsing the body", or a 422 that asked for
    # "a valid dictionary or object to extract fields from".
    json_type = {"content-type": "application/json"}
    latin1 = server.post("/ask", content='{"question": "où?"}'.encode("latin-1"), headers=json_type)
    assert latin1.status_code == 400
    assert latin1.json()["detail"].startswith("the request body is not UTF-8 (byte 0xf9")
    gzipped = server.post(
        "/ask",
        content=gzip.compress(b'{"question": "where?"}'),
        headers={**json_type, "content-encoding": "gzip"},
    )
    assert gzipped.status_code == 400 and "Content-Encoding 'gzip'" in gzipped.json()["detail"]
    form = server.post(
        "/ask", content=b'{"question": "where?"}', headers={"content-type": "text/plain"}
    )
    assert form.status_code == 422
    assert "sent with Content-Type: application/json" in form.json()["detail"][0]["msg"]


def test_a_json_body_that_is_not_an_object_says_so(server: httpx.Client) -> None:
    # A JSON string sent as JSON was told to come "with Content-Type: application/json (it
    # came as 'application/json')"; a list was told pydantic's "valid dictionary or object
    # to extract fields from".
    for body, kind in (("where?", "a string"), ([1, 2], "a list"), (3, "a number")):
        refused = server.post("/ask", json=body)
        assert refused.status_code == 422
        assert refused.json()["detail"][0]["msg"].endswith(
            'must be a JSON object, such as {"question": "…"}, not ' + kind
        )


def test_an_error_quotes_a_long_input_briefly(server: httpx.Client) -> None:
    # Pydantic quotes the input whole: 10,000 history turns came back as 400 KB.
    turns = ["where are the forward operating bases?"] * 10_000
    refused = server.post("/ask", json={"question": "who set them up?", "history": turns})
    assert refused.status_code == 422 and len(refused.content) < 1_000
    [error] = refused.json()["detail"]
    assert "at most 50 items" in error["msg"] and error["input"].startswith("a list of 10000")


def test_a_chunked_body_over_the_limit_is_a_413(server: httpx.Client) -> None:
    # No Content-Length to refuse it by: it was read up to the limit, then FastAPI turned
    # the limit's error into a 400 "There was an error parsing the body".
    def chunks() -> Iterator[bytes]:
        yield b'{"question": "'
        for _ in range(100):
            yield b"a" * 20_000
        yield b'"}'

    refused = server.post("/ask", content=chunks(), headers={"content-type": "application/json"})
    assert refused.status_code == 413 and "limit" in refused.json()["detail"]
    asked = server.post("/ask", json={"question": "where are the forward operating bases?"})
    assert asked.status_code == 200


def test_json_nested_too_deeply_is_refused_with_a_short_message(server: httpx.Client) -> None:
    # A file past Python's recursion limit was a 500; a record nested a few hundred levels
    # was stored, then every GET of it was a 500 (pydantic stops serialising at a depth).
    deep = b"[" * 5_000 + b"]" * 5_000  # past Python's recursion limit, under the upload limit
    upload = server.post("/documents", headers=AUTH, files={"file": ("deep.json", deep)})
    assert upload.status_code == 400 and "nested too deeply" in upload.json()["detail"]
    extra = json.loads("[" * 100 + "]" * 100)
    nested = {"id": "nested", "text": "Nested metadata.", "extra": extra}
    kept = {"id": "flat", "text": "Flat metadata.", "source": {"id": "x", "name": "X"}}
    report = server.post("/documents", headers=AUTH, json={"articles": [nested, kept]}).json()
    assert report["doc_ids"] == ["flat"] and "nests more than 32 levels" in report["failures"][0]
    assert server.get("/documents/flat").json()["metadata"] == {}
    body = server.post(
        "/documents",
        headers={**AUTH, "content-type": "application/json"},
        content=b'{"articles": [{"text": "x", "m": ' + deep + b"}]}",
    )
    detail = body.json()["detail"]
    assert body.status_code == 400 and "recursion limit exceeded" in detail
    assert "errors.pydantic.dev" not in detail and "input_value" not in detail
    assert server.delete("/documents/flat", headers=AUTH).status_code == 200


def test_nan_infinity_and_huge_numbers_are_refused_not_a_500(server: httpx.Client) -> None:
    # FastAPI's 422 quotes the input, and JSON cannot carry the NaN it held: a 500.
    json_type = {"content-type": "application/json"}
    for value in (b"NaN", b"-Infinity", b"1e400"):
        body = b'{"question": "where are the bases?", "top_k": ' + value + b"}"
        response = server.post("/ask", content=body, headers=json_type)
        assert response.status_code == 422 and "finite number" in response.text
    big = b'[{"id": "big", "text": "A big number.", "n": ' + b"9" * 5_000 + b"}]"
    upload = server.post("/documents", headers=AUTH, files={"file": ("big.json", big)})
    assert upload.status_code == 400 and "too many digits" in upload.json()["detail"]


def test_questions_are_answered_while_a_write_is_in_progress(server: httpx.Client) -> None:
    import threading

    articles = [
        {
            "id": f"bulk-{i}",
            "title": f"Bulletin {i}",
            "text": f"Bulletin {i} says the road to village {i} reopened on Monday. "
            f"Convoy {i} delivered food and water to residents.",
        }
        for i in range(300)
    ]
    result: dict[str, httpx.Response] = {}

    def write() -> None:
        result["write"] = server.post(
            "/documents", json={"articles": articles}, headers=AUTH, timeout=300
        )

    writer = threading.Thread(target=write)
    writer.start()
    answered = 0
    while writer.is_alive() or answered < 3:
        response = server.post("/ask", json={"question": "where are the forward operating bases?"})
        assert response.status_code == 200, response.text
        assert "Haitian Police Academy" in response.json()["answers"][0]["text"]
        answered += 1
    writer.join()
    print(f"{answered} questions answered during one write of 300 articles")
    assert result["write"].status_code == 200 and result["write"].json()["added"] == 300
    assert answered >= 3
    assert server.get("/readyz").json()["articles"] == 301
    convoy = server.post("/ask", json={"question": "what did convoy 17 deliver?"}).json()
    assert convoy["answers"][0]["citation"]["doc_id"] == "bulk-17"


def test_a_missing_index_is_reported_not_hidden(tmp_path: Path) -> None:
    from tests.api.conftest import start_server

    with start_server(tmp_path / "no-index", tmp_path, wait_for="/healthz") as client:
        ready = client.get("/readyz")
        assert ready.status_code == 503 and "no index at" in ready.json()["detail"]
        asked = client.post("/ask", json={"question": "anything?"})
        assert asked.status_code == 503 and "no index at" in asked.json()["detail"]
        page = client.get("/")
        assert page.status_code == 200 and "News QA" in page.text


def test_uploads_are_bounded_in_articles_and_in_unpacked_size(server: httpx.Client) -> None:
    import gzip

    many = {"articles": [{"id": f"n{i}", "text": f"Note {i}."} for i in range(401)]}
    assert server.post("/documents", json=many, headers=AUTH).status_code == 413
    lines = "".join(f'{{"text": "Line {i}."}}\n' for i in range(401)).encode()
    listed = server.post(
        "/documents", headers=AUTH, files={"file": ("feed.jsonl", lines, "application/x-ndjson")}
    )
    assert listed.status_code == 413 and "limit is 400" in listed.json()["detail"]
    bomb = gzip.compress(b"a" * 5_000_000)
    assert len(bomb) < 20_000
    exploded = server.post(
        "/documents", headers=AUTH, files={"file": ("bomb.txt.gz", bomb, "application/gzip")}
    )
    assert exploded.status_code == 400 and "decompresses to more than" in exploded.json()["detail"]
    assert server.get("/readyz").json()["articles"] == 1


def test_upload_file_names_never_reach_server_paths(server: httpx.Client) -> None:
    story = b"The ferry to La Gonave resumed service on Sunday morning.\n"
    added = server.post(
        "/documents", headers=AUTH, files={"file": ("../../../etc/evil.txt", story, "text/plain")}
    )
    assert added.status_code == 200 and added.json()["doc_ids"] == ["evil"]
    assert server.get("/documents/evil").json()["source"] == "evil.txt"


def test_upload_names_are_ids_as_file_names_on_disk_are(server: httpx.Client) -> None:
    # A tab in the name made an id with a tab, which `qa index` escapes; a Windows path
    # (as old browsers send it) was an id with backslashes.
    def upload(name: str, text: bytes) -> httpx.Response:
        return server.post("/documents", headers=AUTH, files={"file": (name, text, "text/plain")})

    tab = upload("ferry\tnews.txt", b"The ferry to Les Cayes left at dawn on Monday.\n")
    assert tab.json()["doc_ids"] == ["ferry%09news"]
    windows = upload("C:\\Users\\me\\port.txt", b"The port of Cap-Haitien reopened on Friday.\n")
    assert windows.json()["doc_ids"] == ["port"]
    feed = b'{"id": "radio", "text": "Motorola won the radio contract."}\n'
    assert upload("feed", feed).json()["doc_ids"] == ["radio"]  # no suffix: told by content
    pdf = upload("report.pdf", b"%PDF-1.7")
    assert pdf.status_code == 415 and "'.pdf'" in pdf.json()["detail"]
    # filename* alone, which RFC 7578 forbids in a form and the parser does not read: the
    # part comes as a field, and the message said to use a field named 'file'.
    body = (
        b"--XX\r\nContent-Disposition: form-data; name=\"file\"; filename*=UTF-8''a.txt\r\n"
        b"\r\nThe ferry sailed.\r\n--XX--\r\n"
    )
    starred = server.post(
        "/documents",
        content=body,
        headers={**AUTH, "content-type": "multipart/form-data; boundary=XX"},
    )
    assert starred.status_code == 400 and "came without a file name" in starred.json()["detail"]


def test_cors_is_closed_unless_configured(
    server: httpx.Client, seed_copy: Path, tmp_path: Path
) -> None:
    from tests.api.conftest import start_server

    origin = {"Origin": "https://news.example"}
    assert "access-control-allow-origin" not in server.get("/healthz", headers=origin).headers
    with start_server(seed_copy, tmp_path, cors_origins="https://news.example") as open_client:
        allowed = open_client.get("/healthz", headers=origin)
        assert allowed.headers["access-control-allow-origin"] == "https://news.example"
        other = open_client.get("/healthz", headers={"Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in other.headers


FERRY = {
    "v1": "The ferry to Jérémie sails at dawn on Mondays.",
    "v2": "After repairs that lasted many months, the ferry to Jérémie now sails at noon on "
    "Fridays, officials said.",
}


def test_eight_askers_during_adds_replaces_and_deletes_never_fail_or_mix(
    server: httpx.Client,
) -> None:
    import threading
    from concurrent.futures import ThreadPoolExecutor

    stop = threading.Event()
    failures: list[str] = []
    answered = [0]

    def asker() -> None:
        with httpx.Client(base_url=server.base_url, timeout=60) as client:
            while not stop.is_set():
                for question in (
                    "when does the ferry to Jérémie sail?",
                    "where are the forward operating bases?",
                ):
                    response = client.post("/ask", json={"question": question})
                    if response.status_code != 200:
                        failures.append(f"{response.status_code} {response.text}")
                        continue
                    answered[0] += 1
                    for answer in response.json()["answers"]:
                        if answer["citation"]["doc_id"] == "ferry" and (
                            answer["sentence"] not in FERRY.values()
                        ):
                            failures.append(f"mixed state: {answer['sentence']!r}")

    with ThreadPoolExecutor(8) as pool:
        for _ in range(8):
            pool.submit(asker)
        writes = 0
        for round_ in range(3):
            for version in ("v1", "v2"):
                body = {
                    "articles": [
                        {"id": "ferry", "title": "Ferry", "text": FERRY[version]},
                        {
                            "id": f"extra-{round_}-{version}",
                            "text": f"Market day {round_} in Jacmel drew crowds.",
                        },
                    ]
                }
                assert server.post("/documents", json=body, headers=AUTH).status_code == 200
                writes += 1
            assert server.delete("/documents/ferry", headers=AUTH).status_code == 200
            writes += 1
        stop.set()
    print(f"{answered[0]} questions answered at concurrency 8 during {writes} writes")
    assert not failures, failures[:5]
    assert answered[0] >= 16


def test_a_write_the_disk_refuses_is_a_507_and_the_next_one_that_fits_lands(
    seed_copy: Path, tmp_path: Path
) -> None:
    from functools import partial

    from tests.api.conftest import start_server
    from tests.disk import refuse_writes_past

    text = (ROOT / "seeds" / f"{SEED_ID}.txt").read_text()
    room = (seed_copy / "tokens.bin").stat().st_size + 50_000  # far less than the seed's
    big = {"articles": [{"id": "copy", "title": "Copy", "text": f"A copy.\n{text}"}]}
    small = {"articles": [{"id": "jacmel", "title": "Bridge", "text": JACMEL}]}
    with start_server(seed_copy, tmp_path, preexec=partial(refuse_writes_past, room)) as client:
        refused = client.post("/documents", json=big, headers=AUTH)
        assert refused.status_code == 507
        assert "could not write the index" in refused.json()["detail"]
        assert "the index is as it was" in refused.json()["detail"]
        assert client.get("/documents/copy").status_code == 404
        asked = client.post("/ask", json={"question": "where are the forward operating bases?"})
        assert asked.status_code == 200 and not asked.json()["no_answer"]
        # The failed write let go of the index: the next one is not told another holds it.
        added = client.post("/documents", json=small, headers=AUTH)
        assert added.status_code == 200 and added.json()["added"] == 1
        assert client.get("/documents").json()["total"] == 2


def test_the_server_answers_from_an_index_rebuilt_under_it(seed_copy: Path, tmp_path: Path) -> None:
    from index.embed import SentenceTransformerEmbedder
    from index.rebuild import rebuild
    from tests.api.conftest import start_server

    bridge = {"articles": [{"id": "jacmel", "title": "Bridge", "text": JACMEL}]}
    port = {"articles": [{"id": "gonaives", "title": "Port", "text": GONAIVES}]}
    with start_server(seed_copy, tmp_path) as client:
        assert client.post("/documents", json=bridge, headers=AUTH).json()["added"] == 1
        rebuild(seed_copy, SentenceTransformerEmbedder())  # `qa index --rebuild`
        time.sleep(RETRY_SECONDS)  # the server looks for a new index this often at most
        answer = client.post("/ask", json={"question": "when did the bridge in Jacmel open?"})
        assert answer.json()["answers"][0]["text"] == "Friday"
        # A write after the rebuild goes to the new index, and questions see it.
        assert client.post("/documents", json=port, headers=AUTH).json()["added"] == 1
        answer = client.post("/ask", json={"question": "when did the port of Gonaives reopen?"})
        assert answer.json()["answers"][0]["text"] == "Monday"
        assert client.get("/readyz").json()["articles"] == 3
        assert client.get("/documents").json()["total"] == 3
