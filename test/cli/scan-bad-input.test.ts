/** `stripscan scan` refuses bad input with exit 2 and a message naming the value, before any packet. */
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/run-cli.js';

const cases: { name: string; args: string[]; names: string }[] = [
  { name: 'an unparsable target', args: ['300.1.1.1'], names: '300.1.1.1' },
  { name: 'a prefix length out of range', args: ['10.0.0.0/33'], names: '10.0.0.0/33' },
  {
    name: 'an IPv6 prefix too large to enumerate',
    args: ['2001:db8::/32', '--allow-reserved'],
    names: '2001:db8::/32',
  },
  { name: 'port 0', args: ['127.0.0.1', '--allow-reserved', '--port', '0'], names: '"0"' },
  { name: 'port 70000', args: ['127.0.0.1', '--allow-reserved', '--port', '70000'], names: '70000' },
  { name: 'a negative rate', args: ['127.0.0.1', '--allow-reserved', '--rate', '-5'], names: '-5' },
  { name: 'a zero concurrency', args: ['127.0.0.1', '--allow-reserved', '--concurrency', '0'], names: '--concurrency' },
  {
    name: 'a missing targets file',
    args: ['--targets-file', '/nonexistent/targets.txt'],
    names: '/nonexistent/targets.txt',
  },
  {
    name: 'a missing CA file',
    args: ['127.0.0.1', '--allow-reserved', '--ca-file', '/nonexistent/ca.pem'],
    names: '/nonexistent/ca.pem',
  },
  { name: 'an EHLO name with a space', args: ['127.0.0.1', '--allow-reserved', '--ehlo-name', 'a b'], names: 'a b' },
  { name: 'a reserved range without --allow-reserved', args: ['127.0.0.1'], names: '--allow-reserved' },
  { name: 'an unknown flag', args: ['127.0.0.1', '--frobnicate'], names: '--frobnicate' },
  { name: 'no targets at all', args: [], names: 'no targets' },
];

describe('stripscan scan: bad input exits 2', () => {
  it.each(cases)('$name', async ({ args, names }) => {
    const result = await runCli(['scan', '--no-store', ...args]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(names);
    expect(result.stdout).toBe('');
  });
});
