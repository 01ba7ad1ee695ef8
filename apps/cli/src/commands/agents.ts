import { spawn } from 'node:child_process';
import type { Command } from 'commander';
import type { AgentPage, AgentView, AssignmentsReply, HeartbeatReply, MatchReply, RegisteredAgent, SpawnedAgent } from '@orch/contracts';
import { details, printJson, table } from '../output';
import { jsonOption, list, oneOf, positiveInt, UsageError, type CommandContext } from './context';

const STATUSES = ['IDLE', 'BUSY', 'STALE', 'LOST', 'TERMINATED'] as const;
const PERMISSIONS = ['full', 'limited', 'readonly'] as const;
const path = (id: string) => `/api/v1/agents/${encodeURIComponent(id)}`;

function printAgent(ctx: CommandContext, a: AgentView): void {
  ctx.io.stdout.write(details([
    ['id', a.id], ['name', a.name], ['type', a.type], ['status', a.status], ['load', `${a.load}/${a.maxLoad}`], ['priority', a.priority],
    ['permission', a.permission], ['capabilities', a.capabilities], ['tasks', a.taskCodes], ['last heartbeat', a.lastHeartbeatAt], ['last assigned', a.lastAssignedAt], ['cost/hour', a.costPerHour],
  ]));
}

/** `orch agents list|get|register|match|terminate|spawn`. */
export function agentsCommands(program: Command, ctx: CommandContext): void {
  const agents = program.command('agents').description('the agent registry: list, inspect, register, match, spawn, terminate');

  jsonOption(agents.command('list').description('list agents'))
    .option('--status <status>', STATUSES.join('|'), oneOf(STATUSES))
    .option('--type <type>', 'an agent type from config/agents.yaml')
    .action(async (opts: { status?: string; type?: string; json?: boolean }) => {
      const page = (await ctx.client().get<AgentPage>('/api/v1/agents', { status: opts.status, type: opts.type })).body;
      if (opts.json) return printJson(ctx.io, page);
      ctx.io.stdout.write(table(['ID', 'NAME', 'TYPE', 'STATUS', 'LOAD', 'PRIORITY', 'TASKS', 'LAST HEARTBEAT'], page.items.map((a) => [a.id, a.name, a.type, a.status, `${a.load}/${a.maxLoad}`, a.priority, a.taskCodes.join(','), a.lastHeartbeatAt])));
    });

  jsonOption(agents.command('get').description('show one agent').argument('<id>')).action(async (id: string, opts: { json?: boolean }) => {
    const agent = (await ctx.client().get<AgentView>(path(id))).body;
    if (opts.json) return printJson(ctx.io, agent);
    printAgent(ctx, agent);
  });

  jsonOption(agents.command('register').description('register an external agent; prints its own API key once').argument('<name>'))
    .requiredOption('--type <type>', 'an agent type from config/agents.yaml')
    .option('--capabilities <list>', 'comma-separated (default: the type’s)', list)
    .option('--max-load <n>', 'concurrent tasks', positiveInt)
    .option('--priority <n>', 'higher is matched first', (v) => Number(v))
    .option('--permission <level>', PERMISSIONS.join('|'), oneOf(PERMISSIONS))
    .action(async (name: string, opts: { type: string; capabilities?: string[]; maxLoad?: number; priority?: number; permission?: string; json?: boolean }) => {
      const body = { name, type: opts.type, capabilities: opts.capabilities, maxLoad: opts.maxLoad, priority: opts.priority, permission: opts.permission };
      const reply = (await ctx.client().post<RegisteredAgent>('/api/v1/agents', body)).body;
      if (opts.json) return printJson(ctx.io, reply);
      printAgent(ctx, reply.agent);
      ctx.io.stdout.write(`api key   ${reply.apiKey}\n(shown once: give it to the agent as ORCH_API_KEY, with ORCH_AGENT_ID=${reply.agent.id})\n`);
      for (const w of reply.warnings) ctx.io.stderr.write(`warning: ${w}\n`);
    });

  jsonOption(agents.command('match').description('which agents could take work needing these capabilities, and why the others cannot').argument('[capabilities]', 'comma-separated', list))
    .option('--type <type>', 'only this agent type')
    .action(async (capabilities: string[] | undefined, opts: { type?: string; json?: boolean }) => {
      const reply = (await ctx.client().post<MatchReply>('/api/v1/agents/match', { capabilities: capabilities ?? [], type: opts.type })).body;
      if (opts.json) return printJson(ctx.io, reply);
      ctx.io.stdout.write(table(['#', 'ID', 'NAME', 'PRIORITY', 'LOAD', 'LAST ASSIGNED'], reply.matches.map((a, i) => [i + 1, a.id, a.name, a.priority, `${a.load}/${a.maxLoad}`, a.lastAssignedAt])));
      for (const r of reply.rejected) ctx.io.stdout.write(`rejected ${r.id} (${r.name}): ${r.reasons.join('; ')}\n`);
    });

  jsonOption(agents.command('terminate').description('terminate an agent: its tasks go back to READY, a spawned process is stopped').argument('<id>'))
    .option('--reason <text>', 'why')
    .action(async (id: string, opts: { reason?: string; json?: boolean }) => {
      const agent = (await ctx.client().request<AgentView>('DELETE', path(id), opts.reason ? { body: { reason: opts.reason } } : {})).body;
      if (opts.json) return printJson(ctx.io, agent);
      ctx.io.stdout.write(`${agent.id} ${agent.status}\n`);
    });

  jsonOption(agents.command('spawn').description('start an agent process of a type that has a command').argument('<type>'))
    .option('--name <name>', 'its name')
    .action(async (type: string, opts: { name?: string; json?: boolean }) => {
      const reply = (await ctx.client().post<SpawnedAgent>('/api/v1/agents/spawn', { type, name: opts.name })).body;
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
 * (or prints the assignment as a JSON line). `--once` stops after the first batch.
 */
function agentRunCommand(program: Command, ctx: CommandContext): void {
  program
    .command('agent')
    .description('run as an agent')
    .command('run')
    .description('register (or use ORCH_AGENT_ID), heartbeat, long-poll assignments and run a command for each')
    .option('--id <id>', 'an agent registered already (default: env ORCH_AGENT_ID)')
    .option('--type <type>', 'register a new agent of this type')
    .option('--name <name>', 'its name', `agent on ${process.env.HOSTNAME ?? 'this host'}`)
    .option('--exec <command>', 'shell command run per assignment, with ORCH_TASK_CODE set')
    .option('--heartbeat-ms <ms>', 'heartbeat interval', positiveInt, 5_000)
    .option('--wait <s>', 'long-poll wait in seconds (max 30)', positiveInt, 30)
    .option('--once', 'stop after the first assignments')
    .action(async (opts: RunOpts) => {
      const client = ctx.client();
      let id = opts.id ?? process.env.ORCH_AGENT_ID;
      if (!id) {
        if (!opts.type) throw new UsageError('name an agent with --id (or ORCH_AGENT_ID), or register one with --type');
        const reply = (await client.post<RegisteredAgent>('/api/v1/agents', { name: opts.name, type: opts.type })).body;
        id = reply.agent.id;
        ctx.io.stderr.write(`registered ${id}; its key: ${reply.apiKey}\n`);
      }
      const beat = () => client.post<HeartbeatReply>(`${path(id!)}/heartbeat`, {}).catch((e: Error) => ctx.io.stderr.write(`heartbeat failed: ${e.message}\n`));
      await beat();
      const timer = setInterval(() => void beat(), opts.heartbeatMs);
      const seen = new Set<string>();
      try {
        for (;;) {
          const { items } = (await client.get<AssignmentsReply>(`${path(id)}/assignments`, { wait: Math.min(opts.wait, 30) })).body;
          const fresh = items.filter((a) => !seen.has(a.taskCode));
          for (const a of fresh) {
            seen.add(a.taskCode);
            if (!opts.exec) ctx.io.stdout.write(`${JSON.stringify(a)}\n`);
            else await runFor(opts.exec, a.taskCode, id, ctx);
          }
          if (opts.once && fresh.length > 0) return;
        }
      } finally {
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
