"""Where the page tests' app main file leaves its AppContext for the test to inspect."""

from kiosk.context import AppContext

ctx: AppContext | None = None
