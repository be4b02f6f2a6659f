"""Import jobs: store an uploaded file and its job, claim a waiting job with a lease, and import it piece by piece."""
import csv
import secrets
from datetime import timedelta
from pathlib import Path

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import and_, func, or_, select, update

from sellerkit.dialects.locking import skipping_locked
from sellerkit.errors import NotFound, ServiceError
from sellerkit.extensions import db
from sellerkit.i18n import lazy_gettext as _l
from sellerkit.imports import domain, labels
from sellerkit.imports.models import ImportJob
from sellerkit.shops.models import Shop
from sellerkit.shops.services import require_owner
from sellerkit.threads.importing import import_file

#: A live worker renews its lease after every piece, which takes far less than this.
LEASE = timedelta(minutes=2)
#: A job whose worker died this many times is given up: something in it stops every worker.
MAX_ATTEMPTS = 5
#: Refused lines kept on the job to show; the count covers them all.
MAX_SHOWN_ERRORS = 100
RECENT = 10
IMPORT_NOT_FOUND = _l("This import does not exist or belongs to a shop you are not a member of.")
STORAGE_UNAVAILABLE = _l("The file could not be saved on the server right now (its disk may be full). Nothing was "
                         "saved; try again later.")


def import_folder():
    configured = current_app.config.get("IMPORTS_DIR")
    return Path(configured) if configured else Path(current_app.instance_path) / "imports"


def max_upload_bytes():
    return current_app.config["IMPORT_MAX_MB"] * 1024 * 1024


def _refuse(code):
    raise ServiceError(labels.upload_problem(code, current_app.config["IMPORT_MAX_MB"]), field="file",
                       status=413 if code == "too_large" else 422, code=code)


def _store(stream, path, limit):
    """Copy the upload to `path`, checking as it goes that it is UTF-8 text within the limit; (size, first bytes)."""
    check, size, head = domain.TextCheck(), 0, b""
    with open(path, "wb") as target:
        while chunk := stream.read(64 * 1024):
            size += len(chunk)
            if size > limit:
                return "too_large", size, head
            if len(head) < domain.HEAD_BYTES:
                head += chunk[:domain.HEAD_BYTES - len(head)]
            check.feed(chunk)
            if check.problem:
                return check.problem, size, head
            target.write(chunk)
        check.feed(b"", final=True)
    return check.problem, size, head


def start_import(membership, stream, filename, now, locale):
    """Store an uploaded file and queue its import; a refused file leaves nothing behind. The caller commits."""
    require_owner(membership)
    fmt = domain.format_of(filename)
    if stream is None or not filename:
        _refuse("no_file")
    if fmt is None:
        _refuse("format")
    folder = import_folder()
    stored_name = f"{secrets.token_hex(16)}.{fmt}"
    path = folder / stored_name
    try:
        folder.mkdir(parents=True, exist_ok=True)
        problem, size, head = _store(stream, path, max_upload_bytes())
    except OSError:
        path.unlink(missing_ok=True)
        raise ServiceError(STORAGE_UNAVAILABLE, status=503, code="storage") from None
    problem = problem or ("empty" if not head.strip() else domain.content_problem(fmt, head))
    if problem:
        path.unlink(missing_ok=True)
        _refuse(problem)
    job = ImportJob(shop_id=membership.shop_id, created_by_id=membership.user_id, filename=filename[:200],
                    stored_name=stored_name, file_format=fmt, size_bytes=size, locale=locale, status="pending",
                    bytes_done=0, lines_done=0, rows_done=0, messages_new=0, duplicates=0, errors_count=0, errors=[],
                    attempts=0, created_at=now)
    db.session.add(job)
    db.session.flush()
    return job


def job_for(membership, job_id):
    """One of the shop's imports, to its owners; NotFound for another shop's, like a missing one."""
    require_owner(membership)
    job = db.session.scalar(select(ImportJob).where(ImportJob.id == job_id, ImportJob.shop_id == membership.shop_id))
    if job is None:
        raise NotFound(IMPORT_NOT_FOUND)
    return job


def recent_jobs(shop_id):
    return db.session.scalars(select(ImportJob).where(ImportJob.shop_id == shop_id)
                              .order_by(ImportJob.id.desc()).limit(RECENT)).all()


def _is_due(now):
    return or_(ImportJob.status == "pending", and_(ImportJob.status == "running", ImportJob.lease_until < now))


def claim_next(now):
    """Claim the oldest waiting import, or one whose worker's lease lapsed: (job id, token) or None; the caller
    commits the claim. The UPDATE repeats the condition, so two workers never hold one job."""
    candidate = select(ImportJob.id).where(_is_due(now)).order_by(ImportJob.id).limit(1)
    job_id = db.session.scalar(skipping_locked(db.session, candidate))
    if job_id is None:
        return None
    token = secrets.token_hex(16)
    claimed = db.session.execute(
        update(ImportJob).where(ImportJob.id == job_id, _is_due(now))
        .values(status="running", lease_until=now + LEASE, claim_token=token, attempts=ImportJob.attempts + 1,
                started_at=func.coalesce(ImportJob.started_at, now), updated_at=now)).rowcount
    return (job_id, token) if claimed else None


def _held(job_id, token, **values):
    """Write to a job only while this worker's claim holds; False once another worker took it over."""
    return db.session.execute(update(ImportJob).where(ImportJob.id == job_id, ImportJob.claim_token == token)
                              .values(**values)).rowcount == 1


def _import_piece(shop, job, token, piece, now):
    # Named after the claim: a worker presumed dead that still runs never shares the file with its successor.
    part = import_folder() / f"{job.stored_name}.{token}.part"
    part.write_bytes(piece.data)
    try:
        return import_file(shop, part, now, fmt=job.file_format)
    finally:
        part.unlink(missing_ok=True)


def _progress(job, piece, report, now):
    errors = list(job.errors or [])
    for line, reason in sorted(report.rejected, key=lambda rejected: rejected[0]):
        if len(errors) < MAX_SHOWN_ERRORS:
            errors.append([line + piece.line_shift, labels.reason_text(reason)])
    return {"bytes_done": piece.end_offset, "lines_done": piece.end_line, "rows_done": job.rows_done + piece.rows,
            "messages_new": job.messages_new + report.new, "duplicates": job.duplicates + report.duplicates,
            "errors_count": job.errors_count + len(report.rejected), "errors": errors,
            "lease_until": now + LEASE, "updated_at": now}


def _finish(job_id, token, now, failure=None):
    if _held(job_id, token, status="failed" if failure else "done", failure=failure, finished_at=now, updated_at=now,
             lease_until=None, claim_token=None):
        job = db.session.get(ImportJob, job_id)
        for stored in import_folder().glob(f"{job.stored_name}*"):  # the file and pieces left by dead workers
            stored.unlink(missing_ok=True)
    db.session.commit()


def run_job(job_id, token, clock):
    """Import a claimed job's file from where it got to, committing after every piece.

    Each piece goes through threads.importing.import_file, the command's own path, and the job records where the
    piece ended after the importer committed it: a worker that dies is followed, once its lease lapses, by one that
    starts at the next piece, and the piece it was in is imported again without duplicates (external ids)."""
    job = db.session.get(ImportJob, job_id)
    if job.attempts > MAX_ATTEMPTS:
        return _finish(job_id, token, clock(), "crashed")
    shop = db.session.get(Shop, job.shop_id)
    path = import_folder() / job.stored_name
    with force_locale(job.locale):
        try:
            with open(path, "rb") as handle:
                for piece in domain.pieces(handle, job.file_format, offset=job.bytes_done, line=job.lines_done):
                    now = clock()
                    report = _import_piece(shop, job, token, piece, now)
                    if not _held(job_id, token, **_progress(job, piece, report, now)):
                        db.session.rollback()
                        return None  # another worker took the job over after this one's lease lapsed
                    db.session.commit()
                    db.session.refresh(job)
        except FileNotFoundError:
            db.session.rollback()
            return _finish(job_id, token, clock(), "file_missing")
        except (csv.Error, UnicodeDecodeError):
            db.session.rollback()
            return _finish(job_id, token, clock(), "unreadable")
    return _finish(job_id, token, clock())


def run_imports(clock):
    """Work through every waiting import, one at a time, until none is left; returns how many were run."""
    count = 0
    while (claimed := claim_next(clock())) is not None:
        db.session.commit()
        run_job(*claimed, clock)
        count += 1
    db.session.commit()
    return count



def rows_per_second(job):
    """The rows a second since the import started, or None before there is anything to measure."""
    if not job.started_at or not job.updated_at or not job.rows_done:
        return None
    seconds = (job.updated_at - job.started_at).total_seconds()
    return round(job.rows_done / seconds) if seconds > 0 else None
