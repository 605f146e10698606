"""The synthetic liveness set: bona fide presentations and four attack species, from a seed.

Each clip is rendered from one of the public-domain demo faces (``head.Actor``) and written as
an MJPEG video with a line in ``manifest.json``: its ``species``, the ``challenge`` asked for,
the actions ``performed``, the face and the seed of the whole set. The species:

- ``bona_fide``: the head-model warp performs the challenge asked for, with human reaction
  times, amplitudes and blink lengths drawn at random, blinks of its own (about 15 a minute)
  and a slight sway.
- ``print_rigid``: the frontal still, printed flat, turned left or right as asked (a
  homography of a tilted plane); it cannot blink.
- ``print_bent``: the same print bent into a cylinder, turned as asked; it cannot blink.
- ``screen_replay``: a bona fide clip of the right challenge played on a screen held still: a
  pixel grid beating against the camera's (moiré), a cooler and flatter picture, a glare patch.
- ``animated_still``: the head-model warp made to perform another challenge than the one asked
  for (the attacker did not know it in advance).

The set's limits (what it cannot show about real presentations) are in docs/liveness.md.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from kiosk.devices.camera.head import (
    Actor,
    Move,
    Pixels,
    depth_model,
    landmarks_path,
    load_points,
    pose_at,
    turn,
)
from kiosk.devices.errors import Unavailable
from kiosk.domain.errors import ErrorCode

SPECIES = ("bona_fide", "print_rigid", "print_bent", "screen_replay", "animated_still")
ACTIONS = ("blink", "left", "right")
FPS = 10.0
SIZE = (640, 480)
_WALL = (128, 132, 136)


@dataclass(frozen=True, slots=True)
class Clip:
    """One line of the manifest."""

    file: str
    species: str
    challenge: str
    performed: str
    face: str


def script(actions: list[str], rng: random.Random, *, spontaneous: bool) -> list[Move]:
    """Moves performing ``actions`` in order, each after a reaction time from the previous one.

    With ``spontaneous``, blinks of its own at about 15 a minute are added in the quiet times.
    """
    moves: list[Move] = []
    t = rng.uniform(0.6, 1.0)  # the rest the verifier measures first
    for action in actions:
        t += rng.uniform(0.3, 1.2)
        if action == "blink":
            move = Move(action, t, rng.uniform(0.35, 0.5), 1.0)
        else:
            move = Move(action, t, rng.uniform(1.2, 1.8), rng.uniform(26.0, 34.0))
        moves.append(move)
        t += move.duration
    end = t + 0.8
    if spontaneous:
        moves += _spontaneous(moves, end, rng)
    return moves


def _spontaneous(cued: list[Move], end: float, rng: random.Random) -> list[Move]:
    blinks: list[Move] = []
    t = rng.expovariate(0.25)
    while t < end - 0.5:
        if all(not m.start - 0.4 < t < m.start + m.duration + 0.2 for m in cued):
            blinks.append(Move("blink", t, rng.uniform(0.35, 0.5), 1.0))
        t += rng.expovariate(0.25)
    return blinks


def duration(moves: list[Move]) -> float:
    """Seconds of clip a script needs: its last move and a short rest."""
    return max(m.start + m.duration for m in moves) + 0.8


class _Noise:
    """Sensor noise: a few frames of small random integers drawn once, added in turn."""

    def __init__(self, rng: random.Random) -> None:
        draw = np.random.default_rng(rng.getrandbits(32))
        self._bank = [draw.integers(-3, 4, (SIZE[1], SIZE[0], 3), dtype=np.int16) for _ in range(5)]
        self._next = 0

    def add(self, image: Pixels) -> Pixels:
        self._next += 1
        noise = self._bank[self._next % len(self._bank)]
        return np.asarray(np.clip(image + noise, 0, 255), dtype=np.uint8)


def live(actor: Actor, moves: list[Move], rng: random.Random) -> list[Pixels]:
    """A presentation of the head-model face performing ``moves``, with a slight sway."""
    noise = _Noise(rng)
    sway = rng.uniform(0.0, 6.28)
    frames = []
    for index in range(int(duration(moves) * FPS)):
        t = index / FPS
        yaw, closure = pose_at(moves, t)
        shift = (2.0 * np.sin(sway + t), 1.5 * np.cos(sway + 0.7 * t))
        frames.append(noise.add(actor.render(yaw, closure, shift)))
    return frames


def _plane(yaw: float, size: tuple[int, int]) -> np.ndarray:
    # A flat print turned by ``yaw`` about its vertical middle line, seen by a pinhole camera
    # whose focal length is the frame width, the print filling the frame when facing it.
    width, height = size
    focal = float(width)
    corners = np.array([[0, 0], [width, 0], [width, height], [0, height]], dtype=np.float32)
    angle = np.radians(yaw)
    moved = []
    for x, y in corners:
        dx, dy = x - width / 2, y - height / 2
        depth = focal + dx * np.sin(angle)
        scale = focal / depth
        moved.append((width / 2 + dx * np.cos(angle) * scale, height / 2 + dy * scale))
    return np.asarray(cv2.getPerspectiveTransform(corners, np.asarray(moved, np.float32)))


def print_rigid(actor: Actor, moves: list[Move], rng: random.Random) -> list[Pixels]:
    """The still printed flat and turned as ``moves`` say (blinks are impossible: ignored)."""
    noise = _Noise(rng)
    frames = []
    for index in range(int(duration(moves) * FPS)):
        yaw, _ = pose_at(moves, index / FPS)
        warped = cv2.warpPerspective(
            actor.canvas, _plane(yaw, SIZE), SIZE, borderMode=cv2.BORDER_CONSTANT, borderValue=_WALL
        )
        frames.append(noise.add(np.asarray(warped, dtype=np.uint8)))
    return frames


def print_bent(actor: Actor, moves: list[Move], rng: random.Random) -> list[Pixels]:
    """The still printed and bent into a cylinder (convex to the camera), turned as asked."""
    noise = _Noise(rng)
    width, height = SIZE
    xs = np.arange(width, dtype=np.float32) - width / 2
    bulge = rng.uniform(0.15, 0.3) * width / 2
    depth = np.tile(bulge * (1.0 - (xs / (width / 2)) ** 2), (height, 1)).astype(np.float32)
    model = depth_model(depth, np.ones_like(depth), width / 2)
    frames = []
    for index in range(int(duration(moves) * FPS)):
        yaw, _ = pose_at(moves, index / FPS)
        frames.append(noise.add(turn(actor.canvas, model, yaw)))
    return frames


def on_screen(frames: list[Pixels], rng: random.Random) -> list[Pixels]:
    """Frames replayed on a screen held still in front of the camera."""
    width, height = SIZE
    period = rng.uniform(2.2, 3.6)
    angle = np.radians(rng.uniform(-10.0, 10.0))
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
    phase = (xs * np.cos(angle) + ys * np.sin(angle)) * 2 * np.pi / period
    stripes = np.stack([np.cos(phase + k * 2 * np.pi / 3) for k in range(3)], axis=2)
    grid = 1.0 + rng.uniform(0.05, 0.15) * stripes
    centre = (rng.uniform(0.3, 0.7) * width, rng.uniform(0.3, 0.6) * height)
    spread = rng.uniform(0.04, 0.1) * width
    distance = (xs - centre[0]) ** 2 + (ys - centre[1]) ** 2
    glare = rng.uniform(60.0, 255.0) * np.exp(-distance / (2 * spread**2))
    tint = np.array([1.08, 1.0, 0.92], dtype=np.float32)  # BGR: a screen's cooler white
    out = []
    for frame in frames:
        shown = (frame.astype(np.float32) * 0.8 + 30.0) * tint * grid + glare[..., None]
        out.append(np.asarray(np.clip(shown, 0, 255), dtype=np.uint8))
    return out


def _other(challenge: list[str], rng: random.Random) -> list[str]:
    choices = [[a, b] for a in ACTIONS for b in ACTIONS if a != b and [a, b] != challenge]
    return rng.choice(choices)


def present(
    species: str, actor: Actor, challenge: list[str], rng: random.Random
) -> tuple[list[Pixels], list[str]]:
    """The frames of one presentation of ``species`` for ``challenge``, and what it performed."""
    if species == "animated_still":
        performed = _other(challenge, rng)
        return live(actor, script(performed, rng, spontaneous=True), rng), performed
    if species in ("bona_fide", "screen_replay"):
        frames = live(actor, script(challenge, rng, spontaneous=True), rng)
        return (frames if species == "bona_fide" else on_screen(frames, rng)), challenge
    turns = [action for action in challenge if action != "blink"]
    moves = script(turns, rng, spontaneous=False)
    if species == "print_rigid":
        return print_rigid(actor, moves, rng), turns
    return print_bent(actor, moves, rng), turns


def write_clip(path: Path, frames: list[Pixels]) -> None:
    """Write ``frames`` as an MJPEG AVI at ``FPS`` (every OpenCV build can write and read it)."""
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"MJPG"), FPS, SIZE)
    try:
        for frame in frames:
            writer.write(frame)
    finally:
        writer.release()


def write_set(out: Path, photos: list[Path], seed: int, per_species: int) -> list[Clip]:
    """Render ``per_species`` clips of every species into ``out`` with ``manifest.json``.

    Faces and challenges cycle over the clips; everything random comes from ``seed``.

    Raises:
        Unavailable: CAMERA_UNAVAILABLE when a photo or its landmarks cannot be read.
    """
    rng = random.Random(seed)  # noqa: S311 - a reproducible test set, not a secret
    actors = {photo.name.rsplit(".", 1)[0]: _actor(photo, rng) for photo in photos}
    out.mkdir(parents=True, exist_ok=True)
    clips: list[Clip] = []
    for index in range(per_species * len(SPECIES)):
        species = SPECIES[index % len(SPECIES)]
        face = sorted(actors)[(index // len(SPECIES)) % len(actors)]
        challenge = rng.sample(ACTIONS, 2)
        frames, performed = present(species, actors[face], challenge, rng)
        name = f"{index + 1:04d}-{species}.avi"
        write_clip(out / name, frames)
        clips.append(Clip(name, species, ",".join(challenge), ",".join(performed), face))
    manifest = {"seed": seed, "fps": FPS, "clips": [_plain(clip) for clip in clips]}
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n", "utf-8")
    return clips


def _actor(photo: Path, rng: random.Random) -> Actor:
    image = cv2.imread(str(photo), cv2.IMREAD_COLOR)
    if image is None:
        raise Unavailable(ErrorCode.CAMERA_UNAVAILABLE, photo.name, "cannot be decoded")
    width = rng.uniform(190.0, 230.0)
    return Actor(np.asarray(image, dtype=np.uint8), load_points(landmarks_path(photo)), SIZE, width)


def _plain(clip: Clip) -> dict[str, str]:
    return {
        "file": clip.file,
        "species": clip.species,
        "challenge": clip.challenge,
        "performed": clip.performed,
        "face": clip.face,
    }
