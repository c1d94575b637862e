"""HTML (self-contained: inline CSS, base64 PNG) and Markdown renderings of the report.

Every value table is ``<table data-table-id=...>`` with one ``<td data-row data-column data-stat
data-value>`` per cell of the measurement year; the published 2020 value and earlier years sit inside
the cell as ``<span data-source="published">`` / ``<span data-year="...">``. Suppressed cells carry
``data-suppressed="true"`` and no value.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field

import pandas as pd

from sekswerk_assets.report.content import PUBLISHED_LABEL, Item

CSS = """
body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}
.synthetic{background:#fde8e8;border:2px solid #c0392b;padding:.6em 1em;font-weight:bold;color:#8e1b10}
h1{font-size:1.6em} h2{border-bottom:1px solid #ccc;margin-top:2em} h3{margin-top:1.6em}
table{border-collapse:collapse;margin:.6em 0;font-size:.85em} th,td{border:1px solid #ddd;padding:.2em .5em;vertical-align:top}
section{overflow-x:auto} tbody th{min-width:10em;max-width:24em;white-space:normal}
th{background:#f4f4f4;text-align:left} td{text-align:right;white-space:nowrap}
td .pub{display:block;color:#2c6e9e;font-size:.85em} td .prev{display:block;color:#777;font-size:.85em}
td.absent{background:#fafafa} .meta{color:#555;font-size:.85em} .note{color:#444;font-size:.9em}
.missing{color:#a33} img{max-width:100%} nav ol{columns:3;font-size:.85em} details{margin:.4em 0}
.passed{color:#1e7b34} .failed{color:#b3261e;font-weight:bold}
"""
INT_STATS = {"count", "population", "municipalities", "respondents"}


def fmt(value, stat: str) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return "–"
    v = float(value)
    if stat in INT_STATS or stat.endswith("count"):
        return f"{v:,.0f}"
    if stat in ("estimate", "ci_low", "ci_high"):
        return f"{v:,.0f}"
    return f"{v:,.1f}"


def num(value) -> str:
    return repr(float(value))


def anchor(item_id: str) -> str:
    return item_id.lower().replace(" ", "-").replace(".", "-").replace(":", "-")


@dataclass
class Extra:
    """A plain table outside the published list (method notes, data quality, appendices)."""

    id: str
    title: str
    frame: pd.DataFrame
    notes: list[str] = field(default_factory=list)


@dataclass
class Document:
    year: str
    title: str
    first_line: str
    intro: list[str]
    chapters: list[tuple[str, list[Item]]]
    method_notes: list[str]
    method_tables: list[Extra]
    quality_notes: list[str]
    quality_tables: list[Extra]
    appendices: list[tuple[str, list]]


# ----------------------------------------------------------------------------- HTML


def _layout(item: Item) -> tuple[list[str], list[tuple[str, str]], list[str]]:
    c = item.cells
    rows = list(dict.fromkeys(c["row"]))
    cols = list(dict.fromkeys(zip(c["column"], c["stat"])))
    years = [k for k in c.columns if k.startswith("year:")]
    return rows, cols, years


def _col_label(column: str, stat: str) -> str:
    return column if column == stat or column.endswith(f":{stat}") else f"{column} ({stat})"


def html_table(item: Item, year: str) -> str:
    c = item.cells
    rows, cols, years = _layout(item)
    index = {(r["row"], r["column"], r["stat"]): r for r in c.to_dict("records")}
    labels = dict(zip(c["row"][::-1], c["row_label"][::-1]))  # the first label of a row
    out = [f'<table data-table-id="{html.escape(item.id)}" data-source-kind="{item.source_kind}" '
           f'data-source-table="{html.escape(item.source_table)}" data-source-id="{html.escape(item.source_id)}" '
           f'data-year="{year}">',
           "<thead><tr><th></th>" + "".join(f"<th>{html.escape(_col_label(col, st))}</th>" for col, st in cols)
           + "</tr></thead><tbody>"]
    for r in rows:
        tds = []
        for col, st in cols:
            cell = index.get((r, col, st))
            attrs = (f'data-row="{html.escape(r)}" data-column="{html.escape(col)}" data-stat="{html.escape(st)}"')
            if cell is None:
                tds.append(f'<td class="absent" {attrs} data-absent="true"></td>')
                continue
            inner = []
            if cell["absent"]:
                cls, main = ' class="absent"', "–"
                attrs += ' data-absent="true"'
            elif cell["suppressed"]:
                cls, main = "", "[s]"
                attrs += ' data-suppressed="true"'
            else:
                cls, main = "", fmt(cell["value"], st)
                if cell["value"] is not None and not pd.isna(cell["value"]):
                    attrs += f' data-value="{num(cell["value"])}"'
            if cell["published"] is not None:
                inner.append(f'<span class="pub" data-source="published" data-value="{num(cell["published"])}">'
                             f"{PUBLISHED_LABEL}: {fmt(cell['published'], st)}</span>")
            for y in years:
                v = cell.get(y)
                if v is not None and not pd.isna(v):
                    inner.append(f'<span class="prev" data-year="{y[5:]}" data-value="{num(v)}">{y[5:]}: {fmt(v, st)}</span>')
            tds.append(f"<td{cls} {attrs}>{main}{''.join(inner)}</td>")
        out.append(f'<tr data-row="{html.escape(r)}"><th>{html.escape(labels.get(r, r))}</th>{"".join(tds)}</tr>')
    out.append("</tbody></table>")
    return "\n".join(out)


def frame_table(extra: Extra) -> str:
    f = extra.frame
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in f.columns)
    body = []
    for r in f.itertuples(index=False):
        tds = []
        for c, v in zip(f.columns, r):
            if isinstance(v, float):
                text = "–" if pd.isna(v) else f"{v:,.1f}"
            elif isinstance(v, (int,)) and not isinstance(v, bool):
                text = f"{v:,}"
            else:
                text = str(v)
            cls = f' class="{v}"' if c == "status" and v in ("passed", "failed") else ""
            tds.append(f'<td{cls} data-column="{html.escape(str(c))}">{html.escape(text)}</td>')
        body.append("<tr>" + "".join(tds) + "</tr>")
    return (f'<table data-table-id="{html.escape(extra.id)}" data-source-kind="derived"><thead><tr>{head}</tr></thead>'
            f"<tbody>{''.join(body)}</tbody></table>")


def html_item(item: Item, year: str) -> str:
    parts = [f'<section data-item-id="{html.escape(item.id)}" id="{anchor(item.id)}">',
             f"<h3>{html.escape(item.id)} {html.escape(item.title)}</h3>"]
    meta = []
    if item.source_table:
        meta.append(f"source: {item.source_table}" + (f" ({item.source_id})" if item.source_id else "")
                    + (" — method report" if item.source_kind == "long" else ""))
    if item.base_n is not None:
        meta.append(f"N = {item.base_n:,}")
    if item.published_n is not None:
        meta.append(f"{PUBLISHED_LABEL}: N = {item.published_n:,}")
    if meta:
        parts.append(f'<p class="meta">{html.escape("; ".join(meta))}</p>')
    if item.figure:
        parts.append(f'<figure><img alt="{html.escape(item.id)}" src="data:image/png;base64,{item.figure}"></figure>')
    if not item.available:
        parts.append('<p class="missing">Not available for this year.</p>')
    for n in item.notes:
        parts.append(f'<p class="note">{html.escape(n)}</p>')
    if item.cells is not None and len(item.cells):
        table = html_table(item, year)
        if item.source_kind == "weekly":
            table = f"<details><summary>weekly values</summary>{table}</details>"
        parts.append(table)
    parts.append("</section>")
    return "\n".join(parts)


def to_html(doc: Document) -> str:
    out = [f"<!-- {html.escape(doc.first_line)} -->", "<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
           f"<title>{html.escape(doc.title)}</title><style>{CSS}</style></head><body>",
           f'<p class="synthetic" id="first-line">{html.escape(doc.first_line)}</p>' if doc.first_line.startswith("SYNTHETIC")
           else f'<p id="first-line">{html.escape(doc.first_line)}</p>',
           f"<h1>{html.escape(doc.title)}</h1>"]
    out += [f"<p>{html.escape(p)}</p>" for p in doc.intro]
    toc = [f'<li><a href="#{anchor(i.id)}">{html.escape(i.id)}</a></li>' for _, items in doc.chapters for i in items]
    out.append(f"<nav><h2>Contents</h2><ol>{''.join(toc)}</ol></nav>")
    for title, items in doc.chapters:
        out.append(f"<h2>{html.escape(title)}</h2>")
        out += [html_item(i, doc.year) for i in items]
    out.append('<h2 id="method-notes">Method notes</h2>')
    out += [f'<p class="note">{html.escape(n)}</p>' for n in doc.method_notes]
    for e in doc.method_tables:
        out += [f"<h3>{html.escape(e.title)}</h3>", *[f'<p class="note">{html.escape(n)}</p>' for n in e.notes], frame_table(e)]
    out.append('<h2 id="data-quality">Data quality</h2>')
    out += [f'<p class="note">{html.escape(n)}</p>' for n in doc.quality_notes]
    for e in doc.quality_tables:
        out += [f"<h3>{html.escape(e.title)}</h3>", *[f'<p class="note">{html.escape(n)}</p>' for n in e.notes], frame_table(e)]
    for title, entries in doc.appendices:
        out.append(f"<h2>{html.escape(title)}</h2>")
        for e in entries:
            if isinstance(e, Item):
                out.append(html_item(e, doc.year))
            else:
                out += [f"<h3>{html.escape(e.title)}</h3>", *[f'<p class="note">{html.escape(n)}</p>' for n in e.notes],
                        frame_table(e)]
    out.append("</body></html>")
    return "\n".join(out) + "\n"


# ----------------------------------------------------------------------------- Markdown


def _md_escape(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def md_table(item: Item) -> str:
    c = item.cells
    rows, cols, years = _layout(item)
    index = {(r["row"], r["column"], r["stat"]): r for r in c.to_dict("records")}
    labels = dict(zip(c["row"][::-1], c["row_label"][::-1]))  # the first label of a row
    lines = ["| | " + " | ".join(_md_escape(_col_label(col, st)) for col, st in cols) + " |",
             "|---|" + "---:|" * len(cols)]
    for r in rows:
        cells = []
        for col, st in cols:
            cell = index.get((r, col, st))
            if cell is None:
                cells.append("")
                continue
            text = "–" if cell["absent"] else ("[s]" if cell["suppressed"] else fmt(cell["value"], st))
            extra = []
            if cell["published"] is not None:
                extra.append(f"publ. {fmt(cell['published'], st)}")
            for y in years:
                v = cell.get(y)
                if v is not None and not pd.isna(v):
                    extra.append(f"{y[5:]}: {fmt(v, st)}")
            cells.append(text + (f" ({'; '.join(extra)})" if extra else ""))
        lines.append(f"| {_md_escape(labels.get(r, r))} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def md_frame(extra: Extra) -> str:
    f = extra.frame.copy()
    for c in f.columns:
        if f[c].dtype.kind == "f":
            f[c] = f[c].map(lambda v: "–" if pd.isna(v) else f"{v:,.1f}")
    return f.to_markdown(index=False)


def md_item(item: Item, images: bool) -> str:
    parts = [f"### {item.id} {item.title}"]
    meta = []
    if item.source_table:
        meta.append(f"source: `{item.source_table}`" + (f" ({item.source_id})" if item.source_id else ""))
    if item.base_n is not None:
        meta.append(f"N = {item.base_n:,}")
    if item.published_n is not None:
        meta.append(f"{PUBLISHED_LABEL}: N = {item.published_n:,}")
    if meta:
        parts.append("*" + "; ".join(meta) + "*")
    if item.figure and images:
        parts.append(f"![{item.id}](data:image/png;base64,{item.figure})")
    if not item.available:
        parts.append("**Not available for this year.**")
    parts += list(item.notes)
    if item.cells is not None and len(item.cells) and item.source_kind != "weekly":
        parts.append(md_table(item))
    return "\n\n".join(parts)


def to_markdown(doc: Document, images: bool = True) -> str:
    out = [doc.first_line, f"# {doc.title}", *doc.intro,
           f"Cells show the {doc.year} value, then in brackets the {PUBLISHED_LABEL} value and earlier measurement years."]
    for title, items in doc.chapters:
        out.append(f"## {title}")
        out += [md_item(i, images) for i in items]
    out.append("## Method notes")
    out += doc.method_notes
    for e in doc.method_tables:
        out += [f"### {e.title}", *e.notes, md_frame(e)]
    out.append("## Data quality")
    out += doc.quality_notes
    for e in doc.quality_tables:
        out += [f"### {e.title}", *e.notes, md_frame(e)]
    for title, entries in doc.appendices:
        out.append(f"## {title}")
        for e in entries:
            out += [md_item(e, images)] if isinstance(e, Item) else [f"### {e.title}", *e.notes, md_frame(e)]
    return "\n\n".join(out) + "\n"
