import { z } from 'zod';
import { commandRoute, queryRoute } from '../common/rpc';
import { BugHash, BugHashParams, BugLogReply, BugPage, BugView, ListBugsQuery, LogBugBody, UpdateBugBody } from './bug';

/** The bug service's request/reply surface; the gateway and the service both validate with these. */
export const BugRoutes = {
  logBug: commandRoute('bug-service', 'bug.log', LogBugBody, BugLogReply),
  updateBug: commandRoute('bug-service', 'bug.update', z.object({ hash: BugHash, changes: UpdateBugBody }), BugView),
  getBug: queryRoute('bug-service', 'bug.get', BugHashParams, BugView),
  listBugs: queryRoute('bug-service', 'bug.list', ListBugsQuery, BugPage),
} as const;
