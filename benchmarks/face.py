"""Benchmark of the face pipeline: guidance rate, preview rate, decision time, memory.

Usage: ``python benchmarks/face.py [--frames 300] [--seed 1] [--matches 10]``. The frames are
made from the two demo portraits (resources/demo/faces): 640 x 480, the face 100 to 200 px wide
at a random place near the target, Gaussian noise (sigma 5) added to each so no two are alike.
Guidance runs in the face worker process (``kiosk.face.worker.FaceWorker``) on every frame
while a display job in this process plays the same frames from JPEG files with the file camera
at 30 fps and converts each to RGB as the preview does; the preview rate is what that job
achieved during the guidance run. The decision time is one ``FaceWorker.match`` of a ready
frame against a DG2-sized JPEG portrait (240 x 300): detection and encoding of both. Peak
memory is the resident high-water mark (VmHWM) of each process. The script prints figures and
asserts nothing; the targets are in issue 7.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kiosk.devices.camera.files import FileCamera
from kiosk.face.quality import Instruction
from kiosk.face.worker import FaceWorker

FACES = Path(__file__).resolve().parent.parent / "resources" / "demo" / "faces"
# Face boxes of the two portraits as dlib's HOG detector finds them (width, centre x, centre y).
PORTRAITS = {"grace_hopper.jpg": (215, 268.5, 244.5), "astronaut.png": (87, 222.5, 126.5)}
SIZE = (640, 480)


def write_frames(folder: Path, count: int, seed: int) -> None:
    """``count`` distinct frames alternating the two portraits, each with its own noise."""
    rng = np.random.default_rng(seed)
    sources = {name: cv2.imread(str(FACES / name)) for name in PORTRAITS}
    for index in range(count):
        name = list(PORTRAITS)[index % 2]
        box_width, x, y = PORTRAITS[name]
        scale = rng.uniform(100, 200) / box_width
        centre = (rng.uniform(0.45, 0.55) * SIZE[0], rng.uniform(0.4, 0.5) * SIZE[1])
        matrix = np.float32([[scale, 0, centre[0] - x * scale], [0, scale, centre[1] - y * scale]])
        frame = cv2.warpAffine(sources[name], matrix, SIZE, borderMode=cv2.BORDER_REPLICATE)
        noisy = np.clip(frame + rng.normal(0, 5, frame.shape), 0, 255).astype(np.uint8)
        cv2.imwrite(str(folder / f"{index:04d}.jpg"), noisy, [cv2.IMWRITE_JPEG_QUALITY, 95])


def read_frames(folder: Path) -> Iterator[np.ndarray]:
    """The frames one at a time, as a camera hands them over (never all in memory)."""
    for path in sorted(folder.glob("*.jpg")):
        yield cv2.imread(str(path))


class Display:
    """The preview job: iterates the file camera and converts each frame as the UI would."""

    def __init__(self, folder: Path) -> None:
        self.shown = 0
        self.cancel = threading.Event()
        self._camera = FileCamera(folder, fps=30.0)
        self._thread = threading.Thread(target=self._run, name="display")

    def _run(self) -> None:
        for frame in self._camera.frames(self.cancel):
            cv2.cvtColor(frame.image, cv2.COLOR_BGR2RGB)
            self.shown += 1

    def start(self) -> None:
        """Start playing in its own thread."""
        self._thread.start()

    def stop(self) -> None:
        """Stop playing and wait for the thread."""
        self.cancel.set()
        self._thread.join()


def vm_hwm_mb(pid: int | str) -> float:
    """A process's peak resident memory in MB, from /proc."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def cpu_seconds(pid: int) -> float:
    """A process's user + system CPU time: unaffected by other jobs waiting for the cores."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run_guidance(worker: FaceWorker, folder: Path, count: int) -> None:
    """Guidance on every frame while the display plays; prints rates and the found share."""
    display = Display(folder)
    display.start()
    started, cpu = time.perf_counter(), cpu_seconds(worker.pid or 0)
    guidance = [worker.analyse(frame) for frame in read_frames(folder)]
    elapsed = time.perf_counter() - started
    cpu_ms = (cpu_seconds(worker.pid or 0) - cpu) * 1000 / count
    shown = display.shown
    display.stop()
    found = sum(1 for g in guidance if g.face_count >= 1) / count
    ready = sum(1 for g in guidance if g.instruction is Instruction.READY)
    rate = count / elapsed
    counts = f"{rate:.1f}" if found >= 0.95 else f"{rate:.1f} (does not count: under 95 % found)"
    print(f"guidance: {counts} analyses/s (target >= 12), face found in {found:.1%}, ready {ready}")
    print(
        f"worker CPU per analysis: {cpu_ms:.0f} ms (at most {1000 / cpu_ms:.1f}/s on a free core)"
    )
    print(f"preview during guidance: {shown / elapsed:.1f} fps (target >= 25)")


def run_matches(worker: FaceWorker, folder: Path, count: int) -> None:
    """Time from a captured frame to the match decision, chip portrait cold and then cached."""
    portrait = cv2.resize(cv2.imread(str(FACES / "grace_hopper.jpg")), (240, 300))
    encoded = cv2.imencode(".jpg", portrait, [cv2.IMWRITE_JPEG_QUALITY, 80])[1].tobytes()
    timings, cpu_ms = [], []
    for frame, _ in zip(read_frames(folder), range(count), strict=False):
        captured, cpu = time.perf_counter(), cpu_seconds(worker.pid or 0)
        worker.match(frame, encoded, threshold=0.45)
        timings.append((time.perf_counter() - captured) * 1000)
        cpu_ms.append((cpu_seconds(worker.pid or 0) - cpu) * 1000)
    warm = timings[1:]
    print(
        f"capture to decision: first (portrait encoded too) {timings[0]:.0f} ms; then median "
        f"{statistics.median(warm):.0f} ms, worst {max(warm):.0f} ms over {len(warm)} "
        "(target < 400 ms)"
    )
    print(
        f"worker CPU per decision: first {cpu_ms[0]:.0f} ms, then median "
        f"{statistics.median(cpu_ms[1:]):.0f} ms"
    )


def main() -> None:
    """Make the frames, run guidance with the display, time matches, print memory."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--matches", type=int, default=11)
    args = parser.parse_args()
    print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        write_frames(folder, args.frames, args.seed)
        started = time.perf_counter()
        with FaceWorker(capacity=SIZE[0] * SIZE[1] * 3) as worker:
            worker.analyse(next(read_frames(folder)))
            print(f"worker start to first answer: {time.perf_counter() - started:.1f} s")
            run_guidance(worker, folder, args.frames)
            run_matches(worker, folder, args.matches)
            worker_mb = vm_hwm_mb(worker.pid or 0)
    own_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    total = own_mb + worker_mb
    print(f"peak memory: GUI-side {own_mb:.0f} MB + worker {worker_mb:.0f} MB = {total:.0f} MB")
    print(f"(target < 500 MB in total); load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
