import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import { ValidationError } from '@orch/errors';

/** Addresses that are never a public webhook endpoint: private, link-local (cloud metadata), CGNAT, multicast… */
const PRIVATE: Array<[string, number, 'ipv4' | 'ipv6']> = [
  ['0.0.0.0', 8, 'ipv4'],
  ['10.0.0.0', 8, 'ipv4'],
  ['100.64.0.0', 10, 'ipv4'],
  ['169.254.0.0', 16, 'ipv4'],
  ['172.16.0.0', 12, 'ipv4'],
  ['192.0.0.0', 24, 'ipv4'],
  ['192.168.0.0', 16, 'ipv4'],
  ['198.18.0.0', 15, 'ipv4'],
  ['224.0.0.0', 3, 'ipv4'],
  ['::', 128, 'ipv6'],
  ['fc00::', 7, 'ipv6'],
  ['fe80::', 10, 'ipv6'],
  ['ff00::', 8, 'ipv6'],
];
const LOOPBACK: Array<[string, number, 'ipv4' | 'ipv6']> = [
  ['127.0.0.0', 8, 'ipv4'],
  ['::1', 128, 'ipv6'],
];

export interface TargetPolicyOptions {
  allowLoopback: boolean;
  /** Hostnames, addresses or CIDR ranges allowed although private or loopback. */
  allowedHosts: string[];
}

/**
 * SPEC §9: webhook targets are checked against an allow-list, private addresses refused unless
 * listed. The host is resolved and every address it resolves to is checked, so a public name that
 * points at 10.0.0.5 is refused like the address itself; the sender checks again at connect time
 * (`checkAddress` as the socket's lookup), so DNS that changes later cannot smuggle one in either.
 */
export class TargetPolicy {
  private readonly refused = new BlockList();
  private readonly loopback = new BlockList();
  private readonly allowed = new BlockList();
  private readonly allowedNames = new Set<string>();

  constructor(private readonly opts: TargetPolicyOptions) {
    for (const [net, prefix, type] of PRIVATE) this.refused.addSubnet(net, prefix, type);
    for (const [net, prefix, type] of LOOPBACK) this.loopback.addSubnet(net, prefix, type);
    for (const entry of opts.allowedHosts.map((h) => h.trim().toLowerCase()).filter(Boolean)) {
      const [net, bits] = entry.split('/');
      const type = isIP(net ?? '');
      if (type === 0) this.allowedNames.add(entry);
      else if (bits !== undefined) this.allowed.addSubnet(net!, Number(bits), type === 4 ? 'ipv4' : 'ipv6');
      else this.allowed.addAddress(net!, type === 4 ? 'ipv4' : 'ipv6');
    }
  }

  static fromList(list: string, allowLoopback: boolean): TargetPolicy {
    return new TargetPolicy({ allowLoopback, allowedHosts: list.split(',') });
  }

  /** Why this address may not be a target, or null when it may. */
  whyNot(address: string, hostname?: string): string | null {
    const type = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    const plain = unmap(address);
    const plainType = isIP(plain) === 6 ? 'ipv6' : 'ipv4';
    if ((hostname && this.allowedNames.has(hostname.toLowerCase())) || this.allowed.check(plain, plainType) || this.allowed.check(address, type)) return null;
    if (this.loopback.check(plain, plainType)) return this.opts.allowLoopback ? null : 'is a loopback address';
    if (this.refused.check(plain, plainType)) return 'is a private or reserved address';
    return null;
  }

  /** Checks a target URL at creation: scheme, host, and every address the host resolves to. */
  async check(raw: string): Promise<void> {
    const url = new URL(raw);
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const addresses = isIP(host) ? [host] : await resolve(host);
    for (const address of addresses) {
      const why = this.whyNot(address, host);
      if (why) throw refuse(`${host}${address === host ? '' : ` (${address})`} ${why}; list it in WEBHOOK_ALLOWED_HOSTS to allow it`);
    }
  }

  /** A `lookup` for sockets: resolves, then refuses the connection when an address is not allowed. */
  readonly lookup = (hostname: string, options: object, callback: (err: Error | null, address: string | Array<{ address: string; family: number }>, family?: number) => void): void => {
    lookup(hostname, { all: true })
      .then((all) => {
        const bad = all.map((a) => this.whyNot(a.address, hostname)).find(Boolean);
        if (bad) return callback(new Error(`webhook target ${hostname} ${bad}`), []);
        if ((options as { all?: boolean }).all) return callback(null, all);
        callback(null, all[0]!.address, all[0]!.family);
      })
      .catch((e: Error) => callback(e, []));
  };
}

async function resolve(host: string): Promise<string[]> {
  try {
    return (await lookup(host, { all: true })).map((a) => a.address);
  } catch {
    throw refuse(`host ${host} does not resolve`);
  }
}

/** `::ffff:10.0.0.1` is 10.0.0.1. */
const unmap = (address: string): string => address.replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/i, '$1');

const refuse = (message: string) => new ValidationError('WEBHOOK.TARGET_REFUSED', `url: ${message}`, [{ path: 'url', message }]);
