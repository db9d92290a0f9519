"""The one village this office server belongs to."""

from peewee import CharField, DateTimeField, IntegerField, TextField

from kiosk.models.base import BaseModel


class Village(BaseModel):
    id = IntegerField(primary_key=True)
    uuid = CharField(unique=True)
    name = TextField()
    code = TextField()
    kecamatan = TextField(default="")
    kabupaten = TextField(default="")
    address = TextField(default="")
    timezone = TextField(default="Asia/Jakarta")
    label_dusun = TextField(default="Dusun")
    label_rw = TextField(default="RW")
    label_rt = TextField(default="RT")
    public_key = TextField(default="")
    created_at = DateTimeField()
