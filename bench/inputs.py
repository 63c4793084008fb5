"""Inputs for the scenarios, read straight from the dataset's database: paths to rotate over,
the deep-page cursor, search terms, decision candidates. Strides over rowid rather than
ORDER BY RANDOM() keep the samples spread over the whole table and the same from run to run."""

import urllib.parse
from pathlib import Path

from dataset import database

DEEP_ROWS = 10_000


def _stride(db, table, want):
    total = db.execute(f"SELECT MAX(rowid) FROM {table}").fetchone()[0] or 1
    return max(1, total // want)


def write_lines(path, lines):
    Path(path).write_text("\n".join(lines) + "\n")
    return path


def deep_page(data_dir):
    """The queue page ~10,000 rows deep, as its "Next page" link would name it: the review tab
    (the default), or the All tab when review holds too few rows. The cursor is the sort key
    (status_changed_at, oldest first by default) and id of the row just before the page."""
    with database(data_dir) as db:
        in_review = db.execute("SELECT COUNT(*) FROM applications WHERE status = 'review'").fetchone()[0]
        if in_review >= DEEP_ROWS + 50:
            where, tab, prefix = "WHERE status = 'review'", "review", ""
        else:
            where, tab, prefix = "", "all", "status=all&"
        total = db.execute(f"SELECT COUNT(*) FROM applications {where}").fetchone()[0]
        depth = min(DEEP_ROWS, max(total - 50, 1))
        key, app_id = db.execute(
            f"SELECT status_changed_at, id FROM applications {where} "
            f"ORDER BY status_changed_at, id LIMIT 1 OFFSET ?", (depth - 1,)).fetchone()
    after = urllib.parse.quote(f"{key}_{app_id}", safe="")
    return f"/applications?{prefix}after={after}", tab, depth


def cursor_after(data_dir, rows):
    """The cursor the first review page's "Next page" link should carry (to check the format)."""
    with database(data_dir) as db:
        row = db.execute("SELECT status_changed_at, id FROM applications WHERE status = 'review' "
                         "ORDER BY status_changed_at, id LIMIT 1 OFFSET ?", (rows - 1,)).fetchone()
    return f"{row[0]}_{row[1]}" if row else None


def search_paths(data_dir, out_dir, want=300):
    """Three files of /applications?q=... paths: by name, by e-mail, by external id."""
    with database(data_dir) as db:
        step = _stride(db, "applicants", want)
        rows = db.execute(
            "SELECT COALESCE(company_name, last_name, first_name), email, external_id FROM applicants "
            "WHERE rowid % ? = 0 LIMIT ?", (step, want)).fetchall()
    q = lambda term: "/applications?" + urllib.parse.urlencode({"q": term})
    files = {}
    for i, kind in enumerate(("name", "email", "external_id")):
        terms = [r[i] for r in rows if r[i]]
        files[kind] = write_lines(Path(out_dir) / f"search_{kind}.txt", [q(t) for t in terms])
    return files


def detail_paths(data_dir, out_dir, want=2000):
    with database(data_dir) as db:
        step = _stride(db, "applications", want)
        ids = [r[0] for r in db.execute(
            "SELECT id FROM applications WHERE rowid % ? = 0 LIMIT ?", (step, want))]
    return write_lines(Path(out_dir) / "detail.txt", [f"/applications/{i}" for i in ids])


def decision_candidates(data_dir, out_dir, want=20_000):
    """Applications a reviewer can accept at once: in review, on a level version without
    four-eyes, no proposal waiting. Read right before the scenario, as "id version" lines."""
    with database(data_dir) as db:
        rows = db.execute(
            "SELECT a.id, a.version FROM applications a "
            "JOIN level_versions v ON v.level_id = a.level_id AND v.version = a.level_version "
            "WHERE a.status = 'review' AND COALESCE(json_extract(v.policy, '$.four_eyes'), 0) IN (0, 'false') "
            "AND NOT EXISTS (SELECT 1 FROM decisions d WHERE d.application_id = a.id AND d.state = 'proposed') "
            "ORDER BY a.status_changed_at LIMIT ?", (want,)).fetchall()
    return write_lines(Path(out_dir) / "decisions.txt", [f"{i} {v}" for i, v in rows]), len(rows)
