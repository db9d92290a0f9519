"""NiceGUI pages. Each module registers its pages inside a function; pages call services only."""

from kiosk.context import AppContext


def register_pages(ctx: AppContext) -> None:
    from kiosk.pages import (auth, display, home, kiosk_home, operator_admin, operator_queue, phone, resident_forms,
                             registers, resident_import, residents, setup, statistics,
                             village_settings)
    from kiosk.pages import letter_types_admin, operator_letter_detail, operator_letters
    from kiosk.pages import kiosk_letters, phone_letters, verify
    from kiosk.pages import operator_update
    from kiosk.pages import operator_announcements, operator_backup, operator_sync, phone_announcements, phone_home
    from kiosk.pages import kiosk_budget, operator_budget, phone_budget
    from kiosk.pages import kiosk_polls, operator_polls, phone_polls
    from kiosk.pages import kiosk_complaints, kiosk_participation, operator_complaints, phone_complaints
    from kiosk.pages import kiosk_survey, operator_survey, phone_survey

    home.register(ctx)
    setup.register(ctx)
    auth.register(ctx)
    kiosk_home.register(ctx)
    operator_queue.register(ctx)
    operator_admin.register(ctx)
    display.register(ctx)
    phone.register(ctx)
    # Fixed paths before /operator/residents/{person_id}: routes match in registration order.
    resident_import.register(ctx)
    resident_forms.register(ctx)
    residents.register(ctx)
    statistics.register(ctx)
    registers.register(ctx)
    village_settings.register(ctx)
    operator_sync.register(ctx)
    operator_backup.register(ctx)
    operator_update.register(ctx)
    operator_announcements.register(ctx)
    # Fixed paths (/operator/letters/new, /operator/letters/types...) before /operator/letters/{request_id}.
    operator_letters.register(ctx)
    letter_types_admin.register(ctx)
    operator_letter_detail.register(ctx)
    # Residents' letters: kiosk screens, phone pages, and the public /v/ page a letter's QR opens.
    kiosk_letters.register(ctx)
    phone_letters.register(ctx)
    verify.register(ctx)
    # Announcements on phones, and their pictures (public: the kiosk, the TV and phones show them).
    phone_announcements.register(ctx)
    phone_home.register(ctx)  # /m, the phone home page, and its web app manifest
    # The village budget (APBDes): the operator's entry and import, the kiosk's and the phones' pages.
    operator_budget.register(ctx)
    kiosk_budget.register(ctx)
    phone_budget.register(ctx)
    # The satisfaction survey (IKM): the kiosk's and the phones' survey, the operator's report.
    kiosk_survey.register(ctx)
    phone_survey.register(ctx)
    operator_survey.register(ctx)
    # Complaints (pengaduan): the operator's list and detail, the kiosk's "Suara Warga" menu and complaint
    # screens, the phone form and status page.
    operator_complaints.register(ctx)
    kiosk_participation.register(ctx)
    kiosk_complaints.register(ctx)
    phone_complaints.register(ctx)
    # Village polls: the operator's set-up and results, voting at the kiosk and on phones.
    operator_polls.register(ctx)
    kiosk_polls.register(ctx)
    phone_polls.register(ctx)
