"""Decoding files: encodings, binary, empty, too large, HTML in a .txt."""

import pytest

from loaders import read as read_mod
from loaders.read import ReadError, decode, read_file

GOOD = "Headline Here\nMarch 1, 2025\nThe ministry said on Saturday that talks would resume soon.\n"


def test_utf8_with_bom():
    text, warnings = decode(b"\xef\xbb\xbf" + GOOD.encode())
    assert text == GOOD and warnings == []


def test_utf16_with_bom():
    text, _ = decode(GOOD.encode("utf-16"))
    assert text == GOOD


def test_cp1252_is_detected_and_warned():
    raw = "Caf\u00e9 Owners \u201cProtest\u201d\n".encode("cp1252")
    text, warnings = decode(raw)
    assert text == "Caf\u00e9 Owners \u201cProtest\u201d\n"
    assert warnings and "cp1252" in warnings[0]


def test_undecodable_bytes_are_a_clear_error():
    with pytest.raises(ReadError, match="not UTF-8.*not cp1252"):
        decode(b"Head\n\x81\x8d\x8f\x90 text that is neither utf-8 nor cp1252\n")


@pytest.mark.parametrize("raw, message", [
    (b"", "empty file"),
    (b"  \n\n\t ", "empty file"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
    (bytes(range(0, 32)) * 20, "binary"),
])
def test_empty_and_binary(raw, message):
    with pytest.raises(ReadError, match=message):
        decode(raw)


def test_too_large_file_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(read_mod, "MAX_ARTICLE_BYTES", 100)
    p = tmp_path / "big.txt"
    p.write_text(GOOD * 10)
    with pytest.raises(ReadError, match="too large"):
        list(read_file(p))


def test_unknown_extension(tmp_path):
    p = tmp_path / "notes.docx"
    p.write_bytes(b"PK\x03\x04")
    with pytest.raises(ReadError, match="unknown file type '.docx'"):
        list(read_file(p))


def test_read_file_passes_decoding_warnings_on(tmp_path):
    p = tmp_path / "old.txt"
    p.write_bytes(GOOD.replace("ministry", "minist\u00e8re").encode("cp1252"))
    (article,) = read_file(p)
    assert "minist\u00e8re" in article.body
    assert any("cp1252" in w for w in article.warnings)
    assert article.file_name == "old.txt"
