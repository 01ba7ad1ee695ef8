import { Inject, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { ADMINS } from '../auth/roles';
import { Endpoint, RootController } from '../http/endpoint';
import { HealthStatus, ReadinessReport } from '../http/schemas';
import type { GatewayDependencies } from '../ops/dependencies';
import { GatewayMetrics } from '../ops/metrics';
import { checkReadiness } from '../ops/readiness';
import { DEPENDENCIES } from '../tokens';

/** Operations endpoints at the root: what orchestrators (compose, Kubernetes, Prometheus) poll. */
@RootController()
export class HealthController {
  constructor(
    @Inject(DEPENDENCIES) private readonly deps: GatewayDependencies,
    private readonly metrics: GatewayMetrics,
  ) {}

  @Endpoint({ method: 'GET', path: 'health', summary: 'The gateway process is alive', roles: 'public', response: HealthStatus })
  health(): HealthStatus {
    return { status: 'ok' };
  }

  @Endpoint({
    method: 'GET',
    path: 'ready',
    summary: 'Ready when NATS, Postgres, Redis and every service answer',
    roles: 'public',
    response: ReadinessReport,
    alsoAnswers: { 503: 'Something is down; `checks` names it' },
  })
  async ready(@Res({ passthrough: true }) reply: FastifyReply): Promise<ReadinessReport> {
    const report = await checkReadiness(this.deps);
    if (report.status !== 'ready') reply.status(503);
    return report;
  }

  @Endpoint({ method: 'GET', path: 'metrics', summary: 'Prometheus metrics', roles: ADMINS, response: z.string(), produces: 'text/plain; version=0.0.4' })
  async prometheus(@Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    reply.type(this.metrics.contentType);
    return this.metrics.render();
  }
}
