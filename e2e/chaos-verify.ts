import type { JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Client } from 'pg';
import { Subjects, type CommitBody } from '@orch/contracts';
import { waitFor } from '@orch/testing';
import type { Sent } from './chaos-load';

/** The log as the chaos check needs it: where each command id was stored. */
export async function readLog(jsm: JetStreamManager, stream: string): Promise<{ lastSeq: number; commands: Map<string, number[]> }> {
  const lastSeq = (await jsm.streams.info(stream)).state.last_seq;
  const commands = new Map<string, number[]>();
  for (let seq = 1; seq <= lastSeq; seq++) {
    const msg = await jsm.streams.getMessage(stream, { seq });
    let body: CommitBody;
    try {
      body = msg!.json<CommitBody>();
    } catch {
      continue; // not a commit (the garbage tests put some on purpose); the projections dead-letter it
    }
    // Every event of a commit carries the command id; count the commit once.
    const ids = new Set((body.events ?? []).map((e) => e.commandId));
    for (const id of ids) commands.set(id, [...(commands.get(id) ?? []), seq]);
  }
  return { lastSeq, commands };
}

export interface LogCheck {
  lost: Sent[];
  duplicated: Array<{ sent: Sent; seqs: number[] }>;
  wrongSeq: Array<{ sent: Sent; seqs: number[] }>;
  /** Commands answered 503/timeout that were in fact written (allowed: the client could not know). */
  failedButWritten: number;
}

/** Every acknowledged write is in the log exactly once, at the sequence the gateway answered. */
export function checkAgainstLog(sent: Sent[], commands: Map<string, number[]>): LogCheck {
  const check: LogCheck = { lost: [], duplicated: [], wrongSeq: [], failedButWritten: 0 };
  for (const s of sent) {
    const seqs = commands.get(s.commandId) ?? [];
    if (seqs.length > 1) check.duplicated.push({ sent: s, seqs });
    if (s.outcome === 'acknowledged' && s.mustWrite) {
      if (seqs.length === 0) check.lost.push(s);
      else if (!seqs.includes(s.seq!)) check.wrongSeq.push({ sent: s, seqs });
    }
    // A 2xx without X-Orch-Seq for a command that writes would still have to be in the log.
    if (s.outcome === 'noWrite' && s.mustWrite && seqs.length === 0) check.lost.push(s);
    if (s.outcome === 'cleanFailure' && seqs.length > 0) check.failedButWritten++;
  }
  return check;
}

/** Checkpoints of every projection in the schema. */
export async function checkpoints(pg: Client, schema: string): Promise<Map<string, number>> {
  const { rows } = await pg.query<{ name: string; position: string }>(`SELECT name, position FROM "${schema}".projection_checkpoints`);
  return new Map(rows.map((r) => [r.name, Number(r.position)]));
}

// Longer than a projection's bounded apply (60 s) and its retry, so a stuck transaction given up on still counts as caught up.
export async function waitForProjections(pg: Client, schema: string, lastSeq: () => Promise<number>, opts: { timeoutMs?: number; recentWarnings?: () => string } = {}): Promise<void> {
  const timeoutMs = opts.timeoutMs ?? 150_000;
  // On a timeout, say which projection is behind and where the log ends.
  const where = async () => {
    const sessions = await pg.query(`SELECT application_name AS app, state, wait_event_type AS wait, now() - xact_start AS tx_age, left(query, 120) AS query FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`);
    return `log ends at ${await lastSeq().catch(() => '?')}; checkpoints ${JSON.stringify(Object.fromEntries(await checkpoints(pg, schema)))}; sessions ${JSON.stringify(sessions.rows)}${opts.recentWarnings ? `\n--- the services' last warnings ---\n${opts.recentWarnings()}` : ''}`;
  };
  await waitFor(
    'every projection to reach the end of the log',
    async () => {
      const end = await lastSeq();
      const all = await checkpoints(pg, schema);
      return all.size > 0 && [...all.values()].every((p) => p === end);
    },
    { timeoutMs, intervalMs: 250 },
  ).catch(async (error: Error) => {
    throw new Error(`${error.message}: ${await where()}`);
  });
}

/**
 * Columns that point at another table's surrogate id without a declared foreign key: compared by
 * the referenced row's natural key. (Declared foreign keys are found in the catalog.)
 */
const UNDECLARED_REFS: Record<string, { table: string; id: string; key: string }> = {
  'orchestration_tasks.sprint_id': { table: 'orchestration_sprints', id: 'id', key: 'sprint_code' },
};

/**
 * Every read-model table, as sorted JSON rows. Surrogate keys drawn from sequences are left out:
 * a sequence is not transactional (a rolled-back batch burns numbers) and a rebuild numbers the
 * rows again, so a reference to one is compared by the natural key of the row it points at.
 */
export async function snapshot(pg: Client, schema: string): Promise<Record<string, string[]>> {
  const { rows: columns } = await pg.query<{ table_name: string; column_name: string; generated: boolean }>(
    `SELECT c.table_name, c.column_name, (c.column_default LIKE 'nextval%' OR c.is_identity = 'YES') AS generated
       FROM information_schema.columns c JOIN information_schema.tables t USING (table_schema, table_name)
      WHERE c.table_schema = $1 AND t.table_type = 'BASE TABLE' AND c.table_name NOT LIKE 'migrations%' AND c.table_name <> 'projection_checkpoints'
      ORDER BY c.table_name, c.ordinal_position`,
    [schema],
  );
  const { rows: fks } = await pg.query<{ tbl: string; col: string; ref: string; refcol: string }>(
    `SELECT cl.relname AS tbl, a.attname AS col, rf.relname AS ref, af.attname AS refcol
       FROM pg_constraint c JOIN pg_class cl ON cl.oid = c.conrelid JOIN pg_class rf ON rf.oid = c.confrelid
       JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
       JOIN pg_attribute af ON af.attrelid = c.confrelid AND af.attnum = c.confkey[1]
      WHERE c.contype = 'f' AND c.connamespace = $1::regnamespace`,
    [schema],
  );
  const generated = new Set(columns.filter((c) => c.generated).map((c) => `${c.table_name}.${c.column_name}`));
  const naturalKey = (table: string) => columns.find((c) => c.table_name === table && !c.generated)!.column_name;
  const refs = new Map(Object.entries(UNDECLARED_REFS));
  for (const fk of fks) if (generated.has(`${fk.ref}.${fk.refcol}`)) refs.set(`${fk.tbl}.${fk.col}`, { table: fk.ref, id: fk.refcol, key: naturalKey(fk.ref) });
  const tables = new Map<string, string[]>();
  for (const c of columns) {
    const name = `${c.table_name}.${c.column_name}`;
    if (generated.has(name)) continue;
    const ref = refs.get(name);
    const expr = ref ? `(SELECT r."${ref.key}" FROM "${schema}"."${ref.table}" r WHERE r."${ref.id}" = t."${c.column_name}")` : `t."${c.column_name}"`;
    tables.set(c.table_name, [...(tables.get(c.table_name) ?? []), expr]);
  }
  const result: Record<string, string[]> = {};
  for (const [table, exprs] of tables) {
    const { rows } = await pg.query<{ r: string }>(`SELECT json_build_array(${exprs.join(', ')})::text AS r FROM "${schema}"."${table}" t`);
    result[table] = rows.map((r) => r.r).sort();
  }
  return result;
}

/** Asks the running owner of each projection to rebuild it from sequence 1 (npm run projections:rebuild). */
export async function rebuildLive(nc: NatsConnection, prefix: string, names: string[]): Promise<void> {
  const subjects = new Subjects(prefix);
  for (const name of names) {
    const reply = await nc.request(subjects.control('projections', `rebuild.${name}`), new Uint8Array(), { timeout: 120_000 });
    const answer = JSON.parse(new TextDecoder().decode(reply.data)) as { ok: boolean; error?: string };
    if (!answer.ok) throw new Error(`rebuilding ${name} failed: ${answer.error}`);
  }
}

/** Which tables differ, and a few rows of each side, for a readable failure. */
export function differences(live: Record<string, string[]>, rebuilt: Record<string, string[]>): Record<string, { onlyLive: string[]; onlyRebuilt: string[] }> {
  const out: Record<string, { onlyLive: string[]; onlyRebuilt: string[] }> = {};
  for (const table of new Set([...Object.keys(live), ...Object.keys(rebuilt)])) {
    const a = new Set(live[table] ?? []);
    const b = new Set(rebuilt[table] ?? []);
    const onlyLive = [...a].filter((r) => !b.has(r));
    const onlyRebuilt = [...b].filter((r) => !a.has(r));
    if (onlyLive.length || onlyRebuilt.length || (live[table]?.length ?? 0) !== (rebuilt[table]?.length ?? 0)) out[table] = { onlyLive: onlyLive.slice(0, 3), onlyRebuilt: onlyRebuilt.slice(0, 3) };
  }
  return out;
}
