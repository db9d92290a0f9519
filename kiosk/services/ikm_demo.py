"""The demo village's survey answers: three months of believable IKM responses (before today), so a fresh
`make run` shows a filled report. Seeded once, deterministically, and marked channel "demo" so they can be
told apart from real answers. Runs inside the demo seed's transaction."""

from __future__ import annotations

import random
import uuid
from datetime import date, timedelta

from kiosk.models import IkmResponse, LetterType, Service
from kiosk.services import audit
from kiosk.services.ikm import PROFILE_OPTIONS
from kiosk.services.ikm_index import ELEMENTS

DAYS = 90
# A typical village office: good staff, slower on time and on the waiting room. Weights for scores 1..4.
ELEMENT_WEIGHTS = ((2, 8, 50, 40), (2, 10, 55, 33), (5, 20, 50, 25), (0, 2, 18, 80), (1, 6, 55, 38),
                   (1, 5, 50, 44), (1, 4, 40, 55), (4, 16, 55, 25), (6, 24, 50, 20))


def seed_demo_responses(today: date) -> int:
    """Responses over the `DAYS` days before `today` (today stays empty for real answers); returns how many."""
    chooser = random.Random(14_2017)
    services = [("queue", s.uuid, s.name) for s in Service.select().order_by(Service.sort_order)]
    letters = [("letter", t.code, t.name) for t in
               LetterType.select().where(LetterType.enabled == 1).order_by(LetterType.code).limit(3)]
    subjects = services + letters
    if not subjects:
        return 0
    made = 0
    for back in range(DAYS, 0, -1):
        day = today - timedelta(days=back)
        if day.weekday() >= 5:
            continue
        for _ in range(chooser.choices((0, 1, 2, 3), weights=(2, 4, 3, 1))[0]):
            kind, key, name = chooser.choice(subjects)
            scores = {f"u{n + 1}": chooser.choices((1, 2, 3, 4), weights=ELEMENT_WEIGHTS[n])[0]
                      for n in range(ELEMENTS)}
            profile = {field: (chooser.choice(options) if chooser.random() < 0.7 else "")
                       for field, options in PROFILE_OPTIONS.items()}
            IkmResponse.create(uuid=str(uuid.uuid4()), service_kind=kind, service_key=key, service_name=name,
                               channel="demo", day=day.isoformat(), saran="", **scores, **profile)
            made += 1
    audit.record("demo", "ikm.demo_seed", "", f"{made} responses")
    return made
