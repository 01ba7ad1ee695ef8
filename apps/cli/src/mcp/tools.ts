import { SESSION_TOOLS } from './session-tools';
import type { ToolSpec } from './tool-kit';
import { WORK_TOOLS } from './work-tools';

export { notePhaseSeen, type ToolEnv, type ToolSpec } from './tool-kit';

/** Every tool `orch mcp` serves, in the order a client lists them. */
export const TOOLS: ToolSpec[] = [...SESSION_TOOLS, ...WORK_TOOLS];
