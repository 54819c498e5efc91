/**
 * Benchmark 2: nmap's SMTP and certificate scripts against stripscan on the
 * same fleet hosts. nmap knows SMTP by port (25/465/587) or service name:
 * an nmap-services file in a --datadir of our own names the fleet's port
 * `smtp`, so both scripts run there and ssl-cert speaks STARTTLS first.
 * (--servicedb would do the same but forces -F, which nmap refuses with -p.)
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runChild } from '../harness/child.js';
import { ensureDebianTool } from '../harness/debian-tool.js';
import { median } from '../harness/median.js';
import type { BenchRow, SuiteContext } from '../harness/result.js';
import type { SimProcess } from '../harness/sim-process.js';
import { stripscanCliScan } from '../harness/stripscan-cli-scan.js';

export interface NmapHostFacts {
  hosts: number;
  withEhlo: number;
  withCert: number;
}

/** Hosts in nmap's normal output that got an EHLO list (smtp-commands) and a certificate (ssl-cert). */
export function countNmapFacts(output: string): NmapHostFacts {
  const blocks = output.split(/^Nmap scan report for /m).slice(1);
  return {
    hosts: blocks.length,
    withEhlo: blocks.filter((b) => /^\|[_ ] ?smtp-commands: /m.test(b)).length,
    withCert: blocks.filter((b) => /ssl-cert: Subject: /.test(b)).length,
  };
}

export async function nmapSuite(
  ctx: SuiteContext & { install: boolean },
  sim: SimProcess,
  hosts: string[],
  concurrency: number,
): Promise<BenchRow[]> {
  const nmap = await ensureDebianTool(['/usr/bin/nmap'], 'nmap', ctx.install, ctx.log);
  if (nmap === null) {
    return [{ suite: 'nmap', metric: 'skipped', unit: '', runs: [], median: Number.NaN, note: 'nmap not installed' }];
  }
  const dir = mkdtempSync(join(tmpdir(), 'stripscan-bench-nmap-'));
  try {
    const targets = join(dir, 'targets.txt');
    const services = join(dir, 'nmap-services');
    // nmap reads files missing from --datadir (its scripts) from /usr/share/nmap.
    writeFileSync(targets, `${hosts.join('\n')}\n`);
    writeFileSync(services, `smtp\t${sim.port}/tcp\t0.5\t# the simulated fleet\n`);
    const nmapWall: number[] = [];
    const ourWall: number[] = [];
    let nmapFacts: NmapHostFacts = { hosts: 0, withEhlo: 0, withCert: 0 };
    let ours = { hosts: 0, withEhlo: 0, withCert: 0, withTlsVersion: 0 };
    for (let run = 1; run <= ctx.runs; run++) {
      const args = ['-Pn', '-n', `-p${sim.port}`, '--datadir', dir];
      args.push('--script', 'smtp-commands,ssl-cert', '-iL', targets, '-oN', '-');
      const result = await runChild(nmap, args, { core: 0, timeoutMs: 600_000 });
      if (result.code !== 0) throw new Error(`nmap exit ${result.code}: ${result.stderr.slice(-1000)}`);
      nmapWall.push(result.wallMs / 1000);
      nmapFacts = countNmapFacts(result.stdout);
      const scan = await stripscanCliScan(sim, hosts, concurrency, dir);
      ourWall.push(scan.wallMs / 1000);
      ours = {
        hosts: scan.records.length,
        withEhlo: scan.records.filter((r) => r.ehlo_keywords.length > 0).length,
        withCert: scan.records.filter((r) => r.cert_sha256 !== null).length,
        withTlsVersion: scan.records.filter((r) => r.tls_version !== null).length,
      };
      ctx.log(
        `nmap run ${run}: nmap ${nmapWall.at(-1)?.toFixed(1)} s (${JSON.stringify(nmapFacts)}), ` +
          `stripscan ${ourWall.at(-1)?.toFixed(1)} s (${JSON.stringify(ours)})`,
      );
    }
    const nmapMedian = median(nmapWall);
    const ourMedian = median(ourWall);
    return [
      {
        suite: 'nmap',
        metric: `nmap smtp-commands,ssl-cert, ${hosts.length} hosts`,
        unit: 's wall',
        runs: nmapWall,
        median: nmapMedian,
        note: `${(hosts.length / nmapMedian).toFixed(0)} hosts/s; hosts with EHLO list ${nmapFacts.withEhlo}, with certificate ${nmapFacts.withCert} of ${nmapFacts.hosts}`,
      },
      {
        suite: 'nmap',
        metric: `stripscan scan, ${hosts.length} hosts`,
        unit: 's wall',
        runs: ourWall,
        median: ourMedian,
        ratio: { against: 'nmap (speed-up)', value: nmapMedian / ourMedian },
        note: `${(hosts.length / ourMedian).toFixed(0)} hosts/s incl. process start; records ${ours.hosts}, with EHLO keywords ${ours.withEhlo}, certificate ${ours.withCert}, TLS version ${ours.withTlsVersion}; goal ≥ 10× nmap`,
      },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
