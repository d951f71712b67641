"""Recording benchmarks (issue 11, docs/performance.md "Recording"). Prints figures; asserts nothing about time.

    python -m tests.bench.recordings processing [--minutes 10] [--speed 8]

processing  a lesson of N minutes with two streams — a camera (640x480, 15 fps, with sound) and a shared screen
            (1280x720, 5 fps) — recorded as real .mjr files by the real Janus (VideoRoom remote publishers fed RTP by
            ffmpeg on 127.0.0.1, faster than real time: Janus records what arrives, the RTP timestamps keep the
            media's own timing), then processed by the worker's own code (janus-pp-rec, the layout, one ffmpeg
            run, the poster): processing time / lesson length, output size per minute.
"""

from __future__ import annotations

import sys


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"processing"}:
        print(__doc__)
        return 2
    from tests.bench.recordings import processing

    return processing.main(argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
