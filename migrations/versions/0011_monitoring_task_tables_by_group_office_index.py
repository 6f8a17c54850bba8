"""monitoring: task tables by procedure group, an office's tasks by index, covering indexes

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04 02:20:00

Every task summary gains the procedure group, so a group filter is answered from the day and month
tables instead of the tasks themselves; the month table by group (stats_task_month, filled from the
tasks) is then the month totals with the group, and goes. An office's tasks are read by an index on
office and day opened. The facts' day and unit-day indexes, and new ranking indexes on the office
and unit months, carry the other dimensions and the measures that series and rankings sum (PostgreSQL
INCLUDE), so those are read from the index alone.
"""

from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

TASK_TABLES = (
    'stats_task_day',
    'stats_task_type_day',
    'stats_task_type_month',
    'stats_task_contract_day',
    'stats_task_contract_month',
    'stats_task_month_totals',
)
# Frozen at this revision (postal_hub.monitoring.models.COVERED_MEASURES).
COVERED = [
    'dossiers',
    'closed',
    'on_time',
    'postal_rated',
    'postal_satisfied',
    'unit_rated',
    'unit_satisfied',
    'digitized',
    'wait_timed',
    'wait_ok',
    'unit_done',
    'unit_on_time',
]
UNIT_DAY_INCLUDE = ['group_id', 'channel', 'province_code', 'operator_id', *COVERED]
DAY_INCLUDE = ['office_id', 'unit_id', 'group_id', 'channel', 'province_code', 'operator_id', *COVERED]
RANKING_INDEXES = (
    ('stats_office_month', 'ix_stats_office_month_ranking', 'office_id'),
    ('stats_unit_month', 'ix_stats_unit_month_ranking', 'unit_id'),
)
TASK_MEASURES = ('tasks', 'tasks_done', 'tasks_on_time', 'tasks_late', 'tasks_open', 'tasks_overdue')


def upgrade() -> None:
    for name in TASK_TABLES:
        # Rows written before this revision count under "no group" until the next round rebuilds them.
        with op.batch_alter_table(name, schema=None) as batch_op:
            batch_op.add_column(sa.Column('group_id', sa.Integer(), nullable=False, server_default='0'))
        with op.batch_alter_table(name, schema=None) as batch_op:
            batch_op.alter_column('group_id', server_default=None)

    with op.batch_alter_table('stats_task_month', schema=None) as batch_op:
        batch_op.drop_index('ix_stats_task_month_month')
    op.drop_table('stats_task_month')

    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.create_index('ix_tasks_office_created', ['post_office_id', 'created_at'], unique=False)
        # The office alone is the new index's first column: the old one only costs writes.
        batch_op.drop_index('ix_tasks_post_office_id')

    with op.batch_alter_table('dossier_facts', schema=None) as batch_op:
        batch_op.drop_index('ix_dossier_facts_day')
        batch_op.create_index('ix_dossier_facts_day', ['day'], unique=False, postgresql_include=DAY_INCLUDE)
        batch_op.drop_index('ix_dossier_facts_unit_day')
        batch_op.create_index(
            'ix_dossier_facts_unit_day',
            ['unit_id', 'day', 'office_id'],
            unique=False,
            postgresql_include=UNIT_DAY_INCLUDE,
        )

    for table, index, key in RANKING_INDEXES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(
                index,
                ['month', 'channel', 'group_id'],
                unique=False,
                postgresql_include=[key, 'province_code', 'operator_id', *COVERED],
            )

    # The task tables are rebuilt with their groups by the next worker round, as a first round does.
    op.execute("UPDATE stats_refresh_state SET refreshed_at = NULL")


def downgrade() -> None:
    for table, index, _key in RANKING_INDEXES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(index)

    with op.batch_alter_table('dossier_facts', schema=None) as batch_op:
        batch_op.drop_index('ix_dossier_facts_unit_day')
        batch_op.create_index('ix_dossier_facts_unit_day', ['unit_id', 'day', 'office_id'], unique=False)
        batch_op.drop_index('ix_dossier_facts_day')
        batch_op.create_index('ix_dossier_facts_day', ['day'], unique=False)

    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.create_index('ix_tasks_post_office_id', ['post_office_id'], unique=False)
        batch_op.drop_index('ix_tasks_office_created')

    op.create_table(
        'stats_task_month',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('month', sa.Date(), nullable=False),
        sa.Column('contract_id', sa.Integer(), nullable=False),
        sa.Column('task_type', sa.String(length=30), nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=False),
        sa.Column('operator_id', sa.Integer(), nullable=False),
        sa.Column('province_code', sa.String(length=8), nullable=False),
        sa.Column('group_id', sa.Integer(), nullable=False),
        *[sa.Column(m, sa.Integer(), nullable=False) for m in TASK_MEASURES],
        sa.PrimaryKeyConstraint('id', name=op.f('pk_stats_task_month')),
    )
    with op.batch_alter_table('stats_task_month', schema=None) as batch_op:
        batch_op.create_index('ix_stats_task_month_month', ['month', 'unit_id'], unique=False)

    for name in reversed(TASK_TABLES):
        with op.batch_alter_table(name, schema=None) as batch_op:
            batch_op.drop_column('group_id')
    op.execute("UPDATE stats_refresh_state SET refreshed_at = NULL")
