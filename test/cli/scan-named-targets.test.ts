/**
 * `stripscan scan` over a targets file whose lines carry names (ZGrab2's
 * `ip,name[,tag]`): each name is sent as SNI and fills server_name and
 * cert_name_matches; the address listed bare is probed without a name too.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScanRecord } from '../../src/record.js';
import { runCli } from '../helpers/run-cli.js';
import { startStartTlsServer, type StartTlsServer } from '../helpers/starttls-server.js';
import { makeCa, makeLeaf } from '../helpers/test-pki.js';

let server: StartTlsServer;
let dir = '';
let caFile = '';

beforeAll(async () => {
  const root = await makeCa('CN=scan test root');
  const leaf = await makeLeaf({ issuer: root, dns: ['*.example.test'] });
  server = await startStartTlsServer({ banner: 'mx.example.test ESMTP', chainPem: leaf.pem, keyPem: leaf.keyPem });
  dir = mkdtempSync(join(tmpdir(), 'stripscan-scan-named-'));
  caFile = join(dir, 'ca.pem');
  writeFileSync(caFile, root.pem);
});

afterAll(async () => {
  await server?.close();
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

describe('stripscan scan with named targets', () => {
  it('probes once per name and once bare, the name as SNI, EHLO with --ehlo-name', async () => {
    const targets = join(dir, 'targets.csv');
    writeFileSync(targets, '127.0.0.1,mx.example.test,tag-1\n127.0.0.1,example.test\n127.0.0.1\n');
    const run = await runCli([
      'scan',
      '--targets-file',
      targets,
      '--allow-reserved',
      '--port',
      String(server.port),
      '--ca-file',
      caFile,
      '--ehlo-name',
      'scan.example.org',
      '--no-store',
      '--jsonl',
      '-',
      '--seed',
      '1',
    ]);
    expect(run.code, run.stderr).toBe(0);
    const records = run.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as ScanRecord);
    const seen = records.map((r) => [r.server_name, r.cert_name_matches, r.cert_status, r.cert_validity]);
    expect(seen).toHaveLength(3);
    expect(seen).toEqual(
      expect.arrayContaining([
        [null, null, 'valid', 'current'],
        ['mx.example.test', true, 'valid', 'current'],
        // *.example.test does not cover example.test itself.
        ['example.test', false, 'valid', 'current'],
      ]),
    );
    expect([...server.serverNames].sort()).toEqual(['example.test', 'mx.example.test', null].sort());
    expect(new Set(server.commands.filter((c) => c.startsWith('EHLO')))).toEqual(new Set(['EHLO scan.example.org']));
  });
});
