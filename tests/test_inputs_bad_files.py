"""Bad input files get messages a rep can act on, in English and Turkish (a trial saw "error: no valid domain
in the input" for an empty file, and Python's "File is not a zip file" for a text file named .xlsx): the
message names the file, says what is wrong with it and what to do, and leaks no Python wording."""

from __future__ import annotations

import pytest
from test_inputs_turkish_messages import english_in

LEAKS = ("zip file", "BadZipFile", "Errno", "Traceback", "not a zip")

EMPTY = {
    "bos.txt": b"",
    "bosluk.txt": b"\n\n   \r\n\t\n",
    "bom.csv": b"\xef\xbb\xbf\r\n",
    "utf16.txt": b"\xff\xfe\n\x00",
    "bos.csv": b"",
    "bos.xlsx": b"",
    "bos.tsv": b"\n",
}


@pytest.mark.parametrize("name", sorted(EMPTY))
@pytest.mark.parametrize("command", ["scan", "import"])
def test_an_empty_file_is_named_and_said_empty(hunter, tmp_path, name, command):
    p = tmp_path / name
    p.write_bytes(EMPTY[name])
    en = hunter(command, str(p))
    assert en.exit_code == 1, en.stderr
    err = " ".join(en.stderr.split())
    assert f"{name}: the file is empty" in err and "no valid domain" not in err, err
    tr = hunter(command, str(p), env={"HUNTER_LANG": "tr"})
    err = " ".join(tr.stderr.split())
    assert tr.exit_code == 1 and f"{name}: dosya boş" in err, err
    assert not english_in(tr.stderr, p, tmp_path), (english_in(tr.stderr, p, tmp_path), err)


def test_an_empty_file_among_others_is_said_and_the_others_are_scanned(hunter, tmp_path):
    empty, good = tmp_path / "bos.txt", tmp_path / "liste.txt"
    empty.write_bytes(b"")
    good.write_text("firma.com.tr\n", encoding="utf-8")
    result = hunter("scan", str(empty), str(good), "--json")
    assert "bos.txt: the file is empty" in " ".join(result.stderr.split())
    assert '"domain": "firma.com.tr"' in result.stdout or "firma.com.tr" in result.stdout


def test_empty_standard_input_is_said_empty(hunter):
    for env, said in ((None, "standard input (-): it is empty"), ({"HUNTER_LANG": "tr"}, "standart girdi (-): boş")):
        result = hunter("scan", "-", input="", env=env)
        assert result.exit_code == 1 and said in result.stderr, result.stderr


NOT_WORKBOOKS = {
    "fake.xlsx": b"acme.com.tr\nfirma.com.tr\n",  # a text list renamed
    "firmalar.xlsx": "Firma;Web\nAcme;acme.com.tr\n".encode("cp1254"),  # a CSV renamed
    "rastgele.xlsm": bytes(range(256)) * 4,  # binary that is no ZIP archive
    "kisa.xlsx": b"PK",  # cut short before the ZIP header ends
}


@pytest.mark.parametrize("name", sorted(NOT_WORKBOOKS))
@pytest.mark.parametrize("command", ["scan", "import"])
def test_a_file_named_xlsx_that_is_no_workbook_says_what_to_do(hunter, tmp_path, name, command):
    p = tmp_path / name
    p.write_bytes(NOT_WORKBOOKS[name])
    en = hunter(command, str(p))
    err = " ".join(en.stderr.split())
    assert en.exit_code == 1, err
    assert f"{name}: not an Excel workbook" in err and "save it as an Excel workbook (.xlsx)" in err, err
    assert "export it as CSV" in err
    assert not any(leak.lower() in err.lower() for leak in LEAKS), err
    tr = hunter(command, str(p), env={"HUNTER_LANG": "tr"})
    err = " ".join(tr.stderr.split())
    assert f"{name}: bir Excel çalışma kitabı değil" in err and "CSV olarak dışa aktarın" in err, err
    assert not any(leak.lower() in err.lower() for leak in LEAKS), err
    assert not english_in(tr.stderr, p, tmp_path), (english_in(tr.stderr, p, tmp_path), err)


def test_other_unreadable_inputs_are_said_in_turkish(hunter, tmp_path):
    folder = tmp_path / "klasor"
    folder.mkdir()
    old = tmp_path / "eski.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0" + b"\x00" * 100)
    ods = tmp_path / "tablo.ods"
    ods.write_bytes(b"PK\x03\x04")
    for p, said in ((folder, "bir klasör, dosya değil"), (old, "desteklenmiyor"), (ods, "desteklenmiyor")):
        result = hunter("scan", str(p), env={"HUNTER_LANG": "tr"})
        err = " ".join(result.stderr.split())
        assert result.exit_code == 1 and said in err, err
        assert not english_in(result.stderr, p, tmp_path), (english_in(result.stderr, p, tmp_path), err)
