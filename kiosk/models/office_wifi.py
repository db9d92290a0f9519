"""The office Wi-Fi residents' phones join (migration 0008): one row, or none when not configured."""

from peewee import BooleanField, CharField, DateTimeField, IntegerField, TextField

from kiosk.models.base import BaseModel


class OfficeWifiRow(BaseModel):
    """Named ...Row so the service's plain `OfficeWifi` value keeps the natural name."""

    id = IntegerField(primary_key=True)
    ssid = TextField()
    password = TextField(default="")
    security = CharField(default="WPA")
    hidden = BooleanField(default=False)
    updated_at = DateTimeField()
    updated_by = TextField(default="")

    class Meta:
        table_name = "office_wifi"
