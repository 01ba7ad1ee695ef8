/** Injection tokens for the infrastructure every service shares. */
export const CONFIG = Symbol('CONFIG');
export const LOGGER = Symbol('LOGGER');
export const NATS = Symbol('NATS');
export const JETSTREAM = Symbol('JETSTREAM');
export const JETSTREAM_MANAGER = Symbol('JETSTREAM_MANAGER');
export const SUBJECTS = Symbol('SUBJECTS');
export const EVENT_STORE = Symbol('EVENT_STORE');
export const DATA_SOURCE = Symbol('DATA_SOURCE');
export const REDIS = Symbol('REDIS');
export const RPC_SERVER = Symbol('RPC_SERVER');
export const SERVICE_NAME = Symbol('SERVICE_NAME');
export const INFRA = Symbol('INFRA');
