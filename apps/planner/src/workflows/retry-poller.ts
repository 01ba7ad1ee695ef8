import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { DATA_SOURCE, LOGGER, ProjectionHost } from '@orch/service-kit';
import { TaskRepository } from '../tasks/task.repository';
import { liveRun, WorkflowCommands } from './workflow-commands';

const POLL_MS = 100;

/**
 * Sends the retries the process manager scheduled (`retry_due_at` in its table, so a restart
 * loses none): a FAILED task whose backoff has passed goes back to READY. Only the instance
 * that holds the process manager's consumer polls.
 */
@Injectable()
export class RetryPoller implements OnApplicationBootstrap, OnModuleDestroy {
  private timer: NodeJS.Timeout | undefined;
  private polling = false;

  constructor(
    private readonly host: ProjectionHost,
    private readonly tasks: TaskRepository,
    private readonly commands: WorkflowCommands,
    @Inject(DATA_SOURCE) private readonly ds: DataSource,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.sendDue(), POLL_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  async sendDue(): Promise<void> {
    if (this.polling || !this.host.get('workflow_runner')?.status().active) return;
    this.polling = true;
    try {
      const due: Array<{ workflow_id: string; task_code: string; failures: number; retry_cause: string }> = await this.ds.query(
        'SELECT workflow_id, task_code, failures, retry_cause FROM orchestration_workflow_tasks WHERE retry_due_at <= now() ORDER BY retry_due_at LIMIT 100',
      );
      for (const r of due) {
        const run = await liveRun(this.ds.manager, r.workflow_id);
        if (run && (await this.tasks.load(r.task_code)).state?.status === 'FAILED') {
          const reason = `retry ${r.failures} of ${run.retry.maxAttempts - 1} after a failure (workflow ${r.workflow_id})`;
          await this.commands.ready(r.task_code, reason, this.commands.metaFor({ id: r.retry_cause, correlationId: r.retry_cause }, 'retry', r.task_code));
        }
        await this.ds.query('UPDATE orchestration_workflow_tasks SET retry_due_at = NULL WHERE workflow_id = $1 AND task_code = $2 AND retry_cause = $3', [r.workflow_id, r.task_code, r.retry_cause]);
      }
    } catch (error) {
      this.logger.warn({ err: error }, 'sending due workflow retries failed; trying again');
    } finally {
      this.polling = false;
    }
  }
}
