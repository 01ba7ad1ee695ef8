import { typeGlobToRegex } from '@orch/contracts';

/** Event-type globs as everywhere else (`@orch/contracts`), compiled once per subscription, matched per event. */
export function compileGlob(glob: string): RegExp {
  return new RegExp(typeGlobToRegex(glob));
}

export function matcherOf(globs: string[]): (type: string) => boolean {
  const compiled = globs.map(compileGlob);
  return (type) => compiled.some((r) => r.test(type));
}
