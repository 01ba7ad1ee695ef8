/**
 * Which task and session a bug report belongs to, for `orch bug-log` and the MCP `bug_log` tool
 * alike: what the report names, else the caller's current task and session — but a report that
 * names another task than the current one is not filed under the current session.
 */
export function bugScope(
  given: { taskCode?: string; sessionKey?: string },
  current: { taskCode?: string | null; sessionKey?: string | null },
): { taskCode?: string; sessionKey?: string } {
  const otherTask = given.taskCode !== undefined && given.taskCode !== current.taskCode;
  return {
    taskCode: given.taskCode ?? current.taskCode ?? undefined,
    sessionKey: given.sessionKey ?? (otherTask ? undefined : (current.sessionKey ?? undefined)),
  };
}
