export * from './classify';
export * from './error-class';
export * from './fingerprint';
export * from './frame';
export * from './parameterise';
export * from './sanitise';
