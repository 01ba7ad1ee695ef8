import { z } from 'zod';
import {
  ArtifactBody, assertArtifactFits, Briefing, BriefingQuery, ChangesBody, DoneBody, EndSessionBody, MeContext, NoteBody, PhaseCompleteBody, ProgressBody,
  PutMeContextBody, RecordCommitBody, ResumeSessionBody, SessionReply, SessionRoutes as R, StatePatchBody, StateReply, SuspendSessionBody,
} from '@orch/contracts';
import {
  AddTurnBody, PutStateBody, SessionStateRoutes as S, SessionTurnRoutes as T, StateEntry, StateEntryQuery, StateEntryReply, StateHistory, StateHistoryQuery, StateKey, StateList,
  StateListQuery, StateRemoveQuery, TurnPage, TurnReply, TurnsQuery,
} from '@orch/contracts';
import { READERS, WRITERS } from '../auth/roles';
import { ApiController, Endpoint } from '../http/endpoint';
import { CallerOf, Input, type Caller } from '../http/request-state';
import { ServiceCaller } from '../rpc/service-caller';
import { SessionHeader } from './session-header';
import { PHASE_RACE, STATE_DOCS } from './sessions.controller';

const ON = 'Acts on the session named by `X-Orch-Session`, else on the caller\'s current session (its context).';
const ERRORS = [404, 409, 422];
const NameParams = z.strictObject({ name: StateKey });
type Name = z.infer<typeof NameParams>;

/** `/api/v1/me/…`: the session routes on the caller's current context, so an agent names no ids (SPEC §4.1). */
@ApiController('me')
export class MeController {
  constructor(private readonly services: ServiceCaller) {}

  @Endpoint({ method: 'GET', path: 'context', summary: "The caller's current sprint, task and session", roles: READERS, response: MeContext, service: true })
  getMyContext(@CallerOf() caller: Caller) {
    return this.services.call(R.getContext, {}, caller);
  }

  @Endpoint({ method: 'PUT', path: 'context', summary: "Set the caller's current sprint, task or session", description: 'A `null` clears a key; choosing another task clears the session.', roles: WRITERS, body: PutMeContextBody, response: MeContext, write: true, service: true, errors: [404] })
  putMyContext(@Input('body') body: PutMeContextBody, @CallerOf() caller: Caller) {
    return this.services.call(R.putContext, body, caller);
  }

  @Endpoint({ method: 'GET', path: 'session', summary: 'The current session with its instructions', description: ON, roles: READERS, response: SessionReply, service: true, errors: [404] })
  getMySession(@SessionHeader() key: string | undefined, @CallerOf() caller: Caller) {
    return this.services.call(R.get, { sessionKey: key }, caller);
  }

  @Endpoint({ method: 'GET', path: 'briefing', summary: 'The resume briefing of the current session', description: ON, roles: READERS, query: BriefingQuery, response: Briefing, service: true, errors: [404] })
  getMyBriefing(@SessionHeader() key: string | undefined, @Input('query') q: z.infer<typeof BriefingQuery>, @CallerOf() caller: Caller) {
    return this.services.call(R.briefing, { sessionKey: key, actions: q.actions, turns: q.turns }, caller);
  }

  @Endpoint({ method: 'POST', path: 'phase-complete', summary: 'Complete the current phase', description: `${ON} ${PHASE_RACE}`, roles: WRITERS, body: PhaseCompleteBody, response: SessionReply, status: 200, write: true, etag: true, service: true, errors: [...ERRORS, 403, 412] })
  completeMyPhase(@SessionHeader() key: string | undefined, @Input('body') body: z.infer<typeof PhaseCompleteBody>, @CallerOf() caller: Caller) {
    return this.services.call(R.phaseComplete, { sessionKey: key, body }, caller);
  }

  @Endpoint({ method: 'POST', path: 'end', summary: 'End the current session', description: ON, roles: WRITERS, body: EndSessionBody, response: SessionReply, status: 200, write: true, service: true, errors: ERRORS })
  endMySession(@SessionHeader() key: string | undefined, @Input('body') body: z.infer<typeof EndSessionBody>, @CallerOf() caller: Caller) {
    return this.services.call(R.end, { sessionKey: key, body }, caller);
  }

  @Endpoint({ method: 'POST', path: 'done', summary: 'Finish the current task', description: ON, roles: WRITERS, body: DoneBody, response: SessionReply, status: 200, write: true, service: true, errors: ERRORS })
  finishMyTask(@SessionHeader() key: string | undefined, @Input('body') body: z.infer<typeof DoneBody>, @CallerOf() caller: Caller) {
    return this.services.call(R.done, { sessionKey: key, body }, caller);
  }

  @Endpoint({ method: 'POST', path: 'resume', summary: 'Resume the current session', description: ON, roles: WRITERS, body: ResumeSessionBody, response: SessionReply, status: 200, write: true, service: true, errors: ERRORS })
  resumeMySession(@SessionHeader() key: string | undefined, @Input('body') body: z.infer<typeof ResumeSessionBody>, @CallerOf() caller: Caller) {
    return this.services.call(R.resume, { sessionKey: key, body }, caller);
  }

  @Endpoint({ method: 'POST', path: 'suspend', summary: 'Suspend the current session', description: ON, roles: WRITERS, body: SuspendSessionBody, response: SessionReply, status: 200, write: true, service: true, errors: ERRORS })
  suspendMySession(@SessionHeader() key: string | undefined, @Input('body') body: z.infer<typeof SuspendSessionBody>, @CallerOf() caller: Caller) {
    return this.services.call(R.suspend, { sessionKey: key, body }, caller);
  }

  @Endpoint({ method: 'POST', path: 'notes', summary: 'Add a note to the current session', description: ON, roles: WRITERS, body: NoteBody, response: SessionReply, status: 201, write: true, service: true, errors: ERRORS })
  addMyNote(@SessionHeader() key: string | undefined, @Input('body') body: z.infer<typeof NoteBody>, @CallerOf() caller: Caller) {
    return this.services.call(R.note, { sessionKey: key, body }, caller);
  }

  @Endpoint({ method: 'POST', path: 'progress', summary: 'Report progress on the current session', description: ON, roles: WRITERS, body: ProgressBody, response: SessionReply, status: 201, write: true, service: true, errors: ERRORS })
  reportMyProgress(@SessionHeader() key: string | undefined, @Input('body') body: z.infer<typeof ProgressBody>, @CallerOf() caller: Caller) {
    return this.services.call(R.progress, { sessionKey: key, body }, caller);
  }

  @Endpoint({ method: 'POST', path: 'artifacts', summary: 'Register an artifact on the current session', description: ON, roles: WRITERS, body: ArtifactBody, response: SessionReply, status: 201, write: true, service: true, errors: [...ERRORS, 413] })
  registerMyArtifact(@SessionHeader() key: string | undefined, @Input('body') body: z.infer<typeof ArtifactBody>, @CallerOf() caller: Caller) {
    assertArtifactFits(body.content);
    return this.services.call(R.artifact, { sessionKey: key, body }, caller);
  }

  @Endpoint({ method: 'POST', path: 'commits', summary: 'Record a commit on the current session', description: ON, roles: WRITERS, body: RecordCommitBody, response: SessionReply, status: 201, write: true, service: true, errors: ERRORS })
  recordMyCommit(@SessionHeader() key: string | undefined, @Input('body') body: z.infer<typeof RecordCommitBody>, @CallerOf() caller: Caller) {
    return this.services.call(R.commit, { sessionKey: key, body }, caller);
  }

  @Endpoint({ method: 'POST', path: 'changes', summary: 'Record the diff on the current session', description: ON, roles: WRITERS, body: ChangesBody, response: SessionReply, status: 200, write: true, service: true, errors: ERRORS })
  recordMyChanges(@SessionHeader() key: string | undefined, @Input('body') body: z.infer<typeof ChangesBody>, @CallerOf() caller: Caller) {
    return this.services.call(R.changes, { sessionKey: key, body }, caller);
  }

  @Endpoint({ method: 'PATCH', path: 'state', summary: 'Update the shared state of the current session', description: `${ON} If-Match carries the state version.`, roles: WRITERS, body: StatePatchBody, response: StateReply, write: true, etag: true, service: true, errors: ERRORS })
  updateMySessionState(@SessionHeader() key: string | undefined, @Input('body') body: StatePatchBody, @CallerOf() caller: Caller) {
    return this.services.call(R.state, { sessionKey: key, body }, caller);
  }

  @Endpoint({ method: 'POST', path: 'conversation', summary: 'Append a turn to the current session', description: `${ON} ${STATE_DOCS.turns}`, roles: WRITERS, body: AddTurnBody, response: TurnReply, status: 201, write: true, service: true, errors: [...ERRORS, 403] })
  addMyTurn(@SessionHeader() key: string | undefined, @Input('body') body: AddTurnBody, @CallerOf() caller: Caller) {
    return this.services.call(T.add, { sessionKey: key, body }, caller);
  }

  @Endpoint({ method: 'GET', path: 'conversation', summary: 'Read the conversation of the current session', description: `${ON} The newest \`limit\` turns before turn \`before\`, oldest first.`, roles: READERS, query: TurnsQuery, response: TurnPage, service: true, errors: [404] })
  listMyTurns(@SessionHeader() key: string | undefined, @Input('query') q: z.infer<typeof TurnsQuery>, @CallerOf() caller: Caller) {
    return this.services.call(T.list, { sessionKey: key, limit: q.limit, before: q.before }, caller);
  }

  @Endpoint({ method: 'GET', path: 'state', summary: 'List the state entries of the current session', description: `${ON} ${STATE_DOCS.list}`, roles: READERS, query: StateListQuery, response: StateList, service: true, errors: [404] })
  listMySessionState(@SessionHeader() key: string | undefined, @Input('query') q: z.infer<typeof StateListQuery>, @CallerOf() caller: Caller) {
    return this.services.call(S.list, { sessionKey: key, scope: q.scope }, caller);
  }

  @Endpoint({ method: 'PUT', path: 'state/:name', summary: 'Set a state entry of the current session', description: `${ON} ${STATE_DOCS.put} Scopes: ${STATE_DOCS.scopes}`, roles: WRITERS, params: NameParams, body: PutStateBody, response: StateEntryReply, write: true, etag: true, service: true, errors: ERRORS })
  putMySessionState(@SessionHeader() key: string | undefined, @Input('params') p: Name, @Input('body') body: PutStateBody, @CallerOf() caller: Caller) {
    return this.services.call(S.put, { sessionKey: key, name: p.name, body }, caller);
  }

  @Endpoint({ method: 'GET', path: 'state/:name', summary: 'Get a state entry of the current session', description: `${ON} The ETag is the entry's version.`, roles: READERS, params: NameParams, query: StateEntryQuery, response: StateEntry, etag: true, service: true })
  getMySessionState(@SessionHeader() key: string | undefined, @Input('params') p: Name, @Input('query') q: z.infer<typeof StateEntryQuery>, @CallerOf() caller: Caller) {
    return this.services.call(S.get, { sessionKey: key, name: p.name, scope: q.scope, agent: q.agent }, caller);
  }

  @Endpoint({ method: 'DELETE', path: 'state/:name', summary: 'Remove a state entry of the current session', description: `${ON} If-Match as for PUT.`, roles: WRITERS, params: NameParams, query: StateRemoveQuery, response: StateEntryReply, write: true, etag: true, service: true, errors: ERRORS })
  removeMySessionState(@SessionHeader() key: string | undefined, @Input('params') p: Name, @Input('query') q: z.infer<typeof StateRemoveQuery>, @CallerOf() caller: Caller) {
    return this.services.call(S.remove, { sessionKey: key, name: p.name, scope: q.scope }, caller);
  }

  @Endpoint({ method: 'GET', path: 'state/:name/history', summary: 'The history of a state entry of the current session', description: `${ON} ${STATE_DOCS.history}`, roles: READERS, params: NameParams, query: StateHistoryQuery, response: StateHistory, service: true })
  getMySessionStateHistory(@SessionHeader() key: string | undefined, @Input('params') p: Name, @Input('query') q: z.infer<typeof StateHistoryQuery>, @CallerOf() caller: Caller) {
    return this.services.call(S.history, { sessionKey: key, name: p.name, scope: q.scope, agent: q.agent, limit: q.limit }, caller);
  }
}
