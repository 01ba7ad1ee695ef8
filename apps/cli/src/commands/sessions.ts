import { existsSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { Command } from 'commander';
import { ok, type Schema } from '../client';
import { phaseSeenBy, readContext, updateContext } from '../context-store';
import { repoState } from '../git/git';
import { runHooks, syncArtifacts } from '../git/hooks';
import { details, printJson } from '../output';
import { examples, jsonOption, sessionOrCurrent, UsageError, type CommandContext } from './context';
import { printReply } from './session-output';

type Json = { json?: boolean };
type SessionReply = Schema<'SessionReply'>;

/** `k=v` pairs for `--field`, collected into an object. */
function field(input: string, previous: Record<string, string> = {}): Record<string, string> {
  const at = input.indexOf('=');
  if (at < 1) throw new UsageError(`--field takes name=value, got ${JSON.stringify(input)}`);
  return { ...previous, [input.slice(0, at)]: input.slice(at + 1) };
}

/** The session commands of SPEC §7. Ids come from the arguments, else from `~/.orch/context.json`. */
export function sessionCommands(program: Command, ctx: CommandContext, env: NodeJS.ProcessEnv = process.env, cwd: () => string = () => process.cwd()): void {
  const current = () => readContext(env);
  const sessionKey = (given?: string): string => sessionOrCurrent(env, given, 'run `orch session-start TSK-…` first (or name the session)');
  const remember = (r: SessionReply) => updateContext({ taskCode: r.session.taskCode, sprintCode: r.session.sprintCode, sessionKey: r.session.sessionKey, phase: r.session.currentPhase }, env);
  /** Every answer about the current session refreshes the phase the CLI last saw (see CliContext.phase). */
  const seen = (r: SessionReply) => {
    if (r.session.sessionKey === current().sessionKey) updateContext({ phase: r.session.currentPhase }, env);
  };
  const show = (opts: Json, reply: SessionReply, notes: string[] = []) => {
    seen(reply);
    return opts.json ? printJson(ctx.io, reply) : printReply(ctx.io, reply, notes, ctx.style('stdout'));
  };
  /** Runs the new phase's start hooks after a change of phase (e.g. the commit at EXECUTE's start). */
  const startHooks = async (reply: SessionReply) =>
    runHooks(reply.instructions.phaseHooks.onStart, { client: ctx.client(), sessionKey: reply.session.sessionKey, phase: reply.session.currentPhase, cwd: cwd(), baseCommit: reply.session.commits[0]?.hash ?? null, git: reply.instructions.git });
  const api = () => ctx.client().api;
  const path = (key: string) => ({ params: { path: { key } } });
  const getSession = (key: string) => ok(api().GET('/api/v1/sessions/{key}', path(key)));

  examples(
    jsonOption(program.command('session-start').description('start a session on a task (or get its open one)').argument('[task]', 'task code (default: the current task)')),
    'orch session-start TSK-101',
    'orch session-start --agent coder-1a2b3c --json',
  )
    .option('--agent <id>', 'the agent doing the work')
    .action(async (task: string | undefined, opts: Json & { agent?: string }) => {
      const taskCode = task ?? current().taskCode;
      if (!taskCode) throw new UsageError('name the task (orch session-start TSK-…) or pick one first (orch task-start TSK-…)');
      let reply: SessionReply = await ok(api().POST('/api/v1/sessions', { body: { taskCode, agentId: opts.agent ?? current().agentId } }));
      remember(reply);
      const hooks = reply.outcome === 'started' ? await startHooks(reply) : [];
      if (hooks.length && !hooks[0]!.startsWith('not a git')) reply = await getSession(reply.session.sessionKey);
      show(opts, reply, hooks);
    });

  examples(
    jsonOption(program.command('session-resume').description('resume (or take over) a suspended session, with its briefing').argument('[key]', 'session key (default: the current session)')),
    'orch session-resume',
    'orch session-resume sess_TSK-101_20260101_120000 --agent coder-2 --reason "coder-1 crashed"',
  )
    .option('--agent <id>', 'the agent taking it up')
    .option('--reason <text>', 'why (recorded on a takeover)')
    .action(async (key: string | undefined, opts: Json & { agent?: string; reason?: string }) => {
      const reply = await ok(api().POST('/api/v1/sessions/{key}/resume', { ...path(sessionKey(key)), body: { agentId: opts.agent ?? current().agentId, reason: opts.reason } }));
      remember(reply);
      show(opts, reply);
    });

  examples(
    jsonOption(program.command('phase-complete').description('complete the current phase (exit 3 when its gate is not met)')),
    'orch phase-complete',
    'orch phase-complete --field test_results="12 passed"',
    'orch phase-complete --override --reason "research done offline"',
  )
    .option('--override', 'skip a failed gate (admin or full-permission agent; recorded)')
    .option('--reason <text>', 'why the gate is skipped (required with --override)')
    .option('--field <name=value>', 'a field the phase requires (repeatable)', field)
    .option('--to <phase>', 'skip ahead to this phase (when allow_phase_skip)')
    .action(async (opts: Json & { override?: boolean; reason?: string; field?: Record<string, string>; to?: string }) => {
      if (opts.override && !opts.reason) throw new UsageError('--override needs --reason "why"');
      const key = sessionKey();
      const before = await getSession(key);
      // The phase this process last saw, not the one current now: of concurrent completes one
      // advances and the others get 409 (exit 4) instead of completing the next phase.
      const phase = phaseSeenBy(current(), performance.timeOrigin) ?? before.session.currentPhase;
      const body = { override: opts.override, reason: opts.reason, fields: opts.field, to: opts.to?.toUpperCase(), phase };
      let reply: SessionReply = await ok(api().POST('/api/v1/sessions/{key}/phase-complete', { ...path(key), body }));
      // End hooks (e.g. the final commit) run only once the phase is complete: a refused
      // completion (422, 409) records nothing. The commit is filed under the phase it ended.
      const endHooks = before.session.currentPhase === phase
        ? await runHooks(before.instructions.phaseHooks.onEnd, { client: ctx.client(), sessionKey: key, phase, cwd: cwd(), baseCommit: before.session.commits[0]?.hash ?? null, git: before.instructions.git })
        : [];
      const hooks = [...endHooks, ...(await startHooks(reply))];
      if (hooks.some((h) => !h.startsWith('not a git'))) reply = await getSession(key);
      show(opts, reply, hooks);
    });

  examples(
    jsonOption(program.command('session-end').description('end the session (from CLOSE, or --force)')),
    'orch session-end --summary "Dark mode shipped"',
    'orch session-end --force --failed --reason "the task was cancelled"',
  )
    .option('--force', 'end it before CLOSE or with its gate unmet (recorded)')
    .option('--reason <text>', 'why')
    .option('--summary <text>', 'the summary CLOSE asks for')
    .option('--failed', 'end it as FAILED')
    .action(async (opts: Json & { force?: boolean; reason?: string; summary?: string; failed?: boolean }) => {
      const key = sessionKey();
      const before = await getSession(key);
      const reply = await ok(api().POST('/api/v1/sessions/{key}/end', { ...path(key), body: { force: opts.force, reason: opts.reason, summary: opts.summary, status: opts.failed ? 'FAILED' : undefined } }));
      updateContext({ sessionKey: null }, env);
      const synced = before.instructions.phaseHooks.onEnd.includes('files.sync')
        ? await syncArtifacts({ client: ctx.client(), sessionKey: key, taskCode: reply.session.taskCode, artifacts: reply.session.artifacts, cwd: cwd() })
        : [];
      show(opts, reply, synced);
    });

  examples(jsonOption(program.command('note').description('add a note to the current session').argument('<text>')), 'orch note "the theme lives in CSS variables"').action(async (text: string, opts: Json) => {
    show(opts, await ok(api().POST('/api/v1/sessions/{key}/notes', { ...path(sessionKey()), body: { text } })));
  });

  examples(jsonOption(program.command('update').description('report progress on the current session').argument('<text>')), 'orch update "theme switch works"', 'orch update "tests green" --percent 80', 'orch update "step 2 of 5 done" --event step_complete')
    .option('--event <name>', "emit an event the current phase's template declares (e.g. step_complete in EXECUTE); exit 3 when it does not")
    .option('--percent <n>', 'how far along (0-100)', (v) => {
      const n = Number(v);
      if (!/^\d{1,3}$/.test(v) || n > 100) throw new UsageError('--percent must be 0-100');
      return n;
    })
    .action(async (text: string, opts: Json & { percent?: number; event?: string }) => {
      show(opts, await ok(api().POST('/api/v1/sessions/{key}/progress', { ...path(sessionKey()), body: { text, percent: opts.percent, event: opts.event } })));
    });

  examples(
    jsonOption(program.command('artifact').description('register an artifact on the current session').argument('<name>', 'e.g. PLAN.md').argument('[file]', 'its file (default: ./NAME)')),
    'orch artifact TASK.md ./TASK.md',
    'orch artifact PLAN.md',
    'orch artifact DESIGN.pdf --uri s3://designs/dark-mode.pdf --sha256 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
  )
    .option('--uri <uri>', 'where it lives instead of its content (needs --sha256)')
    .option('--sha256 <hex>', 'its sha256, with --uri')
    .action(async (name: string, file: string | undefined, opts: Json & { uri?: string; sha256?: string }) => {
      let content: string | undefined;
      if (!opts.uri) {
        const path = file ?? `./${basename(name)}`;
        if (!existsSync(path)) throw new UsageError(`no file ${path}: give the file (orch artifact ${name} path/to/${name}) or --uri`);
        content = readFileSync(path, 'utf8');
      }
      show(opts, await ok(api().POST('/api/v1/sessions/{key}/artifacts', { ...path(sessionKey()), body: { name, content, uri: opts.uri, sha256: opts.sha256 } })));
    });

  examples(
    jsonOption(program.command('done').description('finish the current task: summary + at least one update (exit 3 otherwise)').argument('[summary]')),
    'orch done "Dark mode shipped"',
    'orch done --force --reason "superseded by TSK-120"',
  )
    .option('--force', 'finish without them (recorded)')
    .option('--reason <text>', 'why')
    .action(async (summary: string | undefined, opts: Json & { force?: boolean; reason?: string }) => {
      const reply = await ok(api().POST('/api/v1/sessions/{key}/done', { ...path(sessionKey()), body: { summary, force: opts.force, reason: opts.reason } }));
      updateContext({ sessionKey: null }, env);
      show(opts, reply);
    });

  examples(jsonOption(program.command('task-start').description('make a task the current one').argument('<task>')), 'orch task-start TSK-101', 'orch task-start TSK-101 --json')
    .action(async (task: string, opts: Json) => {
      const me = await ok(api().PUT('/api/v1/me/context', { body: { taskCode: task } }));
      updateContext({ taskCode: me.taskCode, sprintCode: me.sprintCode, sessionKey: me.sessionKey }, env);
      if (opts.json) return printJson(ctx.io, me);
      ctx.io.stdout.write(`current task ${me.taskCode}${me.sprintCode ? ` (sprint ${me.sprintCode})` : ''}\nnext: orch session-start\n`);
    });

  examples(jsonOption(program.command('sprint-start').description('make a sprint the current one').argument('<sprint>')), 'orch sprint-start SPR-001')
    .action(async (sprint: string, opts: Json) => {
      const me = await ok(api().PUT('/api/v1/me/context', { body: { sprintCode: sprint } }));
      updateContext({ sprintCode: me.sprintCode }, env);
      if (opts.json) return printJson(ctx.io, me);
      ctx.io.stdout.write(`current sprint ${me.sprintCode}\nnext: orch task-start TSK-…\n`);
    });

  examples(
    jsonOption(program.command('git-link-pr').description("link a pull request to a task's session").argument('<task>').argument('<url>')),
    'orch git-link-pr TSK-101 https://github.com/acme/app/pull/42',
  ).action(async (task: string, url: string, opts: Json) => {
    show(opts, await ok(api().POST('/api/v1/tasks/{code}/pull-request', { params: { path: { code: task } }, body: { url } })));
  });

  examples(jsonOption(program.command('status').description('the current context, session and repository')), 'orch status', 'orch status --json').action(async (opts: Json) => {
    const local = current();
    const session = local.sessionKey ? await getSession(local.sessionKey) : null;
    if (session) seen(session);
    const repo = await repoState(cwd());
    if (opts.json) return printJson(ctx.io, { context: local, session, repository: repo });
    const style = ctx.style('stdout');
    ctx.io.stdout.write(details([['sprint', local.sprintCode], ['task', local.taskCode], ['session', local.sessionKey], ['agent', local.agentId]], style));
    if (repo) ctx.io.stdout.write(details([['branch', repo.branch], ['head', repo.head], ['modified', repo.modified.length ? repo.modified.slice(0, 10) : 'clean']], style));
    if (session) printReply(ctx.io, session, [], style);
    else ctx.io.stdout.write('no current session: orch session-start TSK-…\n');
  });
}
