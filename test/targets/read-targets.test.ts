import { mkdtemp, rm, writeFile, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { MAX_LINE_LENGTH, readTargetSpecs } from '../../src/cli/read-targets.js';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stripscan-targets-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function fileWith(name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

const opts = { flag: '--targets-file', allowEmpty: false, names: true };

describe('readTargetSpecs', () => {
  it('reads ZMap CSV output with CRLF line ends, comments and no final newline', async () => {
    const path = await fileWith(
      'zmap.csv',
      'saddr,sport\r\n192.0.2.1,25\r\n# note\r\n\r\n2001:db8::1,25\r\n10.0.0.0/30',
    );
    expect(await readTargetSpecs(path, opts)).toEqual(['192.0.2.1', '2001:db8::1', '10.0.0.0/30']);
  });

  it('reads stdin in small pieces split anywhere', async () => {
    const text = '127.0.0.1\n127.0.0.2-127.0.0.9\n::1\n';
    const pieces = text.match(/.{1,3}/gs) ?? [];
    const specs = await readTargetSpecs('-', { ...opts, stdin: Readable.from(pieces) });
    expect(specs).toEqual(['127.0.0.1', '127.0.0.2-127.0.0.9', '::1']);
  });

  it('names the file and line of a bad entry', async () => {
    const path = await fileWith('bad.txt', '192.0.2.1\n\n300.1.1.1\n');
    await expect(readTargetSpecs(path, opts)).rejects.toThrow(`${path}:3: target "300.1.1.1"`);
  });

  it('reads ip,name and ip,name,tag lines as named targets, the tag dropped', async () => {
    const path = await fileWith(
      'zgrab.csv',
      '192.0.2.1,mx.example.org\n192.0.2.1,MX2.example.org.,primary\n2001:db8::25,mx.example.org,x\n192.0.2.9\n',
    );
    expect(await readTargetSpecs(path, opts)).toEqual([
      '192.0.2.1,mx.example.org',
      '192.0.2.1,MX2.example.org.',
      '2001:db8::25,mx.example.org',
      '192.0.2.9',
    ]);
  });

  it('names the file and line of a bad name, a named block, and a headerless ZMap CSV line', async () => {
    const badName = await fileWith('bad-name.txt', '192.0.2.1,mx.example.org\n192.0.2.2,mx_.exa mple\n');
    await expect(readTargetSpecs(badName, opts)).rejects.toThrow(
      `${badName}:2: target "192.0.2.2,mx_.exa mple": "mx_.exa mple" is not a host name`,
    );
    const block = await fileWith('block.txt', '192.0.2.0/24,mx.example.org\n');
    await expect(readTargetSpecs(block, opts)).rejects.toThrow(
      `${block}:1: target "192.0.2.0/24,mx.example.org": a name goes with one address, not a block or range`,
    );
    const headerless = await fileWith('headerless.csv', '192.0.2.1,25,synack\n');
    await expect(readTargetSpecs(headerless, opts)).rejects.toThrow(
      `${headerless}:1: target "192.0.2.1,25": "25" is not a host name (two or more DNS labels) or an IP address (lines are ip, ip,name or ip,name,tag; ZMap CSV output needs its header line)`,
    );
    // A blocklist reads addresses only: the same line blocks 192.0.2.1.
    expect(await readTargetSpecs(headerless, { ...opts, names: false })).toEqual(['192.0.2.1']);
  });

  it('refuses an over-long line without reading it whole', async () => {
    const stdin = Readable.from(['1.2.3.4\n', 'x'.repeat(MAX_LINE_LENGTH * 4)]);
    await expect(readTargetSpecs('-', { ...opts, stdin })).rejects.toThrow(/stdin:2: line longer than 1024/);
  });

  it('refuses an empty or unreadable file, naming it', async () => {
    const empty = await fileWith('empty.txt', '# only a comment\n');
    await expect(readTargetSpecs(empty, opts)).rejects.toThrow(UsageError);
    await expect(readTargetSpecs(empty, opts)).rejects.toThrow(
      `--targets-file ${JSON.stringify(empty)}: the file holds no targets`,
    );
    expect(await readTargetSpecs(empty, { flag: '--blocklist', allowEmpty: true, names: false })).toEqual([]);
    const missing = join(dir, 'missing.txt');
    await expect(readTargetSpecs(missing, opts)).rejects.toThrow(/missing\.txt.*ENOENT/);
    await expect(readTargetSpecs(dir, opts)).rejects.toThrow(/EISDIR/);
    if (process.getuid?.() !== 0) {
      const locked = await fileWith('locked.txt', '1.2.3.4\n');
      await chmod(locked, 0);
      await expect(readTargetSpecs(locked, opts)).rejects.toThrow(/EACCES/);
    }
  });
});
