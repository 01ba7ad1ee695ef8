export * from './projection';
export * from './appliers';
export * from './runner';
export * from './lease';
export * from './dead-letters';
export { ProjectionCheckpoints1700000000000 } from './checkpoint-migration';
export * from './insert-buffer';
