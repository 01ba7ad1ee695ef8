/** Injection tokens of the agent manager's own configuration. */
export const AGENT_TYPES = Symbol('AGENT_TYPES');
export const SETTINGS = Symbol('AGENT_MANAGER_SETTINGS');
