import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

/** The real services as separate processes (as `npm start` runs them), for end-to-end numbers. */
export class ServiceProcesses {
  private readonly children: ChildProcess[] = [];

  constructor(
    private readonly distRoot: string,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  start(app: string): void {
    // BENCH_PROFILE=dir writes a V8 CPU profile of every service into dir when it stops.
    const profile = process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`, `--cpu-prof-name=${app}.cpuprofile`] : [];
    const child = spawn(process.execPath, [...profile, join(this.distRoot, 'apps', app, 'src', 'main.js')], { env: this.env, stdio: ['ignore', 'ignore', 'inherit'] });
    child.once('exit', (code, signal) => {
      if (!this.stopping) process.stderr.write(`bench: ${app} exited (${code ?? signal})\n`);
    });
    this.children.push(child);
  }

  private stopping = false;

  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(
      this.children.map(
        (c) =>
          new Promise<void>((resolve) => {
            if (c.exitCode !== null || c.signalCode !== null) return resolve(); // already gone (stop is idempotent)
            c.once('exit', () => resolve());
            c.kill('SIGTERM');
            setTimeout(() => c.kill('SIGKILL'), 5_000).unref();
          }),
      ),
    );
  }
}
