import { UnavailableError } from '@orch/errors';
import { READERS } from '../auth/roles';
import { ApiController, Endpoint } from '../http/endpoint';
import { SystemStats, SystemStatsReader } from '../ops/system-stats';

/** `/api/v1/stats`: is anything behind or stuck? The same figures `/metrics` exports, as JSON. */
@ApiController('stats')
export class StatsController {
  constructor(private readonly stats: SystemStatsReader) {}

  @Endpoint({
    method: 'GET',
    summary: 'The log, projections, consumers, dead letters and webhook deliveries at a glance',
    description: 'Each projection\'s `lag` is how many commits it has still to apply; `consumers[].pending` what JetStream has not delivered yet.',
    roles: READERS,
    response: SystemStats,
    errors: [503],
  })
  async read(): Promise<SystemStats> {
    return await this.stats.read().catch((error: Error) => {
      throw new UnavailableError('STATS.UNAVAILABLE', `Cannot read the system statistics: ${error.message}`);
    });
  }
}
