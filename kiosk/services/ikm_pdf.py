"""The IKM report on paper: an A4 page laid out by WeasyPrint, headed like the village's letters (kop).

Always in Indonesian — it is an official report filed with the kecamatan. Names of services and residents'
suggestions come from people, so the template autoescapes everything. WeasyPrint is imported only when a
PDF is made (the import costs about a second that pages not printing anything should not pay); callers run
`render_pdf` off the event loop.
"""

from __future__ import annotations

import base64
from datetime import date

from jinja2 import Environment, select_autoescape

from kiosk.i18n import Translator
from kiosk.services.clock import MONTHS_ID, format_date
from kiosk.services.ikm import PROFILE_OPTIONS
from kiosk.services.ikm_index import ELEMENTS
from kiosk.services.ikm_report import IkmReport, Period
from kiosk.services.registers import register_header

_TEMPLATE = """<!doctype html>
<html lang="id"><head><meta charset="utf-8"><title>{{ title }}</title>
<style>
@page { size: A4; margin: 18mm 16mm 18mm 18mm;
        @bottom-center { content: "Halaman " counter(page) " dari " counter(pages); font-size: 8pt;
                         font-family: "Liberation Sans", Arial, sans-serif; } }
body { font-family: "Liberation Sans", Arial, sans-serif; font-size: 10pt; color: #000; }
.kop { display: flex; align-items: center; gap: 12px; border-bottom: 3px double #000; padding-bottom: 6px; }
.kop img { width: 22mm; height: auto; }
.kop .text { flex: 1; text-align: center; line-height: 1.25; }
.kop .l1, .kop .l2 { font-size: 12pt; font-weight: bold; }
.kop .l3 { font-size: 14pt; font-weight: bold; }
.kop .addr { font-size: 9pt; }
h1 { font-size: 12pt; text-align: center; margin: 12px 0 2px; text-transform: uppercase; }
.sub { text-align: center; margin: 0 0 10px; }
table { border-collapse: collapse; width: 100%; margin: 6px 0 10px; page-break-inside: avoid; }
th, td { border: 1px solid #000; padding: 3px 5px; vertical-align: top; }
th { background: #e8e8e8; }
td.n { text-align: right; white-space: nowrap; }
.result { border: 2px solid #000; padding: 8px; margin: 8px 0; text-align: center; }
.result .big { font-size: 20pt; font-weight: bold; }
h2 { font-size: 11pt; margin: 12px 0 2px; }
.small { font-size: 8.5pt; }
.sign { margin-top: 18px; margin-left: 60%; line-height: 1.3; page-break-inside: avoid; }
.sign .name { margin-top: 56px; font-weight: bold; text-decoration: underline; }
</style></head><body>
<div class="kop">
  {% if logo %}<img src="{{ logo }}" alt="">{% endif %}
  <div class="text">
    <div class="l1">PEMERINTAH KABUPATEN {{ head.pemerintah_kabupaten | upper }}</div>
    <div class="l2">KECAMATAN {{ head.kecamatan | upper }}</div>
    <div class="l3">DESA {{ head.desa | upper }}</div>
    {% if address %}<div class="addr">{{ address }}</div>{% endif %}
  </div>
</div>
<h1>Laporan Survei Kepuasan Masyarakat (IKM)</h1>
<p class="sub">Periode: {{ period_label }} &middot; Layanan: {{ service_label }}</p>
<div class="result">
  <div>Indeks Kepuasan Masyarakat</div>
  <div class="big">{{ report.overall.index_text }}{% if report.overall.grade %} &middot; {{ report.overall.grade }} ({{ grade_name }}){% endif %}</div>
  <div>Jumlah responden: {{ report.overall.respondents }}</div>
</div>
{% if report.overall.respondents %}
<h2>Nilai per unsur pelayanan</h2>
<table>
  <tr><th>No</th><th>Unsur pelayanan</th><th>1</th><th>2</th><th>3</th><th>4</th><th>NRR per unsur</th><th>NRR tertimbang</th></tr>
  {% for row in elements %}
  <tr><td class="n">{{ row.no }}</td><td>{{ row.name }}</td>
      {% for n in row.counts %}<td class="n">{{ n }}</td>{% endfor %}
      <td class="n">{{ row.nrr }}</td><td class="n">{{ row.weighted }}</td></tr>
  {% endfor %}
  <tr><th colspan="7" style="text-align:right">Jumlah NRR tertimbang</th><th class="n">{{ report.overall.weighted_text }}</th></tr>
  <tr><th colspan="7" style="text-align:right">IKM (NRR tertimbang &times; 25)</th><th class="n">{{ report.overall.index_text }}</th></tr>
</table>
<p class="small">1 = tidak baik, 2 = kurang baik, 3 = baik, 4 = sangat baik. Bobot tiap unsur 1/9.
Mutu pelayanan: A (Sangat Baik) 88,31&ndash;100,00; B (Baik) 76,61&ndash;88,30; C (Kurang Baik) 65,00&ndash;76,60;
D (Tidak Baik) 25,00&ndash;64,99 (PermenPANRB Nomor 14 Tahun 2017).</p>
<h2>IKM per layanan</h2>
<table>
  <tr><th>Layanan</th><th>Jenis</th><th>Responden</th><th>IKM</th><th>Mutu</th></tr>
  {% for row in services %}
  <tr><td>{{ row.name }}</td><td>{{ row.kind }}</td><td class="n">{{ row.respondents }}</td>
      <td class="n">{{ row.index }}</td><td>{{ row.grade }}</td></tr>
  {% endfor %}
</table>
<h2>Profil responden</h2>
<table>
  <tr><th>Keterangan</th><th>Pilihan</th><th>Responden</th></tr>
  {% for field in profile %}{% for option in field.options %}
  <tr>{% if loop.first %}<td rowspan="{{ field.options | length }}">{{ field.name }}</td>{% endif %}
      <td>{{ option.name }}</td><td class="n">{{ option.count }}</td></tr>
  {% endfor %}{% endfor %}
</table>
{% if report.suggestions %}
<h2>Saran dari responden</h2>
<table>
  <tr><th>Tanggal</th><th>Layanan</th><th>Saran</th></tr>
  {% for item in report.suggestions %}<tr><td>{{ item.day }}</td><td>{{ item.service_name }}</td><td>{{ item.text }}</td></tr>{% endfor %}
</table>
{% endif %}
{% endif %}
<div class="sign">
  <div>{{ head.place_date }}</div>
  <div>{{ head.signer_title }}</div>
  <div class="name">{{ head.signer_name or "(....................................)" }}</div>
</div>
</body></html>
"""


def period_label(chosen: Period, t: Translator) -> str:
    """'November 2026', 'Triwulan 4 2026', 'Tahun 2026' or '1 Oktober 2026 s.d. 15 November 2026'."""
    if chosen.kind == "month":
        return t("ikm.period_label.month", month=MONTHS_ID[chosen.part - 1] if t.lang == "id"
                 else date(2000, chosen.part, 1).strftime("%B"), year=chosen.year)
    if chosen.kind == "dates":
        return t("ikm.period_label.dates", start=format_date(chosen.start), end=format_date(chosen.end))
    return t(f"ikm.period_label.{chosen.kind}", part=chosen.part, year=chosen.year)


def service_label(report: IkmReport, t: Translator) -> str:
    if report.service_key == "all":
        return t("ikm.all_services")
    if report.service_key == "letter":
        return t("ikm.all_letters")
    return report.service_name or report.service_key


def report_html(report: IkmReport, logo_png: bytes | None = None, today: date | None = None) -> str:
    t = Translator("id")
    overall = report.overall
    elements = [{"no": n + 1, "name": t(f"ikm.u{n + 1}"), "counts": overall.distribution[n],
                 "nrr": overall.nrr_text(n), "weighted": overall.share_text(n)}
                for n in range(ELEMENTS)]
    services = [{"name": row.name, "kind": t(f"ikm.kind.{row.kind}"), "respondents": row.result.respondents,
                 "index": row.result.index_text, "grade": f"{row.result.grade} ({t('ikm.grade.' + row.result.grade)})"
                 if row.result.grade else "-"} for row in report.services]
    profile = [{"name": t(f"ikm.profile.{column}"),
                "options": [{"name": t(f"ikm.opt.{column}.{option}") if option else t("ikm.opt."), "count": count}
                            for option, count in report.profile[column].items()]}
               for column in PROFILE_OPTIONS]
    from kiosk.services.village import get_village

    info = get_village()
    env = Environment(autoescape=select_autoescape(default=True, default_for_string=True))
    logo = f"data:image/png;base64,{base64.b64encode(logo_png).decode()}" if logo_png else ""
    return env.from_string(_TEMPLATE).render(
        title="Laporan IKM", head=register_header(today), address=info.address if info else "", logo=logo,
        report=report, period_label=period_label(report.period, t), service_label=service_label(report, t),
        grade_name=t(f"ikm.grade.{overall.grade}") if overall.grade else "", elements=elements, services=services,
        profile=profile)


def render_pdf(report: IkmReport, logo_png: bytes | None = None, today: date | None = None) -> bytes:
    """The report as PDF bytes (blocking: a second or two on a Pi)."""
    from weasyprint import HTML  # noqa: PLC0415 - heavy import, only when printing

    return HTML(string=report_html(report, logo_png, today)).write_pdf()
