"""Durable print jobs (the queue's table; the worker is in kiosk.services.print_jobs)."""

from peewee import CharField, DateTimeField, ForeignKeyField, IntegerField, TextField

from kiosk.models.base import BaseModel
from kiosk.models.queue import Ticket


class PrintJob(BaseModel):
    uuid = CharField(unique=True)
    kind = CharField()
    ticket = ForeignKeyField(Ticket, null=True)
    payload = TextField()
    status = CharField()
    attempts = IntegerField(default=0)
    last_error = TextField(default="")
    next_attempt_at = DateTimeField()
    created_at = DateTimeField()
    printed_at = DateTimeField(null=True)
