"""Data only: peewee models mirroring the tables the numbered migrations create. Rules live in services."""

from kiosk.models.accounts import ApiToken, AuditLog, LoginAttempt, User, UserSession
from kiosk.models.budget import BudgetLine, BudgetYear
from kiosk.models.letters import (LetterAttachment, LetterNumberCounter, LetterRequest, LetterType, PinAttempt,
                                   ResidentPin)
from kiosk.models.people import Keluarga, Penduduk, PendudukEvent, PersonalDataRead, Wilayah
from kiosk.models.print_jobs import PrintJob
from kiosk.models.queue import Counter, CounterService, Service, Ticket, TicketCall
from kiosk.models.village import Village

__all__ = [
    "ApiToken",
    "AuditLog",
    "BudgetLine",
    "BudgetYear",
    "Counter",
    "Keluarga",
    "LetterAttachment",
    "LetterNumberCounter",
    "LetterRequest",
    "LetterType",
    "PinAttempt",
    "ResidentPin",
    "Penduduk",
    "PendudukEvent",
    "PersonalDataRead",
    "CounterService",
    "LoginAttempt",
    "PrintJob",
    "Service",
    "Ticket",
    "TicketCall",
    "User",
    "UserSession",
    "Village",
    "Wilayah",
]
