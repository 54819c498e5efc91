/** The README is the product's front door: keep every record field and scan flag it documents true. */
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { register as registerDomains } from '../src/cli/commands/domains.js';
import { register as registerScan } from '../src/cli/commands/scan.js';
import { VERDICTS } from '../src/policy/verdict.js';
import { FINGERPRINTS, OUTCOMES, RECORD_FIELDS } from '../src/record.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

describe('README', () => {
  it('documents every record field in the record table', () => {
    for (const field of RECORD_FIELDS) expect(readme, field).toContain(`| \`${field}\` |`);
  });

  it('documents every outcome and fingerprint', () => {
    for (const o of OUTCOMES) expect(readme, o).toContain(`\`${o}\``);
    for (const f of FINGERPRINTS) expect(readme, f).toContain(`| \`${f}\` |`);
  });

  it('documents every flag of stripscan scan, and no flag that does not exist', () => {
    const program = new Command();
    registerScan(program);
    const scan = program.commands.find((c) => c.name() === 'scan')!;
    const flags = scan.options.map((o) => o.long!).filter((f) => f !== '--help');
    const section = readme.slice(readme.indexOf('### `stripscan scan'), readme.indexOf('### `stripscan targets'));
    for (const flag of flags) expect(section, flag).toContain(flag);
    const documented = [...section.matchAll(/`(--[a-z-]+)/g)].map((m) => m[1]);
    for (const flag of documented) expect(flags, `README names ${flag}`).toContain(flag);
  });

  it('documents every flag of stripscan domains and every verdict, and no flag that does not exist', () => {
    const program = new Command();
    registerDomains(program);
    const domains = program.commands.find((c) => c.name() === 'domains')!;
    const flags = domains.options.map((o) => o.long!).filter((f) => f !== '--help');
    const section = readme.slice(readme.indexOf('### `stripscan domains'), readme.indexOf('### `stripscan sim'));
    for (const flag of flags) expect(section, flag).toContain(flag);
    const documented = [...section.matchAll(/`(--[a-z-]+)/g)].map((m) => m[1]);
    for (const flag of documented) expect(flags, `README names ${flag}`).toContain(flag);
    for (const v of VERDICTS) expect(section, v).toContain(`| \`${v}\` |`);
  });

  it('gives the test command that .ci/run runs', () => {
    const ci = readFileSync(new URL('../.ci/run', import.meta.url), 'utf8');
    expect(readme).toContain('npm ci && npm test');
    expect(ci).toMatch(/^npm ci && npm test$/m);
  });
});
