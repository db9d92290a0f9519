"""NiceGUI pages. Each module registers its pages inside a function; pages call services only."""

from kiosk.context import AppContext


def register_pages(ctx: AppContext) -> None:
    from kiosk.pages import (auth, display, home, kiosk_home, operator_admin, operator_queue, phone, resident_forms,
                             registers, resident_import, residents, setup, statistics,
                             village_settings)

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
