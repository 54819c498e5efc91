/**
 * Names survive a campaign: `campaign create` keeps the target strings
 * (`ip,name` included) in the spec, and a worker process rebuilds both the
 * plan and the names from them, sending each name as SNI. Real CLI, real
 * worker process, a private Redis, a TLS server on loopback.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScanRecord } from '../../src/record.js';
import { runCli } from '../helpers/run-cli.js';
import { startTestRedis, type TestRedis } from '../helpers/redis-server.js';
import { startStartTlsServer, type StartTlsServer } from '../helpers/starttls-server.js';
import { makeCa, makeLeaf } from '../helpers/test-pki.js';

describe('a campaign over targets that carry names', () => {
  let redis: TestRedis;
  let client: Redis;
  let server: StartTlsServer;
  let dir = '';
  let caFile = '';
  const prefix = `named-${process.pid}`;

  beforeAll(async () => {
    redis = await startTestRedis();
    client = new Redis(redis.url, { maxRetriesPerRequest: null });
    client.on('error', () => undefined);
    const root = await makeCa('CN=campaign test root');
    const leaf = await makeLeaf({ issuer: root, dns: ['mx.example.test'] });
    server = await startStartTlsServer({ banner: 'mx.example.test ESMTP', chainPem: leaf.pem, keyPem: leaf.keyPem });
    dir = mkdtempSync(join(tmpdir(), 'stripscan-named-'));
    caFile = join(dir, 'ca.pem');
    writeFileSync(caFile, root.pem);
  });

  afterAll(async () => {
    client?.disconnect();
    await server?.close();
    await redis?.stop();
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  });

  it('probes an address once per name and once bare, each name as SNI, through a worker', async () => {
    const targets = join(dir, 'targets.csv');
    writeFileSync(targets, '127.0.0.1,mx.example.test,primary\n127.0.0.1,other.example.test\n');
    const redisArgs = ['--redis', redis.url, '--prefix', prefix];
    const create = await runCli([
      'campaign',
      'create',
      'named',
      '127.0.0.1',
      '--targets-file',
      targets,
      '--allow-reserved',
      '--port',
      String(server.port),
      '--ca-file',
      caFile,
      '--ehlo-name',
      'scan.example.org',
      '--contact',
      'https://scan.example.org/about',
      '--rate',
      '0',
      '--per24-rate',
      '0',
      ...redisArgs,
    ]);
    expect(create.code, create.stderr).toBe(0);
    expect((await runCli(['campaign', 'start', 'named', ...redisArgs])).code).toBe(0);
    const worker = await runCli(['worker', '--campaign', 'named', '--exit-when-done', ...redisArgs], {
      timeoutMs: 60_000,
    });
    expect(worker.code, worker.stderr).toBe(0);

    const entries = await client.xrange(`${prefix}:stripscan:results`, '-', '+');
    const records = entries.flatMap(([, fields]) => {
      const at = fields.indexOf('records');
      return at < 0 ? [] : (JSON.parse(fields[at + 1] as string) as ScanRecord[]);
    });
    const byName = Object.fromEntries(records.map((r) => [String(r.server_name), r]));
    expect(records).toHaveLength(3);
    expect(byName['mx.example.test']).toMatchObject({
      outcome: 'tls-ok',
      cert_name_matches: true,
      cert_status: 'valid',
    });
    expect(byName['other.example.test']).toMatchObject({ outcome: 'tls-ok', cert_name_matches: false });
    expect(byName.null).toMatchObject({ outcome: 'tls-ok', cert_name_matches: null });
    expect([...server.serverNames].sort()).toEqual(['mx.example.test', 'other.example.test', null].sort());
  });
});
