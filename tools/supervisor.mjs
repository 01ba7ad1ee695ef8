// Runs the services as child processes for `npm start`: their output prefixed and made readable,
// an unexpected exit reported (and everything stopped), and an orderly stop: SIGTERM, then
// SIGKILL for whatever is still running after the grace period.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { createFormatter } from './log-format.mjs';

export class Supervisor {
  /**
   * @param {{ names: string[], env: NodeJS.ProcessEnv, cwd: string, graceMs?: number,
   *           onUnexpectedExit: (name: string, code: number | null, signal: string | null) => void }} options
   */
  constructor(options) {
    this.options = options;
    this.children = new Map();
    this.stopping = false;
    this.format = createFormatter({
      width: Math.max(...options.names.map((n) => n.length)),
      color: Boolean(process.stdout.isTTY) && !process.env.NO_COLOR,
      raw: process.env.ORCH_LOG_FORMAT === 'json',
    });
    // Children run in their own process group (so a Ctrl-C reaches only us and we stop them in
    // order); if this process ends anyway, take them with it.
    process.once('exit', () => {
      for (const child of this.children.values()) if (child.exitCode === null && child.signalCode === null) killGroup(child, 'SIGKILL');
    });
  }

  /** Starts `node <entry>` under `name`. */
  start(name, entry) {
    const child = spawn(process.execPath, [entry], { cwd: this.options.cwd, env: this.options.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    this.children.set(name, child);
    for (const stream of [child.stdout, child.stderr]) {
      createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => {
        if (line.trim()) process.stdout.write(`${this.format(name, line)}\n`);
      });
    }
    child.once('exit', (code, signal) => {
      if (!this.stopping) this.options.onUnexpectedExit(name, code, signal);
    });
    child.once('error', (error) => {
      process.stderr.write(`[${name}] could not start: ${error.message}\n`);
    });
  }

  /** SIGTERM to every child, SIGKILL after the grace period; resolves when all have exited. */
  async stopAll() {
    this.stopping = true;
    const graceMs = this.options.graceMs ?? 10_000;
    const running = [...this.children.entries()].filter(([, c]) => c.exitCode === null && c.signalCode === null);
    await Promise.all(
      running.map(
        ([name, child]) =>
          new Promise((resolve) => {
            const timer = setTimeout(() => {
              process.stderr.write(`[${name}] still running after ${graceMs / 1000} s: killing it\n`);
              killGroup(child, 'SIGKILL');
            }, graceMs);
            child.once('exit', () => {
              clearTimeout(timer);
              resolve();
            });
            child.kill('SIGTERM');
          }),
      ),
    );
  }

  /** Immediately ends every child (a second Ctrl-C). */
  killAll() {
    for (const child of this.children.values()) if (child.exitCode === null && child.signalCode === null) killGroup(child, 'SIGKILL');
  }
}

function killGroup(child, signal) {
  try {
    process.kill(-child.pid, signal);
  } catch {
    child.kill(signal);
  }
}
