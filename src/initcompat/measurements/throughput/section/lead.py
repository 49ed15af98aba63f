"""The section's answer in words, from the data: how long creating the headline layer's weights
takes across every version (and which run was fastest and slowest), and which versions are
markedly faster or slower than the version they are compared with. And the list of every
marked change, each with the id the timeline and the upgrade view link to. Pure."""

from __future__ import annotations

from initcompat.measurements.throughput.section.cells import rng_and_memory
from initcompat.measurements.throughput.section.formatting import range_text, seconds_text, si
from initcompat.measurements.throughput.section.small_multiples import size_text
from initcompat.measurements.throughput.section.timing import FACTOR_THRESHOLD

SHOWN = 2  # versions named per direction in the lead; the list below has every one


def marked_changes(rows: list[dict], envs: list[dict], devices: list[str]) -> list[dict]:
    """Every flagged change, once, in environment order: {id, also (the ids of the same change
    in the rows of families timed as this one: the timeline may link either), env, name,
    since, kind, factor, family, benchmark, text, detail, caution}."""
    names = {env["name"]: env["display"] for env in envs}
    found: dict[tuple, dict] = {}
    aliases: list[tuple[tuple, str]] = []
    for env_index, env in enumerate(envs):
        for row in rows:
            for device_index, device in enumerate(devices):
                cell = row["devices"][device_index]["cells"][env_index]
                change = cell.get("change")
                if not change or not change["flagged"]:
                    continue
                measured = cell.get("alias_of") or row["family"]
                key = (env["name"], measured, row["layer"], row["size"], device)
                if cell.get("alias_of"):
                    aliases.append((key, cell["id"]))
                    continue
                since = change.get("since_env")
                found[key] = {
                    "id": cell["id"], "also": [], "env": env["name"], "name": env["display"],
                    "since": names.get(since, change.get("since")), "kind": change["kind"],
                    "factor": change["factor"], "family": row["family"],
                    "benchmark": f"{row['layer']} {size_text(row['size'])}"
                                 + (f" on {device}" if len(devices) > 1 else ""),
                    "text": change["text"], "detail": change["detail"],
                    "caution": change.get("caution")}
    for key, cell_id in aliases:
        if key in found:
            found[key]["also"].append(cell_id)
    return list(found.values())


def _by_version(changes: list[dict], kind: str) -> list[dict]:
    """One entry per (environment, compared with): its families and its largest factor."""
    grouped: dict[tuple, dict] = {}
    for change in changes:
        if change["kind"] != kind:
            continue
        entry = grouped.setdefault((change["env"], change["since"]), {
            "name": change["name"], "since": change["since"], "families": [], "factor": 0.0,
            "count": 0})
        if change["family"] not in entry["families"]:
            entry["families"].append(change["family"])
        entry["factor"] = max(entry["factor"], change["factor"])
        entry["count"] += 1
    return sorted(grouped.values(), key=lambda e: -e["factor"])


def _named(entries: list[dict]) -> str:
    parts = []
    for entry in entries[:SHOWN]:
        factor = f"{'up to ' if entry['count'] > 1 else ''}{entry['factor']:.2f}×"
        parts.append(f"{entry['name']} ({factor} vs {entry['since']})")
    return ", ".join(parts)


def _machine_spread(envs: list[dict], device: str) -> str:
    """A clause when the machine's own memory-write ceiling (measured in every run) varied by
    more than the threshold across the runs: part of the range is then the machine's state."""
    rates = [rng_and_memory(env, device)[1][1] for env in envs]
    rates = [rate for rate in rates if rate]
    if len(rates) < 2 or max(rates) / min(rates) <= FACTOR_THRESHOLD:
        return ""
    return (f" (the machine's own memory-write ceiling varied {max(rates) / min(rates):.1f}× "
            "across these runs, so part of that range is the machine's state)")


def lead(headline: dict | None, envs: list[dict], changes: list[dict],
         p_threshold: float, factor_threshold: float) -> list[str]:
    """One or two sentences: the headline layer's range of times, then the marked changes."""
    sentences = []
    points = [(p["rate"], p["name"])
              for chart in (headline or {}).get("charts", []) for p in chart["points"]]
    if headline and points:
        params = headline["params"]
        (fast, fast_name), (slow, slow_name) = max(points), min(points)
        timed = len({env["name"] for env in envs if env["status"] in ("ok", "partial")})
        sentences.append(
            f"Creating a {headline['title']} layer's weights ({si(params)} parameters) with "
            f"the default initializers takes {seconds_text(params / fast)} to "
            f"{seconds_text(params / slow)} on this machine's {headline['device'].upper()} "
            f"across {timed} environments ({range_text(slow, fast)} parameters per second): "
            f"fastest "
            f"{fast_name}, slowest {slow_name}{_machine_spread(envs, headline['device'])}.")
    # a change measured while the machine's own ceiling moved as much may be the machine's
    # state (a busy machine): counted, never named as the framework's
    clean = [change for change in changes if not change.get("caution")]
    busy = len(changes) - len(clean)
    slower, faster = _by_version(clean, "regression"), _by_version(clean, "speed-up")
    rule = f"more than ×{factor_threshold:g}, p < {p_threshold:g}"
    busy_text = (f"{busy} marked change{'' if busy == 1 else 's'} came with the machine's own "
                 f"ceiling moving as much (a busy machine), so may not be the framework's")
    if not slower and not faster:
        sentences.append(f"No version is markedly ({rule}) faster or slower than the version "
                         "it is compared with" + (f"; {busy_text} (listed below)." if busy
                                                  else "."))
        return sentences
    parts = []
    if slower:
        parts.append(f"slower: {_named(slower)}")
    if faster:
        parts.append(f"faster: {_named(faster)}")
    versions = len({change["env"] for change in changes})
    sentences.append(f"Markedly ({rule}) {'; '.join(parts)} — {len(changes)} marked "
                     f"change{'' if len(changes) == 1 else 's'} in {versions} "
                     f"environment{'' if versions == 1 else 's'}, each listed below"
                     + (f"; {busy_text}." if busy else "."))
    return sentences
