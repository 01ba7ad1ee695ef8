import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';
import { ConfigError } from '@orch/config';
import { AllocationPolicy, CpuCount, GpuCount, HostId, MemoryMb } from '@orch/contracts';

const HostSpec = z.strictObject({
  cpu: CpuCount.min(1, 'a host needs at least 1 cpu'),
  memoryMb: MemoryMb.min(1, 'a host needs some memory'),
  gpu: GpuCount.default(0),
});
export type HostSpec = z.infer<typeof HostSpec>;

export const ResourcesFile = z.strictObject({
  policy: AllocationPolicy.default('priority'),
  hosts: z.record(HostId, HostSpec).default({}),
});
export type ResourcesFile = z.infer<typeof ResourcesFile>;

/** The pool as configured: hosts from the file (hosts added by API live in the log) and the policy. */
export interface ResourcesConfig {
  source: string;
  policy: AllocationPolicy;
  hosts: Record<string, HostSpec>;
}

/** A broken resources file: the message names the file and each bad field. */
export class ResourcesConfigError extends ConfigError {
  constructor(readonly file: string, problems: string[]) {
    super(problems.map((p) => `${file}: ${p}`));
    this.name = 'ResourcesConfigError';
  }
}

export function parseResourcesConfig(text: string, file: string): ResourcesConfig {
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (error) {
    throw new ResourcesConfigError(file, [`not valid YAML: ${(error as Error).message.split('\n')[0]}`]);
  }
  // An empty file is a pool with no configured hosts (hosts may still be added by API).
  const parsed = ResourcesFile.safeParse(raw ?? {});
  if (!parsed.success) {
    // A bad host name: say what a name must be rather than zod's "Invalid key in record".
    const message = (i: z.core.$ZodIssue) => (i.code === 'invalid_key' ? `host name ${i.issues[0]?.message ?? i.message}` : i.message);
    throw new ResourcesConfigError(file, parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${message(i)}`));
  }
  return { source: file, policy: parsed.data.policy, hosts: parsed.data.hosts };
}

export function loadResourcesConfig(file: string): ResourcesConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ResourcesConfigError(file, [`cannot be read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`]);
  }
  return parseResourcesConfig(text, file);
}
