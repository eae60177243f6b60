"""How far a sweep folder has got: finished, failed and remaining runs, and its history."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from experiments import storage


def sweep_status(out: str | Path) -> dict[str, Any]:
    """The state of a sweep folder.

    Returns:
        A dict with ``name``, ``spec_hash``, ``status`` (of the last call), ``total``,
        ``finished``, ``ok``, ``errors``, ``remaining``, ``failed_runs`` (run_id -> last line
        of the traceback), ``mean_seconds`` (per finished run), ``consolidated`` (whether the
        consolidated tables are up to date) and ``history`` (one entry per call).
    """
    out = Path(out)
    manifest = storage.read_manifest(out)
    records = storage.finished_runs(out, repair=False)
    total = manifest["runs"]["total"]
    errors = {rid: r for rid, r in records.items() if r["status"] == "error"}
    seconds = [r["seconds"] for r in records.values()]
    history = manifest.get("history", [])
    status = manifest.get("status", "new")
    if history and history[-1].get("finished") is None:
        status = "stopped without an end time (killed, or still running)"
    return {
        "folder": str(out),
        "name": manifest["spec"]["name"],
        "spec_hash": manifest["spec_hash"],
        "status": status,
        "total": total,
        "finished": len(records),
        "ok": len(records) - len(errors),
        "errors": len(errors),
        "remaining": total - len(records),
        "failed_runs": {rid: _last_line(r["error"]) for rid, r in sorted(errors.items())},
        "mean_seconds": sum(seconds) / len(seconds) if seconds else None,
        "consolidated": storage._is_fresh(out),
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
        f"  status      {s['status']}",
        f"  runs        {s['finished']}/{s['total']} finished "
        f"({s['ok']} ok, {s['errors']} raised), {s['remaining']} to do",
    ]
    if s["mean_seconds"] is not None:
        lines.append(f"  run time    {s['mean_seconds']:.3f} s per run (mean, in the worker)")
    lines.append(
        "  tables      "
        + ("up to date" if s["consolidated"] else "not consolidated (load() or --csv does it)")
    )
    for entry in s["history"]:
        lines.append(
            f"  call        {entry.get('started')} -> {entry.get('finished') or '?'}  "
            f"{entry.get('outcome')}  {entry.get('executor')} x{entry.get('workers') or '-'}  "
            f"ran {entry.get('computed', '?')}, skipped {entry.get('skipped')}"
        )
    for k, (rid, line) in enumerate(s["failed_runs"].items()):
        if k == max_errors:
            lines.append(f"  ... and {len(s['failed_runs']) - max_errors} more failed runs")
            break
        lines.append(f"  failed      {rid}: {line}")
    if s["remaining"]:
        lines.append("  resume with the same `isohybrid sweep SPEC --out DIR` command")
    return "\n".join(lines)
