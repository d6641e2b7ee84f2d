"""Every task row carries its case's definition (`human_task.definition_id`), which the supervision
figures group and filter by: filled when the row is created (by a person's step, by the timer worker),
moved with the case to a new version, and filled for existing rows by migration 0009."""
import time
import uuid

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from tests.conftest import PG_URL
from tests.factories import actor, deploy_test_process, make_user
from workflows import migration, runtime, schema, versions, worker
from workflows.actors import Actor
from workflows.db import make_engine
from workflows.models import HumanTask, ProcessInstance

from .helpers import complete, register
from .test_versions import withdrawal_files


def _definitions_of_rows(session, instance):
    """The distinct definition ids on a case's task rows."""
    return set(session.scalars(select(HumanTask.definition_id).where(HumanTask.instance_id == instance.id)))


def _rows_differing_from_their_case(session):
    return session.scalar(select(func.count()).select_from(HumanTask)
                          .join(ProcessInstance, HumanTask.instance_id == ProcessInstance.id)
                          .where(HumanTask.definition_id != ProcessInstance.definition_id))


def test_rows_created_by_registration_and_completion_carry_the_cases_definition(session, user_named):
    case = register(session, user_named('clerk'))
    complete(session, case, 'accept', user_named('clerk'), {'materials_complete': True})
    assert _definitions_of_rows(session, case) == {case.definition_id}
    assert session.scalar(select(func.count()).where(HumanTask.instance_id == case.id)) == 2


@pytest.mark.slow   # waits a second for a real timer
def test_a_row_created_by_the_timer_worker_carries_the_cases_definition(session_factory):
    with session_factory() as session:
        deploy_test_process(session, 'reminder')
        clerk = make_user(session, 'clerk')
        instance = runtime.start_instance(session, 'reminder', {'wait': 'PT1S'}, actor(clerk))
        session.commit()
        instance_id = instance.id
    time.sleep(1.2)
    assert worker.run_once(session_factory, 'w1') == 1
    with session_factory() as session:
        instance = session.get(ProcessInstance, instance_id)
        after_wait = session.scalars(select(HumanTask).where(HumanTask.instance_id == instance_id,
                                                             HumanTask.spec_id == 'after_wait')).one()
        assert after_wait.definition_id == instance.definition_id


def test_a_migrated_case_moves_all_its_rows_to_the_new_definition(session, user_named):
    admin = Actor(user_named('admin'))
    moved = register(session, user_named('clerk'))
    stays = register(session, user_named('clerk'), account_no='100000000002')   # one open case per person and type
    complete(session, moved, 'accept', user_named('clerk'), {'materials_complete': True})  # done; review open
    v1 = moved.definition_id
    v2 = versions.publish(session, versions.save_draft(session, withdrawal_files(review_name='审核（新）'), admin),
                          admin)
    session.commit()
    migration.migrate(session, moved, v2, admin, '审核步骤更名')
    session.commit()
    assert _definitions_of_rows(session, moved) == {v2.id}
    assert _definitions_of_rows(session, stays) == {v1}
    complete(session, moved, 'review', user_named('reviewer'), {'decision': 'approve'})   # the next row: v2
    assert _definitions_of_rows(session, moved) == {v2.id}
    assert _rows_differing_from_their_case(session) == 0


@pytest.fixture(params=['sqlite'] + (['postgresql'] if PG_URL else []))
def empty_engine(request, tmp_path):
    """An engine on an empty database of each configured backend."""
    if request.param == 'sqlite':
        engine = make_engine(f'sqlite:///{tmp_path / "m.db"}')
        yield engine
        engine.dispose()
        return
    admin = create_engine(PG_URL, isolation_level='AUTOCOMMIT')
    name = f'gjj_test_{uuid.uuid4().hex[:10]}'
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE {name}'))
    engine = make_engine(make_url(PG_URL).set(database=name).render_as_string(hide_password=False))
    yield engine
    engine.dispose()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS {name} WITH (FORCE)'))
    admin.dispose()


def test_migration_0009_fills_existing_rows_from_their_cases(empty_engine):
    schema.upgrade(empty_engine, '0008')
    with empty_engine.begin() as conn:
        conn.execute(text("INSERT INTO role (code, name_zh, name_en, is_business) "
                          "VALUES ('clerk', '经办', 'Clerk', true)"))
        for definition_id, key in ((1, 'withdrawal'), (2, 'loan')):
            conn.execute(text("INSERT INTO process_definition (id, key, version, name, content_hash, properties, "
                              "deployed_at) VALUES (:id, :key, 1, :key, :key, '{}', '2026-01-01 00:00:00')"),
                         {'id': definition_id, 'key': key})
        for instance_id, definition_id in ((10, 1), (11, 2), (12, 2)):
            conn.execute(text("INSERT INTO process_instance (id, definition_id, business_key, title, status, "
                              "started_at, version) VALUES (:id, :d, :bk, 'x', 'running', '2026-01-01 00:00:00', 1)"),
                         {'id': instance_id, 'd': definition_id, 'bk': f'BK{instance_id}'})
        for task_id, instance_id in ((100, 10), (101, 10), (102, 11), (103, 12)):
            conn.execute(text("INSERT INTO human_task (id, instance_id, task_guid, spec_id, name, role_code, state, "
                              "created_at, due_provisional) VALUES (:id, :i, :g, 'accept', '受理', 'clerk', "
                              "'completed', '2026-01-01 00:00:00', false)"),
                         {'id': task_id, 'i': instance_id, 'g': f'guid-{task_id}'})
    schema.upgrade(empty_engine)
    with empty_engine.connect() as conn:
        rows = dict(conn.execute(text('SELECT id, definition_id FROM human_task ORDER BY id')).all())
        indexes = {name for (name,) in conn.execute(text(
            "SELECT indexname FROM pg_indexes WHERE tablename = 'human_task'" if conn.dialect.name == 'postgresql'
            else "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'human_task'"))}
    assert rows == {100: 1, 101: 1, 102: 2, 103: 2}
    assert {'ix_human_task_done', 'ix_human_task_open'} <= indexes
