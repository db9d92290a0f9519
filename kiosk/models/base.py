"""The model base class bound to the deferred database handle."""

from peewee import Model

from kiosk.db import database


class BaseModel(Model):
    class Meta:
        database = database
        legacy_table_names = False
