"""The section's tables: one per group of versions (the charts' groups), a row per environment,
a column per family and layer size that the group measured. Pure.

A cell is short on purpose (the rate, the interval of the median, a marked change): the table
must read on a phone, and the full text of each marked change is in the section's list of them.
"""

from __future__ import annotations

from initcompat.measurements.throughput.section.small_multiples import size_text


def _shown(cell: dict) -> dict:
    """What one table cell says: {kind: ok|alias|missing, text, ci, change, title}."""
    if cell.get("alias_of"):
        return {"kind": "alias", "text": f"= {cell['alias_of']}", "ci": "", "change": None,
                "title": cell.get("title") or ""}
    if cell["css"] != "tp-ok":
        return {"kind": "missing", "text": cell["text"], "ci": "", "change": None,
                "title": cell.get("title") or ""}
    change = cell.get("change")
    flagged = change if change and change["flagged"] else None
    return {"kind": "ok", "text": cell["text"].replace("param/s", "").strip(),
            "ci": cell.get("ci_range") or "",
            "change": ({"kind": flagged["kind"], "text": flagged["text"], "id": cell["id"],
                        "busy": bool(flagged.get("caution"))} if flagged else None),
            "title": ""}


def group_table(rows: list[dict], envs: list[dict], group: dict, devices: list[str]) -> dict:
    """{title, families: [{family, span}], columns: [{label, device}], rows: [{name, env, cells}]}.

    A column is kept when some environment of the group measured it (or has it as an alias);
    one only unavailable everywhere in the group says nothing the notes do not."""
    columns = []  # in the section's row order: family, layer, size
    for row in rows:
        for device_index, device in enumerate(devices):
            cells = row["devices"][device_index]["cells"]
            if any(cells[i]["css"] == "tp-ok" for i in group["envs"]):
                columns.append((row, device_index, device))
    families: list[dict] = []
    for row, _, _ in columns:
        if families and families[-1]["family"] == row["family"]:
            families[-1]["span"] += 1
        else:
            families.append({"family": row["family"], "span": 1})
    table_rows = []
    for env_index in group["envs"]:
        env = envs[env_index]
        table_rows.append({
            "name": env["display"], "env": env["name"],
            "cells": [_shown(row["devices"][d]["cells"][env_index]) for row, d, _ in columns]})
    return {"title": group["title"], "families": families,
            "columns": [{"label": f"{row['layer']} {size_text(row['size'])}"
                                  + (f" · {device}" if len(devices) > 1 else ""),
                         "device": device} for row, _, device in columns],
            "rows": table_rows, "count": len(table_rows)}


def tables(rows: list[dict], envs: list[dict], groups: list[dict],
           devices: list[str]) -> list[dict]:
    """Every group's table that has a column (a group that measured nothing has none)."""
    found = [group_table(rows, envs, group, devices) for group in groups]
    return [table for table in found if table["columns"]]
