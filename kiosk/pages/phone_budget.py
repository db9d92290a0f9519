"""/m/budget and /m/budget/{year}: the village budget on a resident's phone. Plain HTML like the other /m pages
(no NiceGUI client, no chart library, nothing from a CDN): the totals, CSS bars of budget against
realisation per bidang and per income source, financing, and each bidang's activities. Published years only;
an earlier year is one link away.
"""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse
from nicegui import app, run

from kiosk.context import AppContext
from kiosk.i18n import Translator
from kiosk.pages.components.budget_chart import balance, bidang_rows, chart, financing_rows, income_rows
from kiosk.pages.phone_letters import render, template_env
from kiosk.services import budget


def _load(year: int | None) -> tuple[list[int], budget.BudgetSummary | None]:
    published = [info.year for info in budget.years(published_only=True)]
    chosen = year if year is not None else (published[0] if published else None)
    return published, (budget.summary(chosen) if chosen is not None else None)


def register(ctx: AppContext) -> None:
    env = template_env()

    async def page(request: Request, year: int | None) -> HTMLResponse:
        t = Translator(request.query_params.get("lang") or ctx.settings.language)
        published, summary = await run.io_bound(_load, year) or ([], None)
        path = "/m/budget" if year is None else f"/m/budget/{year}"
        values: dict = {"years": published, "summary": summary}
        if summary is not None:
            label, amount = balance(summary, t)
            values.update(
                balance_label=label, balance_amount=amount, rupiah=budget.rupiah,
                bidang=bidang_rows(summary, t), income=income_rows(summary, t),
                financing=financing_rows(summary, t),
                activities=[(f"{key}. {t(f'budget.bidang.{key}')}", chart(items, {}, t))
                            for key, items in summary.activities.items() if items])
        status = 404 if year is not None and summary is None else 200
        return render(env, "phone_budget.html", t, title=t("budget.public_title"), path=path, status_code=status,
                      **values)

    @app.get("/m/budget", response_class=HTMLResponse, include_in_schema=False)
    async def phone_budget(request: Request) -> HTMLResponse:
        return await page(request, None)

    @app.get("/m/budget/{year}", response_class=HTMLResponse, include_in_schema=False)
    async def phone_budget_year(request: Request, year: str) -> HTMLResponse:
        # Not `year: int`: a mistyped address gets the page's own "not published" notice, not a JSON error.
        return await page(request, int(year) if year.isdigit() and len(year) == 4 else 0)
