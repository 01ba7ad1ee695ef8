/** The notifier's own configuration (base variables plus WEBHOOK_*), injectable. */
export const NOTIFIER_CONFIG = Symbol('NOTIFIER_CONFIG');
