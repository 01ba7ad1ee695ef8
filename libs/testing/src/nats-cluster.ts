import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { freePort } from './system';
import { waitFor } from './wait-for';

const NATS_SERVER = process.env.NATS_SERVER_BIN ?? 'nats-server';

interface Node {
  name: string;
  port: number;
  clusterPort: number;
  dir: string;
  proc?: ChildProcess;
}

/**
 * Real `nats-server` processes forming a JetStream cluster on loopback ports, each with its own
 * storage directory, so a test can kill a node (SIGKILL) and bring it back with its data.
 */
export class NatsCluster {
  private constructor(
    private readonly nodes: Node[],
    private readonly root: string,
  ) {}

  static async start(size = 3): Promise<NatsCluster> {
    const root = mkdtempSync(join(tmpdir(), 'orch-nats-cluster-'));
    const nodes: Node[] = [];
    for (let i = 1; i <= size; i++) nodes.push({ name: `n${i}`, port: await freePort(), clusterPort: await freePort(), dir: join(root, `n${i}`) });
    const cluster = new NatsCluster(nodes, root);
    for (const node of nodes) cluster.spawn(node);
    await cluster.waitForJetStream().catch(async (error: unknown) => {
      await cluster.stop();
      throw error;
    });
    return cluster;
  }

  get urls(): string[] {
    return this.nodes.map((n) => `nats://127.0.0.1:${n.port}`);
  }

  /** Connects to every node, so the client fails over when one goes. */
  connect(): Promise<NatsConnection> {
    // waitOnFirstConnect: the nodes may still be starting (slowly, on a busy machine).
    return connect({ servers: this.urls, maxReconnectAttempts: -1, reconnectTimeWait: 100, waitOnFirstConnect: true });
  }

  kill(name: string): void {
    const node = this.node(name);
    node.proc?.kill('SIGKILL');
    node.proc = undefined;
  }

  restart(name: string): void {
    const node = this.node(name);
    if (node.proc) throw new Error(`${name} is running`);
    this.spawn(node);
  }

  /** Waits until the cluster has a JetStream meta leader (account info answers). */
  async waitForJetStream(timeoutMs = 20_000): Promise<void> {
    const nc = await this.connect();
    try {
      const jsm = await jetstreamManager(nc, { checkAPI: false });
      await waitFor('the JetStream cluster to elect a meta leader', async () => (await jsm.getAccountInfo().then(() => true).catch(() => false)) || undefined, { timeoutMs, intervalMs: 200 });
    } finally {
      await nc.close();
    }
  }

  async stop(): Promise<void> {
    for (const node of this.nodes) this.kill(node.name);
    rmSync(this.root, { recursive: true, force: true });
  }

  private node(name: string): Node {
    const node = this.nodes.find((n) => n.name === name);
    if (!node) throw new Error(`no node ${name}`);
    return node;
  }

  private spawn(node: Node): void {
    const routes = this.nodes.filter((n) => n !== node).map((n) => `nats://127.0.0.1:${n.clusterPort}`).join(',');
    const args = ['-a', '127.0.0.1', '-p', String(node.port), '-n', node.name, '-js', '-sd', node.dir, '--cluster_name', 'orch-test', '--cluster', `nats://127.0.0.1:${node.clusterPort}`, '--routes', routes];
    node.proc = spawn(NATS_SERVER, args, { stdio: 'ignore' });
  }
}
