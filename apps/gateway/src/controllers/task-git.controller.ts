import { z } from 'zod';
import { PullRequestBody, SessionReply, SessionRoutes as R, type TaskCode } from '@orch/contracts';
import { READERS, WRITERS } from '../auth/roles';
import { ApiController, Endpoint } from '../http/endpoint';
import { CallerOf, Input, type Caller } from '../http/request-state';
import { TaskCodeParams } from '../http/schemas';
import { ServiceCaller } from '../rpc/service-caller';

/** A task's git side (SPEC §4.1): its pull request and its CHANGES.md, kept on the task's sessions. */
@ApiController('tasks')
export class TaskGitController {
  constructor(private readonly services: ServiceCaller) {}

  @Endpoint({
    method: 'POST', path: ':code/pull-request', summary: "Link a pull request to the task's latest session",
    description: 'GitHub (`…/pull/N`) and GitLab (`…/-/merge_requests/N`) URLs; provider and number are read from the URL. Self-hosted hosts (GitHub Enterprise, GitLab) are named in `git.providers` of config/orchestration.yaml. A task without a session yet: 422 `SESSION.NO_SESSION_FOR_TASK` (start one first).',
    roles: WRITERS, params: TaskCodeParams, body: PullRequestBody, response: SessionReply, write: true, service: true, errors: [404, 422],
  })
  linkPullRequest(@Input('params') p: { code: TaskCode }, @Input('body') body: z.infer<typeof PullRequestBody>, @CallerOf() caller: Caller) {
    return this.services.call(R.linkPullRequest, { taskCode: p.code, url: body.url }, caller);
  }

  @Endpoint({ method: 'GET', path: ':code/changes.md', summary: "The task's CHANGES.md", description: 'Over every session of the task, oldest first: modified files, diff summary and commits, in the seeds\' layout.', roles: READERS, params: TaskCodeParams, response: z.string(), produces: 'text/markdown; charset=utf-8', service: true })
  async getChangesMarkdown(@Input('params') p: { code: TaskCode }, @CallerOf() caller: Caller): Promise<string> {
    return (await this.services.call(R.changesMarkdown, { taskCode: p.code }, caller)).value.markdown;
  }
}
