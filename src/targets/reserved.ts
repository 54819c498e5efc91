/**
 * The default blocklist: IANA special-purpose ranges that no Internet scan
 * should touch (ZMap's list for IPv4, FIELD-NOTES §3, plus the IPv6
 * special-purpose ranges). `--allow-reserved` lifts it, for example to scan
 * the simulated fleet on 127.0.0.0/8.
 */
export interface ReservedRange {
  cidr: string;
  name: string;
}

export const RESERVED_RANGES: readonly ReservedRange[] = [
  { cidr: '0.0.0.0/8', name: 'this network' },
  { cidr: '10.0.0.0/8', name: 'private use' },
  { cidr: '100.64.0.0/10', name: 'shared address space (carrier-grade NAT)' },
  { cidr: '127.0.0.0/8', name: 'loopback' },
  { cidr: '169.254.0.0/16', name: 'link local' },
  { cidr: '172.16.0.0/12', name: 'private use' },
  { cidr: '192.0.0.0/24', name: 'IETF protocol assignments' },
  { cidr: '192.0.2.0/24', name: 'documentation (TEST-NET-1)' },
  { cidr: '192.88.99.0/24', name: '6to4 relay anycast' },
  { cidr: '192.168.0.0/16', name: 'private use' },
  { cidr: '198.18.0.0/15', name: 'benchmarking' },
  { cidr: '198.51.100.0/24', name: 'documentation (TEST-NET-2)' },
  { cidr: '203.0.113.0/24', name: 'documentation (TEST-NET-3)' },
  { cidr: '224.0.0.0/4', name: 'multicast' },
  { cidr: '240.0.0.0/4', name: 'reserved for future use' },
  { cidr: '255.255.255.255/32', name: 'limited broadcast' },
  { cidr: '::/128', name: 'unspecified address' },
  { cidr: '::1/128', name: 'loopback' },
  { cidr: '::ffff:0:0/96', name: 'IPv4-mapped addresses' },
  { cidr: '64:ff9b::/96', name: 'IPv4-IPv6 translation' },
  { cidr: '100::/64', name: 'discard-only' },
  { cidr: '2001::/23', name: 'IETF protocol assignments' },
  { cidr: '2001:db8::/32', name: 'documentation' },
  { cidr: 'fc00::/7', name: 'unique local' },
  { cidr: 'fe80::/10', name: 'link local' },
  { cidr: 'ff00::/8', name: 'multicast' },
];
