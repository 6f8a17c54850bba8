"""monitoring roll-ups for national views

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 18:14:48.560652
"""

from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

# The measure columns as they were at this revision (frozen here: later changes to the models get
# their own migrations).
MEASURES = (
    'dossiers',
    'digitized',
    'reused',
    'components',
    'components_reused',
    'wait_timed',
    'wait_seconds',
    'wait_ok',
    'wait_ok_30',
    'handle_timed',
    'handle_seconds',
    'handle_ok',
    'closed',
    'on_time',
    'late',
    'open',
    'overdue',
    'late_pickup',
    'late_carriage',
    'late_unit',
    'late_delivery',
    'late_unattributed',
    'unit_done',
    'unit_on_time',
    'unit_overdue',
    'postal_rated',
    'postal_satisfied',
    'unit_rated',
    'unit_satisfied',
)
BIG_MEASURES = ('wait_seconds', 'handle_seconds')
TASK_MEASURES = (
    'tasks',
    'tasks_done',
    'tasks_on_time',
    'tasks_late',
    'tasks_open',
    'tasks_overdue',
)


def _measures(names: tuple[str, ...]) -> list[sa.Column]:
    return [
        sa.Column(name, sa.BigInteger() if name in BIG_MEASURES else sa.Integer(), nullable=False)
        for name in names
    ]


# (table, dimension columns, measures, indexes)
TABLES = (
    (
        'stats_month',
        [('month', sa.Date()), ('province_code', sa.String(length=8)), ('operator_id', sa.Integer()), ('group_id', sa.Integer()), ('channel', sa.String(length=10))],
        MEASURES,
        [('ix_stats_month_month', ['month'])],
    ),
    (
        'stats_office_day',
        [('day', sa.Date()), ('office_id', sa.Integer()), ('province_code', sa.String(length=8)), ('operator_id', sa.Integer())],
        MEASURES,
        [('ix_stats_office_day_day', ['day', 'office_id']), ('ix_stats_office_day_office', ['office_id', 'day'])],
    ),
    (
        'stats_unit_day',
        [('day', sa.Date()), ('unit_id', sa.Integer()), ('province_code', sa.String(length=8)), ('operator_id', sa.Integer())],
        MEASURES,
        [('ix_stats_unit_day_day', ['day', 'unit_id']), ('ix_stats_unit_day_unit', ['unit_id', 'day'])],
    ),
    (
        'stats_office_unit_month',
        [('month', sa.Date()), ('office_id', sa.Integer()), ('unit_id', sa.Integer()), ('province_code', sa.String(length=8)), ('operator_id', sa.Integer())],
        MEASURES,
        [('ix_stats_office_unit_month_office', ['office_id', 'month']), ('ix_stats_office_unit_month_unit', ['unit_id', 'month'])],
    ),
    (
        'stats_task_day',
        [('day', sa.Date()), ('contract_id', sa.Integer()), ('task_type', sa.String(length=30)), ('unit_id', sa.Integer()), ('operator_id', sa.Integer()), ('province_code', sa.String(length=8))],
        TASK_MEASURES,
        [('ix_stats_task_day_day', ['day', 'unit_id']), ('ix_stats_task_day_unit', ['unit_id', 'day'])],
    ),
    (
        'stats_task_type_day',
        [('day', sa.Date()), ('task_type', sa.String(length=30)), ('operator_id', sa.Integer()), ('province_code', sa.String(length=8))],
        TASK_MEASURES,
        [('ix_stats_task_type_day_day', ['day'])],
    ),
    (
        'stats_task_type_month',
        [('month', sa.Date()), ('task_type', sa.String(length=30)), ('operator_id', sa.Integer()), ('province_code', sa.String(length=8))],
        TASK_MEASURES,
        [('ix_stats_task_type_month_month', ['month'])],
    ),
    (
        'stats_task_contract_day',
        [('day', sa.Date()), ('contract_id', sa.Integer()), ('unit_id', sa.Integer()), ('operator_id', sa.Integer()), ('province_code', sa.String(length=8))],
        TASK_MEASURES,
        [('ix_stats_task_contract_day_day', ['day']), ('ix_stats_task_contract_day_unit', ['unit_id', 'day'])],
    ),
    (
        'stats_task_contract_month',
        [('month', sa.Date()), ('contract_id', sa.Integer()), ('unit_id', sa.Integer()), ('operator_id', sa.Integer()), ('province_code', sa.String(length=8))],
        TASK_MEASURES,
        [('ix_stats_task_contract_month_month', ['month']), ('ix_stats_task_contract_month_unit', ['unit_id', 'month'])],
    ),
)


def upgrade() -> None:
    for name, dims, measures, indexes in TABLES:
        op.create_table(
            name,
            sa.Column('id', sa.Integer(), nullable=False),
            *[sa.Column(column, kind, nullable=False) for column, kind in dims],
            *_measures(measures),
            sa.PrimaryKeyConstraint('id', name=op.f(f'pk_{name}')),
        )
        with op.batch_alter_table(name, schema=None) as batch_op:
            for index, columns in indexes:
                batch_op.create_index(index, columns, unique=False)

    # With the office, a unit's served offices are read from the index alone.
    with op.batch_alter_table('dossier_facts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dossier_facts_unit_day'))
        batch_op.create_index('ix_dossier_facts_unit_day', ['unit_id', 'day', 'office_id'], unique=False)

    # The new roll-ups start empty: the next worker round rebuilds every summary, as a first round does.
    op.execute("UPDATE stats_refresh_state SET refreshed_at = NULL")


def downgrade() -> None:
    with op.batch_alter_table('dossier_facts', schema=None) as batch_op:
        batch_op.drop_index('ix_dossier_facts_unit_day')
        batch_op.create_index(batch_op.f('ix_dossier_facts_unit_day'), ['unit_id', 'day'], unique=False)

    for name, _dims, _measures_, indexes in reversed(TABLES):
        with op.batch_alter_table(name, schema=None) as batch_op:
            for index, _columns in indexes:
                batch_op.drop_index(index)
        op.drop_table(name)
