"""Run inside a live deployment's environment (tests/messenger/realtime/live.py): a lesson call with a teacher and a
student, its board opened, both signed in. Prints JSON: the board's public id and the two session keys.

    python -m tests.messenger.boards.live_seed
"""

from __future__ import annotations

import json


def main() -> None:
    import django

    django.setup()
    from tests.messenger.boards.helpers import make_lesson
    from tests.messenger.realtime.builders import sign_in

    lesson = make_lesson(students=1)
    print(
        json.dumps(
            {
                "board": str(lesson.board.public_id),
                "teacher": lesson.teacher.pk,
                "sessions": [sign_in(lesson.teacher.pk), sign_in(lesson.students[0].pk)],
            }
        )
    )


if __name__ == "__main__":
    main()
