"""A case as plain, stable data: what golden files, `zorgroute simulate` and subject access show as the
case. Pure (flows only), so the engine-level golden runner and the bot share one shape."""

from __future__ import annotations

from typing import Any

from flows.case import Case


def case_snapshot(case: Case) -> dict[str, Any]:
    # Earlier submissions only where a step was submitted again (keeps the other snapshots as they were).
    earlier = {"earlier": {k: list(v) for k, v in sorted(case.earlier.items())}} if case.earlier else {}
    corrections = (
        {
            "corrections": [
                {"step": c.step, "field": c.field, "value": c.value, "by": c.by_member, "attempt": c.attempt}
                for c in case.corrections
            ]
        }
        if case.corrections
        else {}
    )
    return {
        "ref": case.ref,
        "route": f"{case.route_id}@{case.route_version}",
        "status": case.status,
        "step": case.step,
        "priority": case.priority,
        "pupil": case.pupil.label if case.pupil else None,
        "flags": sorted(case.flags),
        "consent": None
        if case.consent is None
        else {"status": case.consent.status, "method": case.consent.method, "on": case.consent.on},
        "regiehouder": case.regiehouder,
        "assigned": dict(sorted(case.assigned.items())),
        "participants": sorted(
            ({"member": p.member_id, "reason": p.reason, "step": p.step} for p in case.participants),
            key=lambda p: (p["member"], p["reason"]),
        ),
        "counters": dict(sorted(case.counters.items())),
        "outcome": case.outcome,
        **(
            {"stack": [f"{f.route_id}@{f.route_version}>{f.return_to}" for f in case.stack]}
            if case.stack
            else {}
        ),
        "data": case.data,
        **earlier,
        **corrections,
        "timeline": [
            {
                "at": e.at.isoformat(),
                "member": e.member_id,
                "role": e.role,
                "step": e.step,
                "action": e.action,
                "summary": e.summary,
                "to": e.to_step,
            }
            for e in case.timeline
        ],
    }
