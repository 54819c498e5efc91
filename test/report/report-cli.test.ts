/** `stripscan report` rejects bad input with exit 2 and a message naming the flag and the value. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'stripscan-report-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('stripscan report: bad input exits 2', () => {
  const cases: [string, string[], RegExp][] = [
    [
      'a campaign name with a space',
      ['--campaign', 'bad name', '--html', join(dir, 'r.html')],
      /--campaign "bad name"/,
    ],
    [
      'a compare name with markup',
      ['--campaign', 'a', '--compare', '<b>', '--html', join(dir, 'r.html')],
      /--compare "<b>"/,
    ],
    [
      'a series name with a slash',
      ['--campaign', 'a', '--series', 'b', '--series', 'x/y', '--html', join(dir, 'r.html')],
      /--series "x\/y"/,
    ],
    ['the same campaign twice', ['--campaign', 'a', '--compare', 'a', '--html', join(dir, 'r.html')], /--compare "a"/],
    [
      'a missing directory',
      ['--campaign', 'a', '--html', join(dir, 'no', 'r.html')],
      /--html ".*no\/r.html": the directory/,
    ],
    ['a directory as the file', ['--campaign', 'a', '--html', dir], /--html ".*": expected a file name/],
    ['no --html', ['--campaign', 'a'], /--html/],
  ];
  for (const [name, args, message] of cases) {
    it(name, async () => {
      const r = await runCli(['report', ...args, '--data-dir', join(dir, 'data')]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
    });
  }

  it('an unknown campaign in an empty store', async () => {
    const r = await runCli([
      'report',
      '--campaign',
      'nope',
      '--html',
      join(dir, 'r.html'),
      '--data-dir',
      join(dir, 'data'),
    ]);
    expect(r.stderr).toMatch(/--campaign "nope": no such campaign in the store \(it holds no campaigns\)/);
    expect(r.code).toBe(2);
  });
});
