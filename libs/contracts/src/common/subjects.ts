import { ValidationError } from '@orch/errors';
import { AggregateId, AggregateType } from './ids';

/**
 * Every subject the system uses is built here, from one prefix (`orch` in production; a unique
 * one per test file), so that no service spells a subject by hand.
 */
export class Subjects {
  constructor(readonly prefix: string = 'orch') {
    if (!/^[A-Za-z][A-Za-z0-9_-]*$/.test(prefix)) throw new Error(`subject prefix "${prefix}" must be one token`);
  }

  /** All events: what the event stream captures. */
  get allEvents(): string {
    return `${this.prefix}.evt.>`;
  }

  /** The one subject of one aggregate. Throws on an id that is not a safe token. */
  aggregate(aggregateType: string, aggregateId: string): string {
    return `${this.prefix}.evt.${token('aggregateType', AggregateType, aggregateType)}.${token('aggregateId', AggregateId, aggregateId)}`;
  }

  /** Request/reply subject of a service's command or query. */
  rpc(service: string, name: string): string {
    return `${this.prefix}.rpc.${service}.${name}`;
  }

  health(service: string): string {
    return `${this.prefix}.health.${service}`;
  }

  control(service: string, name: string): string {
    return `${this.prefix}.ctl.${service}.${name}`;
  }

  /** Where a projection announces each new checkpoint (core NATS, fire and forget). */
  checkpoint(projection: string): string {
    return `${this.prefix}.ctl.checkpoint.${projection}`;
  }

  deadLetters(consumer: string): string {
    return `${this.prefix}.dlq.${consumer}`;
  }

  get allDeadLetters(): string {
    return `${this.prefix}.dlq.>`;
  }

  /** Queue group shared by every instance of a service, so that each request is handled once. */
  queue(service: string): string {
    return `${this.prefix}-${service}`;
  }
}

function token(path: string, schema: typeof AggregateId, value: string): string {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const message = parsed.error.issues[0]?.message ?? 'is invalid';
    throw new ValidationError('ID.INVALID', `${path} ${JSON.stringify(value)} ${message}`, [{ path, message }]);
  }
  return parsed.data;
}

/** Which service keeps which projection: used by `npm run projections:rebuild -- <name>`. */
export const PROJECTION_OWNERS: Record<string, string> = {
  planner: 'planner',
  plans: 'planner',
  workflow_runner: 'planner',
  search_events: 'search-service',
  bugs: 'bug-service',
  webhooks: 'notifier',
  agents: 'agent-manager',
  sessions: 'session-service',
  session_agent_lost: 'session-service',
  session_facts: 'session-service',
};
