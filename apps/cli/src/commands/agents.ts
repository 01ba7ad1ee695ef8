import { spawn } from 'node:child_process';
import type { Command } from 'commander';
import { ok, type Schema } from '../client';
import { details, printJson, table } from '../output';
import { waiting, whileWaiting, type Waiting } from '../progress';
import { examples, jsonOption, list, oneOf, positiveInt, UsageError, type CommandContext } from './context';

const STATUSES = ['IDLE', 'BUSY', 'STALE', 'LOST', 'TERMINATED'] as const;
const PERMISSIONS = ['full', 'limited', 'readonly'] as const;
/** The gateway holds a long poll for at most this many seconds. */
const MAX_WAIT_S = 30;

type AgentView = Schema<'AgentView'>;

function printAgent(ctx: CommandContext, a: AgentView): void {
  ctx.io.stdout.write(details([
    ['id', a.id], ['name', a.name], ['type', a.type], ['status', a.status], ['load', `${a.load}/${a.maxLoad}`], ['priority', a.priority],
    ['permission', a.permission], ['capabilities', a.capabilities], ['tasks', a.taskCodes], ['last heartbeat', a.lastHeartbeatAt], ['last assigned', a.lastAssignedAt], ['cost/hour', a.costPerHour],
  ], ctx.style('stdout')));
}

/** `orch agents list|get|register|match|assignments|terminate|spawn`. */
export function agentsCommands(program: Command, ctx: CommandContext): void {
  const api = () => ctx.client().api;
  const agents = examples(
    program.command('agents').description('the agent registry: list, inspect, register, match, spawn, terminate'),
    'orch agents list --status idle',
    'orch agents register "Ada" --type researcher',
    'orch agents spawn coder',
  );

  examples(jsonOption(agents.command('list').description('list agents')), 'orch agents list', 'orch agents list --status busy --type coder', 'orch agents list --json')
    .option('--status <status>', STATUSES.join('|'), oneOf(STATUSES))
    .option('--type <type>', 'an agent type from config/agents.yaml')
    .action(async (opts: { status?: (typeof STATUSES)[number]; type?: string; json?: boolean }) => {
      const page = await ok(api().GET('/api/v1/agents', { params: { query: { status: opts.status, type: opts.type } } }));
      if (opts.json) return printJson(ctx.io, page);
      const rows = page.items.map((a) => [a.id, a.name, a.type, a.status, `${a.load}/${a.maxLoad}`, a.priority, a.taskCodes.join(','), a.lastHeartbeatAt]);
      ctx.io.stdout.write(table(['ID', 'NAME', 'TYPE', 'STATUS', 'LOAD', 'PRIORITY', 'TASKS', 'LAST HEARTBEAT'], rows, ctx.style('stdout')));
    });

  examples(jsonOption(agents.command('get').description('show one agent').argument('<id>')), 'orch agents get coder-1a2b3c', 'orch agents get coder-1a2b3c --json').action(async (id: string, opts: { json?: boolean }) => {
    const agent = await ok(api().GET('/api/v1/agents/{id}', { params: { path: { id } } }));
    if (opts.json) return printJson(ctx.io, agent);
    printAgent(ctx, agent);
  });

  examples(
    jsonOption(agents.command('register').description('register an external agent; prints its own API key once').argument('<name>')),
    'orch agents register "Ada" --type researcher',
    'orch agents register "Grace" --type coder --capabilities typescript,testing --max-load 2 --permission limited',
  )
    .requiredOption('--type <type>', 'an agent type from config/agents.yaml')
    .option('--capabilities <list>', 'comma-separated (default: the type’s)', list)
    .option('--max-load <n>', 'concurrent tasks', positiveInt)
    .option('--priority <n>', 'higher is matched first', (v) => Number(v))
    .option('--permission <level>', PERMISSIONS.join('|'), oneOf(PERMISSIONS))
    .action(async (name: string, opts: { type: string; capabilities?: string[]; maxLoad?: number; priority?: number; permission?: (typeof PERMISSIONS)[number]; json?: boolean }) => {
      const body = { name, type: opts.type, capabilities: opts.capabilities, maxLoad: opts.maxLoad, priority: opts.priority, permission: opts.permission };
      const reply = await ok(api().POST('/api/v1/agents', { body }));
      if (opts.json) return printJson(ctx.io, reply);
      printAgent(ctx, reply.agent);
      ctx.io.stdout.write(`api key   ${reply.apiKey}\n(shown once: give it to the agent as ORCH_API_KEY, with ORCH_AGENT_ID=${reply.agent.id})\n`);
      for (const w of reply.warnings) ctx.io.stderr.write(`warning: ${w}\n`);
    });

  examples(
    jsonOption(agents.command('match').description('which agents could take work needing these capabilities, and why the others cannot').argument('[capabilities]', 'comma-separated', list)),
    'orch agents match typescript,testing',
    'orch agents match web_research --type researcher --json',
  )
    .option('--type <type>', 'only this agent type')
    .action(async (capabilities: string[] | undefined, opts: { type?: string; json?: boolean }) => {
      const reply = await ok(api().POST('/api/v1/agents/match', { body: { capabilities: capabilities ?? [], type: opts.type } }));
      if (opts.json) return printJson(ctx.io, reply);
      const rows = reply.matches.map((a, i) => [i + 1, a.id, a.name, a.priority, `${a.load}/${a.maxLoad}`, a.lastAssignedAt]);
      ctx.io.stdout.write(table(['#', 'ID', 'NAME', 'PRIORITY', 'LOAD', 'LAST ASSIGNED'], rows, ctx.style('stdout')));
      for (const r of reply.rejected) ctx.io.stdout.write(`rejected ${r.id} (${r.name}): ${r.reasons.join('; ')}\n`);
    });

  examples(
    jsonOption(agents.command('assignments').description("an agent's current assignments; --wait long-polls until there is one (up to 30 s)").argument('<id>')),
    'orch agents assignments coder-1a2b3c',
    'orch agents assignments coder-1a2b3c --wait 30 --json',
  )
    .option('--wait <s>', `wait up to s seconds for an assignment (max ${MAX_WAIT_S})`, positiveInt)
    .action(async (id: string, opts: { wait?: number; json?: boolean }) => {
      const wait = opts.wait === undefined ? undefined : Math.min(opts.wait, MAX_WAIT_S);
      const poll = () => ok(api().GET('/api/v1/agents/{id}/assignments', { params: { path: { id }, query: { wait } } }));
      const reply = wait ? await whileWaiting(ctx.io.stderr, `waiting for assignments of ${id}`, poll) : await poll();
      if (opts.json) return printJson(ctx.io, reply);
      const rows = reply.items.map((a) => [a.taskCode, a.sprintCode, a.status, a.assignedAt, a.resumed ? 'yes' : '', a.title]);
      ctx.io.stdout.write(table(['TASK', 'SPRINT', 'STATUS', 'ASSIGNED', 'RESUMED', 'TITLE'], rows, ctx.style('stdout')));
    });

  examples(
    jsonOption(agents.command('terminate').description('terminate an agent: its tasks go back to READY, a spawned process is stopped').argument('<id>')),
    'orch agents terminate coder-1a2b3c',
    'orch agents terminate coder-1a2b3c --reason "done for today"',
  )
    .option('--reason <text>', 'why')
    .action(async (id: string, opts: { reason?: string; json?: boolean }) => {
      const agent = await ok(api().DELETE('/api/v1/agents/{id}', { params: { path: { id } }, body: { reason: opts.reason } }));
      if (opts.json) return printJson(ctx.io, agent);
      ctx.io.stdout.write(`${agent.id} ${agent.status}\n`);
    });

  examples(jsonOption(agents.command('spawn').description('start an agent process of a type that has a command').argument('<type>')), 'orch agents spawn coder', 'orch agents spawn reviewer --name "night reviewer"')
    .option('--name <name>', 'its name')
    .action(async (type: string, opts: { name?: string; json?: boolean }) => {
      const reply = await ok(api().POST('/api/v1/agents/spawn', { body: { type, name: opts.name } }));
      if (opts.json) return printJson(ctx.io, { ...reply, apiKey: undefined });
      ctx.io.stdout.write(`${reply.agent.id} started (pid ${reply.pid})\n`);
    });

  agentRunCommand(program, ctx);
}

interface RunOpts {
  id?: string;
  type?: string;
  name?: string;
  exec?: string;
  heartbeatMs: number;
  wait: number;
  once?: boolean;
}

/**
 * `orch agent run`: be an agent. Registers (unless ORCH_AGENT_ID / --id names one), heartbeats,
 * long-polls assignments and, for each, runs `--exec` with ORCH_TASK_CODE in its environment
 * (or prints the assignment as a JSON line). `--once` stops after the first batch. While a poll
 * waits, a person at the terminal sees `waiting for assignments… (12 s)` on stderr.
 */
function agentRunCommand(program: Command, ctx: CommandContext): void {
  const agent = examples(program.command('agent').description('run as an agent'), 'orch agent run --type coder --exec "./work-on-task.sh"');
  examples(
    agent.command('run').description('register (or use ORCH_AGENT_ID), heartbeat, long-poll assignments and run a command for each'),
    'orch agent run --type coder --exec "./work-on-task.sh"',
    'orch agent run --id coder-1a2b3c --once',
    'orch agent run --type planner --heartbeat-ms 2000 --wait 10',
  )
    .option('--id <id>', 'an agent registered already (default: env ORCH_AGENT_ID)')
    .option('--type <type>', 'register a new agent of this type')
    .option('--name <name>', 'its name', `agent on ${process.env.HOSTNAME ?? 'this host'}`)
    .option('--exec <command>', 'shell command run per assignment, with ORCH_TASK_CODE set')
    .option('--heartbeat-ms <ms>', 'heartbeat interval', positiveInt, 5_000)
    .option('--wait <s>', `long-poll wait in seconds (max ${MAX_WAIT_S})`, positiveInt, MAX_WAIT_S)
    .option('--once', 'stop after the first assignments')
    .action(async (opts: RunOpts) => {
      const api = ctx.client().api;
      let id = opts.id ?? process.env.ORCH_AGENT_ID;
      if (!id) {
        if (!opts.type) throw new UsageError('name an agent with --id (or ORCH_AGENT_ID), or register one with --type');
        const reply = await ok(api.POST('/api/v1/agents', { body: { name: opts.name ?? 'agent', type: opts.type } }));
        id = reply.agent.id;
        ctx.io.stderr.write(`registered ${id}; its key: ${reply.apiKey}\n`);
      }
      const agentId = id;
      let line: Waiting | undefined;
      // A message while the waiting line is drawn goes above it, not into it.
      const say = (text: string) => (line ? line.print(text) : ctx.io.stderr.write(text));
      const beat = () => ok(api.POST('/api/v1/agents/{id}/heartbeat', { params: { path: { id: agentId } }, body: {} })).catch((e: Error) => say(`heartbeat failed: ${e.message}\n`));
      await beat();
      const timer = setInterval(() => void beat(), opts.heartbeatMs);
      const seen = new Set<string>();
      try {
        for (;;) {
          line = waiting(ctx.io.stderr, `waiting for assignments of ${agentId}`);
          const { items } = await ok(api.GET('/api/v1/agents/{id}/assignments', { params: { path: { id: agentId }, query: { wait: Math.min(opts.wait, MAX_WAIT_S) } } })).finally(() => line?.stop());
          const fresh = items.filter((a) => !seen.has(a.taskCode));
          for (const a of fresh) {
            seen.add(a.taskCode);
            if (!opts.exec) ctx.io.stdout.write(`${JSON.stringify(a)}\n`);
            else await runFor(opts.exec, a.taskCode, agentId, ctx);
          }
          if (opts.once && fresh.length > 0) return;
        }
      } finally {
        line?.stop();
        clearInterval(timer);
      }
    });
}

async function runFor(command: string, taskCode: string, agentId: string, ctx: CommandContext): Promise<void> {
  const code = await new Promise<number | null>((resolve) => {
    const child = spawn(command, { shell: true, stdio: 'inherit', env: { ...process.env, ORCH_TASK_CODE: taskCode, ORCH_AGENT_ID: agentId } });
    child.once('exit', (c) => resolve(c));
  });
  if (code !== 0) ctx.io.stderr.write(`${command} exited with ${code} for ${taskCode}\n`);
}
