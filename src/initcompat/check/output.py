"""The check's findings as a linter prints them (path:line:col: CODE message, then a summary
line), as JSON, and as SARIF 2.1.0 (what GitHub code scanning turns into pull-request
annotations). Pure."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote

from initcompat.check.findings import CODES, Finding

TOOL = "initcompat check"
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def summary_line(findings: list[Finding], files: int, calls: int, unmeasured: int,
                 first: str, second: str) -> str:
    changed = len({(f.path, f.line, f.col) for f in findings})
    word = "change" if len(findings) == 1 else "changes"
    return (f"initcompat check: {first} -> {second}: {len(findings)} {word} at {changed} "
            f"call{'s' if changed != 1 else ''} in {files} file{'s' if files != 1 else ''} "
            f"({calls} calls read, {unmeasured} not measured on both sides)")


def text(findings: list[Finding], summary: str) -> str:
    """One line per finding, its details and fixes indented under it, then the summary."""
    lines = []
    for finding in findings:
        lines.append(f"{finding.path}:{finding.line}:{finding.col}: {finding.code} "
                     f"{finding.message}")
        lines.extend(f"    {detail}" for detail in finding.details)
        for fix in finding.fixes:
            if fix.code:
                lines.append(f"    fix ({fix.status}): {fix.code} — {fix.why}")
            else:
                lines.append(f"    no fix: {fix.why}")
    lines.append(summary)
    return "\n".join(lines)


def _finding_json(finding: Finding) -> dict:
    return {"path": finding.path, "line": finding.line, "col": finding.col, "code": finding.code,
            "name": finding.name, "call": finding.call, "message": finding.message,
            "details": list(finding.details),
            "fixes": [_fix_json(fix) for fix in finding.fixes],
            "facts": finding.data}


def _fix_json(fix) -> dict:
    found = {"code": fix.code, "status": fix.status, "why": fix.why}
    if fix.verification is not None:
        found["verification"] = fix.verification
    return found


def json_document(findings: list[Finding], summary: str, envs: dict, data_source: str,
                  schema_version: int) -> str:
    document = {"from": envs["from"], "to": envs["to"], "data": {"source": data_source,
                                                               "schema_version": schema_version},
                "findings": [_finding_json(f) for f in findings], "summary": summary,
                "codes": {code: {"name": name, "description": text}
                          for code, (name, text) in CODES.items()}}
    return json.dumps(document, indent=1, ensure_ascii=False, default=str)


def _uri(path: str) -> str:
    candidate = Path(path)
    return quote(candidate.as_posix()) if not candidate.is_absolute() else candidate.as_uri()


def sarif(findings: list[Finding], summary: str, envs: dict) -> str:
    """A SARIF 2.1.0 log: one run, one rule per code, one result per finding (level warning),
    with the fixes in the message and as properties."""
    rules = [{"id": code, "name": name, "shortDescription": {"text": description}} for code, (name, description) in CODES.items()]
    index = {code: i for i, code in enumerate(CODES)}
    results = []
    for finding in findings:
        fixes = [f"fix ({fix.status}): {fix.code} — {fix.why}" if fix.code else
                 f"no fix: {fix.why}" for fix in finding.fixes]
        results.append({
            "ruleId": finding.code, "ruleIndex": index[finding.code], "level": "warning",
            "message": {"text": " ".join([finding.message] + list(finding.details) + fixes)},
            "locations": [{"physicalLocation": {
                "artifactLocation": {"uri": _uri(finding.path)},
                "region": {"startLine": finding.line, "startColumn": finding.col}}}],
            "properties": {"fixes": [_fix_json(fix) for fix in finding.fixes],
                           "from": envs["from"], "to": envs["to"]}})
    log = {"$schema": SARIF_SCHEMA, "version": "2.1.0",
           "runs": [{"tool": {"driver": {"name": TOOL, "rules": rules}},
                     "results": results,
                     "invocations": [{"executionSuccessful": True,
                                      "toolExecutionNotifications": [
                                          {"message": {"text": summary}, "level": "note"}]}]}]}
    return json.dumps(log, indent=1, ensure_ascii=False, default=str)
