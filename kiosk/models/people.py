"""Residents, families, areas and events. Person columns keep the "Data Penduduk" Excel names."""

from peewee import (CharField, DateField, DateTimeField, FloatField, ForeignKeyField, IntegerField, TextField)

from kiosk.importing.columns import COLUMNS
from kiosk.models.base import BaseModel

# The 43 columns of the common Excel import format, in its order: import, export and the person model agree.
EXCEL_COLUMNS = COLUMNS
# Columns stored on the person row itself (the rest describe the family or the area).
PERSON_COLUMNS = tuple(c for c in EXCEL_COLUMNS if c not in ("dusun", "rw", "rt", "no_kk"))


class Wilayah(BaseModel):
    uuid = CharField(unique=True)
    dusun = TextField()
    rw = TextField(default="")
    rt = TextField(default="")


class Keluarga(BaseModel):
    uuid = CharField(unique=True)
    no_kk = CharField(unique=True)
    alamat = TextField(default="")
    wilayah = ForeignKeyField(Wilayah, null=True)
    created_at = DateTimeField()
    updated_at = DateTimeField()
    deleted_at = DateTimeField(null=True)


class Penduduk(BaseModel):
    uuid = CharField(unique=True)
    nik = CharField(unique=True)
    nama = TextField()
    keluarga = ForeignKeyField(Keluarga, null=True, backref="members")
    wilayah = ForeignKeyField(Wilayah, null=True)
    alamat = TextField(null=True)
    kk_level = IntegerField(null=True)
    sex = IntegerField()
    tempatlahir = TextField(null=True)
    tanggallahir = DateField(null=True)
    agama_id = IntegerField(null=True)
    pendidikan_kk_id = IntegerField(null=True)
    pendidikan_sedang_id = IntegerField(null=True)
    pekerjaan_id = IntegerField(null=True)
    status_kawin = IntegerField(null=True)
    warganegara_id = IntegerField(default=1)
    ayah_nik = TextField(null=True)
    nama_ayah = TextField(null=True)
    ibu_nik = TextField(null=True)
    nama_ibu = TextField(null=True)
    golongan_darah_id = IntegerField(null=True)
    akta_lahir = TextField(null=True)
    dokumen_pasport = TextField(null=True)
    tanggal_akhir_paspor = DateField(null=True)
    dokumen_kitas = TextField(null=True)
    akta_perkawinan = TextField(null=True)
    tanggalperkawinan = DateField(null=True)
    akta_perceraian = TextField(null=True)
    tanggalperceraian = DateField(null=True)
    cacat_id = IntegerField(null=True)
    cara_kb_id = IntegerField(null=True)
    hamil = IntegerField(null=True)
    ktp_el = IntegerField(null=True)
    status_rekam = IntegerField(null=True)
    alamat_sekarang = TextField(null=True)
    status_dasar = IntegerField(default=1)
    suku = TextField(null=True)
    tag_id_card = TextField(null=True)
    id_asuransi = IntegerField(null=True)
    no_asuransi = TextField(null=True)
    lat = FloatField(null=True)
    lng = FloatField(null=True)
    created_at = DateTimeField()
    updated_at = DateTimeField()
    deleted_at = DateTimeField(null=True)


class PendudukEvent(BaseModel):
    uuid = CharField(unique=True)
    penduduk = ForeignKeyField(Penduduk, null=True, backref="events")
    keluarga = ForeignKeyField(Keluarga, null=True)
    kind = CharField()
    event_date = DateField()
    reason = TextField(default="")
    document_no = TextField(default="")
    detail = TextField(default="{}")
    operator = TextField()
    created_at = DateTimeField()


class PersonalDataRead(BaseModel):
    at = DateTimeField()
    actor = TextField()
    penduduk = ForeignKeyField(Penduduk, null=True)
    keluarga = ForeignKeyField(Keluarga, null=True)
    what = TextField()
    client = TextField(default="")
