"""HTML (self-contained: inline CSS, base64 PNG) and Markdown renderings of the report.

Every value table is ``<table data-table-id=...>`` with one ``<td data-row data-column data-stat
data-value>`` per cell of the measurement year; the published 2020 value and earlier years sit inside
the cell as ``<span data-source="published">`` / ``<span data-year="...">``. Suppressed cells carry
``data-suppressed="true"`` and no value; a survey cell without a value prints why ("not asked", "not answered")
and carries ``data-empty`` with those words.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sekswerk_assets.report.content import PUBLISHED_LABEL, Item
from sekswerk_assets.report.rounding import round_half_up

CSS = """
body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}
.synthetic{background:#fde8e8;border:2px solid #c0392b;padding:.6em 1em;font-weight:bold;color:#8e1b10}
h1{font-size:1.6em} h2{border-bottom:1px solid #ccc;margin-top:2em} h3{margin-top:1.6em}
.table-wrap{max-width:100%;overflow-x:auto}
table{border-collapse:collapse;margin:.6em 0;font-size:.85em} th,td{border:1px solid #ddd;padding:.2em .5em;vertical-align:top}
tbody th{min-width:8em;max-width:22em;white-space:normal;font-weight:normal}
th{background:#f4f4f4;text-align:left} thead th{white-space:normal;max-width:9em} thead th.group{text-align:center}
td{text-align:right;white-space:nowrap} td.text{text-align:left;white-space:normal;max-width:26em}
td .pub{display:block;color:#2c6e9e;font-size:.85em} td .prev{display:block;color:#777;font-size:.85em}
td.absent{background:#fafafa} td.na{background:#fafafa;color:#666;font-style:italic;white-space:normal} .meta{color:#555;font-size:.85em} .note{color:#444;font-size:.9em}
.footnote{color:#555;font-size:.8em;margin-top:-.3em} .part{color:#555;font-size:.8em;margin:.8em 0 0}
.missing{color:#a33} img{max-width:100%} nav ol{columns:3;font-size:.85em} details{margin:.4em 0}
.passed{color:#1e7b34} .failed{color:#b3261e;font-weight:bold}
"""
#: at most this many value columns in one printed table: wider tables are printed as several narrow parts
MAX_VALUE_COLUMNS = 5
NO_VALUE = "–"
ITEM_FOOTNOTE = ("– no value: the {year} source has no figure for this cell (the statistic does not apply to the row, "
                 "the question was not asked, or there was no data for the year).")
FRAME_FOOTNOTE = "– not stated: the source has no value here (not applicable, not asked, or no data for the year)."
INT_STATS = {"count", "population", "municipalities", "respondents"}


def is_missing(value) -> bool:
    """None, NaN and pd.NA: a cell without a value."""
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def fmt(value, stat: str) -> str:
    if is_missing(value):
        return NO_VALUE
    if stat in INT_STATS or stat.endswith("count") or stat in ("estimate", "ci_low", "ci_high"):
        return f"{round_half_up(value, 0):,.0f}"
    return f"{round_half_up(value, 1):,.1f}"


PLAIN_INT_COLUMNS = ("year", "period", "measurement year", "position", "table")


def cell_text(value, column: str = "", whole: bool = True) -> str:
    """One cell of a plain table: "–" for no value, integers with thousands separators (years plain),
    other numbers rounded half up to one decimal (``whole``: a float without decimals prints as an integer)."""
    if is_missing(value):
        return NO_VALUE
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else "no"
    if isinstance(value, (int, np.integer)):
        plain = any(str(column).lower().endswith(c) for c in PLAIN_INT_COLUMNS)
        return str(int(value)) if plain else f"{int(value):,}"
    if isinstance(value, (float, np.floating)):
        if whole and float(value).is_integer():
            return cell_text(int(value), column)
        return f"{round_half_up(value, 1):,.1f}"
    return str(value)


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
    #: why a cell can be empty ("–"), printed as a footnote under the table when it has such a cell
    missing_note: str = FRAME_FOOTNOTE
    #: columns of running text (left-aligned, wrapped)
    text_columns: tuple[str, ...] = ()


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


def _group(column: str, stat: str) -> str:
    """The column group a value column belongs to (``small`` of ``small:count``, ``all`` of all/mean); "" if none."""
    if column == stat:
        return ""
    if column.endswith(f":{stat}"):
        return column[: -len(stat) - 1]
    return column


def column_parts(cols: list[tuple[str, str]], limit: int = MAX_VALUE_COLUMNS) -> list[list[tuple[str, str]]]:
    """Split the value columns into parts of at most ``limit`` columns, keeping column groups together."""
    if len(cols) <= limit:
        return [cols]
    groups: dict[str, list] = {}
    for col, st in cols:
        groups.setdefault(_group(col, st), []).append((col, st))
    parts: list[list] = []
    current: list = []
    for members in groups.values():
        for k in range(0, len(members), limit):
            chunk = members[k:k + limit]
            if current and len(current) + len(chunk) > limit:
                parts.append(current)
                current = []
            current += chunk
    if current:
        parts.append(current)
    return parts


def _part_caption(part: list[tuple[str, str]], k: int, n: int) -> str:
    groups = list(dict.fromkeys(_group(c, s) or "total" for c, s in part))
    return f"Part {k} of {n}: {', '.join(groups)}"


def _cell_parts(cell, st: str, years: list[str]) -> tuple[str, str, list[tuple[str, str, str]]]:
    """(class, main text, [(kind, label, value)]) of one cell; kind is "published" or a year."""
    reason = "" if cell is None else cell.get("reason")
    if isinstance(reason, str) and reason and not cell["suppressed"]:
        main, cls = reason, "na"  # a survey cell without a value says why ("not asked", "not answered"), never 0
    elif cell is None or cell["absent"]:
        main, cls = NO_VALUE, "absent"
    elif cell["suppressed"]:
        main, cls = "[s]", ""
    else:
        main, cls = fmt(cell["value"], st), ""
    extra = []
    if cell is not None:
        if not is_missing(cell["published"]):
            extra.append(("published", PUBLISHED_LABEL, cell["published"]))
        for y in years:
            v = cell.get(y)
            if not is_missing(v):
                extra.append((y[5:], y[5:], v))
    return cls, main, extra


def html_table(item: Item, year: str) -> str:
    c = item.cells
    rows, cols, years = _layout(item)
    index = {(r["row"], r["column"], r["stat"]): r for r in c.to_dict("records")}
    labels = dict(zip(c["row"][::-1], c["row_label"][::-1]))  # the first label of a row
    parts = column_parts(cols)
    out, missing = [], False
    for k, part in enumerate(parts, 1):
        if len(parts) > 1:
            out.append(f'<p class="part">{html.escape(_part_caption(part, k, len(parts)))}</p>')
        out.append(f'<div class="table-wrap"><table data-table-id="{html.escape(item.id)}" data-source-kind="{item.source_kind}" '
                   f'data-source-table="{html.escape(item.source_table)}" data-source-id="{html.escape(item.source_id)}" '
                   f'data-year="{year}" data-part="{k}" data-parts="{len(parts)}">')
        groups = [_group(col, st) for col, st in part]
        head = ["<thead>"]
        if any(groups):
            runs: list[list] = []
            for g in groups:
                if runs and runs[-1][0] == g:
                    runs[-1][1] += 1
                else:
                    runs.append([g, 1])
            head.append("<tr><th></th>" + "".join(f'<th class="group" colspan="{n}">{html.escape(g)}</th>' for g, n in runs)
                        + "</tr>")
            head.append("<tr><th></th>" + "".join(f"<th>{html.escape(st if g else _col_label(col, st))}</th>"
                                                  for (col, st), g in zip(part, groups)) + "</tr>")
        else:
            head.append("<tr><th></th>" + "".join(f"<th>{html.escape(_col_label(col, st))}</th>" for col, st in part) + "</tr>")
        out.append("".join(head) + "</thead><tbody>")
        for r in rows:
            tds = []
            for col, st in part:
                cell = index.get((r, col, st))
                attrs = f'data-row="{html.escape(r)}" data-column="{html.escape(col)}" data-stat="{html.escape(st)}"'
                cls, main, extra = _cell_parts(cell, st, years)
                if cls == "na":
                    attrs += f' data-empty="{html.escape(main)}"'
                if cell is None or cell["absent"]:
                    attrs += ' data-absent="true"'
                elif cell["suppressed"]:
                    attrs += ' data-suppressed="true"'
                elif not is_missing(cell["value"]):
                    attrs += f' data-value="{num(cell["value"])}"'
                missing |= main == NO_VALUE
                inner = "".join(
                    f'<span class="pub" data-source="published" data-value="{num(v)}">{label}: {fmt(v, st)}</span>'
                    if kind == "published" else
                    f'<span class="prev" data-year="{kind}" data-value="{num(v)}">{label}: {fmt(v, st)}</span>'
                    for kind, label, v in extra)
                tds.append(f"<td{f' class={chr(34)}{cls}{chr(34)}' if cls else ''} {attrs}>{main}{inner}</td>")
            out.append(f'<tr data-row="{html.escape(r)}"><th>{html.escape(labels.get(r, r))}</th>{"".join(tds)}</tr>')
        out.append("</tbody></table></div>")
    if missing:
        out.append(f'<p class="footnote">{html.escape(ITEM_FOOTNOTE.format(year=year))}</p>')
    return "\n".join(out)


def _frame_cells(extra: Extra) -> tuple[list[str], list[list[str]]]:
    f = extra.frame
    columns = [str(c) for c in f.columns]
    # a whole number prints without decimals (61.0 -> 61), except in a percentage column (71.0 beside 89.5)
    whole = {name: not ("%" in name or "percent" in name.lower() or "share" in name.lower()) for name in columns}
    rows = [[cell_text(v, c, whole[c]) for c, v in zip(columns, r)] for r in f.itertuples(index=False)]
    return columns, rows


def frame_table(extra: Extra) -> str:
    columns, rows = _frame_cells(extra)
    texts = set(extra.text_columns) | {c for c in columns if extra.frame[c].dtype == object
                                       and extra.frame[c].map(lambda v: isinstance(v, str) and len(v) > 30).any()}
    head = "".join(f"<th>{html.escape(c)}</th>" for c in columns)
    body = []
    for r in rows:
        tds = []
        for c, text in zip(columns, r):
            classes = [text] if c == "status" and text in ("passed", "failed") else []
            if c in texts:
                classes.append("text")
            cls = f' class="{" ".join(classes)}"' if classes else ""
            tds.append(f'<td{cls} data-column="{html.escape(c)}">{html.escape(text)}</td>')
        body.append("<tr>" + "".join(tds) + "</tr>")
    out = (f'<div class="table-wrap"><table data-table-id="{html.escape(extra.id)}" data-source-kind="derived"><thead><tr>{head}</tr></thead>'
           f"<tbody>{''.join(body)}</tbody></table></div>")
    if any(NO_VALUE == t for r in rows for t in r):
        out += f'<p class="footnote">{html.escape(extra.missing_note)}</p>'
    return out


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


def md_table(item: Item, year: str = "") -> str:
    c = item.cells
    rows, cols, years = _layout(item)
    index = {(r["row"], r["column"], r["stat"]): r for r in c.to_dict("records")}
    labels = dict(zip(c["row"][::-1], c["row_label"][::-1]))  # the first label of a row
    parts = column_parts(cols)
    blocks, missing = [], False
    for k, part in enumerate(parts, 1):
        lines = [f"*{_part_caption(part, k, len(parts))}*", ""] if len(parts) > 1 else []
        lines += ["| | " + " | ".join(_md_escape(_col_label(col, st)) for col, st in part) + " |",
                  "|---|" + "---:|" * len(part)]
        for r in rows:
            cells = []
            for col, st in part:
                _, main, extra = _cell_parts(index.get((r, col, st)), st, years)
                missing |= main == NO_VALUE
                shown = [f"publ. {fmt(v, st)}" if kind == "published" else f"{label}: {fmt(v, st)}" for kind, label, v in extra]
                cells.append(main + (f" ({'; '.join(shown)})" if shown else ""))
            lines.append(f"| {_md_escape(labels.get(r, r))} | " + " | ".join(cells) + " |")
        blocks.append("\n".join(lines))
    if missing:
        blocks.append(ITEM_FOOTNOTE.format(year=year or "measurement year's"))
    return "\n\n".join(blocks)


def md_frame(extra: Extra) -> str:
    columns, rows = _frame_cells(extra)
    lines = ["| " + " | ".join(_md_escape(c) for c in columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(_md_escape(t) for t in r) + " |" for r in rows]
    text = "\n".join(lines)
    if any(NO_VALUE == t for r in rows for t in r):
        text += "\n\n" + extra.missing_note
    return text


def md_item(item: Item, images: bool, year: str = "") -> str:
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
        parts.append(md_table(item, year))
    return "\n\n".join(parts)


def to_markdown(doc: Document, images: bool = True) -> str:
    out = [doc.first_line, f"# {doc.title}", *doc.intro,
           f"Cells show the {doc.year} value, then in brackets the {PUBLISHED_LABEL} value and earlier measurement years."]
    for title, items in doc.chapters:
        out.append(f"## {title}")
        out += [md_item(i, images, doc.year) for i in items]
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
            out += [md_item(e, images, doc.year)] if isinstance(e, Item) else [f"### {e.title}", *e.notes, md_frame(e)]
    return "\n\n".join(out) + "\n"
