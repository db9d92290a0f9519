"""Queue data: services, counters, tickets and calls."""

from peewee import BooleanField, CharField, CompositeKey, DateTimeField, ForeignKeyField, IntegerField, TextField

from kiosk.models.base import BaseModel


class Service(BaseModel):
    uuid = CharField(unique=True)
    prefix = CharField(unique=True)
    name = TextField()
    active = BooleanField(default=True)
    sort_order = IntegerField(default=0)
    created_at = DateTimeField()


class Counter(BaseModel):
    uuid = CharField(unique=True)
    name = CharField(unique=True)
    active = BooleanField(default=True)
    sort_order = IntegerField(default=0)
    created_at = DateTimeField()


class CounterService(BaseModel):
    counter = ForeignKeyField(Counter, on_delete="CASCADE")
    service = ForeignKeyField(Service, on_delete="CASCADE")

    class Meta:
        primary_key = CompositeKey("counter", "service")


class Ticket(BaseModel):
    uuid = CharField(unique=True)
    issued_service = ForeignKeyField(Service, column_name="issued_service_id")
    service = ForeignKeyField(Service, backref="tickets")
    day = CharField()
    seq = IntegerField()
    number = CharField()
    status = CharField()
    counter = ForeignKeyField(Counter, null=True)
    created_at = DateTimeField()
    called_at = DateTimeField(null=True)
    finished_at = DateTimeField(null=True)
    call_count = IntegerField(default=0)


class TicketCall(BaseModel):
    ticket = ForeignKeyField(Ticket, backref="calls")
    counter = ForeignKeyField(Counter)
    at = DateTimeField()
    recall = BooleanField(default=False)
