"""Village polls: the poll, its options (each carrying its own vote counter) and who has voted.

There is deliberately no ballot table: see kiosk.services.polls for why a vote is only a counter."""

from peewee import CompositeKey, ForeignKeyField, IntegerField, TextField

from kiosk.models.base import BaseModel
from kiosk.models.people import Penduduk


class Poll(BaseModel):
    uuid = TextField(unique=True)
    question = TextField()
    description = TextField(default="")
    starts_at = TextField()
    ends_at = TextField()
    status = TextField(default="draft")
    results_live = IntegerField(default=1)
    created_at = TextField()
    created_by = TextField()
    updated_at = TextField()
    updated_by = TextField()
    published_at = TextField(null=True)
    published_by = TextField(null=True)
    closed_at = TextField(null=True)
    closed_by = TextField(null=True)


class PollOption(BaseModel):
    poll = ForeignKeyField(Poll, backref="options", on_delete="CASCADE")
    position = IntegerField()
    label = TextField()
    votes = IntegerField(default=0)


class PollVoter(BaseModel):
    poll = ForeignKeyField(Poll, on_delete="CASCADE")
    penduduk = ForeignKeyField(Penduduk)

    class Meta:
        primary_key = CompositeKey("poll", "penduduk")
        without_rowid = True
