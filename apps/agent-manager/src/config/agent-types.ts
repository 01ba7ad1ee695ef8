import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';
import { ConfigError } from '@orch/config';
import { AgentPermission, AgentTypeName, Capability, CpuCount, GpuCount, MemoryMb } from '@orch/contracts';

const TypeSpec = z.strictObject({
  capabilities: z.array(Capability).min(1, 'must name at least one capability'),
  maxLoad: z.number().int().min(1).max(1000),
  maxConcurrent: z.number().int().min(1).nullable().default(null),
  priority: z.number().int().min(0).max(1000),
  permission: AgentPermission,
  staleAfterMs: z.number().int().min(100),
  lostAfterMs: z.number().int().min(100),
  costPerHour: z.number().min(0),
  command: z.array(z.string().min(1)).min(1).optional(),
  /** What one spawned agent of this type holds on a host of the resource pool (config/resources.yaml). */
  resources: z.strictObject({ cpu: CpuCount.default(1), memoryMb: MemoryMb.default(512), gpu: GpuCount.default(0) }).default({ cpu: 1, memoryMb: 512, gpu: 0 }),
}).refine((t) => t.lostAfterMs > t.staleAfterMs, { message: 'must be longer than staleAfterMs', path: ['lostAfterMs'] });
export type AgentTypeSpec = z.infer<typeof TypeSpec>;

export const AgentsFile = z.strictObject({
  catalogue: z.record(z.string(), z.array(Capability)),
  quotas: z.strictObject({
    sprintBudget: z.number().min(0).nullable().default(null),
    defaultEstimateMinutes: z.number().int().min(1).default(60),
  }).default({ sprintBudget: null, defaultEstimateMinutes: 60 }),
  types: z.record(AgentTypeName, TypeSpec).refine((t) => Object.keys(t).length > 0, 'must define at least one agent type'),
});
export type AgentsFile = z.infer<typeof AgentsFile>;

/** The agent types, the capability catalogue and the quotas, as validated at start-up. */
export class AgentTypes {
  readonly known: ReadonlySet<string>;
  /** Capabilities of the configured types that are outside the catalogue (reported at start-up). */
  readonly warnings: string[];

  constructor(readonly file: AgentsFile, readonly source: string) {
    this.known = new Set(Object.values(file.catalogue).flat());
    this.warnings = Object.entries(file.types).flatMap(([name, t]) => this.unknown(t.capabilities).map((c) => `types.${name}.capabilities: ${c} is not in the catalogue`));
  }

  get(type: string): AgentTypeSpec | undefined {
    return Object.hasOwn(this.file.types, type) ? this.file.types[type] : undefined;
  }

  names(): string[] {
    return Object.keys(this.file.types);
  }

  /** Capabilities outside the catalogue: allowed, but reported (SPEC §4.3). */
  unknown(capabilities: string[]): string[] {
    return capabilities.filter((c) => !this.known.has(c));
  }
}

/** A broken agents file: the message names the file and each bad field. */
export class AgentsConfigError extends ConfigError {
  constructor(readonly file: string, problems: string[]) {
    super(problems.map((p) => `${file}: ${p}`));
    this.name = 'AgentsConfigError';
  }
}

export function parseAgentTypes(text: string, file: string): AgentTypes {
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (error) {
    throw new AgentsConfigError(file, [`not valid YAML: ${(error as Error).message.split('\n')[0]}`]);
  }
  const parsed = AgentsFile.safeParse(raw);
  if (!parsed.success) {
    throw new AgentsConfigError(file, parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`));
  }
  return new AgentTypes(parsed.data, file);
}

export function loadAgentTypes(file: string): AgentTypes {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new AgentsConfigError(file, [`cannot be read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`]);
  }
  return parseAgentTypes(text, file);
}
