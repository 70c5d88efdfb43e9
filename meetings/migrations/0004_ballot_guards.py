"""Database guards of ballots and votes, behind the services and the read-only admin
(DESIGN.md §8):

- vote rows (`meetings_vote`) and the ballot's events are append-only; a staged vote is
  never updated (it is only inserted, then deleted at close); votes and staged votes enter
  only a ballot that is open (closing writes the vote rows before the status changes);
- a ballot's status moves only forward, one step at a time (created → open → closed →
  published), except open → created (a reset) while no unit has voted; once open, its
  settings do not change: while open only the paper counts and what closing writes, once
  closed only publishing (status, time, the bloc-year it elected), once published nothing;
  a ballot that has been opened is never deleted;
- candidates are added, removed or re-pointed only while the ballot is created; their
  counts are written while it is open (paper counts, closing) and never after;
- participation rows are written when the ballot opens, move only from "not voted" to
  voted, and are deleted only unvoted (a reset).

PostgreSQL (production) gets all of it. SQLite (the development database) gets the same
rules for UPDATE but not for DELETE: Django empties SQLite tables between transactional
tests with DELETE (PostgreSQL uses TRUNCATE, which row triggers do not see)."""

from django.db import migrations

APPEND_ONLY = ["meetings_vote", "meetings_ballotevent"]

POSTGRES_FORWARD = [
    *(
        f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION core_append_only();"
        for table in APPEND_ONLY
    ),
    "CREATE TRIGGER meetings_stagedvote_no_update BEFORE UPDATE ON meetings_stagedvote "
    "FOR EACH ROW EXECUTE FUNCTION core_append_only();",
    """
CREATE OR REPLACE FUNCTION meetings_ballot_guard() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  rank_old int;
  rank_new int;
  mutable text[];
BEGIN
  IF TG_OP = 'DELETE' THEN
    IF OLD.status <> 'created' THEN
      RAISE EXCEPTION 'meetings: ballot % was opened and cannot be deleted', OLD.id
        USING ERRCODE = '23000';
    END IF;
    RETURN OLD;
  END IF;
  IF OLD.status = 'created' THEN
    IF NEW.status NOT IN ('created', 'open') THEN
      RAISE EXCEPTION 'meetings: ballot % cannot go from created to %', OLD.id, NEW.status
        USING ERRCODE = '23000';
    END IF;
    RETURN NEW;
  END IF;
  IF OLD.status = 'open' AND NEW.status = 'created' THEN
    IF EXISTS (SELECT 1 FROM meetings_ballotparticipation
               WHERE ballot_id = OLD.id AND voted_method <> '') THEN
      RAISE EXCEPTION 'meetings: ballot % has votes and cannot be reset', OLD.id
        USING ERRCODE = '23000';
    END IF;
    RETURN NEW;
  END IF;
  rank_old := array_position(ARRAY['created','open','closed','published'], OLD.status::text);
  rank_new := array_position(ARRAY['created','open','closed','published'], NEW.status::text);
  IF rank_new IS NULL OR rank_new < rank_old OR rank_new > rank_old + 1 THEN
    RAISE EXCEPTION 'meetings: ballot % cannot go from % to %', OLD.id, OLD.status, NEW.status
      USING ERRCODE = '23000';
  END IF;
  IF OLD.status = 'open' THEN
    mutable := ARRAY['status', 'paper_issued', 'paper_returned', 'paper_valid',
                     'paper_invalid', 'online_returned', 'tie_note', 'closed_at'];
  ELSIF OLD.status = 'closed' THEN
    mutable := ARRAY['status', 'published_at', 'elected_bloc_year_id'];
  ELSE
    mutable := ARRAY[]::text[];
  END IF;
  IF (to_jsonb(NEW) - mutable) IS DISTINCT FROM (to_jsonb(OLD) - mutable) THEN
    RAISE EXCEPTION 'meetings: ballot % is %, its settings and results cannot change',
      OLD.id, OLD.status USING ERRCODE = '23000';
  END IF;
  RETURN NEW;
END
$$;
""",
    "CREATE TRIGGER meetings_ballot_guard BEFORE UPDATE OR DELETE ON meetings_ballot "
    "FOR EACH ROW EXECUTE FUNCTION meetings_ballot_guard();",
    """
CREATE OR REPLACE FUNCTION meetings_ballotcandidate_guard() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  st text;
BEGIN
  IF TG_OP = 'INSERT' THEN
    SELECT status INTO st FROM meetings_ballot WHERE id = NEW.ballot_id;
  ELSE
    SELECT status INTO st FROM meetings_ballot WHERE id = OLD.ballot_id;
  END IF;
  IF st IS NULL OR st = 'created' THEN
    IF TG_OP = 'DELETE' THEN
      RETURN OLD;
    END IF;
    RETURN NEW;
  END IF;
  IF TG_OP = 'UPDATE' AND st = 'open'
     AND NEW.ballot_id = OLD.ballot_id AND NEW.unit_id = OLD.unit_id
     AND NEW.position = OLD.position AND NEW."order" = OLD."order" THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'meetings: the candidates of a ballot that is % cannot change (% refused)',
    st, TG_OP USING ERRCODE = '23000';
END
$$;
""",
    "CREATE TRIGGER meetings_ballotcandidate_guard BEFORE INSERT OR UPDATE OR DELETE "
    "ON meetings_ballotcandidate FOR EACH ROW EXECUTE FUNCTION meetings_ballotcandidate_guard();",
    """
CREATE OR REPLACE FUNCTION meetings_participation_guard() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  st text;
BEGIN
  IF TG_OP = 'INSERT' THEN
    SELECT status INTO st FROM meetings_ballot WHERE id = NEW.ballot_id;
    IF st <> 'created' THEN
      RAISE EXCEPTION 'meetings: entitled units are written only when the ballot opens'
        USING ERRCODE = '23000';
    END IF;
    RETURN NEW;
  END IF;
  SELECT status INTO st FROM meetings_ballot WHERE id = OLD.ballot_id;
  IF TG_OP = 'DELETE' THEN
    IF OLD.voted_method <> '' AND st IS NOT NULL THEN
      RAISE EXCEPTION 'meetings: unit % has voted in ballot %', OLD.unit_id, OLD.ballot_id
        USING ERRCODE = '23000';
    END IF;
    RETURN OLD;
  END IF;
  IF NEW.ballot_id <> OLD.ballot_id OR NEW.unit_id <> OLD.unit_id
     OR (OLD.voted_method <> '' AND NEW.voted_method IS DISTINCT FROM OLD.voted_method)
     OR (NEW.voted_method IS DISTINCT FROM OLD.voted_method AND st <> 'open') THEN
    RAISE EXCEPTION 'meetings: a participation moves only from not voted to voted while open'
      USING ERRCODE = '23000';
  END IF;
  RETURN NEW;
END
$$;
""",
    "CREATE TRIGGER meetings_participation_guard BEFORE INSERT OR UPDATE OR DELETE "
    "ON meetings_ballotparticipation FOR EACH ROW "
    "EXECUTE FUNCTION meetings_participation_guard();",
]

POSTGRES_FORWARD += [
    """
CREATE OR REPLACE FUNCTION meetings_vote_insert_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF (SELECT status FROM meetings_ballot WHERE id = NEW.ballot_id) IS DISTINCT FROM 'open' THEN
    RAISE EXCEPTION 'meetings: votes enter only an open ballot (% refused)', TG_TABLE_NAME
      USING ERRCODE = '23000';
  END IF;
  RETURN NEW;
END
$$;
""",
    *(
        f"CREATE TRIGGER {table}_insert_guard BEFORE INSERT ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION meetings_vote_insert_guard();"
        for table in ("meetings_vote", "meetings_stagedvote")
    ),
]

POSTGRES_BACKWARD = [
    *(
        f"DROP TRIGGER IF EXISTS {table}_insert_guard ON {table};"
        for table in ("meetings_vote", "meetings_stagedvote")
    ),
    "DROP FUNCTION IF EXISTS meetings_vote_insert_guard();",
    "DROP TRIGGER IF EXISTS meetings_participation_guard ON meetings_ballotparticipation;",
    "DROP TRIGGER IF EXISTS meetings_ballotcandidate_guard ON meetings_ballotcandidate;",
    "DROP TRIGGER IF EXISTS meetings_ballot_guard ON meetings_ballot;",
    "DROP TRIGGER IF EXISTS meetings_stagedvote_no_update ON meetings_stagedvote;",
    *(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};" for table in APPEND_ONLY),
    "DROP FUNCTION IF EXISTS meetings_participation_guard();",
    "DROP FUNCTION IF EXISTS meetings_ballotcandidate_guard();",
    "DROP FUNCTION IF EXISTS meetings_ballot_guard();",
]


def _abort(message: str) -> str:
    return f"BEGIN SELECT RAISE(ABORT, '{message}'); END;"


_RANK = (
    "(CASE {ref}.status WHEN 'created' THEN 0 WHEN 'open' THEN 1 WHEN 'closed' THEN 2 ELSE 3 END)"
)


def _rank(ref: str) -> str:
    return _RANK.format(ref=ref)


_BALLOT_STATUS = "(SELECT status FROM meetings_ballot WHERE id = {ref}.ballot_id)"

SQLITE_TRIGGERS = {
    **{
        f"{table}_append_only": f"BEFORE UPDATE ON {table} FOR EACH ROW "
        + _abort(f"{table}: rows are append-only")
        for table in APPEND_ONLY
    },
    "meetings_stagedvote_no_update": "BEFORE UPDATE ON meetings_stagedvote FOR EACH ROW "
    + _abort("meetings_stagedvote: rows are never updated"),
    "meetings_ballot_status_guard": (
        "BEFORE UPDATE ON meetings_ballot FOR EACH ROW WHEN "  # noqa: S608 - constants only
        f"({_rank('NEW')} > {_rank('OLD')} + 1 OR {_rank('NEW')} < {_rank('OLD')}) "
        "AND NOT (OLD.status = 'open' AND NEW.status = 'created' AND NOT EXISTS "
        "(SELECT 1 FROM meetings_ballotparticipation WHERE ballot_id = OLD.id "
        "AND voted_method <> '')) " + _abort("meetings: the ballot status moves only forward")
    ),
    "meetings_ballot_settings_guard": (
        "BEFORE UPDATE ON meetings_ballot FOR EACH ROW WHEN OLD.status <> 'created' "
        "AND NEW.status <> 'created' AND (NEW.kind IS NOT OLD.kind OR NEW.method IS NOT "
        "OLD.method OR NEW.meeting_id IS NOT OLD.meeting_id OR NEW.award_type_id IS NOT "
        "OLD.award_type_id OR NEW.max_winners IS NOT OLD.max_winners OR "
        "NEW.threshold_numerator IS NOT OLD.threshold_numerator OR NEW.threshold_denominator "
        "IS NOT OLD.threshold_denominator OR NEW.threshold_strict IS NOT OLD.threshold_strict "
        "OR NEW.base IS NOT OLD.base OR NEW.self_vote_allowed IS NOT OLD.self_vote_allowed OR "
        "NEW.tie_rule IS NOT OLD.tie_rule OR NEW.publication IS NOT OLD.publication OR "
        "NEW.members_count IS NOT OLD.members_count OR NEW.present_count IS NOT "
        "OLD.present_count) " + _abort("meetings: the ballot settings cannot change once open")
    ),
    "meetings_ballotcandidate_guard": (
        "BEFORE UPDATE ON meetings_ballotcandidate FOR EACH ROW WHEN "
        f"{_BALLOT_STATUS.format(ref='OLD')} IN ('closed', 'published') OR "
        f"({_BALLOT_STATUS.format(ref='OLD')} = 'open' AND (NEW.unit_id IS NOT OLD.unit_id "
        "OR NEW.position IS NOT OLD.position OR NEW.ballot_id IS NOT OLD.ballot_id)) "
        + _abort("meetings: the candidates of this ballot cannot change")
    ),
    "meetings_participation_guard": (
        "BEFORE UPDATE ON meetings_ballotparticipation FOR EACH ROW WHEN "
        "NEW.unit_id IS NOT OLD.unit_id OR NEW.ballot_id IS NOT OLD.ballot_id OR "
        "(OLD.voted_method <> '' AND NEW.voted_method IS NOT OLD.voted_method) "
        + _abort("meetings: a participation moves only from not voted to voted")
    ),
}


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        for sql in POSTGRES_FORWARD:
            schema_editor.execute(sql, params=None)
    elif vendor == "sqlite":
        for name, body in SQLITE_TRIGGERS.items():
            schema_editor.execute(f"CREATE TRIGGER {name} {body}", params=None)
    else:  # pragma: no cover - the product supports PostgreSQL and SQLite only
        raise RuntimeError(f"No ballot triggers for database vendor {vendor!r}")


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        for sql in POSTGRES_BACKWARD:
            schema_editor.execute(sql, params=None)
    elif vendor == "sqlite":
        for name in SQLITE_TRIGGERS:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0003_audit_append_only"),
        ("meetings", "0003_minutes_guards"),
    ]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
