/**
 * Addresses an MX name may resolve to that `stripscan domains` does not
 * probe unless `--allow-reserved`: the same IANA special-purpose ranges a scan
 * refuses (src/targets/reserved.ts). DNS is anyone's to write: a zone that
 * points its MX at 10.0.0.1 or 127.0.0.1 must not turn the scanner on its own
 * network.
 */
import { BlockList, isIP } from 'node:net';
import { RESERVED_RANGES } from '../targets/index.js';

const blocks = RESERVED_RANGES.map((r) => {
  const [network = '', prefix = '0'] = r.cidr.split('/');
  const list = new BlockList();
  list.addSubnet(network, Number(prefix), isIP(network) === 6 ? 'ipv6' : 'ipv4');
  return { list, name: r.name };
});

/** The reserved range's name when `ip` is in one, else null. */
export function reservedRangeOf(ip: string): string | null {
  const family = isIP(ip) === 6 ? 'ipv6' : 'ipv4';
  return blocks.find((b) => b.list.check(ip, family))?.name ?? null;
}
