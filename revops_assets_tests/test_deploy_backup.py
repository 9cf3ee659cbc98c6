"""The restore procedure of docs/operations.md, run as written against a real warehouse: decisions exported with
`revops review export decisions`, some lost, a pair decided again since; the restore brings back exactly what was
lost and keeps the newer decision live."""

from __future__ import annotations

import re
from pathlib import Path

import psycopg2

from revops_assets.matching.review import export
from revops_assets.warehouse.ddl import apply_warehouse_ddl

ROOT = Path(__file__).resolve().parents[1]


def _restore_sql() -> str:
    text = (ROOT / "docs" / "operations.md").read_text()
    (block,) = re.findall(r"```sql\n(begin;\ncreate temp table restored.*?commit;)\n```", text, flags=re.DOTALL)
    return block


def _decisions(cur) -> list[tuple]:
    cur.execute("select id, ace_opportunity_id, odoo_opportunity_id, decision, decided_at, "
                "superseded_at is null as live from ops.match_decisions order by id")
    return cur.fetchall()


def test_documented_restore_brings_back_lost_decisions_and_keeps_newer_ones(pg, tmp_path):
    dsn = pg.create_database("deploy_backup")
    apply_warehouse_ddl(dsn)
    backup = tmp_path / "decisions.csv"
    conn = psycopg2.connect(dsn)
    try:
        with conn, conn.cursor() as cur:
            for ace, odoo, decision, days_ago in (("O1", "11", "confirmed", 9), ("O2", "12", "rejected", 8),
                                                  ("O3", "13", "confirmed", 7)):
                cur.execute("insert into ops.match_decisions (ace_opportunity_id, odoo_opportunity_id, decision, "
                            "decided_by, decided_at) values (%s, %s, %s, 'ana', now() - %s * interval '1 day')",
                            (ace, odoo, decision, days_ago))
            cur.execute("update ops.match_decisions set superseded_at = now() - interval '6 days' where id = 1")
            cur.execute("insert into ops.match_decisions (ace_opportunity_id, odoo_opportunity_id, decision, "
                        "decided_by, decided_at) values ('O1', '11', 'rejected', 'ben', now() - interval '6 days')")
            before = _decisions(cur)
        assert export(conn, "decisions", backup) == 4
        with conn, conn.cursor() as cur:  # after the backup: two rows lost, O3 x 13 decided again
            cur.execute("delete from ops.match_decisions where id in (1, 2)")
            cur.execute("delete from ops.match_decisions where id = 3")
            cur.execute("insert into ops.match_decisions (ace_opportunity_id, odoo_opportunity_id, decision, "
                        "decided_by) values ('O3', '13', 'rejected', 'cy')")
        statements = _restore_sql()
        copy_line = next(line for line in statements.splitlines() if line.startswith("\\copy"))
        before_copy, after_copy = statements.split(copy_line)
        with conn, conn.cursor() as cur:  # psql's \copy is COPY FROM STDIN on the client's file
            cur.execute(before_copy.replace("begin;", "", 1))
            with backup.open() as fh:
                cur.copy_expert("copy restored from stdin with (format csv, header)", fh)
            cur.execute(after_copy.replace("commit;", ""))
        with conn, conn.cursor() as cur:
            after = _decisions(cur)
            restored = {row[0]: row for row in after}
            for row in before[:2] + before[3:]:  # lost rows come back as they were (ids, timestamps, state)
                assert restored[row[0]] == row
            o3 = [row for row in after if row[1] == "O3"]
            assert [(r[3], r[5]) for r in o3] == [("confirmed", False), ("rejected", True)]  # newer decision live
            cur.execute("insert into ops.match_decisions (ace_opportunity_id, odoo_opportunity_id, decision, "
                        "decided_by) values ('O9', '19', 'confirmed', 'dee') returning id")
            assert cur.fetchone()[0] > max(restored)  # the sequence was moved past the restored ids
    finally:
        conn.close()
        pg.server.drop_database("deploy_backup")
