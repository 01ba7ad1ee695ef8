import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { SystemStats } from './system-stats';

/**
 * The gateway's Prometheus metrics, in a registry of its own (not prom-client's global one), so
 * several gateways in one process (tests) do not share or double-register counters. Routes are
 * labelled by their pattern, never by the raw URL, to keep the label set bounded.
 */
export class GatewayMetrics {
  readonly registry = new Registry();
  private readonly requests = new Counter({
    name: 'orch_gateway_http_requests_total',
    help: 'HTTP requests answered, by route pattern and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });
  private readonly duration = new Histogram({
    name: 'orch_gateway_http_request_duration_seconds',
    help: 'Time to answer an HTTP request, by route pattern and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });
  private readonly rpcErrors = new Counter({
    name: 'orch_gateway_rpc_errors_total',
    help: 'Service calls that ended in an error, by service, route and error code',
    labelNames: ['service', 'route', 'code'] as const,
    registers: [this.registry],
  });

  private readonly sseDropped = new Counter({
    name: 'orch_gateway_sse_dropped_total',
    help: 'Event-stream clients dropped because they read slower than events arrived',
    registers: [this.registry],
  });
  readonly sseClients = new Gauge({ name: 'orch_gateway_sse_clients', help: 'Open event-stream connections', registers: [this.registry] });

  constructor() {
    this.registry.setDefaultLabels({ service: 'gateway' });
    collectDefaultMetrics({ register: this.registry, prefix: 'orch_gateway_' });
  }

  observeRequest(method: string, route: string, status: number, seconds: number): void {
    const labels = { method, route, status: String(status) };
    this.requests.inc(labels);
    this.duration.observe(labels, seconds);
  }

  rpcError(service: string, route: string, code: string): void {
    this.rpcErrors.inc({ service, route, code });
  }

  /**
   * Gauges read from the system at scrape time: the log, each projection's lag, each consumer's
   * backlog, dead letters and webhook deliveries. prom-client collects metrics concurrently, so
   * each gauge awaits the same reading (the reader caches it for a second). A failed read leaves
   * the last values and is counted: one unreachable dependency never breaks the whole scrape.
   */
  observeSystem(read: () => Promise<SystemStats>): void {
    const registers = [this.registry];
    const failures = new Counter({ name: 'orch_stats_read_failures_total', help: 'Scrapes that could not read the stream or the read models', registers });
    const gauge = <L extends string>(name: string, help: string, labelNames: L[], fill: (s: SystemStats, g: Gauge<L>) => void) =>
      new Gauge<L>({
        name,
        help,
        labelNames,
        registers,
        async collect() {
          const stats = await read().catch(() => undefined);
          if (stats) fill(stats, this);
          else if (name === 'orch_stream_last_seq') failures.inc();
        },
      });
    gauge('orch_stream_last_seq', 'Last sequence of the event stream', [], (s, g) => g.set(s.stream.lastSeq));
    gauge('orch_stream_messages', 'Commits in the event stream', [], (s, g) => g.set(s.stream.messages));
    gauge('orch_projection_lag', 'Commits a projection has not applied yet', ['projection'], (s, g) => s.projections.forEach((p) => g.set({ projection: p.name }, p.lag)));
    gauge('orch_consumer_pending', 'Messages a durable consumer has not been delivered yet', ['consumer'], (s, g) => s.consumers.forEach((c) => g.set({ consumer: c.name }, c.pending)));
    gauge('orch_consumer_ack_pending', 'Messages delivered to a durable consumer and not acknowledged', ['consumer'], (s, g) => s.consumers.forEach((c) => g.set({ consumer: c.name }, c.ackPending)));
    gauge('orch_dead_letters', 'Messages in the dead-letter stream', [], (s, g) => g.set(s.deadLetters.messages));
    gauge('orch_webhook_deliveries', 'Webhook deliveries by state', ['status'], (s, g) => Object.entries(s.webhookDeliveries).forEach(([status, n]) => g.set({ status }, n)));
  }

  sseDrop(): void {
    this.sseDropped.inc();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  render(): Promise<string> {
    return this.registry.metrics();
  }
}
