"""verify_export: 0 and a one-line summary on an intact archive; 1 and each difference
named on a tampered one (a byte changed, a file removed or added, the manifest edited,
a file that is not an archive)."""

import json
import struct
import zipfile

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from handover.archive import MANIFEST, manifest_mac, write_archive

pytestmark = pytest.mark.django_db


@pytest.fixture
def exported(world, records, tmp_path):
    path, _manifest = write_archive(world.vendor_a, tmp_path / "out")
    return path


def _rewrite(path, change):
    """The archive with its members passed through ``change(members)``, written anew."""
    with zipfile.ZipFile(path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    members = change(members)
    tampered = path.with_name("tampered.zip")
    with zipfile.ZipFile(tampered, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return tampered


def _verify(path, capsys):
    try:
        call_command("verify_export", str(path))
    except CommandError as error:
        return 1, capsys.readouterr().err, str(error)
    return 0, capsys.readouterr().out, ""


def test_an_intact_archive_passes_with_one_line(exported, capsys):
    code, out, _ = _verify(exported, capsys)
    assert code == 0
    assert out.count("\n") == 1 and "intact" in out and "HGCS" in out


def test_the_json_summary(exported, capsys):
    call_command("verify_export", str(exported), "--json")
    summary = json.loads(capsys.readouterr().out.splitlines()[0])
    assert summary["intact"] is True and summary["files"] == 22 and summary["problems"] == []


def test_one_byte_changed_in_a_csv_is_named(exported, capsys):
    def change(members):
        data = bytearray(members["agents.csv"])
        data[-3] ^= 0x01
        members["agents.csv"] = bytes(data)
        return members

    code, err, _ = _verify(_rewrite(exported, change), capsys)
    assert code == 1
    assert "agents.csv: changed" in err
    assert "acknowledgements" not in err


def test_a_byte_flipped_in_the_archive_itself_is_named(exported, capsys):
    data = bytearray(exported.read_bytes())
    with zipfile.ZipFile(exported) as archive:
        info = archive.getinfo("teams.jsonl")
    # In the middle of the member's compressed data, past its local header (30 bytes,
    # then the name and the extra field, whose lengths the header's last 4 bytes give).
    name_length, extra_length = struct.unpack_from("<HH", data, info.header_offset + 26)
    start = info.header_offset + 30 + name_length + extra_length
    data[start + info.compress_size // 2] ^= 0xFF
    exported.write_bytes(bytes(data))
    code, err, _ = _verify(exported, capsys)
    assert code == 1
    assert err.startswith("teams.jsonl:")


def test_a_removed_file_is_named(exported, capsys):
    code, err, _ = _verify(
        _rewrite(exported, lambda m: {k: v for k, v in m.items() if k != "decisions.jsonl"}),
        capsys,
    )
    assert code == 1
    assert err.strip() == "decisions.jsonl: missing"


def test_an_extra_file_is_named(exported, capsys):
    code, err, _ = _verify(_rewrite(exported, lambda m: {**m, "notes.txt": b"hello"}), capsys)
    assert code == 1
    assert err.strip() == "notes.txt: extra file, not in the manifest"


def test_an_edited_manifest_is_named_even_with_its_hashes_made_to_match(exported, capsys):
    def change(members):
        members["agents.csv"] = members["agents.csv"] + b"X,forged,,,,,,,,\r\n"
        manifest = json.loads(members[MANIFEST])
        import hashlib

        for entry in manifest["files"]:
            if entry["name"] == "agents.csv":
                entry["sha256"] = hashlib.sha256(members["agents.csv"]).hexdigest()
                entry["bytes"] = len(members["agents.csv"])
                entry["records"] += 1
        members[MANIFEST] = json.dumps(manifest).encode()
        return members

    code, err, _ = _verify(_rewrite(exported, change), capsys)
    assert code == 1
    assert err.strip() == (
        f"{MANIFEST}: its keyed MAC does not match (edited, or not written by this portal)"
    )


def test_a_wrong_count_is_named(exported, capsys):
    def change(members):
        manifest = json.loads(members[MANIFEST])
        manifest["files"][0]["records"] += 1
        manifest["mac"] = manifest_mac(manifest)  # as someone with the key would
        members[MANIFEST] = json.dumps(manifest).encode()
        return members

    code, err, _ = _verify(_rewrite(exported, change), capsys)
    assert code == 1
    assert "records, the manifest says" in err


def test_a_file_that_is_not_an_archive_is_named(tmp_path, capsys):
    path = tmp_path / "records.zip"
    path.write_bytes(b"not a zip")
    code, err, _ = _verify(path, capsys)
    assert code == 1
    assert err.startswith("records.zip: unreadable archive")


def test_the_command_writes_the_archive_and_refuses_an_unknown_vendor(
    world, records, tmp_path, capsys
):
    call_command("export_vendor_records", "hgcs", "--out", str(tmp_path), "--json")
    summary = json.loads(capsys.readouterr().out.splitlines()[-1])
    assert summary["records"]["agents"] == 4
    assert (
        _verify(summary["archive"] and tmp_path / summary["archive"].rsplit("/", 1)[1], capsys)[0]
        == 0
    )
    with pytest.raises(CommandError, match="No vendor has the code 'NOPE'"):
        call_command("export_vendor_records", "NOPE", "--out", str(tmp_path))


def test_a_hostile_archive_is_named_unreadable_not_a_crash(exported, capsys):
    # A member of an unknown compression method, and a manifest nested past any parser.
    with zipfile.ZipFile(exported) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    hostile = exported.with_name("hostile.zip")
    with zipfile.ZipFile(hostile, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data if name != MANIFEST else b"[" * 100_000)
    code, err, _ = _verify(hostile, capsys)
    assert code == 1 and f"{MANIFEST}: unreadable" in err
    with zipfile.ZipFile(exported) as archive:
        data = archive.fp.read()
    central = data.rfind(b"PK\x01\x02")
    # The central directory's compression method (offset 10) of the last member: 99.
    patched = data[: central + 10] + struct.pack("<H", 99) + data[central + 12 :]
    hostile.write_bytes(patched)
    code, err, _ = _verify(hostile, capsys)
    assert code == 1 and "unreadable" in err


def test_counting_records_streams_and_keeps_quoted_newlines(tmp_path):
    from handover.archive import _measure

    path = tmp_path / "a.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("a.csv", '\ufeffa,b\r\n1,"two\r\nlines ""quoted"""\r\n3,4\r\n')
        archive.writestr("a.jsonl", '{"a": "x\\ny"}\n{"a": 2}')
        archive.writestr("bomb.jsonl", b"x" * 50_000_000)
    with zipfile.ZipFile(path) as archive:
        assert _measure(archive, "a.csv")[2] == 2
        assert _measure(archive, "a.jsonl")[2] == 2
        assert _measure(archive, "bomb.jsonl")[1:] == (50_000_000, 1)
