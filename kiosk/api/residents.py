"""Residents API: search (operators; masked numbers) and population statistics."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel

from kiosk.api.deps import client_of, requires
from kiosk.context import AppContext
from kiosk.services import residents
from kiosk.services.accounts import Account
from kiosk.services.codes import label


class ResidentOut(BaseModel):
    id: str
    nama: str
    nik: str
    no_kk: str
    alamat: str
    dusun: str
    rw: str
    rt: str
    status: str
    age: int | None


class PopulationOut(BaseModel):
    total: int
    by_sex: dict[str, int]
    by_age_group: dict[str, dict[str, int]]
    by_dusun: dict[str, int]


def router(ctx: AppContext) -> APIRouter:
    api = APIRouter(prefix="/api/v1", tags=["residents"])

    @api.get("/residents", response_model=list[ResidentOut])
    def search(request: Request, q: str = Query(min_length=1, max_length=100),
               account: Account = Depends(requires("operator"))) -> list[ResidentOut]:
        """Top 20 matches by name, NIK or KK (prefix, case- and accent-insensitive); NIK and KK masked."""
        hits = residents.search_logged(q, actor=account.username, client=client_of(request))
        return [ResidentOut(id=h.uuid, nama=h.nama, nik=h.nik_masked, no_kk=h.kk_masked, alamat=h.alamat,
                            dusun=h.dusun, rw=h.rw, rt=h.rt, status=label("status_dasar", h.status_dasar),
                            age=h.age) for h in hits]

    @api.get("/stats/population", response_model=PopulationOut)
    def population(account: Account = Depends(requires("viewer"))) -> PopulationOut:
        """Living residents by sex, five-year age group and sex, and dusun."""
        return PopulationOut(**residents.population_stats())

    return api
