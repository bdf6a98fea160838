#!/usr/bin/env python3
"""Writes the import benchmark's files (issue #17), Python standard library only.

    hostile_files.py DIR ROWS CODES_FILE

- DIR/loans.xlsx: ROWS pledge loans as Excel saves them (shared strings, a declared
  dimension), one a row, borrowers cycling through the credit codes in CODES_FILE, unique
  contract numbers, pledge registrations and pledged trademarks;
- the hostile workbooks: the 2 KB dimension bomb (A1:XFD1048576, two cells), one 512 MiB shared
  string in a small file, a 512 MiB sheet of blanks (zip bomb by ratio), a row 300 columns wide,
  a 40,000-character cell, a sheet declaring 100 bytes that inflates to 64 MiB, and a file that
  starts with a zip header and is not a zip.

The same corpus is generated in the tests by ipfin_store::testing::hostile.
"""
import os
import random
import sys
import zipfile

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    "</Types>"
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="贷款" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
    "</Relationships>"
)
SHEET_HEAD = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
)
SST_HEAD = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="{0}" uniqueCount="{0}">'
)
HEADER = ["合同编号", "借款人统一社会信用代码", "贷款金额（元）", "年利率（%）", "起始日", "到期日",
          "质押登记号", "质押登记日", "质押知识产权"]


def column(i):
    s = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s


def base_parts(z):
    z.writestr("[Content_Types].xml", CONTENT_TYPES)
    z.writestr("_rels/.rels", ROOT_RELS)
    z.writestr("xl/workbook.xml", WORKBOOK)
    z.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)


def workbook(path, dimension, rows_xml, shared=()):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        base_parts(z)
        dim = f'<dimension ref="{dimension}"/>' if dimension else ""
        z.writestr("xl/worksheets/sheet1.xml", f"{SHEET_HEAD}{dim}<sheetData>{rows_xml}</sheetData></worksheet>")
        z.writestr("xl/sharedStrings.xml",
                   SST_HEAD.format(len(shared)) + "".join(f"<si><t>{s}</t></si>" for s in shared) + "</sst>")


def inline_row(n, texts):
    cells = "".join(f'<c r="{column(i)}{n}" t="inlineStr"><is><t>{t}</t></is></c>' for i, t in enumerate(texts) if t)
    return f'<row r="{n}">{cells}</row>'


def loans(path, rows, codes):
    """Shared strings laid out so each index is computed, not looked up: the header, the dates,
    the borrowers' codes, then per row its contract number, pledge number and pledged item."""
    dates = ["2026-03-05", "2027-03-04", "2026-03-01"]
    fixed = HEADER + dates + codes
    base = len(fixed)
    total = base + 3 * rows
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as z:
        base_parts(z)
        with z.open("xl/sharedStrings.xml", "w", force_zip64=True) as f:
            f.write(SST_HEAD.format(total).encode())
            f.write("".join(f"<si><t>{s}</t></si>" for s in fixed).encode())
            chunk = []
            for i in range(rows):
                chunk.append(f"<si><t>HT2026{i:08d}</t></si><si><t>Y2026{i:09d}</t></si>"
                             f"<si><t>商标:{i + 1}</t></si>")
                if len(chunk) == 10000:
                    f.write("".join(chunk).encode())
                    chunk = []
            f.write("".join(chunk).encode())
            f.write(b"</sst>")
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as f:
            f.write(f'{SHEET_HEAD}<dimension ref="A1:I{rows + 1}"/><sheetData>'.encode())
            head = "".join(f'<c r="{column(c)}1" t="s"><v>{c}</v></c>' for c in range(len(HEADER)))
            f.write(f'<row r="1">{head}</row>'.encode())
            d = len(HEADER)
            chunk = []
            rnd = random.Random(17)
            for i in range(rows):
                n = i + 2
                s = base + 3 * i
                code = len(HEADER) + 3 + (i % len(codes))
                amount = rnd.randrange(1, 500) * 10000
                chunk.append(
                    f'<row r="{n}"><c r="A{n}" t="s"><v>{s}</v></c><c r="B{n}" t="s"><v>{code}</v></c>'
                    f'<c r="C{n}"><v>{amount}</v></c><c r="D{n}"><v>3.45</v></c>'
                    f'<c r="E{n}" t="s"><v>{d}</v></c><c r="F{n}" t="s"><v>{d + 1}</v></c>'
                    f'<c r="G{n}" t="s"><v>{s + 1}</v></c><c r="H{n}" t="s"><v>{d + 2}</v></c>'
                    f'<c r="I{n}" t="s"><v>{s + 2}</v></c></row>')
                if len(chunk) == 10000:
                    f.write("".join(chunk).encode())
                    chunk = []
            f.write("".join(chunk).encode())
            f.write(b"</sheetData></worksheet>")


def big_part(path, part, head, fill, mib, tail):
    """A workbook whose `part` is head + mib MiB of `fill` + tail, written as a stream."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        base_parts(z)
        other = "xl/sharedStrings.xml" if part != "xl/sharedStrings.xml" else "xl/worksheets/sheet1.xml"
        if other.endswith("sharedStrings.xml"):
            z.writestr(other, SST_HEAD.format(0) + "</sst>")
        else:
            z.writestr(other, f'{SHEET_HEAD}<sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData></worksheet>')
        with z.open(part, "w", force_zip64=True) as f:
            f.write(head.encode())
            block = fill * (1 << 20)
            for _ in range(mib):
                f.write(block)
            f.write(tail.encode())


def lying(path):
    """The sheet declares 100 bytes and inflates to 64 MiB."""
    big_part(path, "xl/worksheets/sheet1.xml", SHEET_HEAD + "<sheetData>" + inline_row(1, HEADER), b" ", 64,
             "</sheetData></worksheet>")
    data = bytearray(open(path, "rb").read())
    name = b"xl/worksheets/sheet1.xml"
    for sig, size_at, name_at in ((b"PK\x03\x04", 22, 30), (b"PK\x01\x02", 24, 46)):
        i = data.find(sig)
        while i >= 0:
            if data[i + name_at:i + name_at + len(name)] == name:
                data[i + size_at:i + size_at + 4] = (100).to_bytes(4, "little")
            i = data.find(sig, i + 1)
    open(path, "wb").write(bytes(data))


def main():
    out, rows, codes_file = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    os.makedirs(out, exist_ok=True)
    codes = [c.strip() for c in open(codes_file, encoding="utf-8") if c.strip()]
    loans(os.path.join(out, "loans.xlsx"), rows, codes)
    workbook(os.path.join(out, "dimension_bomb.xlsx"), "A1:XFD1048576",
             inline_row(1, ["合同编号"]) + '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>')
    big_part(os.path.join(out, "huge_shared_string.xlsx"), "xl/sharedStrings.xml",
             SST_HEAD.format(1) + "<si><t>", b"A", 512, "</t></si></sst>")
    big_part(os.path.join(out, "ratio_bomb.xlsx"), "xl/worksheets/sheet1.xml",
             SHEET_HEAD + "<sheetData>" + inline_row(1, HEADER), b" ", 512, "</sheetData></worksheet>")
    wide = inline_row(1, HEADER) + '<row r="2"><c r="KN2" t="inlineStr"><is><t>x</t></is></c></row>'
    workbook(os.path.join(out, "wide_row.xlsx"), None, wide)
    rnd = random.Random(7)
    text = "".join(rnd.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(40000))
    workbook(os.path.join(out, "long_cell.xlsx"), None, inline_row(1, HEADER) + inline_row(2, ["HT1", text]))
    lying(os.path.join(out, "lying_size.xlsx"))
    with open(os.path.join(out, "not_a_zip.xlsx"), "wb") as f:
        f.write(b"PK\x03\x04" + b"Z" * 2000)


if __name__ == "__main__":
    main()
