"""Tables as CSV (UTF-8 with a byte-order mark, so Excel reads the Chinese) or XLSX downloads."""
from __future__ import annotations

import csv
import io
from datetime import date, datetime

from flask import Response
from openpyxl import Workbook

FORMATS = {'csv': 'text/csv; charset=utf-8',
           'xlsx': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'}


def _cell(value):
    """A value as a spreadsheet cell: lists joined with 、, dates kept, None empty."""
    if value is None:
        return ''
    if isinstance(value, (list, tuple)):
        return '、'.join(str(v) for v in value)
    if isinstance(value, (date, datetime, int, float)):
        return value
    text = str(value)
    # A cell starting with = + - @ would be a formula in a spreadsheet: keep it text.
    return "'" + text if text[:1] in ('=', '+', '-', '@') else text


def table_response(name: str, columns: list[tuple[str, str]], rows: list[dict], fmt: str) -> Response:
    """`rows` (dicts) as a download named `name`.<fmt>, with `columns` as (key, header) pairs."""
    headers = [header for _, header in columns]
    values = [[_cell(row.get(key)) for key, _ in columns] for row in rows]
    if fmt == 'csv':
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(headers)
        writer.writerows([v.isoformat() if isinstance(v, (date, datetime)) else v for v in row] for row in values)
        body = '\ufeff' + out.getvalue()
    else:
        book = Workbook()
        sheet = book.active
        sheet.title = name[:31]
        sheet.append(headers)
        for row in values:
            sheet.append(row)
        buffer = io.BytesIO()
        book.save(buffer)
        body = buffer.getvalue()
    response = Response(body, mimetype=FORMATS[fmt].split(';')[0])
    if fmt == 'csv':
        response.headers['Content-Type'] = FORMATS['csv']
    response.headers['Content-Disposition'] = f'attachment; filename="{name}.{fmt}"'
    return response
