"""Accounts, sessions, machine tokens, login attempts and the audit log."""

from peewee import BooleanField, CharField, DateTimeField, ForeignKeyField, TextField

from kiosk.models.base import BaseModel


class User(BaseModel):
    uuid = CharField(unique=True)
    username = CharField(unique=True)
    full_name = TextField(default="")
    title = TextField(default="")
    role = CharField()
    password_hash = TextField()
    active = BooleanField(default=True)
    must_change_password = BooleanField(default=False)
    created_at = DateTimeField()
    updated_at = DateTimeField()


class UserSession(BaseModel):
    token_hash = CharField(unique=True)
    user = ForeignKeyField(User, backref="sessions", on_delete="CASCADE")
    client = TextField(default="")
    created_at = DateTimeField()
    expires_at = DateTimeField()
    ended_at = DateTimeField(null=True)


class ApiToken(BaseModel):
    name = CharField(unique=True)
    role = CharField()
    token_hash = CharField(unique=True)
    created_at = DateTimeField()
    last_used_at = DateTimeField(null=True)
    revoked_at = DateTimeField(null=True)


class LoginAttempt(BaseModel):
    username = CharField()
    client = TextField()
    at = DateTimeField()
    success = BooleanField()


class AuditLog(BaseModel):
    at = DateTimeField()
    actor = TextField()
    action = TextField()
    target = TextField(default="")
    detail = TextField(default="")
    client = TextField(default="")
