/**
 * Path personas: a clean STARTTLS server, seen through a middlebox only by
 * clients connecting from the fleet's path sources. Checked on the wire with
 * a raw client bound to a path source and to another address, and in the
 * manifest (`expectFrom`, one record per path source).
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { PATH_PERSONAS, PERSONAS, startFleet, type Fleet } from '../../src/sim/index.js';
import { RawSmtpClient } from './raw-smtp-client.js';

const AFFECTED = '127.0.0.2';
const CLEAN = '127.0.0.3';

let fleet: Fleet;
beforeAll(async () => {
  fleet = await startFleet({ range: '127.18.0.0/26', implicitTlsPort: 0, pathSources: [AFFECTED] });
});
afterAll(async () => {
  await fleet.close();
});

/** EHLO, then a forced STARTTLS: the two replies a stripping box changes. */
async function ehloAndStartTls(ip: string, localAddress: string): Promise<{ ehlo: string[]; starttls: string }> {
  const client = await RawSmtpClient.open(ip, fleet.port, { localAddress });
  try {
    await client.readReply();
    client.send('EHLO scan.example.org');
    const ehlo = (await client.readReply()).lines;
    client.send('STARTTLS');
    const starttls = (await client.readReply()).lines.join('\n');
    return { ehlo, starttls };
  } finally {
    client.discardUnread();
  }
}

describe('path personas', () => {
  it('join the even mix after the usual personas, only when there are path sources', async () => {
    expect(fleet.personas.map((p) => p.name)).toEqual([...PERSONAS, ...PATH_PERSONAS].map((p) => p.name));
    expect(PATH_PERSONAS.map((p) => p.name)).toEqual([
      'path-masked',
      'path-deleted-placeholder',
      'path-deleted',
      'path-deleted-passthrough',
      'path-command-rewrite',
      'path-starttls-454',
    ]);
    const plain = await startFleet({ range: '127.18.1.0/30' });
    try {
      expect(plain.personas).toBe(PERSONAS);
      expect([...plain.manifest()].some((e) => e.expectFrom !== undefined)).toBe(false);
    } finally {
      await plain.close();
    }
  });

  it('show the box to a path source and a clean server to anyone else', async () => {
    const ipOf = (name: string) => [...fleet.manifest()].find((e) => e.persona === name)!.ip;
    const clean = await ehloAndStartTls(ipOf('path-masked'), CLEAN);
    expect(clean.ehlo).toContain('250-STARTTLS');
    expect(clean.starttls).toMatch(/^220 /);

    const masked = await ehloAndStartTls(ipOf('path-masked'), AFFECTED);
    expect(masked.ehlo).toContain('250-XXXXXXXA');
    expect(masked.ehlo.join('\n')).not.toMatch(/STARTTLS/);
    expect(masked.starttls).toBe('500 5.5.1 Command unrecognized: "XXXXXXXX"');

    const deleted = await ehloAndStartTls(ipOf('path-deleted'), AFFECTED);
    expect(deleted.ehlo.join('\n')).not.toMatch(/STARTTLS|XXXX/);
    expect(deleted.starttls).toMatch(/^502 /);

    const placeholder = await ehloAndStartTls(ipOf('path-deleted-placeholder'), AFFECTED);
    expect(placeholder.ehlo).toContain('250 XXXXXXXX');

    const passthrough = await ehloAndStartTls(ipOf('path-deleted-passthrough'), AFFECTED);
    expect(passthrough.ehlo.join('\n')).not.toMatch(/STARTTLS/);
    expect(passthrough.starttls).toMatch(/^220 /);

    const rewrite = await ehloAndStartTls(ipOf('path-command-rewrite'), AFFECTED);
    expect(rewrite.ehlo).toContain('250-STARTTLS');
    expect(rewrite.starttls).toMatch(/"XXXXXXXX"/);

    const refused = await ehloAndStartTls(ipOf('path-starttls-454'), AFFECTED);
    expect(refused.ehlo).toContain('250-STARTTLS');
    expect(refused.starttls).toMatch(/^454 4\.7\.0 /);
  });

  it('write one expected record per path source in the manifest, STARTTLS port only', () => {
    const entries = [...fleet.manifest()];
    const withPaths = entries.filter((e) => e.expectFrom !== undefined);
    expect(new Set(withPaths.map((e) => e.persona))).toEqual(new Set(PATH_PERSONAS.map((p) => p.name)));
    for (const entry of entries) {
      const isPath = entry.persona.startsWith('path-');
      expect(entry.expectFrom !== undefined, `${entry.ip}:${entry.port}`).toBe(isPath && entry.port === fleet.port);
      if (!isPath) continue;
      // From anywhere else, and on the implicit-TLS port from everywhere: the clean server.
      expect(entry.expect).toMatchObject({ outcome: 'tls-ok', starttls_advertised: entry.port === fleet.port });
      if (entry.expectFrom === undefined) continue;
      expect(Object.keys(entry.expectFrom)).toEqual([AFFECTED]);
      expect(entry.expectFrom[AFFECTED]).toEqual(fleet.expectedFor(entry.ip, entry.port, { source: AFFECTED }));
    }
    const byPersona = (name: string) => withPaths.find((e) => e.persona === name)!.expectFrom![AFFECTED]!;
    expect(byPersona('path-masked')).toMatchObject({ outcome: 'starttls-stripped', strip_evidence: 'direct' });
    expect(byPersona('path-deleted-placeholder')).toMatchObject({
      outcome: 'starttls-stripped',
      strip_evidence: 'circumstantial',
    });
    expect(byPersona('path-deleted')).toMatchObject({ outcome: 'no-starttls', fingerprints: [] });
    expect(byPersona('path-deleted-passthrough')).toMatchObject({
      outcome: 'starttls-stripped',
      fingerprints: ['hidden-starttls'],
    });
    expect(byPersona('path-command-rewrite')).toMatchObject({
      outcome: 'starttls-stripped',
      fingerprints: ['corrupted-command-echo'],
    });
    expect(byPersona('path-starttls-454')).toMatchObject({ outcome: 'starttls-refused', starttls_code: 454 });
  });

  it('refuse path sources that are not loopback literals, and the realistic mix', async () => {
    await expect(startFleet({ range: '127.18.2.0/30', pathSources: ['10.0.0.1'] })).rejects.toThrow(
      '--path-sources "10.0.0.1": expected a loopback address literal (127.x.y.z or ::1)',
    );
    await expect(startFleet({ range: '127.18.2.0/30', pathSources: ['127.0.0.2,127.0.0.2'] })).rejects.toThrow(
      /given twice/,
    );
    await expect(startFleet({ range: '127.18.2.0/30', mix: 'realistic', pathSources: ['127.0.0.2'] })).rejects.toThrow(
      UsageError,
    );
  });
});

describe('stripscan sim --path-sources', () => {
  const BIN = new URL('../../bin/stripscan.js', import.meta.url).pathname;

  it('writes expectFrom into the manifest; refuses the realistic mix (exit 2)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stripscan-path-'));
    const manifestFile = join(dir, 'manifest.jsonl');
    try {
      const child = spawn(
        process.execPath,
        [BIN, 'sim', '--range', '127.18.3.0/26', '--port', '0', '--path-sources', AFFECTED, '--manifest', manifestFile],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let out = '';
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          if (out.includes('\n')) resolve();
        });
        child.once('exit', (code) => reject(new Error(`sim exited ${code}`)));
      });
      child.kill('SIGTERM');
      expect(out).toMatch(/43 personas, mix even, seed 1, path sources 127\.0\.0\.2\n$/);
      const lines = readFileSync(manifestFile, 'utf8').trim().split('\n');
      const entries = lines.map((l) => JSON.parse(l) as { persona: string; expectFrom?: Record<string, unknown> });
      expect(entries).toHaveLength(64);
      expect(entries.filter((e) => e.expectFrom !== undefined).map((e) => e.persona)).toEqual(
        PATH_PERSONAS.map((p) => p.name),
      );

      const refused = spawnSync(
        process.execPath,
        [BIN, 'sim', '--range', '127.18.4.0/30', '--port', '0', '--mix', 'realistic', '--path-sources', AFFECTED],
        { encoding: 'utf8', timeout: 20_000 },
      );
      expect(refused.status).toBe(2);
      expect(refused.stderr).toMatch(
        /^stripscan: --path-sources with --mix realistic: path personas join the even mix only/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);
});
