"""Letters: types, requests with their signed result, number series, attachments, residents' PINs."""

from peewee import CharField, CompositeKey, DateTimeField, ForeignKeyField, IntegerField, TextField

from kiosk.models.base import BaseModel
from kiosk.models.people import Penduduk


class LetterType(BaseModel):
    code = CharField(unique=True)
    name = TextField()
    klasifikasi = TextField()
    requirements = TextField(default="[]")
    resident_fields = TextField(default="[]")
    fields = TextField(default="[]")
    body = TextField()
    for_deceased = IntegerField(default=0)
    builtin = IntegerField(default=0)
    enabled = IntegerField(default=1)
    updated_at = DateTimeField()
    updated_by = TextField(default="")


class LetterRequest(BaseModel):
    uuid = CharField(unique=True)
    tracking_code = CharField(unique=True)
    letter_type = ForeignKeyField(LetterType)
    penduduk = ForeignKeyField(Penduduk)
    fields = TextField(default="{}")
    status = CharField()
    status_note = TextField(default="")
    channel = CharField()
    requested_by = TextField()
    created_at = DateTimeField()
    updated_at = DateTimeField()
    checked_by = TextField(default="")
    number = TextField(null=True)
    number_series = TextField(null=True)
    number_year = IntegerField(null=True)
    number_seq = IntegerField(null=True)
    letter_date = TextField(null=True)
    signed_at = DateTimeField(null=True)
    signed_by = TextField(null=True)
    signer_name = TextField(null=True)
    signer_title = TextField(null=True)
    content = TextField(null=True)
    content_hash = TextField(null=True)
    pdf_path = TextField(null=True)
    pdf_sha256 = TextField(null=True)
    qr_text = TextField(null=True)
    picked_up_at = DateTimeField(null=True)
    revoked_at = DateTimeField(null=True)
    revoked_by = TextField(null=True)
    revoke_reason = TextField(null=True)


class LetterNumberCounter(BaseModel):
    series = TextField()
    year = IntegerField()
    last = IntegerField()

    class Meta:
        primary_key = CompositeKey("series", "year")


class LetterAttachment(BaseModel):
    uuid = CharField(unique=True)
    request = ForeignKeyField(LetterRequest, backref="attachments")
    label = TextField()
    media_type = TextField()
    stored_name = TextField()
    size = IntegerField()
    sha256 = TextField()
    uploaded_by = TextField()
    created_at = DateTimeField()


class ResidentPin(BaseModel):
    penduduk = ForeignKeyField(Penduduk, primary_key=True)
    pin_hash = TextField()
    set_by = TextField()
    set_at = DateTimeField()


class PinAttempt(BaseModel):
    at = DateTimeField()
    client = TextField()
    nik_hash = TextField()
    success = IntegerField()
