/**
 * `campaign create --contact`: required, and an http(s) URL or a mail address.
 * A value that passes goes on to Redis — here a closed port, so exit 3 proves
 * the contact was accepted without any Redis to create the campaign in.
 */
import { describe, expect, it } from 'vitest';
import { closedPort } from '../helpers/free-port.js';
import { runCli } from '../helpers/run-cli.js';

const create = async (contact: string[]) => {
  const port = await closedPort();
  return runCli([
    'campaign',
    'create',
    'c1',
    '127.16.0.0/28',
    '--allow-reserved',
    '--rate',
    '10',
    ...contact,
    '--redis',
    `redis://127.0.0.1:${port}`,
    '--service-timeout',
    '200',
  ]);
};

describe('campaign create --contact', () => {
  it('is marked required in the help', async () => {
    const help = await runCli(['campaign', 'create', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout.replace(/\s+/g, ' ')).toContain(
      '--contact <url> (required) where a network operator reaches you',
    );
  });

  it('missing: exit 2 naming the option', async () => {
    const r = await create([]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("required option '--contact <url>' not specified");
  });

  it.each(['call me maybe', 'ftp://scan.example.org/', 'https://', 'scan@', 'example.org'])(
    'refuses %j with exit 2 naming it',
    async (value) => {
      const r = await create(['--contact', value]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`--contact ${JSON.stringify(value)}: expected an http(s) URL`);
    },
  );

  it.each([
    'https://scan.example.org/opt-out',
    'http://scan.example.org',
    'scan@example.org',
    'mailto:scan@example.org',
  ])('accepts %j', async (value) => {
    const r = await create(['--contact', value]);
    expect(r.stderr).toMatch(/^stripscan: cannot reach Redis at 127\.0\.0\.1:\d+ \(ECONNREFUSED\)\n$/);
    expect(r.code).toBe(3);
  });
});
