"""The import jobs table: one row per file uploaded in the browser, with where its worker got to."""
from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from sellerkit.database import UTCDateTime
from sellerkit.extensions import db


class ImportJob(db.Model):
    __tablename__ = "import_jobs"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'running', 'done', 'failed')", name="status"),
        CheckConstraint("file_format IN ('csv', 'jsonl')", name="file_format"),
        # The upload page lists a shop's latest imports; the worker looks for waiting ones and lapsed leases.
        Index("ix_import_jobs_shop", "shop_id", "id"),
        Index("ix_import_jobs_status", "status", "lease_until"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: The name the seller's file had, shown back to them; never used as a path.
    filename: Mapped[str] = mapped_column(String(200))
    #: The random name of the stored copy in the imports folder.
    stored_name: Mapped[str] = mapped_column(String(64))
    file_format: Mapped[str] = mapped_column(String(8))
    size_bytes: Mapped[int] = mapped_column()
    #: The uploader's language: the reasons for refused lines are written in it.
    locale: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(10), default="pending")
    #: Where the next piece starts: bytes and physical lines of the file already imported and committed.
    bytes_done: Mapped[int] = mapped_column(default=0)
    lines_done: Mapped[int] = mapped_column(default=0)
    rows_done: Mapped[int] = mapped_column(default=0)
    messages_new: Mapped[int] = mapped_column(default=0)
    duplicates: Mapped[int] = mapped_column(default=0)
    errors_count: Mapped[int] = mapped_column(default=0)
    #: The first refused lines as [line number, reason]; errors_count says how many there were in all.
    errors: Mapped[list] = mapped_column(JSON, default=list)
    #: Why the whole import stopped (a code shown translated), when status is failed.
    failure: Mapped[str | None] = mapped_column(String(20))
    attempts: Mapped[int] = mapped_column(default=0)
    #: The worker that claimed the job holds it until then, renewing after every piece; a dead one's lapses.
    lease_until: Mapped[object | None] = mapped_column(UTCDateTime())
    claim_token: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[object] = mapped_column(UTCDateTime())
    started_at: Mapped[object | None] = mapped_column(UTCDateTime())
    updated_at: Mapped[object | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[object | None] = mapped_column(UTCDateTime())

    @property
    def is_finished(self):
        return self.status in ("done", "failed")
