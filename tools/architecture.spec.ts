import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, posix, relative, sep } from 'node:path';

/**
 * The architecture rules of STYLE.md, checked on every source file:
 * apps never import apps, libs never import apps, and a lib is entered only by its public door
 * `@orch/<lib>` (its `src/index.ts`), never by a deep path. Every project carries its Nx tags.
 */

const ROOT = join(__dirname, '..');

interface SourceFile {
  /** Repository-relative, with `/` separators. */
  path: string;
  source: string;
}

interface Violation {
  file: string;
  specifier: string;
  rule: string;
}

type Owner = { kind: 'app' | 'lib'; name: string } | { kind: 'other' };

function ownerOf(path: string): Owner {
  const [top, name] = path.split('/');
  if ((top === 'apps' || top === 'libs') && name) return { kind: top === 'apps' ? 'app' : 'lib', name };
  return { kind: 'other' };
}

/** Every module specifier a TypeScript file imports, re-exports, requires or mocks. */
function importsOf(source: string): string[] {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  const found: string[] = [];
  const patterns = [
    /(?:^|[;\s])(?:import|export)\s+(?:type\s+)?(?:[^'";]*?\bfrom\s*)?['"]([^'"]+)['"]/g,
    /\b(?:import|require|jest\.mock|jest\.requireActual)\s*\(\s*['"]([^'"]+)['"]/g,
  ];
  for (const pattern of patterns) for (const m of code.matchAll(pattern)) found.push(m[1]!);
  return found;
}

/** The rules, as a pure function of the files and the names of the libs. */
function findViolations(files: SourceFile[], libs: string[]): Violation[] {
  const violations: Violation[] = [];
  for (const file of files) {
    const owner = ownerOf(file.path);
    for (const specifier of importsOf(file.source)) {
      const rule = check(file.path, owner, specifier, libs);
      if (rule) violations.push({ file: file.path, specifier, rule });
    }
  }
  return violations;
}

function check(path: string, owner: Owner, specifier: string, libs: string[]): string | undefined {
  const orch = /^@orch\/([^/]+)(\/.*)?$/.exec(specifier);
  if (orch) {
    const [, name, rest] = orch;
    if (!libs.includes(name!)) return `@orch/${name} is not a lib: only libs are imported by name (apps never import apps)`;
    if (rest) return `deep import: use the public door @orch/${name}`;
    if (owner.kind === 'lib' && owner.name === name) return `a lib imports its own public door (a cycle): use a relative path inside libs/${name}`;
    return undefined;
  }
  const target = specifier.startsWith('.') ? posix.normalize(posix.join(posix.dirname(path), specifier)) : /^(apps|libs)\//.test(specifier) ? specifier : undefined;
  if (target === undefined) return undefined; // a package from node_modules or node:
  const into = ownerOf(target);
  if (owner.kind !== 'other' && into.kind === owner.kind && into.name === owner.name && specifier.startsWith('.')) return undefined;
  if (into.kind === 'app') {
    if (owner.kind === 'app') return `apps never import other apps (${owner.name} → ${into.name}): share through libs/ or NATS`;
    if (owner.kind === 'lib') return `libs never import apps (${owner.name} → apps/${into.name})`;
    return undefined; // tools and bench may drive an app
  }
  if (into.kind === 'lib') return `deep import into libs/${into.name}: use @orch/${into.name}`;
  if (owner.kind !== 'other') return `${owner.kind} ${owner.name} reaches outside itself (${target})`;
  return undefined;
}

function* walk(dir: string): Generator<string> {
  if (!existsSync(dir)) return;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === 'dist' || entry.name.startsWith('.')) continue;
    const full = join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(full);
    else if (/\.(ts|mts|cts)$/.test(entry.name)) yield full;
  }
}

const projectDirs = (top: 'apps' | 'libs') =>
  existsSync(join(ROOT, top)) ? readdirSync(join(ROOT, top), { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name) : [];

function repositoryFiles(): SourceFile[] {
  const roots = [...projectDirs('apps').map((a) => `apps/${a}/src`), ...projectDirs('libs').map((l) => `libs/${l}/src`), 'tools', 'bench', 'e2e'];
  const self = relative(ROOT, __filename).split(sep).join('/');
  return roots
    .flatMap((r) => [...walk(join(ROOT, r))])
    .map((full) => relative(ROOT, full).split(sep).join('/'))
    .filter((path) => path !== self) // this file's examples below are violations on purpose
    .map((path) => ({ path, source: readFileSync(join(ROOT, path), 'utf8') }));
}

describe('architecture', () => {
  describe('the import rules', () => {
    const libs = ['contracts', 'event-store'];
    const violationsOf = (path: string, source: string) => findViolations([{ path, source }], libs).map((v) => v.rule);

    it('accept libs through their public door, packages, and relative paths inside the same project', () => {
      const source = [
        "import { Subjects } from '@orch/contracts';",
        "import type { EventStore } from '@orch/event-store';",
        "import { Module } from '@nestjs/common';",
        "import { join } from 'node:path';",
        "import { decide } from './sprint';",
        "export * from '../tasks/task';",
      ].join('\n');
      expect(violationsOf('apps/planner/src/sprints/create.ts', source)).toEqual([]);
      expect(violationsOf('libs/event-store/src/stream.ts', "import { Subjects } from '@orch/contracts';\nimport { x } from './codec';")).toEqual([]);
    });

    it('refuse an app that imports another app, by relative path, by repository path or by package name', () => {
      expect(violationsOf('apps/gateway/src/main.ts', "import { PlannerModule } from '../../planner/src/planner.module';")).toEqual([
        expect.stringContaining('apps never import other apps (gateway → planner)'),
      ]);
      expect(violationsOf('apps/gateway/src/main.ts', "import { x } from 'apps/planner/src/planner';")).toHaveLength(1);
      expect(violationsOf('apps/gateway/src/main.ts', "const cli = require('@orch/cli-app');")).toEqual([expect.stringContaining('not a lib')]);
    });

    it('refuse a lib that imports an app', () => {
      expect(violationsOf('libs/contracts/src/index.ts', "export * from '../../../apps/planner/src/tasks/task';")).toEqual([
        expect.stringContaining('libs never import apps'),
      ]);
    });

    it('refuse deep imports of a lib, in every spelling', () => {
      const deep = [
        "import { Subjects } from '@orch/contracts/src/common/subjects';",
        "import { Subjects } from '../../../libs/contracts/src/common/subjects';",
        "import { Subjects } from 'libs/contracts/src/index';",
        "import type {\n  Subjects,\n} from '../../contracts/src/common/subjects';",
        "jest.mock('@orch/event-store/src/stream');",
        "const lazy = () => import('@orch/contracts/src/ids');",
      ];
      for (const line of deep) expect(violationsOf(line.includes("'../../contracts") ? 'libs/event-store/src/x.ts' : 'apps/planner/src/x.ts', line)).toHaveLength(1);
    });

    it('refuse a lib that imports its own public door, and code that reaches outside its project', () => {
      expect(violationsOf('libs/contracts/src/planning/task.ts', "import { Subjects } from '@orch/contracts';")).toEqual([expect.stringContaining('cycle')]);
      expect(violationsOf('apps/cli/src/main.ts', "import config from '../../../jest.config';")).toEqual([expect.stringContaining('reaches outside itself')]);
    });

    it('ignore imports that are commented out', () => {
      expect(violationsOf('apps/cli/src/main.ts', "// import { x } from '../../planner/src/x';\n/* import '@orch/contracts/src/x'; */")).toEqual([]);
    });
  });

  it('holds for every source file of the repository', () => {
    const files = repositoryFiles();
    expect(files.length).toBeGreaterThan(10);
    const violations = findViolations(files, projectDirs('libs'));
    expect(violations.map((v) => `${v.file}: '${v.specifier}': ${v.rule}`)).toEqual([]);
  });

  it('gives every lib one public door, mapped as @orch/<lib> in tsconfig.base.json', () => {
    const paths = JSON.parse(readFileSync(join(ROOT, 'tsconfig.base.json'), 'utf8')).compilerOptions.paths as Record<string, string[]>;
    const problems = projectDirs('libs').flatMap((lib) => {
      const out: string[] = [];
      if (!existsSync(join(ROOT, 'libs', lib, 'src/index.ts'))) out.push(`libs/${lib}/src/index.ts is missing`);
      if (paths[`@orch/${lib}`]?.[0] !== `libs/${lib}/src/index.ts`) out.push(`tsconfig.base.json paths lacks "@orch/${lib}": ["libs/${lib}/src/index.ts"]`);
      return out;
    });
    expect(problems).toEqual([]);
  });

  it('tags every app (scope:<name>, type:app) and every lib (type:lib) in its project.json', () => {
    const problems: string[] = [];
    for (const [top, type] of [['apps', 'type:app'], ['libs', 'type:lib']] as const) {
      for (const name of projectDirs(top)) {
        const file = join(ROOT, top, name, 'project.json');
        if (!existsSync(file)) {
          problems.push(`${top}/${name}/project.json is missing`);
          continue;
        }
        const tags: unknown = JSON.parse(readFileSync(file, 'utf8')).tags;
        const needed = top === 'apps' ? [`scope:${name}`, type] : [type];
        for (const tag of needed) if (!Array.isArray(tags) || !tags.includes(tag)) problems.push(`${top}/${name}/project.json lacks the tag ${tag}`);
      }
    }
    expect(problems).toEqual([]);
  });
});
