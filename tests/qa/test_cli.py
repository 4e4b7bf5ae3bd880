"""The `qa` command, run as a user runs it: a real process on real files."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from index.backend import recorded_model
from index.embed import DEFAULT_MODEL, INT8
from tests.conftest import SEED_ID, SEEDS, damage_database

pytestmark = pytest.mark.slow


def qa(
    *args: str, cwd: Path, env: dict[str, str] | None = None, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "qa", *args],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, **(env or {})},
    )


@pytest.mark.parametrize("backend", ["directory", "postgres"])
def test_index_ask_doc_delete_round_trip(
    tmp_path: Path, backend: str, request: pytest.FixtureRequest
) -> None:
    env: dict[str, str] = {}
    if backend == "postgres":  # the same commands with QA_STORE_URL set
        cluster = request.getfixturevalue("pg_cluster")
        env["QA_STORE_URL"] = cluster.create_database("cli")
    shutil.copytree(SEEDS, tmp_path / "seeds")
    (tmp_path / "seeds" / "junk.txt").write_bytes(bytes(range(256)))
    indexed = qa("index", "seeds", cwd=tmp_path, env=env)
    assert indexed.returncode == 0, indexed.stderr
    assert "1 added" in indexed.stdout and "1 failed" in indexed.stdout
    assert "junk.txt" in indexed.stderr and "binary" in indexed.stderr
    # The default index folder, or nothing on disk when the store is PostgreSQL.
    assert (tmp_path / "qa-index" / "store.sqlite").exists() == (backend == "directory")
    # A new index of the bundled model is built in int8 (QA_BACKEND=auto), and says so.
    location = env.get("QA_STORE_URL") or tmp_path / "qa-index"
    assert recorded_model(location) == DEFAULT_MODEL + INT8

    again = qa("index", "seeds", cwd=tmp_path, env=env)
    assert "0 added" in again.stdout and "1 unchanged" in again.stdout

    asked = qa(
        "ask",
        "where are the forward operating bases?",
        "--json",
        "--top-k",
        "2",
        cwd=tmp_path,
        env=env,
    )
    assert asked.returncode == 0, asked.stderr
    result = json.loads(asked.stdout)
    assert set(result) == {"question", "no_answer", "answers", "related", "resolved_question"}
    answer = result["answers"][0]
    assert set(answer["citation"]) == {
        "doc_id",
        "title",
        "url",
        "published",
        "start",
        "end",
        "sentence_start",
        "sentence_end",
    }
    text = (SEEDS / f"{SEED_ID}.txt").read_text(encoding="utf-8")
    c = answer["citation"]
    assert text[c["start"] : c["end"]] == answer["text"]
    assert text[c["sentence_start"] : c["sentence_end"]] == answer["sentence"]

    shown = qa("doc", SEED_ID, "--json", cwd=tmp_path, env=env)
    assert json.loads(shown.stdout)["text"] == text

    deleted = qa("delete", SEED_ID, cwd=tmp_path, env=env)
    assert deleted.returncode == 0 and "deleted" in deleted.stdout
    gone = qa("doc", SEED_ID, cwd=tmp_path, env=env)
    assert gone.returncode == 1 and "no article" in gone.stderr


def test_auto_reads_and_extends_an_index_the_way_it_was_built(tmp_path: Path) -> None:
    """An index built in float stays float under the default QA_BACKEND=auto: asked, added
    to and rebuilt without a word about the backend. Naming another backend is refused."""
    index = tmp_path / "qa-index"
    assert qa("index", str(SEEDS), cwd=tmp_path, env={"QA_BACKEND": "onnx"}).returncode == 0
    assert recorded_model(index) == DEFAULT_MODEL
    asked = qa("ask", "where are the forward operating bases?", "--json", cwd=tmp_path)
    assert asked.returncode == 0, asked.stderr
    assert "Haitian Police Academy" in json.loads(asked.stdout)["answers"][0]["text"]
    (tmp_path / "more.txt").write_text("Gangs blocked the main road to the port on Monday.\n")
    added = qa("index", "more.txt", cwd=tmp_path)
    assert added.returncode == 0 and "1 added" in added.stdout, added.stderr
    assert qa("index", "--rebuild", cwd=tmp_path).returncode == 0
    assert recorded_model(index) == DEFAULT_MODEL
    refused = qa("ask", "where are the bases?", cwd=tmp_path, env={"QA_BACKEND": "onnx-int8"})
    assert refused.returncode == 1 and "was built with model" in refused.stderr
    assert "Traceback" not in refused.stderr


def test_index_dir_comes_from_the_environment(tmp_path: Path) -> None:
    result = qa("ask", "anything?", cwd=tmp_path, env={"QA_INDEX_DIR": str(tmp_path / "elsewhere")})
    assert result.returncode == 1
    assert "no index at" in result.stderr and "elsewhere" in result.stderr
    assert "Traceback" not in result.stderr


def test_no_answer_is_said_plainly(tmp_path: Path) -> None:
    assert qa("index", str(SEEDS), cwd=tmp_path).returncode == 0
    result = qa("ask", "what is the capital of France?", cwd=tmp_path)
    assert "No answer" in result.stdout


def test_rebuild_recovers_from_the_stored_article_texts(tmp_path: Path) -> None:
    assert qa("index", str(SEEDS), cwd=tmp_path).returncode == 0
    index = tmp_path / "qa-index"
    for vectors in index.glob("*.faiss"):
        vectors.write_bytes(b"garbage")
    rebuilt = qa("index", "--rebuild", cwd=tmp_path)
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert "1 added" in rebuilt.stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == ["qa-index"]  # nothing left behind
    from index.store import Store

    store = Store(index)
    assert not store.warnings and store.stats()["articles"] == 1
    asked = qa("ask", "where are the forward operating bases?", "--json", cwd=tmp_path)
    assert "Haitian Police Academy" in json.loads(asked.stdout)["answers"][0]["text"]
    nothing = qa("index", cwd=tmp_path)
    assert nothing.returncode == 1 and "--rebuild" in nothing.stderr


def test_a_bad_setting_is_named_without_a_traceback(tmp_path: Path) -> None:
    run = qa("ask", "where are the bases?", cwd=tmp_path, env={"QA_THRESHOLD": "2"})
    assert run.returncode == 1
    assert "bad setting: QA_THRESHOLD='2'" in run.stderr and "less than or equal to 1" in run.stderr
    assert "Traceback" not in run.stderr


def test_a_port_out_of_range_is_named_without_a_traceback(tmp_path: Path) -> None:
    run = qa("serve", "--port", "99999", cwd=tmp_path)
    assert run.returncode == 2 and "--port" in run.stderr and "65535" in run.stderr
    assert "Traceback" not in run.stderr


def test_a_port_in_use_is_named_before_the_models_load(seed_copy: Path, tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        run = qa("serve", "--index-dir", str(seed_copy), "--port", port, cwd=tmp_path)
    assert run.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}: another program listens there" in run.stderr
    assert "--port" in run.stderr and "Traceback" not in run.stderr
    assert "startup" not in run.stderr  # uvicorn never started: nothing was loaded


def test_an_address_not_of_this_machine_is_named(tmp_path: Path) -> None:
    run = qa("serve", "--host", "192.0.2.1", "--port", "8000", cwd=tmp_path)
    assert run.returncode == 1
    assert "192.0.2.1 is not an address of this machine" in run.stderr


def test_help_names_the_environment_variables(tmp_path: Path) -> None:
    # Rich read "[env QA_HOST, 127.0.0.1]" in the help as markup and printed nothing of it.
    run = qa("serve", "--help", cwd=tmp_path, env={"COLUMNS": "200"})
    for name in ("QA_INDEX_DIR", "QA_HOST", "QA_PORT", "127.0.0.1", "8000"):
        assert name in run.stdout


def test_a_dash_indexes_standard_input(tmp_path: Path) -> None:
    text = (
        "Police arrive in Haiti\n\nKenyan police arrived in Port-au-Prince on Tuesday."
        " The first 400 officers landed at noon.\n"
    )
    run = qa("index", "-", cwd=tmp_path, stdin=text)
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("1 added")
    again = qa("index", "-", cwd=tmp_path, stdin=text)
    assert "1 unchanged" in again.stdout
    lines = '{"id": "radio", "title": "Radio deal", "text": "Motorola won the radio contract."}\n'
    assert qa("index", "-", cwd=tmp_path, stdin=lines).stdout.startswith("1 added")
    answer = qa("ask", "--json", "who won the radio contract?", cwd=tmp_path)
    cited = json.loads(answer.stdout)["answers"][0]
    assert (cited["text"], cited["citation"]["doc_id"]) == ("Motorola", "radio")
    landed = json.loads(qa("ask", "--json", "when did the officers land?", cwd=tmp_path).stdout)
    assert landed["answers"][0]["citation"]["doc_id"].startswith("stdin-")
    bad = qa("index", "-", cwd=tmp_path, stdin='{"id": broken\n')
    assert bad.returncode == 2 and "skipped stdin: malformed JSON at line 1" in bad.stderr
    mixed = qa("index", "-", str(tmp_path), cwd=tmp_path, stdin=text)
    assert mixed.returncode == 1 and "indexed alone" in mixed.stderr


def test_a_dash_answers_each_line_of_standard_input(seed_copy: Path, tmp_path: Path) -> None:
    questions = "where are the forward operating bases?\n\n!!!\nwho is the MSS spokesperson?\n"
    run = qa("ask", "--index-dir", str(seed_copy), "--json", "-", cwd=tmp_path, stdin=questions)
    assert run.returncode == 2  # one line was refused, the others answered
    assert "skipped line 3: question has no words" in run.stderr
    answers = [json.loads(line)["answers"][0]["text"] for line in run.stdout.splitlines()]
    assert answers[1] == "Jack Ombaka" and "Pont Sondé" in answers[0]


def test_a_named_special_file_fails_alone(tmp_path: Path) -> None:
    # /dev/zero under a .txt name was read until memory ran out.
    (tmp_path / "zero.txt").symlink_to("/dev/zero")
    (tmp_path / "a.txt").write_text("The quay in Kismayo reopened on Monday after repairs.")
    run = qa("index", "zero.txt", "a.txt", "--index-dir", "idx", cwd=tmp_path)
    assert run.returncode == 0, run.stderr  # the rest indexed: the failure is reported
    assert "zero.txt: not a regular file but a character device" in run.stdout + run.stderr
    assert "1 added" in run.stdout + run.stderr


def test_a_bad_date_filter_is_named_without_a_traceback(tmp_path: Path) -> None:
    run = qa("ask", "where are the bases?", "--from", "last August", cwd=tmp_path)
    assert run.returncode == 1
    assert "bad filter: 'last August' is not an ISO date (YYYY-MM-DD)" in run.stderr
    assert "Traceback" not in run.stderr


def test_a_damaged_index_is_named_without_a_traceback(seed_copy: Path, tmp_path: Path) -> None:
    # Its first half intact: the metadata reads, the tables after it do not.
    damage_database(seed_copy, keep=0.5)
    for args in (("doc", SEED_ID), ("ask", "where are the bases?"), ("index", str(SEEDS))):
        run = qa(*args, "--index-dir", str(seed_copy), cwd=tmp_path)
        assert run.returncode == 1, run.stderr
        assert "cannot be read (database disk image is malformed)" in run.stderr
        assert "Traceback" not in run.stderr


def test_a_database_that_fails_mid_command_ends_it_with_a_message(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # A page that opening the index did not read, read later: the `qa` entry point says
    # what failed and what to do instead of printing sqlite3's traceback.
    import sqlite3

    from qa import cli

    def fails() -> None:
        raise sqlite3.DatabaseError("database disk image is malformed")

    monkeypatch.setattr(cli, "app", fails)
    with pytest.raises(SystemExit) as ended:
        cli.main()
    assert ended.value.code == 1
    said = capsys.readouterr().err
    assert "cannot be read (database disk image is malformed)" in said and "restore" in said


def test_an_index_split_by_older_sentence_rules_says_so_until_it_is_rebuilt(
    tmp_path: Path,
) -> None:
    import sqlite3

    from index.schema import DB_NAME, SENTENCE_RULES
    from index.store import Store

    assert qa("index", str(SEEDS), cwd=tmp_path).returncode == 0
    index = tmp_path / "qa-index"
    assert not Store(index).warnings
    # An index built before the rules had a version has no record of them.
    with sqlite3.connect(index / DB_NAME) as db:
        db.execute("DELETE FROM meta WHERE key = 'sentence_rules'")
    asked = qa("ask", "where are the forward operating bases?", "--json", cwd=tmp_path)
    assert asked.returncode == 0 and "Haitian Police Academy" in asked.stdout  # still answers
    assert "older rules (version 1" in asked.stderr and "qa index --rebuild" in asked.stderr
    # Indexing more articles into it leaves the old ones as they were, and says so too.
    more = tmp_path / "more.txt"
    more.write_text("Harbour reopens\n\nThe harbour of Jacmel reopened on Monday after repairs.")
    again = qa("index", str(more), cwd=tmp_path)
    assert again.returncode == 0 and "1 added" in again.stdout
    assert "older rules" in again.stderr
    assert "older rules" in Store(index).warnings[0]
    rebuilt = qa("index", "--rebuild", cwd=tmp_path)
    assert rebuilt.returncode == 0 and "older rules" not in rebuilt.stderr
    store = Store(index)
    assert not store.warnings and store.stats()["articles"] == 2
    with sqlite3.connect(index / DB_NAME) as db:
        recorded = db.execute("SELECT value FROM meta WHERE key = 'sentence_rules'").fetchone()
    assert recorded == (str(SENTENCE_RULES),)
    assert "older rules" not in qa("ask", "where is the harbour?", cwd=tmp_path).stderr
