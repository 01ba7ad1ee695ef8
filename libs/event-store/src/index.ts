export { ensureEventStream, ensureDeadLetterStream, unsafeSettings, UnsafeStreamError, type EventStreamOptions } from './stream';
export { EventStore, WrongExpectedSequence, type AppendOptions, type AppendResult } from './event-store';
export { AggregateRepository, CommandAppliedElsewhere, type AggregateDefinition, type Loaded, type ExecuteResult, type ExecuteOptions, type CommandMeta, type EventMeta } from './aggregate';
export { decodeCommit, encodeCommit, PoisonCommitError } from './commit-codec';
