"""Cases: the mapping between the engine's immutable `Case` and its rows. Never commits."""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import asdict
from datetime import datetime
from functools import lru_cache
from typing import Any, TypeVar, cast
from zoneinfo import ZoneInfo

from sqlalchemy import (
    Column,
    Integer,
    Select,
    Table,
    bindparam,
    delete,
    event,
    func,
    insert,
    inspect,
    select,
    text,
    update,
)
from sqlalchemy import values as values_
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.exc import StaleDataError

from flows.case import Case, Consent, Correction, Draft, Priority, Pupil, RouteFrame, Status, TimelineEntry
from flows.participants import Participant
from storage.cipher import Cipher, PlainCipher
from storage.db import STORED_ROUTES_INFO
from storage.inserts import insert_new, table
from storage.models.case import CaseRow, FirstMoveRow, ParticipantRow, PupilRow, RouteVersionRow, TimelineRow
from storage.models.outbox import OutboxRow
from storage.quick_reads import Awaited, PointReads, QuickCase, QuickReads, adopt, detached

log = logging.getLogger(__name__)
T = TypeVar("T")

# Each case's first moment of each move, from the timeline (migrations 0007 and 0011 do the same): the
# moments, then their local day numbers (`move_day`), in SQL where the database knows the zones.
BACKFILL_FIRST_MOVES = """
INSERT INTO case_first_move (case_id, step, to_step, at, day)
SELECT case_id, step, to_step, MIN(at), 0 FROM timeline_entry
WHERE to_step IS NOT NULL AND to_step <> step
GROUP BY case_id, step, to_step
"""
FILL_MOVE_DAYS_POSTGRESQL = """
UPDATE case_first_move AS m
SET day = (timezone(c.timezone, timezone('UTC', m.at)))::date - DATE '0001-01-01' + 1
FROM case_file AS c WHERE c.id = m.case_id AND m.day = 0
"""


def move_day(at: datetime, timezone: str) -> int:
    """A move's local date in the case's time zone as a day number (`date.toordinal()`), which
    `case_first_move.day` keeps for the report."""
    return at.astimezone(_zone(timezone)).date().toordinal()


@lru_cache(maxsize=16)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


# Each case's participants from before they were stored: its creator and every member on its timeline, with
# the role they acted in (flows.participants.from_timeline; migration 0009 runs the same statements).
BACKFILL_PARTICIPANTS = (
    """
INSERT INTO case_participant (case_id, member_id, reason, step, at)
SELECT id, created_by, 'signalled', NULL, created_at FROM case_file
WHERE created_by IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM case_participant p
                  WHERE p.case_id = case_file.id AND p.member_id = case_file.created_by
                    AND p.reason = 'signalled')
""",
    """
INSERT INTO case_participant (case_id, member_id, reason, step, at)
SELECT t.case_id, t.member_id, t.role, NULL, MIN(t.at) FROM timeline_entry t
WHERE t.member_id IS NOT NULL AND t.role IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM case_participant p
                  WHERE p.case_id = t.case_id AND p.member_id = t.member_id AND p.reason = t.role)
GROUP BY t.case_id, t.member_id, t.role
""",
)

# The columns save() may change on a stored case (flush_deferred writes the changed ones).
UPDATABLE = (
    "route_id",
    "route_version",
    "step",
    "status",
    "priority",
    "timezone",
    "pupil_id",
    "updated_at",
    "step_entered_at",
    "closed_at",
    "state",
    "content",
)

EMPTY_CONTENT: dict[str, dict[str, Any]] = {"data": {}, "drafts": {}}


class CaseRepository:
    def __init__(
        self,
        session: AsyncSession,
        cipher: Cipher | None = None,
        quick: Callable[[], QuickReads | None] = lambda: None,
        point: Callable[[], PointReads | None] = lambda: None,
    ) -> None:
        self.session = session
        self.cipher = cipher or PlainCipher()
        self._quick = quick  # storage/quick_reads.py: the SQLite reader's ORM session, for lists
        self._point = point  # ... and point reads on either database
        self._held: list[object] = []
        # Not None: save() keeps the timeline rows it appends here (and the loaded case rows it changes in
        # _changed), and flush_deferred() writes them together (a batch of follow-ups; one transaction).
        self._deferred: list[dict[str, Any]] | None = None
        self._changed: dict[int, CaseRow] = {}

    def begin_deferred(self) -> None:
        self._deferred, self._changed = [], {}

    async def flush_deferred(self) -> None:
        """Write what save() kept since begin_deferred: the changed cases, one UPDATE … FROM (VALUES …) per
        set of changed columns, each case still checked against the revision it was read at (raises
        StaleDataError when one changed meanwhile, as the ORM's flush would); then the timeline rows."""
        rows, self._deferred = self._deferred or [], None
        changed, self._changed = self._changed, {}
        groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
        for case_row in changed.values():
            # The columns set since the row was read to another value: what the ORM's history says, without
            # building a history object for every attribute of every case (a tenth of a batch's time).
            original = inspect(case_row).committed_state
            columns = tuple(
                key for key in UPDATABLE if key in original and original[key] != getattr(case_row, key)
            )
            if not columns:
                continue
            old = case_row.revision
            values = {key: getattr(case_row, key) for key in columns}
            groups.setdefault(columns, []).append({"id": case_row.id, "old": old, "new": old + 1, **values})
            for key, value in {**values, "revision": old + 1}.items():  # now stored: nothing left to flush
                set_committed_value(case_row, key, value)
        for columns, params in groups.items():
            updated = await self._update_many(columns, params)
            if updated != len(params):
                raise StaleDataError(f"{len(params) - updated} cases changed while their batch fired")
        if rows:
            await self.session.execute(insert(table(TimelineRow)), rows)  # past the ORM's bulk path

    async def _update_many(self, columns: tuple[str, ...], params: list[dict[str, Any]]) -> int:
        """Update these cases' `columns` in one statement where each still has its `old` revision; returns
        how many did. SQLite counts an executemany's rows; PostgreSQL's driver does not, so there it is one
        UPDATE … FROM (VALUES …) RETURNING (SQLite cannot name a VALUES list's columns)."""
        table = cast(Table, CaseRow.__table__)
        dialect = self.session.bind.dialect.name if self.session.bind is not None else "sqlite"
        if dialect != "postgresql":
            statement = (
                update(table)
                .where(table.c.id == bindparam("b_id"), table.c.revision == bindparam("b_old"))
                .values(revision=bindparam("b_new"), **{key: bindparam(f"b_{key}") for key in columns})
            )
            result = await self.session.connection()
            done = await result.execute(statement, [{f"b_{k}": v for k, v in p.items()} for p in params])
            return int(done.rowcount)
        given = values_(
            Column("id", Integer),
            Column("old", Integer),
            Column("new", Integer),
            *(Column(key, table.c[key].type) for key in columns),
            name="given",
        ).data([tuple(p[c] for c in ("id", "old", "new", *columns)) for p in params])
        statement = (
            update(table)
            .where(table.c.id == given.c.id, table.c.revision == given.c.old)
            .values(revision=given.c.new, **{key: given.c[key] for key in columns})
            .returning(table.c.id)
        )
        return len(set(await self.session.scalars(statement)))

    # -- reading ------------------------------------------------------------------------------
    async def _reading(self, read: Callable[[Any], Awaitable[T]]) -> T:
        """`read(session)` through the quick reader's session where it can (SQLite, while this unit of work
        has written nothing), else through the unit of work's own. The case rows it loaded join the unit
        of work's session either way, so saving a case read here reads nothing again."""
        quick = self._quick()
        if quick is not None:
            with quick.orm_session() as loaded:
                if loaded is not None:
                    try:
                        result = await read(Awaited(loaded))
                    except DBAPIError as exc:  # busy, say: the usual way
                        log.info("quick case read fell back: %s", exc)
                    else:
                        adopt(loaded, self.session, CaseRow)
                        return result
        return await read(self.session)

    async def get(self, ref: str) -> Case | None:
        # Every form step and button reads its case first: on SQLite, before the update writes, that is
        # four point reads on the loop's thread (storage/quick_reads.py) instead of four ORM statements.
        point = self._point()
        found = await point.case(ref) if point is not None else None
        if found is not None:
            return self._from_quick(found) if found else None
        row = await self.session.scalar(select(CaseRow).where(CaseRow.ref == ref))
        return None if row is None else await self._to_case(row)

    async def route_of(self, ref: str) -> tuple[str, int] | None:
        """The (route id, version) a case runs on, without loading (and unsealing) the case."""
        row = (
            await self.session.execute(
                select(CaseRow.route_id, CaseRow.route_version).where(CaseRow.ref == ref)
            )
        ).first()
        return None if row is None else (row[0], row[1])

    async def get_by_id(self, case_id: int) -> Case | None:
        row = await self.session.get(CaseRow, case_id)
        return None if row is None else await self._to_case(row)

    async def get_many_by_id(self, case_ids: Sequence[int]) -> dict[int, Case]:
        """Several cases with their timelines, by id, in four statements whatever their number (cases,
        pupils, timelines, participants): the follow-up runner loads a claimed batch's cases at once."""
        wanted = sorted(set(case_ids))
        if not wanted:
            return {}
        rows = list(await self.session.scalars(select(CaseRow).where(CaseRow.id.in_(wanted))))
        pupil_ids = sorted({r.pupil_id for r in rows if r.pupil_id is not None})
        pupils = []
        if pupil_ids:  # into the identity map, where _to_case's session.get finds them without a query
            pupils = list(await self.session.scalars(select(PupilRow).where(PupilRow.id.in_(pupil_ids))))
        # The session's identity map holds rows weakly: keep these for the unit of work, so that save()
        # finds them there instead of reading each case again.
        self._held.extend([*rows, *pupils])
        # Columns, not mapped rows: the timeline is only read here, and mapping it costs more than the query.
        timelines: dict[int, list[TimelineEntry]] = {r.id: [] for r in rows}
        entries = await self.session.execute(
            select(
                TimelineRow.case_id,
                TimelineRow.at,
                TimelineRow.member_id,
                TimelineRow.role,
                TimelineRow.step,
                TimelineRow.action,
                TimelineRow.summary,
                TimelineRow.to_step,
            )
            .where(TimelineRow.case_id.in_(wanted))
            .order_by(TimelineRow.case_id, TimelineRow.seq)
        )
        for case_id, at, member_id, role, step, action, summary, to_step in entries:
            timelines[case_id].append(
                TimelineEntry(at, member_id, role, step, action, dict(summary or {}), to_step)
            )
        found = await self._participants_of([r.id for r in rows])
        cases = {}
        for row in rows:
            cases[row.id] = await self._to_case(
                row, with_timeline=False, participants=found[row.id], timeline=tuple(timelines[row.id])
            )
        return cases

    async def all(self) -> list[Case]:
        rows = await self.session.scalars(select(CaseRow).order_by(CaseRow.id))
        return await self._to_cases(list(rows))

    async def list_open(self, school_ids: Sequence[int]) -> list[Case]:
        """Open cases of these schools, first priority first, then oldest first."""
        if not school_ids:
            return []
        statement = (
            select(CaseRow)
            .where(CaseRow.school_id.in_(school_ids), CaseRow.status == "open")
            .order_by(CaseRow.priority.desc(), CaseRow.created_at, CaseRow.id)
        )
        return await self._reading(lambda session: self._listed(session, statement))

    async def drafts_of(self, member_id: int) -> list[Case]:
        statement = (
            select(CaseRow)
            .where(CaseRow.created_by == member_id, CaseRow.status == "draft")
            .order_by(CaseRow.id)
        )
        return await self._reading(lambda session: self._listed(session, statement))

    async def _listed(self, session: Any, statement: Select[CaseRow]) -> list[Case]:
        rows = list(await session.scalars(statement))
        return await self._to_cases(rows, with_timeline=False, via=session)

    def _own_pupils(self, school_id: int, member_id: int) -> Select[PupilRow]:
        """Pupils at the school of cases `member_id` signalled: a teacher picks from their own pupils, never
        from a colleague's (whose labels, safety cases included, they have no need to know)."""
        signalled = select(CaseRow.pupil_id).where(
            CaseRow.school_id == school_id, CaseRow.created_by == member_id, CaseRow.pupil_id.is_not(None)
        )
        return select(PupilRow).where(PupilRow.school_id == school_id, PupilRow.id.in_(signalled))

    async def recent_pupils(self, school_id: int, member_id: int, limit: int = 8) -> list[Pupil]:
        rows = await self.session.scalars(
            self._own_pupils(school_id, member_id).order_by(PupilRow.id.desc()).limit(limit)
        )
        return [Pupil(r.id, r.label, r.number) for r in rows]

    async def pupil(self, school_id: int, member_id: int, pupil_id: int) -> Pupil | None:
        """One of the member's own pupils (see recent_pupils), or None."""
        row = await self.session.scalar(self._own_pupils(school_id, member_id).where(PupilRow.id == pupil_id))
        return None if row is None else Pupil(row.id, row.label, row.number)

    # -- writing ------------------------------------------------------------------------------
    async def save(
        self,
        case: Case,
        now: datetime,
        appended: Sequence[TimelineEntry] = (),
        *,
        stored: Case | None = None,
    ) -> Case:
        """Insert or update the case and append `appended` to its timeline (append-only: entries already
        stored are never rewritten). Returns the case with its ids.

        `stored`: the case as this transaction read it from the database, timeline and participants whole
        (CaseService passes the case it advanced). Its timeline length is then the stored count and its
        participants are known to be stored, so an update of a loaded case runs no statement of its own: its
        writes wait for the next flush, where the ORM sends many cases' rows together."""
        pupil = await self._ensure_pupil(case, now)
        if pupil is not case.pupil:  # a new pupil, with its id: only then is the case copied
            case = case.with_(pupil=pupil)
        row = None if case.id is None else await self.session.get(CaseRow, case.id)
        already: set[Participant] = set()
        if row is not None and stored is not None and stored.id == row.id:
            known = len(stored.timeline)
            already = set(stored.participants)
        elif row is None:
            row = CaseRow(
                ref=case.ref, school_id=case.school_id, created_at=case.created_at, created_by=case.created_by
            )
            self.session.add(row)
            known = 0
        else:
            known = (
                await self.session.scalar(
                    select(func.count()).select_from(TimelineRow).where(TimelineRow.case_id == row.id)
                )
                or 0
            )
        row.route_id, row.route_version, row.step = case.route_id, case.route_version, case.step
        row.status, row.priority, row.timezone = case.status, case.priority, case.timezone
        row.pupil_id = pupil.id if pupil else None
        row.updated_at, row.step_entered_at = now, case.step_entered_at
        if not case.is_open and row.closed_at is None:
            row.closed_at = now
        row.state = _state(case)
        row.content = self.cipher.seal(json.dumps(_content(case), sort_keys=True))
        if self._deferred is not None and row.id is not None and stored is not None:
            self._changed[row.id] = row  # written by flush_deferred, with the batch's other cases
        if row.id is None:
            await self.session.flush()  # the new case's id, for its timeline and participants
        for seq, entry in enumerate(appended, start=known):
            values = dict(
                case_id=row.id,
                seq=seq,
                at=entry.at,
                member_id=entry.member_id,
                role=entry.role,
                step=entry.step,
                action=entry.action,
                summary=entry.summary,
                to_step=entry.to_step,
            )
            if self._deferred is not None:
                self._deferred.append(values)
            else:
                self.session.add(TimelineRow(**values))
        await self._record_first_moves(row.id, row.timezone, appended)
        for p in case.participants:  # participants are only ever added: insert the new ones
            if p in already:
                continue
            await insert_new(
                self.session,
                ParticipantRow,
                {"case_id": row.id, "member_id": p.member_id, "reason": p.reason, "step": p.step, "at": p.at},
                key=("case_id", "member_id", "reason"),
            )
        return case if case.id == row.id else case.with_(id=row.id)

    async def _record_first_moves(
        self, case_id: int, timezone: str, appended: Sequence[TimelineEntry]
    ) -> None:
        """Keep `case_first_move` (the report's milestones) with the timeline, in the same transaction: the
        first entry of each move wins, a later identical move leaves the stored moment alone."""
        first: dict[tuple[str, str], datetime] = {}
        for entry in appended:
            if entry.to_step is not None and entry.to_step != entry.step:
                first.setdefault((entry.step, entry.to_step), entry.at)
        for (step, to_step), at in first.items():
            await insert_new(
                self.session,
                FirstMoveRow,
                {
                    "case_id": case_id,
                    "step": step,
                    "to_step": to_step,
                    "at": at,
                    "day": move_day(at, timezone),
                },
                key=("case_id", "step", "to_step"),
            )

    async def backfill_first_moves(self) -> None:
        """Fill `case_first_move` from the timeline (what migrations 0007 and 0011 run; also seeded data)."""
        await backfill_first_moves(self.session)

    async def backfill_participants(self) -> None:
        """Give cases their participants from their timeline (what migration 0009 runs)."""
        for statement in BACKFILL_PARTICIPANTS:
            await self.session.execute(text(statement))

    async def _ensure_pupil(self, case: Case, now: datetime) -> Pupil | None:
        pupil = case.pupil
        if pupil is None or pupil.id is not None:
            return pupil
        existing = await self.session.scalar(
            select(PupilRow).where(
                PupilRow.school_id == case.school_id,
                PupilRow.label == pupil.label,
                PupilRow.number.is_(None) if pupil.number is None else PupilRow.number == pupil.number,
            )
        )
        row = existing or PupilRow(
            school_id=case.school_id, label=pupil.label, number=pupil.number, created_at=now
        )
        if existing is None:
            self.session.add(row)
            await self.session.flush()
        return Pupil(row.id, row.label, row.number)

    async def remember_route(self, route_id: str, version: int, definition: str, now: datetime) -> None:
        """Keep the route definition a case starts on (once per version; concurrent first cases of many
        teachers all store it without one of them failing the key)."""
        stored: set[tuple[str, int]] = self.session.info.get(STORED_ROUTES_INFO, set())
        if (route_id, version) in stored:
            return
        digest = hashlib.sha256(definition.encode()).hexdigest()
        values = dict(route_id=route_id, version=version, definition=definition, sha256=digest, stored_at=now)
        await insert_new(self.session, RouteVersionRow, values, key=("route_id", "version"))
        # Known stored once this commits: later cases on this version skip the statement.
        event.listen(
            self.session.sync_session, "after_commit", lambda _s: stored.add((route_id, version)), once=True
        )

    async def stored_routes(self) -> list[tuple[str, int, str]]:
        rows = await self.session.scalars(select(RouteVersionRow))
        return [(r.route_id, r.version, r.definition) for r in rows]

    # -- privacy: retention, erasure, offboarding ------------------------------------------------
    async def active(self, school_ids: Sequence[int]) -> list[Case]:
        """Draft and open cases of these schools (offboarding looks for assignments and drafts)."""
        if not school_ids:
            return []
        rows = await self.session.scalars(
            select(CaseRow)
            .where(CaseRow.school_id.in_(list(school_ids)), CaseRow.status.in_(("draft", "open")))
            .order_by(CaseRow.id)
        )
        return await self._to_cases(list(rows))

    async def closed_before(self, before: datetime) -> list[Case]:
        """Closed or cancelled cases, closed before `before` and not yet anonymised."""
        rows = await self.session.scalars(
            select(CaseRow)
            .where(
                CaseRow.status.in_(("closed", "cancelled")),
                CaseRow.closed_at < before,
                CaseRow.anonymised_at.is_(None),
            )
            .order_by(CaseRow.id)
        )
        return await self._to_cases(list(rows))

    async def of_pupil(self, pupil_id: int) -> list[Case]:
        rows = await self.session.scalars(
            select(CaseRow).where(CaseRow.pupil_id == pupil_id).order_by(CaseRow.id)
        )
        return await self._to_cases(list(rows))

    async def anonymise(self, case_id: int, now: datetime, *, status: str | None = None) -> None:
        """Keep the case's shape (route, steps, dates, who acted) and drop its content: what people wrote,
        the pupil link, the timeline's summaries and the pupil label in its notifications."""
        row = await self.session.get(CaseRow, case_id)
        if row is None:
            return
        row.content = self.cipher.seal(json.dumps(EMPTY_CONTENT, sort_keys=True))
        row.pupil_id = None
        row.anonymised_at = now
        if status is not None and row.status in ("draft", "open"):
            row.status, row.closed_at = status, now
        await self.session.execute(
            update(TimelineRow).where(TimelineRow.case_id == case_id).values(summary={})
        )
        for outbox in await self.session.scalars(select(OutboxRow).where(OutboxRow.case_id == case_id)):
            outbox.payload = {**outbox.payload, "pupil": None}
        await self.session.flush()

    async def drop_orphan_pupils(self, pupil_ids: Sequence[int]) -> int:
        """Delete these pupils where no case refers to them any more; returns how many."""
        if not pupil_ids:
            return 0
        still_used = select(CaseRow.pupil_id).where(CaseRow.pupil_id.is_not(None))
        result = await self.session.execute(
            delete(PupilRow).where(PupilRow.id.in_(list(pupil_ids)), PupilRow.id.not_in(still_used))
        )
        return int(getattr(result, "rowcount", 0) or 0)

    # -- mapping ------------------------------------------------------------------------------
    async def _to_cases(self, rows: list[CaseRow], with_timeline: bool = True, via: Any = None) -> list[Case]:
        """Many cases, their participants read in one statement (the policy needs them for every list).
        `via`: the session to read with (`_reading`); the unit of work's by default."""
        found = await self._participants_of([r.id for r in rows], via)
        return [await self._to_case(r, with_timeline, found[r.id], via) for r in rows]

    async def _participants_of(
        self, case_ids: list[int], via: Any = None
    ) -> dict[int, tuple[Participant, ...]]:
        found: dict[int, list[Participant]] = {case_id: [] for case_id in case_ids}
        if case_ids:
            session = via or self.session
            rows = await session.execute(  # columns: mapping rows only read costs more than the query
                select(
                    ParticipantRow.case_id,
                    ParticipantRow.member_id,
                    ParticipantRow.reason,
                    ParticipantRow.at,
                    ParticipantRow.step,
                )
                .where(ParticipantRow.case_id.in_(case_ids))
                .order_by(ParticipantRow.at, ParticipantRow.member_id, ParticipantRow.reason)
            )
            for case_id, member_id, reason, at, step in rows:
                found[case_id].append(Participant(member_id, reason, at, step))
        return {case_id: tuple(people) for case_id, people in found.items()}

    async def _to_case(
        self,
        row: CaseRow,
        with_timeline: bool = True,
        participants: tuple[Participant, ...] | None = None,
        via: Any = None,
        timeline: tuple[TimelineEntry, ...] = (),
    ) -> Case:
        """The case of `row`; its timeline read here `with_timeline`, else `timeline` (read by the caller)."""
        session = via or self.session
        pupil = None
        if row.pupil_id is not None:
            p = await session.get(PupilRow, row.pupil_id)
            pupil = Pupil(p.id, p.label, p.number) if p else None
        if with_timeline:
            entries = await session.scalars(
                select(TimelineRow).where(TimelineRow.case_id == row.id).order_by(TimelineRow.seq)
            )
            timeline = tuple(
                TimelineEntry(e.at, e.member_id, e.role, e.step, e.action, dict(e.summary or {}), e.to_step)
                for e in entries
            )
        if participants is None:
            participants = (await self._participants_of([row.id], via))[row.id]
        return self._built(row, pupil, timeline, participants)

    def _from_quick(self, found: QuickCase) -> Case:
        """The case of a quick read (storage/quick_reads.py), its row joining the unit of work's session."""
        columns, pupil, timeline, participants = found
        row = self.session.sync_session.identity_map.get(
            CaseRow.__mapper__.identity_key_from_primary_key((columns["id"],))
        )
        if not isinstance(row, CaseRow):
            row = detached(CaseRow, columns)
            self.session.add(row)
        return self._built(
            row,
            None if pupil is None else Pupil(pupil["id"], pupil["label"], pupil["number"]),
            tuple(
                TimelineEntry(
                    e["at"],
                    e["member_id"],
                    e["role"],
                    e["step"],
                    e["action"],
                    dict(e["summary"] or {}),
                    e["to_step"],
                )
                for e in timeline
            ),
            tuple(Participant(p["member_id"], p["reason"], p["at"], p["step"]) for p in participants),
        )

    def _built(
        self,
        row: CaseRow,
        pupil: Pupil | None,
        timeline: tuple[TimelineEntry, ...],
        participants: tuple[Participant, ...],
    ) -> Case:
        # Held for the unit of work: the session's identity map holds rows weakly, and save() would read
        # the row of a case this update loaded once more.
        self._held.append(row)
        state = row.state or {}
        content = json.loads(self.cipher.open(row.content)) if row.content else {}
        consent = state.get("consent")
        return Case(
            id=row.id,
            ref=row.ref,
            school_id=row.school_id,
            route_id=row.route_id,
            route_version=row.route_version,
            step=row.step,
            status=cast(Status, row.status),
            created_by=row.created_by or 0,
            created_at=row.created_at,
            timezone=row.timezone,
            priority=cast(Priority, row.priority),
            pupil=pupil,
            flags=frozenset(state.get("flags", [])),
            data=content.get("data", {}),
            earlier={k: tuple(v) for k, v in content.get("earlier", {}).items()},
            corrections=tuple(
                Correction(
                    c["step"],
                    c["field"],
                    c["value"],
                    c["by"],
                    datetime.fromisoformat(c["at"]),
                    c.get("attempt", 0),
                )
                for c in content.get("corrections", [])
            ),
            drafts={
                int(m): Draft(d["step"], d.get("values", {}), d.get("pending"))
                for m, d in content.get("drafts", {}).items()
            },
            consent=None
            if consent is None
            else Consent(
                consent["status"],
                consent["method"],
                consent["on"],
                consent["by_member"],
                datetime.fromisoformat(consent["recorded_at"]),
            ),
            regiehouder=state.get("regiehouder"),
            assigned={k: int(v) for k, v in state.get("assigned", {}).items()},
            counters={k: int(v) for k, v in state.get("counters", {}).items()},
            participants=participants,
            outcome=state.get("outcome"),
            stack=tuple(
                RouteFrame(f["route_id"], int(f["route_version"]), f["return_to"])
                for f in state.get("stack", [])
            ),
            step_entered_at=row.step_entered_at,
            timeline=timeline,
        )


def _state(case: Case) -> dict[str, Any]:
    consent = None
    if case.consent is not None:
        consent = {**asdict(case.consent), "recorded_at": case.consent.recorded_at.isoformat()}
    return {
        "flags": sorted(case.flags),
        "counters": case.counters,
        "consent": consent,
        "assigned": case.assigned,
        "regiehouder": case.regiehouder,
        "outcome": case.outcome,
        # The routes a sub-route (the Meldcode) returns the case to: routing state, no content.
        **({"stack": [asdict(f) for f in case.stack]} if case.stack else {}),
    }


def _content(case: Case) -> dict[str, Any]:
    return {
        "data": case.data,
        "earlier": {k: list(v) for k, v in case.earlier.items()},
        "corrections": [
            {
                "step": c.step,
                "field": c.field,
                "value": c.value,
                "by": c.by_member,
                "at": c.at.isoformat(),
                "attempt": c.attempt,
            }
            for c in case.corrections
        ],
        "drafts": {
            str(m): {"step": d.step, "values": d.values, "pending": d.pending} for m, d in case.drafts.items()
        },
    }


async def backfill_first_moves(session: AsyncSession) -> None:
    """Each case's first moment of each move from the timeline, with its local day number: PostgreSQL
    converts with its own zone data, on SQLite (no zone data) the days are counted here."""
    await session.execute(text(BACKFILL_FIRST_MOVES))
    bind = session.bind
    if bind is not None and bind.dialect.name == "postgresql":
        await session.execute(text(FILL_MOVE_DAYS_POSTGRESQL))
        return
    rows = (
        await session.execute(
            select(
                FirstMoveRow.case_id,
                FirstMoveRow.step,
                FirstMoveRow.to_step,
                FirstMoveRow.at,
                CaseRow.timezone,
            )
            .join(CaseRow, CaseRow.id == FirstMoveRow.case_id)
            .where(FirstMoveRow.day == 0)
        )
    ).all()
    if rows:
        await session.execute(
            update(FirstMoveRow),
            [
                {"case_id": c, "step": s, "to_step": t, "day": move_day(at, zone)}
                for c, s, t, at, zone in rows
            ],
        )
