"""The liveness evaluation: APCER per species, the worst, BPCER, and the labelled CLI report.

The rates are checked on a manifest judged by a stand-in judge (by file name); the command is
run end to end on a small synthetic set (one clip per species), as CI does.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kiosk.cli import main
from kiosk.devices.camera.presentations import SPECIES, write_set
from kiosk.domain.errors import DomainError, ErrorCode
from kiosk.face.liveness.challenge import Action, Challenge
from kiosk.face.liveness.evaluation import LABEL, TUNING_SEEDS, evaluate
from kiosk.face.liveness.verdict import LivenessResult, judge
from tests.support.heads import blink, samples, turn

FACES = Path(__file__).resolve().parents[3] / "resources" / "demo" / "faces"


def _manifest(folder: Path, seed: int, clips: list[tuple[str, str]]) -> None:
    lines = [
        {"file": name, "species": species, "challenge": "left,blink", "performed": "", "face": ""}
        for name, species in clips
    ]
    (folder / "manifest.json").write_text(json.dumps({"seed": seed, "clips": lines}), "utf-8")


def _by_name(path: Path, challenge: Challenge) -> LivenessResult:
    # Clips named "live-*" are judged on a live head doing the challenge, the rest on nothing.
    moves = [turn("left", 1.0), blink(3.0)] if path.name.startswith("live") else []
    return judge(challenge, samples(moves, seconds=5.0))


def test_rates_per_species_the_worst_and_bpcer(tmp_path: Path) -> None:
    _manifest(
        tmp_path,
        7,
        [
            ("live-1", "bona_fide"),
            ("dead-2", "bona_fide"),
            ("live-3", "bona_fide"),
            ("live-4", "screen_replay"),
            ("dead-5", "screen_replay"),
            ("dead-6", "print_rigid"),
        ],
    )
    report = evaluate(tmp_path, _by_name)
    rates = {rate.species: rate for rate in report.species}
    assert (rates["screen_replay"].accepted, rates["screen_replay"].attacks) == (1, 2)
    assert rates["screen_replay"].apcer == 0.5
    assert (rates["print_rigid"].apcer, rates["print_rigid"].attacks) == (0.0, 1)
    assert (report.worst_apcer, report.worst_species) == (0.5, "screen_replay")
    assert (report.rejected, report.bona_fide) == (1, 3)
    assert report.bpcer == pytest.approx(1 / 3)
    assert report.held_out
    assert report.label == LABEL
    assert report.bona_fide_reasons["left_not_done"] == 1


def test_a_tuning_seed_is_not_held_out(tmp_path: Path) -> None:
    _manifest(tmp_path, min(TUNING_SEEDS), [("live-1", "bona_fide")])
    assert not evaluate(tmp_path, _by_name).held_out


def test_a_folder_without_a_manifest_is_refused(tmp_path: Path) -> None:
    with pytest.raises(DomainError) as raised:
        evaluate(tmp_path, _by_name)
    assert raised.value.code is ErrorCode.USAGE


@pytest.mark.slow
def test_the_commands_on_a_small_synthetic_set(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "set"
    write_set(folder, [FACES / "astronaut.png"], seed=3, per_species=1)
    assert main(["face", "liveness-eval", str(folder), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["label"] == LABEL
    assert report["held_out"] is True
    assert sorted(rate["species"] for rate in report["species"]) == sorted(SPECIES[1:])
    assert all(rate["attacks"] == 1 for rate in report["species"])
    # Each attack species is rejected on this seed: the image-level checks (the face crop's
    # moiré and glare, the landmarks' planarity) are run, not only the report's shape.
    assert {rate["species"]: rate["accepted"] for rate in report["species"]} == dict.fromkeys(
        SPECIES[1:], 0
    )
    assert report["bona_fide"] == 1
    manifest = json.loads((folder / "manifest.json").read_text("utf-8"))
    still = next(c for c in manifest["clips"] if c["species"] == "animated_still")
    assert (
        main(
            [
                "face",
                "liveness",
                str(folder / still["file"]),
                "--challenge",
                still["challenge"],
                "--json",
            ]
        )
        == 0
    )
    judged = json.loads(capsys.readouterr().out)
    assert judged["live"] is False
    assert judged["challenge"] == still["challenge"].split(",")
    assert {step["action"] for step in judged["steps"]} == set(judged["challenge"])


def test_a_clip_that_cannot_be_read_is_bad_data(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    clip = tmp_path / "clip.avi"
    clip.write_bytes(b"not a video")
    assert main(["face", "liveness", str(clip), "--challenge", "blink,left", "--json"]) == 5
    assert json.loads(capsys.readouterr().out)["error"]["code"] == "image_unreadable"


def test_an_unknown_challenge_action_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["face", "liveness", str(tmp_path), "--challenge", "nod", "--json"]) == 2
    assert json.loads(capsys.readouterr().out)["error"]["code"] == "usage"


def test_actions_are_the_designs_names() -> None:
    assert [action.value for action in Action] == ["blink", "left", "right"]
