/**
 * The I/O beside src/policy/: the domain's `_mta-sts` and `_smtp._tls` TXT
 * records, the MTA-STS policy over HTTPS, and an MX host's TLSA records,
 * each through the injected DnsClient. The parsing and judging is pure and
 * lives in src/policy/.
 *
 * The policy fetch follows RFC 8461 §3.3: `https://mta-sts.<domain>/.well-known/mta-sts.txt`,
 * the certificate validated for that host name against the trust store
 * given (the system roots plus `--ca-file` in the CLI; injectable for
 * tests), a 200 answer only (3xx redirects are never followed), a body of at
 * most `maxBytes`, within `timeoutMs` from the start of the request. Host
 * names are resolved through the same resolver as every other lookup.
 */
import { request, type RequestOptions } from 'node:https';
import type { IncomingMessage } from 'node:http';
import { parseMtaStsPolicy, parseMtaStsTxt, type MtaStsPolicy } from '../policy/mta-sts.js';
import { parseTlsRptTxt, type TlsRptTxt } from '../policy/tls-rpt.js';
import type { DnsAnswer, DnsClient } from './dns-client.js';
import { lookupThrough } from './dns-lookup.js';

/** Ways a domain's MTA-STS ended, stored in domains.mta_sts_status. */
export const MTA_STS_STATUSES = [
  'none',
  'ok',
  'txt-lookup-failed',
  'txt-malformed',
  'txt-multiple',
  'unreachable',
  'tls-invalid',
  'timeout',
  'redirect',
  'http-status',
  'content-type',
  'too-large',
  'malformed',
] as const;
export type MtaStsStatus = (typeof MTA_STS_STATUSES)[number];

export interface MtaStsResult {
  status: MtaStsStatus;
  /** What went wrong, in words (an errno, the HTTP status and Location, the parse problem). */
  error: string | null;
  txt: DnsAnswer<'TXT'>;
  /** The STSv1 record(s) found. */
  record: string | null;
  id: string | null;
  /** The policy body's bytes as received (up to the size limit), when one was received. */
  body: Buffer | null;
  policy: MtaStsPolicy | null;
}

export interface PolicyFetchOptions {
  dns: DnsClient;
  /** PEM trust anchors for the policy host's certificate. */
  ca: string[];
  /** HTTPS port of the policy host: 443, other values only for test rigs. */
  httpsPort: number;
  timeoutMs: number;
  maxBytes: number;
}

/** RFC 8461 gives no size; EFF's and Postfix's resolvers use 64 KiB, and a real policy is a few hundred bytes. */
export const DEFAULT_MAX_POLICY_BYTES = 64 * 1024;

export async function fetchMtaSts(domain: string, opts: PolicyFetchOptions): Promise<MtaStsResult> {
  const txt = await opts.dns.query(`_mta-sts.${domain}`, 'TXT');
  const base = { txt, record: null, id: null, body: null, policy: null };
  if (txt.status === 'nxdomain' || txt.status === 'nodata') return { ...base, status: 'none', error: null };
  if (txt.status !== 'ok') return { ...base, status: 'txt-lookup-failed', error: txt.detail ?? txt.status };
  const parsed = parseMtaStsTxt(txt.records);
  switch (parsed.kind) {
    case 'none':
      return { ...base, status: 'none', error: null };
    case 'multiple':
      return {
        ...base,
        status: 'txt-multiple',
        error: `${parsed.records.length} v=STSv1 records`,
        record: parsed.records.join('\n'),
      };
    case 'malformed':
      return { ...base, status: 'txt-malformed', error: parsed.problem, record: parsed.record };
    case 'ok':
      break;
  }
  const withRecord = { ...base, record: parsed.record, id: parsed.id };
  const fetched = await fetchPolicyText(`mta-sts.${domain}`, opts);
  if (fetched.status !== 'ok') return { ...withRecord, status: fetched.status, error: fetched.error };
  const policy = parseMtaStsPolicy(fetched.body.toString('utf8'));
  if (!policy.ok) return { ...withRecord, status: 'malformed', error: policy.problem, body: fetched.body };
  return { ...withRecord, status: 'ok', error: null, body: fetched.body, policy: policy.policy };
}

type Fetched = { status: 'ok'; body: Buffer } | { status: Exclude<MtaStsStatus, 'ok'>; error: string; body: null };

function fetchPolicyText(host: string, opts: PolicyFetchOptions): Promise<Fetched> {
  const options: RequestOptions = {
    host,
    port: opts.httpsPort,
    path: '/.well-known/mta-sts.txt',
    method: 'GET',
    servername: host,
    ca: opts.ca,
    // Full validation (RFC 8461 §3.3): chain to a trusted root, dates, and the name mta-sts.<domain>.
    rejectUnauthorized: true,
    lookup: lookupThrough(opts.dns),
    agent: false,
    headers: { accept: 'text/plain' },
  };
  return new Promise((resolve) => {
    let settled = false;
    const done = (result: Fetched): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      resolve(result);
    };
    const timer = setTimeout(
      () => done({ status: 'timeout', error: `no complete policy in ${opts.timeoutMs} ms`, body: null }),
      opts.timeoutMs,
    );
    const req = request(options, (res) => readResponse(res, opts.maxBytes, done));
    req.on('error', (err: NodeJS.ErrnoException) => done(requestFailure(err)));
    req.end();
  });
}

function readResponse(res: IncomingMessage, maxBytes: number, done: (r: Fetched) => void): void {
  const status = res.statusCode ?? 0;
  if (status >= 300 && status < 400) {
    // §3.3: "HTTP 3xx redirects MUST NOT be followed".
    const location = res.headers.location;
    res.resume();
    return done({
      status: 'redirect',
      error: `HTTP ${status}${location === undefined ? '' : ` to ${location}`}`,
      body: null,
    });
  }
  if (status !== 200) {
    res.resume();
    return done({ status: 'http-status', error: `HTTP ${status}`, body: null });
  }
  const type = res.headers['content-type'] ?? '';
  // §3.2: "senders SHOULD validate that the media type is text/plain".
  if (!/^text\/plain(\s*;|$)/i.test(type)) {
    res.resume();
    return done({ status: 'content-type', error: `media type ${JSON.stringify(type)}`, body: null });
  }
  const declared = Number(res.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) {
    return done({ status: 'too-large', error: `Content-Length ${declared} is over ${maxBytes} bytes`, body: null });
  }
  const chunks: Buffer[] = [];
  let size = 0;
  res.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size > maxBytes) return done({ status: 'too-large', error: `body over ${maxBytes} bytes`, body: null });
    chunks.push(chunk);
  });
  res.on('end', () => done({ status: 'ok', body: Buffer.concat(chunks) }));
  res.on('error', (err: NodeJS.ErrnoException) =>
    done({ status: 'unreachable', error: err.code ?? err.message, body: null }),
  );
}

/** TLS validation failures are the policy host's certificate; everything else is reaching it. */
function requestFailure(err: NodeJS.ErrnoException): Fetched {
  const code = err.code ?? err.message;
  const tls =
    /CERT|SELF_SIGNED|UNABLE_TO|HOSTNAME|ALTNAME|ERR_SSL|EPROTO|ERR_TLS/.test(code) ||
    /certificate|SSL routines/i.test(err.message);
  return { status: tls ? 'tls-invalid' : 'unreachable', error: code, body: null };
}

export interface TlsRptResult {
  txt: DnsAnswer<'TXT'>;
  parsed: TlsRptTxt | null;
}

/** RFC 8460: the record and its `rua` destinations, recorded and never contacted. */
export async function fetchTlsRpt(domain: string, dns: DnsClient): Promise<TlsRptResult> {
  const txt = await dns.query(`_smtp._tls.${domain}`, 'TXT');
  if (txt.status === 'nxdomain' || txt.status === 'nodata') return { txt, parsed: { kind: 'none' } };
  return { txt, parsed: txt.status === 'ok' ? parseTlsRptTxt(txt.records) : null };
}
