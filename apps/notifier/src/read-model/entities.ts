import { Column, Entity, PrimaryColumn } from 'typeorm';

/** `webhook_subscriptions`: one row per subscription; `sealed` holds its URL and secret encrypted. */
@Entity('webhook_subscriptions')
export class WebhookSubscription {
  @PrimaryColumn({ type: 'text' }) id!: string;
  @Column({ type: 'text' }) kind!: string;
  @Column({ name: 'display_url', type: 'text' }) displayUrl!: string;
  @Column({ type: 'text' }) sealed!: string;
  @Column({ type: 'jsonb' }) events!: string[];
  @Column({ name: 'sprint_code', type: 'text', nullable: true }) sprintCode!: string | null;
  @Column({ name: 'task_code', type: 'text', nullable: true }) taskCode!: string | null;
  @Column({ type: 'text', nullable: true }) description!: string | null;
  @Column({ type: 'boolean' }) enabled!: boolean;
  @Column({ type: 'boolean', default: false }) deleted!: boolean;
  @Column({ name: 'disabled_reason', type: 'text', nullable: true }) disabledReason!: string | null;
  @Column({ type: 'int' }) version!: number;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @Column({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
}

/** `webhook_deliveries`: the outbox and the delivery log, one row per subscription and event. */
@Entity('webhook_deliveries')
export class WebhookDelivery {
  @PrimaryColumn({ type: 'uuid' }) id!: string;
  @Column({ name: 'subscription_id', type: 'text' }) subscriptionId!: string;
  @Column({ name: 'event_id', type: 'uuid' }) eventId!: string;
  @Column({ name: 'event_type', type: 'text' }) eventType!: string;
  @Column({ type: 'bigint' }) seq!: string;
  @Column({ type: 'jsonb' }) event!: Record<string, unknown>;
  @Column({ type: 'text' }) status!: string;
  @Column({ type: 'int' }) attempts!: number;
  @Column({ type: 'int' }) tries!: number;
  @Column({ name: 'attempt_log', type: 'jsonb' }) attemptLog!: unknown[];
  @Column({ name: 'last_status_code', type: 'int', nullable: true }) lastStatusCode!: number | null;
  @Column({ name: 'last_error', type: 'text', nullable: true }) lastError!: string | null;
  @Column({ name: 'next_attempt_at', type: 'timestamptz', nullable: true }) nextAttemptAt!: Date | null;
  @Column({ name: 'locked_until', type: 'timestamptz', nullable: true }) lockedUntil!: Date | null;
  @Column({ name: 'delivered_at', type: 'timestamptz', nullable: true }) deliveredAt!: Date | null;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @Column({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
}

/** `webhook_task_scopes`: the sprint of each task, for sprint filters on events that do not name it. */
@Entity('webhook_task_scopes')
export class WebhookTaskScope {
  @PrimaryColumn({ name: 'task_code', type: 'text' }) taskCode!: string;
  @Column({ name: 'sprint_code', type: 'text', nullable: true }) sprintCode!: string | null;
}

/** `webhook_workflow_scopes`: the sprint and tasks of each workflow. */
@Entity('webhook_workflow_scopes')
export class WebhookWorkflowScope {
  @PrimaryColumn({ name: 'workflow_id', type: 'text' }) workflowId!: string;
  @Column({ name: 'sprint_code', type: 'text', nullable: true }) sprintCode!: string | null;
  @Column({ name: 'task_codes', type: 'jsonb' }) taskCodes!: string[];
}
