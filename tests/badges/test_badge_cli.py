"""``biaslab badge keygen | issue | verify`` as a learner and a verifier would use them."""

import json
import stat

import pytest

from biaslab.cli import main
from biaslab.course import load_curriculum
from biaslab.progress import ProgressStore

CURRICULUM = load_curriculum()
REQUIRED = [e.key for e in CURRICULUM.required_exercises]


def test_keygen(tmp_path, capsys):
    assert main(["badge", "keygen", "--out", str(tmp_path / "keys")]) == 0
    out = capsys.readouterr().out
    private = tmp_path / "keys" / "issuer_ed25519.pem"
    assert str(private) in out and "did:key:z6Mk" in out
    assert stat.S_IMODE(private.stat().st_mode) == 0o600
    assert main(["badge", "keygen", "--out", str(tmp_path / "keys")]) == 2
    assert "already exists" in capsys.readouterr().err


def test_keygen_in_a_repository_needs_force(tmp_path, capsys):
    (tmp_path / ".git").mkdir()
    assert main(["badge", "keygen", "--out", str(tmp_path / "keys")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("biaslab badge: error:") and "git work tree" in err and "--force" in err
    assert main(["badge", "keygen", "--out", str(tmp_path / "keys"), "--force"]) == 0
    assert "warning:" in capsys.readouterr().err


def test_self_paced_refusal_lists_what_is_missing(home, workbook, tmp_path, capsys):
    store = ProgressStore(workbook)
    for key in REQUIRED[:-1]:
        store.record(key, "correct")
    store.record(REQUIRED[-1], "wrong_value")
    code = main(["badge", "issue", "--workbook", str(workbook), "--name", "Ada Lovelace",
                 "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 1
    assert "Not eligible for the badge yet" in err
    assert REQUIRED[-1] in err and CURRICULUM.exercise(REQUIRED[-1]).title in err
    assert not any(key in err for key in REQUIRED[:-1])
    assert not (tmp_path / "out").exists()
    assert not (home / ".biaslab").exists()  # no key made for nothing


def test_self_paced_round_trip(home, workbook, tmp_path, capsys):
    store = ProgressStore(workbook)
    for key in REQUIRED:
        store.record(key, "correct")
    out = tmp_path / "out"
    code = main(["badge", "issue", "--workbook", str(workbook), "--name", "Ada Lovelace", "--email", "ada@example.org",
                 "--out", str(out)])
    printed = capsys.readouterr().out
    assert code == 0, printed
    assert "self-assessed badge" in printed
    key = home / ".biaslab" / "keys" / "self-issued_ed25519.pem"
    assert key.exists() and stat.S_IMODE(key.stat().st_mode) == 0o600
    png = out / f"{CURRICULUM.id}-badge.png"
    assert png.exists()
    credential = json.loads((out / f"{CURRICULUM.id}-badge.json").read_text())
    learner_id = json.loads((workbook / ".biaslab" / "progress.json").read_text())["learner_id"]
    assert credential["credentialSubject"]["id"].replace("-", "").endswith(learner_id)

    assert main(["badge", "verify", str(png)]) == 0
    printed = capsys.readouterr().out
    assert "Learner:     Ada Lovelace" in printed
    assert "self-assessed" in printed and "NOT independently trusted" in printed
    assert printed.splitlines()[-1] == ("VALID (intact and correctly signed; the issuer's key was not "
                                        "independently trusted)")

    public = home / ".biaslab" / "keys" / "self-issued_ed25519.pub.pem"
    assert main(["badge", "verify", str(png), "--key", str(public), "--email", "ada@example.org"]) == 0
    printed = capsys.readouterr().out
    assert "trusted: the signature checks out with the public key you supplied" in printed
    assert "matches the email you gave" in printed
    assert printed.splitlines()[-1] == "VALID"

    # a second badge into the same folder is refused unless asked for
    code = main(["badge", "issue", "--workbook", str(workbook), "--name", "Ada", "--out", str(out)])
    assert code == 2 and "already exists" in capsys.readouterr().err


def test_verify_reports_invalid_with_exit_code_1(tmp_path, capsys):
    bad = tmp_path / "badge.png"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n")
    assert main(["badge", "verify", str(bad)]) == 1
    printed = capsys.readouterr().out
    assert printed.rstrip().endswith("INVALID: the PNG is truncated: it ends before its final IEND chunk")
    empty = tmp_path / "empty.jwt"
    empty.write_bytes(b"")
    assert main(["badge", "verify", str(empty)]) == 1
    assert "INVALID: the file is empty" in capsys.readouterr().out
    assert main(["badge", "verify", str(tmp_path / "missing.svg")]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_issue_needs_a_workbook_and_an_identity(home, workbook, tmp_path, capsys):
    assert main(["badge", "issue", "--workbook", str(tmp_path), "--name", "A", "--out", str(tmp_path / "o")]) == 2
    assert "no workbook found" in capsys.readouterr().err
    assert main(["badge", "issue", "--workbook", str(workbook), "--out", str(tmp_path / "o")]) == 2
    assert "--name" in capsys.readouterr().err
    assert main(["badge", "issue", "--workbook", str(workbook), "--name", "A", "--student", "x",
                 "--out", str(tmp_path / "o")]) == 2
    assert "--gradebook" in capsys.readouterr().err
    assert main(["badge", "issue", "--workbook", str(workbook), "--name", "A", "--valid-days", "0",
                 "--out", str(tmp_path / "o")]) == 2
    assert "--valid-days must be at least 1" in capsys.readouterr().err
