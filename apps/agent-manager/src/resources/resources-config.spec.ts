import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadResourcesConfig, parseResourcesConfig, ResourcesConfigError } from './resources-config';

const SHIPPED = join(__dirname, '..', '..', '..', '..', 'config', 'resources.yaml');
const shipped = readFileSync(SHIPPED, 'utf8');

describe('config/resources.yaml', () => {
  it('ships one local host under the priority policy', () => {
    expect(parseResourcesConfig(shipped, 'config/resources.yaml')).toEqual({ source: 'config/resources.yaml', policy: 'priority', hosts: { local: { cpu: 16, memoryMb: 32768, gpu: 0 } } });
  });

  it('takes an empty file as a pool with no configured hosts, and gpu 0 when left out', () => {
    expect(parseResourcesConfig('', 'r.yaml')).toMatchObject({ policy: 'priority', hosts: {} });
    expect(parseResourcesConfig('policy: fair_share\nhosts:\n  a: {cpu: 2, memoryMb: 512}\n', 'r.yaml').hosts).toEqual({ a: { cpu: 2, memoryMb: 512, gpu: 0 } });
  });

  const broken: Array<[string, string, string]> = [
    ['an unknown policy', shipped.replace('policy: priority', 'policy: random'), 'resources.yaml: policy'],
    ['a negative cpu count', shipped.replace('cpu: 16', 'cpu: -2'), 'resources.yaml: hosts.local.cpu'],
    ['a fractional memory size', shipped.replace('memoryMb: 32768', 'memoryMb: 1.5'), 'resources.yaml: hosts.local.memoryMb'],
    ['a host with no cpu', shipped.replace('cpu: 16', 'cpu: 0'), 'resources.yaml: hosts.local.cpu: a host needs at least 1 cpu'],
    ['a host name that is not a word', shipped.replace('  local:', '  "Big Box":'), 'resources.yaml: hosts.Big Box: host name must be a lower-case name such as gpu-1'],
    ['an unknown field', shipped.replace('    gpu: 0\n', '    gpu: 0\n    disk: 100\n'), 'resources.yaml: hosts.local: Unrecognized key: "disk"'],
    ['hosts that are a list', 'hosts: [a, b]\n', 'resources.yaml: hosts'],
    ['YAML that does not parse', 'hosts: {unclosed', 'resources.yaml: not valid YAML'],
  ];
  it.each(broken)('refuses %s, naming the file and the field', (_name, text, message) => {
    expect(() => parseResourcesConfig(text, 'resources.yaml')).toThrow(ResourcesConfigError);
    expect(() => parseResourcesConfig(text, 'resources.yaml')).toThrow(message);
  });

  it('names a file it cannot read', () => {
    expect(() => loadResourcesConfig('/nonexistent/resources.yaml')).toThrow('/nonexistent/resources.yaml: cannot be read: ENOENT');
  });
});
