"""Complaints (pengaduan): categories with a due time, complaints, and the office's replies."""

from peewee import CharField, DateTimeField, ForeignKeyField, IntegerField, TextField

from kiosk.models.base import BaseModel
from kiosk.models.people import Penduduk


class ComplaintCategory(BaseModel):
    code = CharField(unique=True)
    name = TextField()
    due_days = IntegerField()
    enabled = IntegerField(default=1)
    sort_order = IntegerField(default=0)
    updated_at = DateTimeField()
    updated_by = TextField(default="")


class Complaint(BaseModel):
    uuid = CharField(unique=True)
    tracking_code = CharField(unique=True)
    category = ForeignKeyField(ComplaintCategory)
    body = TextField()
    identity = CharField()
    penduduk = ForeignKeyField(Penduduk, null=True)
    reporter_name = TextField(default="")
    reporter_phone = TextField(default="")
    photo = TextField(null=True)
    channel = CharField()
    status = CharField(default="diterima")
    reject_reason = TextField(default="")
    created_by = TextField(default="")
    created_at = DateTimeField()
    due_at = DateTimeField()
    updated_at = DateTimeField()
    closed_at = DateTimeField(null=True)


class ComplaintReply(BaseModel):
    uuid = CharField(unique=True)
    complaint = ForeignKeyField(Complaint, backref="replies")
    body = TextField(default="")
    status = TextField(null=True)
    author = TextField()
    created_at = DateTimeField()
