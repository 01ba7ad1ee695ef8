import { Inject, Injectable } from '@nestjs/common';
import { JetStreamApiCodes, JetStreamApiError } from '@nats-io/jetstream';
import { UnavailableError } from '@orch/errors';
import { INFRA, type Infrastructure } from '@orch/service-kit';

/**
 * Whether an aggregate of another service exists (a sprint, a session, a workflow): one direct
 * get of its subject's last message from the log, so no service has to be asked and no read
 * model can lag behind.
 */
@Injectable()
export class LogLookup {
  constructor(@Inject(INFRA) private readonly infra: Infrastructure) {}

  async exists(aggregateType: string, id: string): Promise<boolean> {
    const subject = this.infra.subjects.aggregate(aggregateType, id);
    try {
      const msg = await this.infra.jsm.streams.getMessage(this.infra.config.NATS_STREAM, { last_by_subj: subject });
      return !!msg;
    } catch (error) {
      if (error instanceof JetStreamApiError && error.code === JetStreamApiCodes.NoMessageFound) return false;
      throw new UnavailableError('EVENT_LOG.UNAVAILABLE', `Could not read the event log: ${(error as Error).message}`);
    }
  }
}
