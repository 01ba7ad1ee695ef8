/** Injection tokens for what bootstrap opens before Nest wires the app. */
export const GATEWAY_CONFIG = Symbol('GATEWAY_CONFIG');
export const LOGGER = Symbol('LOGGER');
export const OPENAPI_DOCUMENT = Symbol('OPENAPI_DOCUMENT');
export const DEPENDENCIES = Symbol('DEPENDENCIES');
