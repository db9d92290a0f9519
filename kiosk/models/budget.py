"""The village budget (APBDes) per fiscal year and its lines (migration 0009). Rules live in services.budget."""

from peewee import BooleanField, DateTimeField, ForeignKeyField, IntegerField, TextField

from kiosk.models.base import BaseModel


class BudgetYear(BaseModel):
    uuid = TextField(unique=True)
    year = IntegerField(unique=True)
    published = BooleanField(default=False)
    created_at = DateTimeField()
    updated_at = DateTimeField()
    updated_by = TextField(default="")

    class Meta:
        table_name = "budget_year"


class BudgetLine(BaseModel):
    uuid = TextField(unique=True)
    year = ForeignKeyField(BudgetYear, column_name="year_id", backref="lines", on_delete="CASCADE")
    section = TextField()
    code = TextField()
    name = TextField()
    budget = IntegerField()
    realised = IntegerField(default=0)
    sort_order = IntegerField(default=0)

    class Meta:
        table_name = "budget_line"
