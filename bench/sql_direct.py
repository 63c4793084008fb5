"""The queue page's SQL run directly on the database (Python's sqlite3, one connection, a warm
loop), to split the HTTP latency into "database" and "everything else" (pool, session, audit,
rendering, HTTP). The statements are the three of src/store/queue.rs (page, counts, choices) for
the default view: the review tab, oldest waiting first, 50 rows (+1 to know if more follow).
Unfiltered, the counts come from the trigger-kept `application_counts` table; on a database
without it (an older schema), from a GROUP BY over applications, as the server did then."""

import statistics
import time
import urllib.parse

from dataset import database

DISPLAY_NAME = "COALESCE(p.company_name, TRIM(COALESCE(p.first_name, '') || ' ' || COALESCE(p.last_name, '')))"

PAGE = f"""
SELECT a.id, a.status, a.provider, a.findings_summary, a.attempt, a.max_attempts, a.created_at, a.status_changed_at,
       {DISPLAY_NAME} AS applicant_name, p.external_id, t.name AS tenant_name, v.name AS level_name, v.tier, v.policy,
       s.email AS assignee_email
FROM applications a
JOIN applicants p ON p.id = a.applicant_id
JOIN tenants t ON t.id = a.tenant_id
JOIN level_versions v ON v.level_id = a.level_id AND v.version = a.level_version
LEFT JOIN staff_users s ON s.id = a.assignee_id
{{where}}
ORDER BY a.status_changed_at ASC, a.id ASC
LIMIT 51"""

COUNTS = "SELECT status, CAST(SUM(n) AS BIGINT) AS n FROM application_counts GROUP BY status HAVING SUM(n) > 0"
COUNTS_WITHOUT_COUNTERS = "SELECT a.status, COUNT(*) AS n FROM applications a GROUP BY a.status"

CHOICES = """
SELECT 'level' AS kind, l.id AS value, v.name AS label, v.policy AS extra FROM levels l
    JOIN level_versions v ON v.level_id = l.id AND v.version = l.current_version
UNION ALL SELECT 'tenant', id, name, '' FROM tenants
UNION ALL SELECT 'reviewer', id, email, '' FROM staff_users WHERE active = 1 AND roles LIKE '%reviewer%'
ORDER BY 1, 3"""


def statements(db, path):
    """The statements the server runs for a queue path (first page or a deep page)."""
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(path).query))
    clauses, params = [], []
    if query.get("status") != "all":
        clauses.append("a.status = ?")
        params.append("review")
    if "after" in query:
        key, _, app_id = query["after"].rpartition("_")
        clauses.append("(a.status_changed_at > ? OR (a.status_changed_at = ? AND a.id > ?))")
        params += [key, key, app_id]
    where = ("WHERE " + " AND ".join(clauses)) if clauses else ""
    has_counters = db.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'application_counts'").fetchone()
    return [(PAGE.format(where=where), params), (COUNTS if has_counters else COUNTS_WITHOUT_COUNTERS, []),
            (CHOICES, [])]


def time_queue(data_dir, path, seconds=5.0):
    """Milliseconds per page (all three statements), median and p99 over a loop of `seconds`."""
    samples = []
    with database(data_dir) as db:
        stmts = statements(db, path)
        for sql, params in stmts:  # warm the page cache and the statement cache
            db.execute(sql, params).fetchall()
        deadline = time.perf_counter() + seconds
        while time.perf_counter() < deadline or len(samples) < 20:
            t0 = time.perf_counter()
            rows = [db.execute(sql, params).fetchall() for sql, params in stmts]
            samples.append((time.perf_counter() - t0) * 1000)
    samples.sort()
    return {
        "page_rows": len(rows[0]),
        "iterations": len(samples),
        "p50_ms": round(statistics.median(samples), 3),
        "p99_ms": round(samples[int(len(samples) * 0.99) - 1 if len(samples) >= 100 else -1], 3),
        "sqlite_version": __import__("sqlite3").sqlite_version,
    }
