/** The loaded templates and config (a `Workflows`). */
export const WORKFLOWS = Symbol('WORKFLOWS');
