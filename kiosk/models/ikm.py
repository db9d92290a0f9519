"""Satisfaction survey (IKM) data: one-time invites and anonymous responses."""

from peewee import CharField, DateTimeField, ForeignKeyField, IntegerField, TextField

from kiosk.models.base import BaseModel
from kiosk.models.letters import LetterRequest
from kiosk.models.queue import Ticket


class IkmInvite(BaseModel):
    token = CharField(unique=True)
    ticket = ForeignKeyField(Ticket, null=True, unique=True)
    letter_request = ForeignKeyField(LetterRequest, null=True, unique=True)
    created_at = DateTimeField()
    answered = IntegerField(default=0)


class IkmResponse(BaseModel):
    uuid = CharField(unique=True)
    service_kind = CharField()
    service_key = TextField()
    service_name = TextField()
    channel = CharField()
    day = CharField()
    u1 = IntegerField()
    u2 = IntegerField()
    u3 = IntegerField()
    u4 = IntegerField()
    u5 = IntegerField()
    u6 = IntegerField()
    u7 = IntegerField()
    u8 = IntegerField()
    u9 = IntegerField()
    jenis_kelamin = TextField(default="")
    pendidikan = TextField(default="")
    pekerjaan = TextField(default="")
    umur = TextField(default="")
    saran = TextField(default="")
