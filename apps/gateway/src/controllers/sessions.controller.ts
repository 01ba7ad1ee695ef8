import { z } from 'zod';
import {
  ArtifactBody, assertArtifactFits, ArtifactContent, ArtifactName, Briefing, BriefingQuery, ChangesBody, DoneBody, EndSessionBody, ListSessionsQuery, NoteBody, PhaseCompleteBody, ProgressBody,
  RecordCommitBody, ResumeSessionBody, SessionKey, SessionPage, SessionReply, SessionRoutes as R, StartSessionBody, StatePatchBody, StateReply, SuspendSessionBody,
} from '@orch/contracts';
import {
  AddTurnBody, PutStateBody, SessionStateRoutes as S, SessionTurnRoutes as T, StateEntry, StateEntryQuery, StateEntryReply, StateHistory, StateHistoryQuery, StateKey, StateList,
  StateListQuery, StateRemoveQuery, TurnPage, TurnReply, TurnsQuery,
} from '@orch/contracts';
import { READERS, WRITERS } from '../auth/roles';
import { ApiController, Endpoint } from '../http/endpoint';
import { CallerOf, Input, type Caller } from '../http/request-state';
import { ServiceCaller } from '../rpc/service-caller';

const KeyParams = z.strictObject({ key: SessionKey });
type Key = z.infer<typeof KeyParams>;
const ERRORS = [404, 409, 422];
const StateParams = z.strictObject({ key: SessionKey, name: StateKey });
type Entry = z.infer<typeof StateParams>;
/** The words of the scoped-state routes, shared with `/me` (issue 12). */
export const STATE_DOCS = {
  scopes: '`shared` (every agent of the session; the state of PATCH …/context), `private` (the caller\'s own, keyed by its id: only it and an admin read it) or `temporary` (Redis, gone after `ttlSeconds`, never in the log). No scope means shared.',
  put: 'If-Match carries the entry\'s version (its ETag; `"0"`: only if it does not exist yet); 412 when it moved on, and nothing is written. Values are JSON, at most 32 KB.',
  list: 'Without `scope`, every entry the caller may read: a viewer sees the shared ones only; private entries are the caller\'s own (an admin sees everyone\'s, with their `owner`).',
  history: 'Every version of a shared or private entry, newest first, from the log (temporary entries keep none). `agent` (admins only) names the owner of a private one.',
  turns: 'role user|assistant|system|tool, content at most 32 KB of UTF-8, optional token counts. Secrets are redacted before it is recorded (the count is in the event and in `warnings`); the session view and the briefing sum the tokens.',
};

/** What makes concurrent completes safe; shared with `/me/phase-complete`. */
export const PHASE_RACE =
  'Name what you saw: `phase` (the phase you complete; 409 `SESSION.PHASE_MOVED` when it moved on) and/or `If-Match: "<version>"` (the session version, its ETag; 412 `SESSION.VERSION_MISMATCH` when it changed). Without either, the phase current when the call is handled is completed.';

/** `/api/v1/sessions`: parse, call the session service, map. Gates, phases and instructions live in the service. */
@ApiController('sessions')
export class SessionsController {
  constructor(private readonly services: ServiceCaller) {}

  @Endpoint({
    method: 'POST',
    summary: 'Start a session on a task (or get its open one)',
    description: "`outcome` is `started`, `existing` (the task's ACTIVE session) or `resumed` (a SUSPENDED one, with its `briefing`). Moves the task to IN_PROGRESS.",
    roles: WRITERS, body: StartSessionBody, response: SessionReply, status: 201, write: true, service: true, errors: [404],
  })
  startSession(@Input('body') body: StartSessionBody, @CallerOf() caller: Caller) {
    return this.services.call(R.start, body, caller);
  }

  @Endpoint({ method: 'GET', summary: 'List sessions', description: 'Filter by task, status and agent; newest first.', roles: READERS, query: ListSessionsQuery, response: SessionPage, service: true })
  listSessions(@Input('query') query: ListSessionsQuery, @CallerOf() caller: Caller) {
    return this.services.call(R.list, query, caller);
  }

  @Endpoint({ method: 'GET', path: ':key', summary: 'Get a session with its instructions', roles: READERS, params: KeyParams, response: SessionReply, etag: true, service: true })
  getSession(@Input('params') p: Key, @CallerOf() caller: Caller) {
    return this.services.call(R.get, { sessionKey: p.key }, caller);
  }

  @Endpoint({ method: 'GET', path: ':key/briefing', summary: 'The resume briefing', description: 'Everything a fresh agent needs to carry on: phase and history, artifacts, open gate, last N actions (`actions`, default 3), notes, the last turns of the conversation (`turns`, default SESSION_BRIEFING_TURNS = 10), open bugs, commits, time.', roles: READERS, params: KeyParams, query: BriefingQuery, response: Briefing, service: true })
  getBriefing(@Input('params') p: Key, @Input('query') q: z.infer<typeof BriefingQuery>, @CallerOf() caller: Caller) {
    return this.services.call(R.briefing, { sessionKey: p.key, actions: q.actions, turns: q.turns }, caller);
  }

  @Endpoint({
    method: 'POST', path: ':key/phase-complete', summary: 'Complete the current phase',
    description: `422 with \`missing: [{kind, name, hint}]\` when the gate fails (nothing is written); \`override\` + \`reason\` skips it (admin or full-permission agent; recorded). ${PHASE_RACE}`,
    roles: WRITERS, params: KeyParams, body: PhaseCompleteBody, response: SessionReply, write: true, etag: true, service: true, errors: [...ERRORS, 403, 412],
  })
  completePhase(@Input('params') p: Key, @Input('body') body: PhaseCompleteBody, @CallerOf() caller: Caller) {
    return this.services.call(R.phaseComplete, { sessionKey: p.key, body }, caller);
  }

  @Endpoint({ method: 'POST', path: ':key/end', summary: 'End the session', description: 'Only from the last phase (CLOSE) with its gate met, unless `force` (recorded).', roles: WRITERS, params: KeyParams, body: EndSessionBody, response: SessionReply, write: true, service: true, errors: ERRORS })
  endSession(@Input('params') p: Key, @Input('body') body: EndSessionBody, @CallerOf() caller: Caller) {
    return this.services.call(R.end, { sessionKey: p.key, body }, caller);
  }

  @Endpoint({ method: 'POST', path: ':key/done', summary: 'Finish the task', description: 'Needs a summary and at least one progress update; else 422 with the choices (add them, force, keep working). Ends the session and moves the task to DONE.', roles: WRITERS, params: KeyParams, body: DoneBody, response: SessionReply, write: true, service: true, errors: ERRORS })
  finishTask(@Input('params') p: Key, @Input('body') body: DoneBody, @CallerOf() caller: Caller) {
    return this.services.call(R.done, { sessionKey: p.key, body }, caller);
  }

  @Endpoint({ method: 'POST', path: ':key/resume', summary: 'Resume (or take over) a suspended session', description: 'Answers with the briefing. Another agent taking it over is recorded.', roles: WRITERS, params: KeyParams, body: ResumeSessionBody, response: SessionReply, write: true, service: true, errors: ERRORS })
  resumeSession(@Input('params') p: Key, @Input('body') body: ResumeSessionBody, @CallerOf() caller: Caller) {
    return this.services.call(R.resume, { sessionKey: p.key, body }, caller);
  }

  @Endpoint({ method: 'POST', path: ':key/suspend', summary: 'Suspend (pause) a session', roles: WRITERS, params: KeyParams, body: SuspendSessionBody, response: SessionReply, write: true, service: true, errors: ERRORS })
  suspendSession(@Input('params') p: Key, @Input('body') body: z.infer<typeof SuspendSessionBody>, @CallerOf() caller: Caller) {
    return this.services.call(R.suspend, { sessionKey: p.key, body }, caller);
  }

  @Endpoint({ method: 'POST', path: ':key/notes', summary: 'Add a note', description: 'Secrets are redacted before it is recorded.', roles: WRITERS, params: KeyParams, body: NoteBody, response: SessionReply, status: 201, write: true, service: true, errors: ERRORS })
  addNote(@Input('params') p: Key, @Input('body') body: z.infer<typeof NoteBody>, @CallerOf() caller: Caller) {
    return this.services.call(R.note, { sessionKey: p.key, body }, caller);
  }

  @Endpoint({ method: 'POST', path: ':key/progress', summary: 'Report progress', roles: WRITERS, params: KeyParams, body: ProgressBody, response: SessionReply, status: 201, write: true, service: true, errors: ERRORS })
  reportProgress(@Input('params') p: Key, @Input('body') body: z.infer<typeof ProgressBody>, @CallerOf() caller: Caller) {
    return this.services.call(R.progress, { sessionKey: p.key, body }, caller);
  }

  @Endpoint({ method: 'POST', path: ':key/artifacts', summary: 'Register an artifact', description: 'name + content (≤ 256 KB; sha256 computed) or uri + sha256.', roles: WRITERS, params: KeyParams, body: ArtifactBody, response: SessionReply, status: 201, write: true, service: true, errors: [...ERRORS, 413] })
  registerArtifact(@Input('params') p: Key, @Input('body') body: ArtifactBody, @CallerOf() caller: Caller) {
    assertArtifactFits(body.content);
    return this.services.call(R.artifact, { sessionKey: p.key, body }, caller);
  }

  @Endpoint({ method: 'GET', path: ':key/artifacts/:name', summary: 'An artifact with its content', roles: READERS, params: z.strictObject({ key: SessionKey, name: ArtifactName }), response: ArtifactContent, service: true })
  getArtifact(@Input('params') p: { key: string; name: string }, @CallerOf() caller: Caller) {
    return this.services.call(R.artifactContent, { sessionKey: p.key, name: p.name }, caller);
  }

  @Endpoint({ method: 'POST', path: ':key/commits', summary: 'Record a git commit', roles: WRITERS, params: KeyParams, body: RecordCommitBody, response: SessionReply, status: 201, write: true, service: true, errors: ERRORS })
  recordCommit(@Input('params') p: Key, @Input('body') body: RecordCommitBody, @CallerOf() caller: Caller) {
    return this.services.call(R.commit, { sessionKey: p.key, body }, caller);
  }

  @Endpoint({ method: 'POST', path: ':key/changes', summary: 'Record the diff (files, summary)', roles: WRITERS, params: KeyParams, body: ChangesBody, response: SessionReply, write: true, service: true, errors: ERRORS })
  recordChanges(@Input('params') p: Key, @Input('body') body: ChangesBody, @CallerOf() caller: Caller) {
    return this.services.call(R.changes, { sessionKey: p.key, body }, caller);
  }

  @Endpoint({ method: 'PATCH', path: ':key/context', summary: 'Update the shared key/value state', description: 'If-Match carries the state version (the ETag of this answer); 412 when someone changed it since.', roles: WRITERS, params: KeyParams, body: StatePatchBody, response: StateReply, write: true, etag: true, service: true, errors: ERRORS })
  updateSessionState(@Input('params') p: Key, @Input('body') body: StatePatchBody, @CallerOf() caller: Caller) {
    return this.services.call(R.state, { sessionKey: p.key, body }, caller);
  }

  @Endpoint({ method: 'POST', path: ':key/conversation', summary: 'Append a conversation turn', description: STATE_DOCS.turns, roles: WRITERS, params: KeyParams, body: AddTurnBody, response: TurnReply, status: 201, write: true, service: true, errors: [...ERRORS, 403] })
  addTurn(@Input('params') p: Key, @Input('body') body: AddTurnBody, @CallerOf() caller: Caller) {
    return this.services.call(T.add, { sessionKey: p.key, body }, caller);
  }

  @Endpoint({ method: 'GET', path: ':key/conversation', summary: 'Read the conversation', description: 'The newest `limit` turns before turn `before`, oldest first; `nextBefore` pages further back.', roles: READERS, params: KeyParams, query: TurnsQuery, response: TurnPage, service: true })
  listTurns(@Input('params') p: Key, @Input('query') q: z.infer<typeof TurnsQuery>, @CallerOf() caller: Caller) {
    return this.services.call(T.list, { sessionKey: p.key, limit: q.limit, before: q.before }, caller);
  }

  @Endpoint({ method: 'GET', path: ':key/state', summary: 'List state entries', description: `${STATE_DOCS.list} Scopes: ${STATE_DOCS.scopes}`, roles: READERS, params: KeyParams, query: StateListQuery, response: StateList, service: true })
  listSessionState(@Input('params') p: Key, @Input('query') q: z.infer<typeof StateListQuery>, @CallerOf() caller: Caller) {
    return this.services.call(S.list, { sessionKey: p.key, scope: q.scope }, caller);
  }

  @Endpoint({ method: 'PUT', path: ':key/state/:name', summary: 'Set a state entry', description: `${STATE_DOCS.put} Scopes: ${STATE_DOCS.scopes}`, roles: WRITERS, params: StateParams, body: PutStateBody, response: StateEntryReply, write: true, etag: true, service: true, errors: ERRORS })
  putSessionState(@Input('params') p: Entry, @Input('body') body: PutStateBody, @CallerOf() caller: Caller) {
    return this.services.call(S.put, { sessionKey: p.key, name: p.name, body }, caller);
  }

  @Endpoint({ method: 'GET', path: ':key/state/:name', summary: 'Get a state entry', description: `The ETag is the entry's version. ${STATE_DOCS.scopes}`, roles: READERS, params: StateParams, query: StateEntryQuery, response: StateEntry, etag: true, service: true })
  getSessionState(@Input('params') p: Entry, @Input('query') q: z.infer<typeof StateEntryQuery>, @CallerOf() caller: Caller) {
    return this.services.call(S.get, { sessionKey: p.key, name: p.name, scope: q.scope, agent: q.agent }, caller);
  }

  @Endpoint({ method: 'DELETE', path: ':key/state/:name', summary: 'Remove a state entry', description: 'If-Match as for PUT. A private entry removed is the caller\'s own.', roles: WRITERS, params: StateParams, query: StateRemoveQuery, response: StateEntryReply, write: true, etag: true, service: true, errors: ERRORS })
  removeSessionState(@Input('params') p: Entry, @Input('query') q: z.infer<typeof StateRemoveQuery>, @CallerOf() caller: Caller) {
    return this.services.call(S.remove, { sessionKey: p.key, name: p.name, scope: q.scope }, caller);
  }

  @Endpoint({ method: 'GET', path: ':key/state/:name/history', summary: 'The history of a state entry', description: STATE_DOCS.history, roles: READERS, params: StateParams, query: StateHistoryQuery, response: StateHistory, service: true })
  getSessionStateHistory(@Input('params') p: Entry, @Input('query') q: z.infer<typeof StateHistoryQuery>, @CallerOf() caller: Caller) {
    return this.services.call(S.history, { sessionKey: p.key, name: p.name, scope: q.scope, agent: q.agent, limit: q.limit }, caller);
  }
}
