"""Data only: peewee models mirroring the tables the numbered migrations create. Rules live in services."""

from kiosk.models.accounts import ApiToken, AuditLog, LoginAttempt, User, UserSession
from kiosk.models.budget import BudgetLine, BudgetYear
from kiosk.models.ikm import IkmInvite, IkmResponse
from kiosk.models.complaints import Complaint, ComplaintCategory, ComplaintReply
from kiosk.models.letters import (LetterAttachment, LetterNumberCounter, LetterRequest, LetterType, PinAttempt,
                                   ResidentPin)
from kiosk.models.people import Keluarga, Penduduk, PendudukEvent, PersonalDataRead, Wilayah
from kiosk.models.polls import Poll, PollOption, PollVoter
from kiosk.models.print_jobs import PrintJob
from kiosk.models.queue import Counter, CounterService, Service, Ticket, TicketCall
from kiosk.models.village import Village

__all__ = [
    "ApiToken",
    "AuditLog",
    "BudgetLine",
    "BudgetYear",
    "Complaint",
    "ComplaintCategory",
    "ComplaintReply",
    "Counter",
    "IkmInvite",
    "IkmResponse",
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
    "Poll",
    "PollOption",
    "PollVoter",
    "PrintJob",
    "Service",
    "Ticket",
    "TicketCall",
    "User",
    "UserSession",
    "Village",
    "Wilayah",
]
