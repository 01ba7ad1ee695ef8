#!/usr/bin/env node
// A small, real agent for the Orchestrator (no dependencies). It registers (unless it was spawned
// and so already has ORCH_AGENT_ID), heartbeats, takes assignments by long-poll, drives each task's
// session through its phases with the `orch` CLI, and completes the task.
//
//   ORCH_URL, ORCH_API_KEY       the gateway and a key (a spawned agent gets its own key)
//   ORCH_AGENT_ID                set when spawned; otherwise the agent registers itself
//   AGENT_TYPE, AGENT_NAME       what to register as (default coder, "example agent")
//   ORCH_CLI                     how to run the CLI (default: node <repo>/dist/apps/cli/src/main.js)
//   HEARTBEAT_MS                 heartbeat interval (default 2000)
//   EXAMPLE_AGENT_HOLD=1         take assignments but never work on them (for failover demos and tests)
//   EXAMPLE_AGENT_MAX_TASKS=n    exit 0 after n tasks
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const URL_ = process.env.ORCH_URL ?? 'http://127.0.0.1:3000';
let KEY = process.env.ORCH_API_KEY ?? 'dev-agent-key';
let ID = process.env.ORCH_AGENT_ID;
const CLI = (process.env.ORCH_CLI ?? `${process.execPath} ${join(ROOT, 'dist', 'apps', 'cli', 'src', 'main.js')}`).split(' ');
const HOME = mkdtempSync(join(tmpdir(), 'orch-agent-'));
const log = (msg, extra = {}) => process.stdout.write(`${JSON.stringify({ at: new Date().toISOString(), agent: ID, msg, ...extra })}\n`);

async function api(method, path, body) {
  const res = await fetch(`${URL_}/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${KEY}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
    signal: AbortSignal.timeout(40_000),
  });
  const json = await res.json().catch(() => null);
  if (!res.ok) throw Object.assign(new Error(`${method} ${path}: ${res.status} ${json?.code ?? ''} ${json?.detail ?? ''}`), { status: res.status });
  return json;
}

/** Runs `orch …` with this agent's own context directory; resolves {code, stdout, stderr}. */
function orch(...args) {
  return new Promise((resolve) => {
    const child = spawn(CLI[0], [...CLI.slice(1), ...args], { env: { ...process.env, ORCH_URL: URL_, ORCH_API_KEY: KEY, ORCH_HOME: HOME }, cwd: HOME });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b) => (stdout += b));
    child.stderr.on('data', (b) => (stderr += b));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.on('error', (e) => resolve({ code: 127, stdout, stderr: e.message }));
  });
}
const parse = (text) => { try { return JSON.parse(text); } catch { return null; } };

/** `missing artifact NAME: hint` lines of a refused gate → what to provide before trying again. */
function missingOf(stderr) {
  return [...stderr.matchAll(/^\s+missing (\w+) ([^:\n]+)/gm)].map((m) => ({ kind: m[1], name: m[2].trim() }));
}

async function workOn(task) {
  const started = await orch('session-start', task.taskCode, '--agent', ID, '--json');
  if (started.code !== 0) {
    log('session-start failed; completing the task without a session', { task: task.taskCode, stderr: started.stderr.trim() });
    await api('PATCH', `/tasks/${task.taskCode}`, { status: 'IN_PROGRESS' }).catch(() => undefined);
    await api('PATCH', `/tasks/${task.taskCode}`, { status: 'DONE' });
    return;
  }
  let reply = parse(started.stdout);
  log(task.resumed ? 'resuming a task another agent lost' : 'working', { task: task.taskCode, phase: reply?.session?.currentPhase });
  const fields = [];
  for (let step = 0; step < 20 && reply?.session?.currentPhase !== 'CLOSE'; step++) {
    const done = await orch('phase-complete', ...fields.flatMap((f) => ['--field', f]), '--json');
    if (done.code === 0) {
      reply = parse(done.stdout) ?? reply;
      continue;
    }
    const missing = missingOf(done.stderr);
    if (missing.length === 0) throw new Error(`phase-complete failed: ${done.stderr.trim()}`);
    for (const m of missing) {
      if (m.kind === 'artifact') {
        const file = join(HOME, m.name.replace(/[^\w.-]/g, '_'));
        writeFileSync(file, `# ${m.name}\n\nWritten by ${ID} for ${task.taskCode}: ${task.title}\n`);
        await orch('artifact', m.name, file, '--json');
      } else fields.push(`${m.name}=done by ${ID}`);
    }
  }
  await orch('update', `${task.taskCode} finished by ${ID}`, '--json');
  const finished = await orch('done', `Completed ${task.title}`, '--json');
  if (finished.code !== 0) await orch('done', `Completed ${task.title}`, '--force', '--reason', 'example agent', '--json');
  log('task done', { task: task.taskCode });
}

async function main() {
  process.on('SIGTERM', () => process.exit(0));
  process.on('SIGINT', () => process.exit(0));
  if (!ID) {
    const reply = await api('POST', '/agents', { name: process.env.AGENT_NAME ?? 'example agent', type: process.env.AGENT_TYPE ?? 'coder' });
    ID = reply.agent.id;
    KEY = reply.apiKey;
    log('registered');
  }
  const beat = () => api('POST', `/agents/${ID}/heartbeat`, { load: busy ? 1 : 0, progress: current ? `working on ${current}` : 'idle' }).catch((e) => log('heartbeat failed', { error: e.message }));
  let busy = false;
  let current = null;
  await beat();
  const timer = setInterval(beat, Number(process.env.HEARTBEAT_MS ?? 2_000));
  const stop = () => { clearInterval(timer); process.exit(0); };
  const finished = new Set();
  const max = Number(process.env.EXAMPLE_AGENT_MAX_TASKS ?? Infinity);
  for (;;) {
    const { items } = await api('GET', `/agents/${ID}/assignments?wait=30`).catch((e) => (log('poll failed', { error: e.message }), { items: [] }));
    for (const task of items.filter((t) => !finished.has(t.taskCode))) {
      log('assigned', { task: task.taskCode, resumed: task.resumed });
      if (process.env.EXAMPLE_AGENT_HOLD === '1') { finished.add(task.taskCode); continue; }
      busy = true;
      current = task.taskCode;
      try {
        await workOn(task);
      } catch (error) {
        log('task failed', { task: task.taskCode, error: error.message });
      }
      finished.add(task.taskCode);
      busy = false;
      current = null;
      if (finished.size >= max) stop();
    }
    if (items.length === 0) await new Promise((r) => setTimeout(r, 50));
  }
}

main().catch((error) => {
  log('fatal', { error: error.message });
  process.exit(1);
});
