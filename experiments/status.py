"""How far a sweep folder has got: checked runs, failures, suspect files, lock and history.

``status`` only reads: it checks every shard against the plan as a resume would, and names
what a resume would move to ``quarantine/`` (foreign and unreadable files) beside what is
already there.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from experiments import folder, storage


def sweep_status(out: str | Path) -> dict[str, Any]:
    """The state of a sweep folder.

    Returns:
        A dict with ``name``, ``spec_hash``, ``plan_hash``, ``status`` (of the last call),
        ``lock`` (who writes to it now, or ``None``), ``total``, ``finished``, ``ok``,
        ``errors``, ``remaining``, ``failed_runs`` (run_id -> last line of the traceback),
        ``mean_seconds`` (per finished run), ``consolidated`` (whether the derived tables are
        readable and up to date), ``foreign`` and ``unreadable`` (files of ``shards/`` that
        fail their checks: ``{"file", "reason"}``), ``leftovers`` (temporary files of
        interrupted writes), ``quarantined`` (files in ``quarantine/`` with their reasons),
        ``drift`` (allowed plan changes) and ``history`` (one entry per call).
    """
    out = Path(out)
    manifest = storage.read_manifest(out)
    found = folder.scan(out, repair=False, manifest=manifest)
    records = found.finished
    total = manifest["runs"]["total"]
    errors = {rid: r for rid, r in records.items() if r["status"] == "error"}
    seconds = [r["seconds"] for r in records.values()]
    history = manifest.get("history", [])
    status = manifest.get("status", "new")
    lock = folder.lock_state(out)
    if history and history[-1].get("finished") is None:
        if lock is not None and lock.startswith("locked"):
            status = f"running ({lock})"
        else:
            status = "stopped without an end time (killed)"
    problems = {"foreign": [], "unreadable": []}
    for err in found.problems:
        problems[err.kind].append({"file": f"shards/{err.path.name}", "reason": err.reason})
    return {
        "folder": str(out),
        "name": manifest["spec"]["name"],
        "spec_hash": manifest["spec_hash"],
        "plan_hash": (manifest.get("plan") or {}).get("hash"),
        "status": status,
        "lock": lock,
        "total": total,
        "finished": len(records),
        "ok": len(records) - len(errors),
        "errors": len(errors),
        "remaining": total - len(records),
        "failed_runs": {rid: _last_line(r["error"]) for rid, r in sorted(errors.items())},
        "mean_seconds": sum(seconds) / len(seconds) if seconds else None,
        "consolidated": storage._is_fresh(out),
        "foreign": problems["foreign"],
        "unreadable": problems["unreadable"],
        "leftovers": [f"shards/{p.name}" for p in found.leftovers],
        "quarantined": found.quarantine,
        "drift": manifest.get("drift", []),
        "history": history,
    }


def _last_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else ""


def format_status(status: dict[str, Any], *, max_errors: int = 10) -> str:
    """A human summary of :func:`sweep_status`."""
    s = status
    lines = [
        f"sweep {s['name']!r} in {s['folder']}",
        f"  spec hash   {s['spec_hash']}",
        f"  plan hash   {s.get('plan_hash')}",
        f"  status      {s['status']}",
        f"  runs        {s['finished']}/{s['total']} finished "
        f"({s['ok']} ok, {s['errors']} raised), {s['remaining']} to do",
    ]
    if s.get("lock") and not s["status"].startswith("running"):
        lines.append(f"  lock        {s['lock']}")
    if s["mean_seconds"] is not None:
        lines.append(f"  run time    {s['mean_seconds']:.3f} s per run (mean, in the worker)")
    lines.append(
        "  tables      "
        + ("up to date" if s["consolidated"] else "not consolidated (load() or --csv does it)")
    )
    for kind in ("foreign", "unreadable"):
        for item in s.get(kind, []):
            lines.append(f"  {kind:<11} {item['file']}: {item['reason']} (quarantined on resume)")
    for path in s.get("leftovers", []):
        lines.append(f"  leftover    {path}: an interrupted write (quarantined on resume)")
    for item in s.get("quarantined", []):
        lines.append(f"  quarantined quarantine/{item.get('file')}: {item.get('reason')}")
    for drift in s.get("drift", []):
        lines.append(
            f"  drift       allowed {drift.get('allowed')}: {'; '.join(drift['changes'])}"
        )
    for entry in s["history"]:
        reason = f" ({entry['reason']})" if entry.get("reason") else ""
        lines.append(
            f"  call        {entry.get('started')} -> {entry.get('finished') or '?'}  "
            f"{entry.get('outcome')}{reason}  {entry.get('executor')} "
            f"x{entry.get('workers') or '-'}  ran {entry.get('computed', '?')}, "
            f"skipped {entry.get('skipped')}"
        )
    for k, (rid, line) in enumerate(s["failed_runs"].items()):
        if k == max_errors:
            lines.append(f"  ... and {len(s['failed_runs']) - max_errors} more failed runs")
            break
        lines.append(f"  failed      {rid}: {line}")
    if s["remaining"]:
        lines.append("  resume with the same `isohybrid sweep SPEC --out DIR` command")
    return "\n".join(lines)
