import { loadConfig, SessionServiceConfig } from '@orch/config';

export const SESSION_CONFIG = Symbol('SESSION_CONFIG');

/**
 * The session service's own variables (`SESSION_BRIEFING_TURNS`), read from the environment
 * when Nest wires the service, like its templates: a bad value stops the start with its name.
 */
export const sessionConfigProvider = { provide: SESSION_CONFIG, useFactory: (): SessionServiceConfig => loadConfig(SessionServiceConfig, process.env) };
