/**
 * The fleet answers loopback peers only, and from anywhere else no TCP
 * handshake completes: no port of the fleet is open on another interface.
 * The test builds its own network: two namespaces joined by a veth pair
 * (198.18.0.1 in A, 198.18.0.2 in B; the benchmarking range, routed
 * nowhere), the sim inside A. Needs root, as `ip netns` does; everything is
 * removed in teardown, failed or not.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN } from '../helpers/run-cli.js';

const TAG = String(process.pid % 100_000);
const NS_A = `stripscan-a${TAG}`;
const NS_B = `stripscan-b${TAG}`;
const VETH_A = `ssa${TAG}`;
const VETH_B = `ssb${TAG}`;
const ADDR_A = '198.18.0.1';

const children: ChildProcess[] = [];
let simPort: number;
let controlPort: number;

function ip(...args: string[]): void {
  execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

/** Starts `node ARGS` inside a namespace and resolves with the first line it prints. */
function startIn(ns: string, args: string[]): Promise<string> {
  const child = spawn('ip', ['netns', 'exec', ns, process.execPath, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  let err = '';
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (err += d));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${args.join(' ')} in ${ns} did not start: ${err}`)), 60_000);
    child.stdout?.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      const line = out.split('\n')[0];
      if (out.includes('\n') && line !== undefined) {
        clearTimeout(timer);
        resolve(line);
      }
    });
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} in ${ns} exited (${code}): ${err}`)));
  });
}

const CLIENT = `
const net = require('node:net');
const [host, port] = process.argv.slice(1);
let data = '';
const done = (result) => { console.log(JSON.stringify({ result, data })); process.exit(0); };
const socket = net.connect({ host, port: Number(port) });
socket.on('connect', () => setTimeout(() => done('connected'), 500));
socket.on('data', (d) => (data += d));
socket.on('error', (e) => done(e.code));
setTimeout(() => done('no-handshake'), 3000);
`;

/** Connects from inside `ns`: 'connected' (and what the server said), an error code, or 'no-handshake'. */
async function connectFrom(ns: string, host: string, port: number): Promise<{ result: string; data: string }> {
  const line = await startIn(ns, ['-e', CLIENT, host, String(port)]);
  return JSON.parse(line) as { result: string; data: string };
}

beforeAll(async () => {
  ip('netns', 'add', NS_A);
  ip('netns', 'add', NS_B);
  ip('link', 'add', VETH_A, 'type', 'veth', 'peer', 'name', VETH_B);
  ip('link', 'set', VETH_A, 'netns', NS_A);
  ip('link', 'set', VETH_B, 'netns', NS_B);
  ip('-n', NS_A, 'link', 'set', 'lo', 'up');
  ip('-n', NS_A, 'addr', 'add', `${ADDR_A}/30`, 'dev', VETH_A);
  ip('-n', NS_A, 'link', 'set', VETH_A, 'up');
  ip('-n', NS_B, 'addr', 'add', '198.18.0.2/30', 'dev', VETH_B);
  ip('-n', NS_B, 'link', 'set', VETH_B, 'up');
  // B may send to 127/8 over the veth (a hostile neighbour would); A keeps Linux's default and drops it.
  execFileSync('ip', ['netns', 'exec', NS_B, 'sysctl', '-qw', `net.ipv4.conf.${VETH_B}.route_localnet=1`]);
  ip('-n', NS_B, 'route', 'add', '127.16.0.0/28', 'via', ADDR_A, 'dev', VETH_B);

  const listening = await startIn(NS_A, [BIN, 'sim', '--range', '127.16.0.0/28', '--port', '0']);
  simPort = Number(/ port (\d+)/.exec(listening)?.[1]);
  // A control: a server in A bound on every interface, to show that B does reach A.
  const control = await startIn(NS_A, [
    '-e',
    "require('node:net').createServer((s) => s.end('control\\n')).listen(0, '0.0.0.0', function () { console.log(this.address().port); })",
  ]);
  controlPort = Number(control);
}, 120_000);

afterAll(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await Promise.all(
    children.map((c) => (c.exitCode === null && c.signalCode === null ? new Promise((r) => c.once('exit', r)) : null)),
  );
  for (const ns of [NS_A, NS_B]) {
    try {
      ip('netns', 'del', ns);
    } catch {
      // Not created: set-up failed before it.
    }
  }
});

describe('the fleet listens on loopback only', () => {
  it('serves a loopback peer', async () => {
    const r = await connectFrom(NS_A, '127.16.0.1', simPort);
    expect(r.result).toBe('connected');
    expect(r.data).toMatch(/^220 /);
  });

  it('has no port open on another interface: a peer there is refused before any handshake', async () => {
    const control = await connectFrom(NS_B, ADDR_A, controlPort);
    expect(control).toEqual({ result: 'connected', data: 'control\n' });
    const fleet = await connectFrom(NS_B, ADDR_A, simPort);
    expect(fleet).toEqual({ result: 'ECONNREFUSED', data: '' });
  });

  it('completes no handshake with a peer that routes loopback addresses to it', async () => {
    const r = await connectFrom(NS_B, '127.16.0.1', simPort);
    expect(r.result).not.toBe('connected');
    expect(r.data).toBe('');
  });
});
