import { ConversationHandler } from './conversation-handler';
import { sessionConfigProvider } from './session-config';
import { SessionLog } from './session-log';
import { SessionScopesRpc } from './scopes.rpc';
import { StateEntries } from './state-entries';
import { TemporaryState } from './temporary-state';

/** The providers of conversation history and scoped state (issue 12 items 2 and 3), for the service's module. */
export const SESSION_SCOPE_PROVIDERS = [sessionConfigProvider, SessionLog, TemporaryState, ConversationHandler, StateEntries, SessionScopesRpc];
