import { Module, type DynamicModule, type OnModuleInit } from '@nestjs/common';
import { SessionLogSubjects } from '@orch/contracts';
import { type Infrastructure } from '@orch/service-kit';
import { SessionRepository } from '../sessions/session.repository';
import { loadSessionLogsSettings } from './config';
import { LogAccess } from './log-access';
import { SessionLogStore } from './log-store';
import { ensureSessionLogStream, type SessionLogStreamOptions } from './log-stream';
import { SessionLogs } from './session-logs';
import { SessionLogsRpc } from './session-logs.rpc';

/** Creates or updates the logs stream before the routes are served (Nest inits modules before bootstrap). */
class SessionLogStreamInit implements OnModuleInit {
  constructor(
    private readonly infra: Infrastructure,
    private readonly opts: SessionLogStreamOptions,
  ) {}

  async onModuleInit(): Promise<void> {
    const info = await ensureSessionLogStream(this.infra.jsm, this.opts);
    this.infra.logger.info({ stream: info.config.name, maxAgeMs: this.opts.maxAgeMs, maxBytes: this.opts.maxBytes }, 'session logs stream ready');
  }
}

/**
 * Agent logs per session (`POST/GET /sessions/:key/logs`): their own JetStream stream
 * (`<NATS_STREAM>_LOGS`, limits-based retention), one subject per session, redacted on the way in.
 * Settings come from `env` (SESSION_LOGS_MAX_AGE_MS, SESSION_LOGS_MAX_BYTES) when the service starts.
 */
@Module({})
export class SessionLogsModule {
  static forRoot(infra: Infrastructure, env: NodeJS.ProcessEnv = process.env): DynamicModule {
    const settings = loadSessionLogsSettings(env);
    const stream = SessionLogSubjects.stream(infra.config.NATS_STREAM);
    const opts: SessionLogStreamOptions = { stream, subjects: infra.subjects, replicas: infra.config.NATS_REPLICAS, duplicateWindowMs: infra.config.NATS_DUPLICATE_WINDOW_MS, ...settings };
    return {
      module: SessionLogsModule,
      providers: [
        { provide: SessionLogStreamInit, useValue: new SessionLogStreamInit(infra, opts) },
        { provide: SessionLogStore, useValue: new SessionLogStore(infra.js, stream, infra.subjects) },
        // Its own repository (and cache) of sessions: the logs only read who holds a session.
        SessionRepository,
        LogAccess,
        SessionLogs,
        SessionLogsRpc,
      ],
    };
  }
}
