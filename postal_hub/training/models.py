"""Courses, their sessions, enrolments with attendance and score, and the certificates they lead to."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from postal_hub.core.clock import utcnow
from postal_hub.core.orgs.models import Organization
from postal_hub.core.procedures.models import ProcedureGroup
from postal_hub.core.users.models import User
from postal_hub.core.working_calendar import WorkingCalendar
from postal_hub.db import Base, UTCDateTime, enum_check
from postal_hub.training.status import EnrolmentStatus, SessionStatus

course_groups = sa.Table(
    "course_groups",
    Base.metadata,
    sa.Column("course_id", sa.ForeignKey("courses.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("group_id", sa.ForeignKey("procedure_groups.id"), primary_key=True),
)

certificate_groups = sa.Table(
    "certificate_groups",
    Base.metadata,
    sa.Column("certificate_id", sa.ForeignKey("certificates.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("group_id", sa.ForeignKey("procedure_groups.id"), primary_key=True, index=True),
)


class Course(Base):
    __tablename__ = "courses"
    __table_args__ = (
        sa.CheckConstraint("pass_mark BETWEEN 0 AND 100", name="pass_mark_range"),
        sa.CheckConstraint("min_attendance BETWEEN 0 AND 100", name="min_attendance_range"),
        sa.CheckConstraint("duration_hours BETWEEN 1 AND 1000", name="duration_range"),
        sa.CheckConstraint("validity_months BETWEEN 1 AND 120", name="validity_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(32), unique=True)
    title: Mapped[str] = mapped_column(sa.String(255))
    outline: Mapped[str] = mapped_column(sa.Text, default="")
    duration_hours: Mapped[int] = mapped_column(sa.Integer)
    pass_mark: Mapped[int] = mapped_column(sa.Integer)
    # The share of session days a trainee must attend (percent) to pass at all.
    min_attendance: Mapped[int] = mapped_column(sa.Integer, default=80)
    validity_months: Mapped[int] = mapped_column(sa.Integer)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    organization: Mapped[Organization] = relationship()
    groups: Mapped[list[ProcedureGroup]] = relationship(
        secondary=course_groups, order_by="ProcedureGroup.code"
    )
    sessions: Mapped[list[TrainingSession]] = relationship(
        back_populates="course", order_by="TrainingSession.starts_on.desc()"
    )


class TrainingSession(Base):
    __tablename__ = "training_sessions"
    __table_args__ = (
        enum_check("status", SessionStatus),
        sa.CheckConstraint("ends_on >= starts_on", name="dates_ordered"),
        sa.CheckConstraint("capacity BETWEEN 1 AND 500", name="capacity_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("courses.id"), index=True)
    starts_on: Mapped[date] = mapped_column(sa.Date, index=True)
    ends_on: Mapped[date] = mapped_column(sa.Date)
    trainer_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    place: Mapped[str] = mapped_column(sa.String(500), default="")
    online_url: Mapped[str] = mapped_column(sa.String(500), default="")
    capacity: Mapped[int] = mapped_column(sa.Integer)
    status: Mapped[str] = mapped_column(sa.String(12), default=SessionStatus.PLANNED.value, index=True)
    note: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    course: Mapped[Course] = relationship(back_populates="sessions")
    trainer: Mapped[User] = relationship(foreign_keys=[trainer_id])
    enrolments: Mapped[list[Enrolment]] = relationship(back_populates="session", order_by="Enrolment.id")

    @property
    def days(self) -> list[date]:
        """The working days from the first to the last (a session over a weekend is not held on Sunday);
        a session held only on days off, a Saturday workshop, counts those."""
        every = [date.fromordinal(d) for d in range(self.starts_on.toordinal(), self.ends_on.toordinal() + 1)]
        calendar = WorkingCalendar()
        return [d for d in every if calendar.is_working_day(d)] or every


class Enrolment(Base):
    __tablename__ = "enrolments"
    __table_args__ = (
        enum_check("status", EnrolmentStatus),
        sa.UniqueConstraint("session_id", "user_id"),
        sa.CheckConstraint("score IS NULL OR (score BETWEEN 0 AND 100)", name="score_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(sa.ForeignKey("training_sessions.id"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    status: Mapped[str] = mapped_column(sa.String(12))
    enrolled_at: Mapped[datetime] = mapped_column(UTCDateTime)
    enrolled_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    score: Mapped[int | None] = mapped_column(sa.Integer)
    assessed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    assessed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    session: Mapped[TrainingSession] = relationship(back_populates="enrolments")
    user: Mapped[User] = relationship(foreign_keys=[user_id])
    attendance: Mapped[list[Attendance]] = relationship(
        back_populates="enrolment", order_by="Attendance.day", cascade="all, delete-orphan"
    )
    certificate: Mapped[Certificate | None] = relationship(back_populates="enrolment", uselist=False)


class Attendance(Base):
    __tablename__ = "attendance"
    __table_args__ = (sa.UniqueConstraint("enrolment_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(sa.ForeignKey("enrolments.id", ondelete="CASCADE"), index=True)
    day: Mapped[date] = mapped_column(sa.Date)
    present: Mapped[bool] = mapped_column()
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    enrolment: Mapped[Enrolment] = relationship(back_populates="attendance")


class Certificate(Base):
    """Issued once per passed enrolment; valid from issue to expiry unless revoked."""

    __tablename__ = "certificates"
    __table_args__ = (sa.CheckConstraint("expires_on > issued_on", name="expires_after_issue"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(sa.String(32), unique=True)
    holder_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    enrolment_id: Mapped[int] = mapped_column(sa.ForeignKey("enrolments.id"), unique=True)
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("courses.id"), index=True)
    issuer_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"), index=True)
    issued_on: Mapped[date] = mapped_column(sa.Date)
    expires_on: Mapped[date] = mapped_column(sa.Date, index=True)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    issued_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    revoke_reason: Mapped[str] = mapped_column(sa.Text, default="")

    holder: Mapped[User] = relationship(foreign_keys=[holder_id])
    enrolment: Mapped[Enrolment] = relationship(back_populates="certificate")
    course: Mapped[Course] = relationship()
    issuer: Mapped[Organization] = relationship()
    groups: Mapped[list[ProcedureGroup]] = relationship(
        secondary=certificate_groups, order_by="ProcedureGroup.code"
    )

    def valid_on(self, day: date) -> bool:
        return self.revoked_at is None and self.issued_on <= day <= self.expires_on


class CertificateReminder(Base):
    """One reminder per certificate per threshold: the unique key is what makes the job idempotent."""

    __tablename__ = "certificate_reminders"
    __table_args__ = (sa.UniqueConstraint("certificate_id", "threshold_days"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    certificate_id: Mapped[int] = mapped_column(sa.ForeignKey("certificates.id", ondelete="CASCADE"))
    threshold_days: Mapped[int] = mapped_column(sa.Integer)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime)
    recipients: Mapped[int] = mapped_column(sa.Integer, default=0)
