export { redactSecrets, type Redaction, type SecretKind } from './redact';
