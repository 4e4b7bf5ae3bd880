"""Every input format, and every kind of bad file, read through the real ingest code."""

from __future__ import annotations

import gzip
import json
import os
from pathlib import Path

import pytest

from index.document import Article
from index.embed import SentenceTransformerEmbedder
from index.indexer import Indexer
from index.ingest import Failure, iter_files, read_path, read_records, read_unnamed, sniff_kind
from index.store import Store

HTML = """<html><head><title>Bases | Example News</title>
<meta property="og:url" content="https://news.example/bases">
<meta property="article:published_time" content="2025-08-06"></head>
<body><nav>Home | World | Sport</nav><article><h1>Bases set up in Haiti</h1>
<p>Forward Operating Bases have been established in Pont Sondé and Downtown Port-au-Prince.</p>
<p>Officials say the bases are improving patrol reach across the capital this month.</p>
</article><footer>Copyright Example News</footer></body></html>"""


def read_all(path: Path) -> list[Article | Failure]:
    return [item for file, root in iter_files([path]) for item in read_path(file, root)]


def articles(items: list[Article | Failure]) -> list[Article]:
    return [i for i in items if isinstance(i, Article)]


def failures(items: list[Article | Failure]) -> list[Failure]:
    return [i for i in items if isinstance(i, Failure)]


def test_txt_takes_a_headline_as_title_and_keeps_text_unchanged(tmp_path: Path) -> None:
    text = "Bases Set Up in Haiti\r\nForward bases were set up.  Odd  spacing stays.\n"
    (tmp_path / "bases.txt").write_bytes(text.encode())
    [article] = read_all(tmp_path)
    assert isinstance(article, Article)
    assert article.title == "Bases Set Up in Haiti"
    assert article.text == text
    assert article.doc_id == "bases"


def test_txt_without_headline_is_titled_from_the_file_name(tmp_path: Path) -> None:
    (tmp_path / "gang-violence.txt").write_text("Gangs attacked. Police responded.\n")
    [article] = articles(read_all(tmp_path))
    assert article.title == "gang violence"


def test_markdown_heading_becomes_the_title(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("# Police Patrols Expand\n\nPatrols now run all night.\n")
    [article] = articles(read_all(tmp_path))
    assert article.title == "Police Patrols Expand"


def test_html_is_extracted_with_metadata(tmp_path: Path) -> None:
    (tmp_path / "bases.html").write_text(HTML)
    [article] = articles(read_all(tmp_path))
    assert "Pont Sondé" in article.text
    assert "Home | World" not in article.text and "Copyright" not in article.text
    assert article.url == "https://news.example/bases"
    assert article.published == "2025-08-06"


def test_json_object_and_list(tmp_path: Path) -> None:
    (tmp_path / "one.json").write_text(
        json.dumps(
            {
                "id": "a1",
                "title": "T",
                "text": "Some text here.",
                "url": "https://x.example/1",
                "published": "6 August 2025",
                "author": "Jane",
            }
        )
    )
    (tmp_path / "many.json").write_text(
        json.dumps([{"text": "First story."}, {"text": "Second story."}])
    )
    found = {a.doc_id: a for a in articles(read_all(tmp_path))}
    assert found["a1"].published == "2025-08-06"
    assert found["a1"].metadata == {"author": "Jane"}
    assert found["a1"].url == "https://x.example/1"
    assert {"many-1", "many-2"} <= set(found)


def test_jsonl_and_gzip_variants_read_alike(tmp_path: Path) -> None:
    lines = [
        json.dumps({"id": f"n{i}", "title": f"T{i}", "text": f"Story number {i}."})
        for i in range(3)
    ]
    body = "\n".join(lines) + "\n"
    (tmp_path / "plain.jsonl").write_text(body)
    (tmp_path / "packed.jsonl.gz").write_bytes(gzip.compress(body.encode()))
    (tmp_path / "note.txt.gz").write_bytes(gzip.compress(b"Gzipped text story here.\n"))
    (tmp_path / "page.html.gz").write_bytes(gzip.compress(HTML.encode()))
    (tmp_path / "obj.json.gz").write_bytes(gzip.compress(b'{"text": "Gzipped JSON story."}'))
    items = read_all(tmp_path)
    assert not failures(items)
    ids = sorted(a.doc_id for a in articles(items))
    assert ids.count("n0") == 2 and "note" in ids and "page" in ids and "obj" in ids


def test_jsonl_without_ids_gets_stable_ids_from_path_and_content(tmp_path: Path) -> None:
    (tmp_path / "feed.jsonl").write_text('{"text": "Alpha story."}\n{"text": "Beta story."}\n')
    first = [a.doc_id for a in articles(read_all(tmp_path))]
    second = [a.doc_id for a in articles(read_all(tmp_path))]
    assert first == second and len(set(first)) == 2
    assert all(i.startswith("feed-") for i in first)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("binary.txt", bytes(range(256)) * 4, "binary"),
        ("latin.txt", bytes(range(128, 256)) * 3 + b"\x81\x8d\x8f", "encoding"),
        ("empty.txt", b"", "empty"),
        ("blank.md", b"   \n\n  ", "empty"),
        ("broken.json", b'{"text": "unterminated', "malformed JSON"),
        ("notext.json", b'{"title": "no body"}', "text"),
        ("bad.gz", b"not gzip at all", "gzip"),
        ("image.png", b"\x89PNG\r\n\x1a\n\x00\x00", "unsupported"),
    ],
)
def test_bad_files_fail_with_a_message_naming_the_file(
    tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    [item] = list(read_path(path, tmp_path))
    assert isinstance(item, Failure)
    assert name in str(item)
    assert message.lower() in item.message.lower()


def test_bad_jsonl_lines_are_named_and_good_lines_kept(tmp_path: Path) -> None:
    (tmp_path / "mixed.jsonl").write_text(
        '{"id": "ok1", "text": "Good one."}\n'
        "{not json}\n"
        '{"id": "nope", "title": "no text"}\n'
        '["a list"]\n'
        '{"id": "ok2", "text": "Good two."}\n'
    )
    items = read_all(tmp_path)
    assert [a.doc_id for a in articles(items)] == ["ok1", "ok2"]
    bad = failures(items)
    assert [f.line for f in bad] == [2, 3, 4]
    assert all("mixed.jsonl:" in str(f) for f in bad)


def test_records_that_cannot_be_stored_fail_alone_and_say_why(tmp_path: Path) -> None:
    # JSON can escape half of an emoji ("\\ud83d" alone): Python keeps it in a str, but no
    # encoder, model or database takes it. Such a record fails by itself, as does an id
    # that is neither a string nor a number; the lines around them are kept.
    (tmp_path / "odd.jsonl").write_text(
        '{"id": "ok1", "text": "Good one."}\n'
        '{"id": "half", "text": "A cut emoji \\ud83d here."}\n'
        '{"id": "meta", "text": "Fine text.", "byline": "\\udc00"}\n'
        '{"id": {"a": 1}, "text": "Some text."}\n'
        '{"id": true, "text": "Some text."}\n'
        '{"id": 7, "text": "Good two."}\n'
    )
    items = read_all(tmp_path)
    assert [a.doc_id for a in articles(items)] == ["ok1", "7"]
    bad = failures(items)
    assert [f.line for f in bad] == [2, 3, 4, 5]
    assert "lone surrogate (\\ud83d)" in str(bad[0]) and "(\\udc00)" in str(bad[1])
    assert "id must be a string or a number" in str(bad[2]) and "True" in str(bad[3])


def test_json_nested_too_deeply_fails_with_a_message(tmp_path: Path) -> None:
    # Past Python's recursion limit json.loads raised RecursionError: a traceback from
    # `qa index`, a 500 from an upload. A record that parses but nests past MAX_NESTING
    # was stored, then could never be served back (pydantic stops serialising at a depth).
    (tmp_path / "deep.json").write_text("[" * 100_000 + "]" * 100_000)
    (tmp_path / "lines.jsonl").write_text(
        '{"id": "ok", "text": "Good one.", "source": {"id": "bbc", "name": "BBC"}}\n'
        + "[" * 100_000
        + "]" * 100_000
        + "\n"
        + json.dumps({"id": "nest", "text": "Fine text.", "extra": json.loads("[" * 40 + "]" * 40)})
        + "\n"
    )
    items = read_all(tmp_path)
    assert [a.doc_id for a in articles(items)] == ["ok"]
    deep, *lines = failures(items)
    assert "deep.json" in str(deep) and "nested too deeply" in deep.message
    assert [f.line for f in lines] == [2, 3]
    assert "nested too deeply" in lines[0].message
    assert "nests more than 32 levels deep" in lines[1].message


def test_special_files_are_refused_without_reading_them(tmp_path: Path) -> None:
    # Named on the command line, /dev/zero as zero.txt was read until the machine ran out
    # of memory (23 GB in a minute), and a FIFO held `qa index` for good, waiting for a
    # writer. A folder walk never reached them; a named one was read as it came.
    os.mkfifo(tmp_path / "pipe.txt")
    (tmp_path / "zero.txt").symlink_to("/dev/zero")
    (tmp_path / "folder.txt").mkdir()
    [pipe] = list(read_path(tmp_path / "pipe.txt", tmp_path))
    [zero] = list(read_path(tmp_path / "zero.txt", tmp_path))
    [folder] = list(read_path(tmp_path / "folder.txt", tmp_path))
    assert isinstance(pipe, Failure) and "not a regular file but a FIFO" in pipe.message
    assert isinstance(zero, Failure) and "not a regular file but a character device" in str(zero)
    assert isinstance(folder, Failure) and "Is a directory" in folder.message
    assert read_all(tmp_path) == []


def test_files_over_the_size_limit_or_unpacking_past_it_fail(tmp_path: Path) -> None:
    (tmp_path / "big.txt").write_text("word " * 300)
    (tmp_path / "bomb.txt.gz").write_bytes(gzip.compress(b"word " * 1000))
    (tmp_path / "fits.txt").write_text("A short article.")
    [big] = list(read_path(tmp_path / "big.txt", tmp_path, max_bytes=1024))
    [bomb] = list(read_path(tmp_path / "bomb.txt.gz", tmp_path, max_bytes=1024))
    [fits] = list(read_path(tmp_path / "fits.txt", tmp_path, max_bytes=1024))
    assert isinstance(big, Failure) and "larger than the limit of 1 KiB" in big.message
    assert isinstance(bomb, Failure) and "more than the limit of 1024 bytes" in bomb.message
    assert isinstance(fits, Article)


def test_every_member_of_a_gzip_file_is_read(tmp_path: Path) -> None:
    # `cat a.gz b.gz > ab.gz` is a valid gzip file of both; a bounded reader must go on
    # past the first member instead of stopping there.
    one = gzip.compress(b'{"id": "a", "text": "One."}\n')
    two = gzip.compress(b'{"id": "b", "text": "Two."}\n')
    (tmp_path / "two.jsonl.gz").write_bytes(one + two)
    assert [a.doc_id for a in articles(read_all(tmp_path))] == ["a", "b"]


def test_numbers_python_writes_but_json_has_not_are_null_or_refused(tmp_path: Path) -> None:
    # Python's json writes NaN and Infinity and reads them back; no JSON response can
    # carry them. An integer of 5,000 digits stopped `qa index` with a ValueError
    # traceback and made an upload a 500.
    (tmp_path / "nums.jsonl").write_text(
        '{"id": "nan", "text": "One.", "score": NaN, "more": [Infinity, -Infinity, 1e400]}\n'
        '{"id": "big", "text": "Two.", "n": ' + "9" * 5_000 + "}\n"
        '{"id": NaN, "text": "Three."}\n'
    )
    items = read_all(tmp_path)
    first, third = articles(items)
    assert first.doc_id == "nan" and first.metadata == {"score": None, "more": [None] * 3}
    assert third.doc_id.startswith("nums-")  # no id given: one made from the text
    [bad] = failures(items)
    assert bad.line == 2 and "a number has too many digits" in bad.message
    # A JSON body arrives parsed by the web framework, NaN and all.
    [record] = read_records(
        [{"id": float("nan"), "text": "Four.", "m": {"x": float("inf")}}], source="api"
    )
    assert isinstance(record, Article) and record.metadata == {"m": {"x": None}}
    assert record.doc_id != "nan"


def test_utf16_and_utf32_text_is_read_by_its_byte_order_mark(tmp_path: Path) -> None:
    text = "Pétion-Ville: the police said the road was open again on Monday."
    for encoding in ("utf-16", "utf-16-be", "utf-32"):
        data = text.encode(encoding)
        if encoding == "utf-16-be":
            data = b"\xfe\xff" + data
        (tmp_path / f"{encoding}.txt").write_bytes(data)
    (tmp_path / "noise.txt").write_bytes(b"\xff\xfe" + bytes([0, 0, 1, 0, 2, 0]) * 100)
    items = read_all(tmp_path)
    assert sorted(a.doc_id for a in articles(items)) == ["utf-16", "utf-16-be", "utf-32"]
    assert all(a.text == text for a in articles(items))
    [noise] = failures(items)
    assert "noise.txt" in str(noise) and "binary" in noise.message


def test_an_article_that_cannot_be_stored_is_named_and_the_rest_are_indexed(
    tmp_path: Path, embedder: SentenceTransformerEmbedder
) -> None:
    # Checked when indexed, not when made or read back: an article an earlier version kept
    # with a longer title is still served (the check in the model was a 500 on reading it).
    deep: list[object] = []
    for _ in range(40):
        deep = [deep]
    report = Indexer(tmp_path / "index", embedder).index_articles(
        [
            Article(doc_id="cut", text="cut \ud83d emoji"),
            Article(doc_id="long", text="The dock chief is Bob Ray.", title="Harbour " * 200),
            Article(doc_id="i" * 5000, text="Some text here."),
            Article(doc_id="link", text="Some text there.", url="http://x/" + "a" * 9000),
            Article(doc_id="deep", text="Deep text.", metadata={"a": deep}),
            Article(doc_id="book", text="The ferry left at dawn. " * 90_000),
            Article(doc_id="fine", text="The pilot is Jo Pi."),
        ]
    )
    assert (report.added, report.failed) == (1, 6)
    assert report.failures[0] == (
        "article 'cut' cannot be stored: it holds a lone surrogate (\\ud83d), which is not "
        "valid Unicode text"
    )
    assert report.failures[1] == (
        "article 'long' cannot be stored: its title is 1,600 characters long; the limit is 1,000"
    )
    assert report.failures[2].startswith("article 'iiiiiiiiii")
    assert report.failures[2].endswith(
        "'… cannot be stored: its id is 5,000 characters long; the limit is 4,096"
    )
    assert "its url is 9,009 characters long; the limit is 8,192" in report.failures[3]
    assert (
        report.failures[4] == "article 'deep' cannot be stored: it nests more than 32 levels deep"
    )
    assert report.failures[5] == (
        "article 'book' cannot be stored: its text is 2,160,000 characters long; the limit is "
        "2,000,000; split it into several articles"
    )
    store = Store(tmp_path / "index")
    assert store.article("fine").text == "The pilot is Jo Pi."
    assert Article(doc_id="old", text="t", title="T" * 5000).title == "T" * 5000  # readable


def test_non_utf8_text_in_a_known_encoding_is_decoded(tmp_path: Path) -> None:
    text = "Le président a visité Pétion-Ville, où la sécurité s'améliore selon la police."
    (tmp_path / "fr.txt").write_bytes(text.encode("cp1252"))
    [article] = articles(read_all(tmp_path))
    # Single-byte encodings are guessed; the accented words must come through.
    for word in ("président", "visité", "Pétion-Ville", "sécurité", "améliore"):
        assert word in article.text


def test_folders_are_walked_recursively_and_ids_keep_subfolders(tmp_path: Path) -> None:
    (tmp_path / "world" / "haiti").mkdir(parents=True)
    (tmp_path / "world" / "haiti" / "mss.txt").write_text("Police patrolled. Calm returned.\n")
    (tmp_path / "ignored.csv").write_text("a,b\n")
    [article] = articles(read_all(tmp_path))
    assert article.doc_id == "world/haiti/mss"


def test_file_names_that_are_not_utf8_or_hold_control_characters_still_index(
    tmp_path: Path, embedder: SentenceTransformerEmbedder
) -> None:
    # "café.txt" written in Latin-1 was skipped ("holds a lone surrogate"); a newline in a
    # name went into the id, the title and the source, and broke every line that shows them.
    folder = os.fsencode(tmp_path / "in")
    os.mkdir(folder)
    for name, text in [
        (b"caf\xe9.txt", "The cafe in Jacmel opened on Friday after repairs."),
        (b"caf\xe8.txt", "The cafe in Hinche opened on Monday after the floods."),
        (b"new\nline.txt", "The port of Gonaives reopened on Monday after the storm."),
    ]:
        with open(os.path.join(folder, name), "w") as handle:
            handle.write(text + "\n")
    found = {a.doc_id: a for a in articles(read_all(tmp_path / "in"))}
    assert set(found) == {"caf%E9", "caf%E8", "new%0Aline"}
    assert found["new%0Aline"].title == "new line"
    assert found["new%0Aline"].source == "new%0Aline.txt"
    report = Indexer(tmp_path / "index", embedder).index_paths([tmp_path / "in"])
    assert (report.added, report.failed) == (3, 0)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ('{"id": "a", "text": "x"}', ".json"),
        ('\ufeff  [{"text": "x"}, {"text": "y"}]', ".json"),
        ('{"text": "x"}\n{"text": "y"}\n', ".jsonl"),
        ('{"text": broken\n', ".json"),  # named as malformed at line 1
        ('{\n  "text": "x"\n}\n', ".json"),
        ("[]", ".json"),
        ('[{"text": "x"},', ".json"),
        (HTML, ".html"),
        ("<!DOCTYPE html><p>Bases</p>", ".html"),
        ("Bases set up in Haiti\n\nForward Operating Bases have been established.", ".txt"),
        ("<3 this story", ".txt"),
        ("[Reuters] Police arrived.", ".txt"),
    ],
)
def test_the_kind_of_unnamed_input_is_told_from_its_content(text: str, kind: str) -> None:
    assert sniff_kind(text) == kind


def test_unnamed_input_gets_an_id_from_its_content() -> None:
    text = b"Bases set up in Haiti\n\nForward Operating Bases have been established.\n"
    first, again = list(read_unnamed(text)), list(read_unnamed(gzip.compress(text)))
    other = list(read_unnamed(text + b"More.\n"))
    assert isinstance(first[0], Article) and first[0].title == "Bases set up in Haiti"
    assert first[0].doc_id.startswith("stdin-") and first[0].text == text.decode()
    assert [a.doc_id for a in articles(again)] == [first[0].doc_id]  # gzip is unpacked
    assert articles(other)[0].doc_id != first[0].doc_id
    lines = b'{"id": "j1", "text": "Motorola won the contract."}\n{"text": "The UN cut it."}\n'
    ids = [a.doc_id for a in articles(list(read_unnamed(lines)))]
    assert ids[0] == "j1" and ids[1].startswith("stdin-")
    for bad, message in (
        (b"", "empty"),
        (bytes(range(256)) * 8, "binary"),
        (b'[{"text": "x"},', "JSON"),
    ):
        [failure] = failures(list(read_unnamed(bad)))
        assert failure.path == "stdin" and message in failure.message


def test_a_named_file_without_a_suffix_is_read_by_its_content(tmp_path: Path) -> None:
    (tmp_path / "feed").write_text('{"id": "radio", "text": "Motorola won."}\n{"text": "UN."}')
    (tmp_path / "NOTES").write_text("Bases\n\nForward Operating Bases were set up.\n")
    items = [i for name in ("feed", "NOTES") for i in read_path(tmp_path / name, tmp_path)]
    ids = [a.doc_id for a in articles(items)]
    assert len(items) == 3 and ids[0] == "radio" and ids[1].startswith("feed-")
    assert articles(items)[-1].doc_id == "NOTES" and articles(items)[-1].title == "Bases"
    assert [p for p, _ in iter_files([tmp_path])] == []  # a folder's are left out, as before
