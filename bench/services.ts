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
    const child = spawn(process.execPath, [join(this.distRoot, 'apps', app, 'src', 'main.js')], { env: this.env, stdio: ['ignore', 'ignore', 'inherit'] });
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
            if (c.exitCode !== null) return resolve();
            c.once('exit', () => resolve());
            c.kill('SIGTERM');
            setTimeout(() => c.kill('SIGKILL'), 5_000).unref();
          }),
      ),
    );
  }
}
