/**
 * Path personas: a clean STARTTLS server (postfix-tls-ok) behind a middlebox
 * that acts only on connections from some client addresses — the fleet's
 * path sources (path-sources.ts), matched against the connecting socket's
 * remote address. From those, the server is seen through the box; from any
 * other address it is clean. That is what one vantage point cannot tell from
 * a server's own choice (FIELD-NOTES §1: "Evidence comes from sending
 * STARTTLS anyway, from other vantage points, and from earlier scans"), and
 * what a campaign run from two vantages compares.
 *
 * What the box does reuses the single-vantage personas whose behaviour it
 * produces, byte for byte, and so their expectations (personas.ts, each
 * derived from RFC 3207/5321 and the evidence rules of
 * docs/classification.md, not from the classifier):
 *
 * - masking (Cisco ASA ESMTP inspection, FIELD-NOTES §1): STARTTLS shown as
 *   250-XXXXXXXA, the forced command reaches the server as X's and is echoed
 *   — direct evidence (cisco-asa-masked);
 * - deletion with a placeholder: the keyword's line kept as 250 XXXXXXXX, the
 *   forced STARTTLS answered as an unknown command — circumstantial
 *   (cisco-masked-all-x);
 * - deletion without a placeholder, the command blocked: the line gone, the
 *   forced STARTTLS answered 502 5.5.2 — from here indistinguishable from a
 *   server without TLS, no-starttls (no-starttls);
 * - deletion without a placeholder, the command let through: the line gone,
 *   the forced STARTTLS accepted — direct evidence, hidden-starttls
 *   (hidden-starttls);
 * - command rewrite: STARTTLS advertised, the command arrives as XXXXXXXX and
 *   is echoed altered — direct evidence (command-echo-corrupted);
 * - 454 from the box: STARTTLS advertised and answered 454 4.7.0 TLS not
 *   available — starttls-refused (starttls-refused).
 *
 * On the implicit-TLS port a path persona is clean from every address: a box
 * that inspects plaintext SMTP cannot read a session that is TLS from its
 * first byte.
 */
import type { Persona } from './persona.js';
import { personaByName } from './personas.js';

function known(name: string): Persona {
  const persona = personaByName(name);
  if (persona === undefined) throw new Error(`path personas: no persona ${name}`);
  return persona;
}

const CLEAN = known('postfix-tls-ok');

function pathPersona(name: string, box: string, seenAs: string): Persona {
  const through = known(seenAs);
  return {
    name,
    description: `Clean Postfix-like STARTTLS server; from the path sources, ${box}`,
    server: CLEAN.server,
    expect: CLEAN.expect,
    onPath: { box, server: through.server, expect: through.expect },
  };
}

export const PATH_PERSONAS: readonly Persona[] = [
  pathPersona(
    'path-masked',
    "a Cisco-style box masks STARTTLS as 250-XXXXXXXA and passes the forced command on as X's (echoed)",
    'cisco-asa-masked',
  ),
  pathPersona(
    'path-deleted-placeholder',
    'a box replaces the STARTTLS line with 250 XXXXXXXX and the forced STARTTLS draws 502 (unknown command)',
    'cisco-masked-all-x',
  ),
  pathPersona(
    'path-deleted',
    'a box deletes the STARTTLS line and answers the forced STARTTLS 502 5.5.2 itself',
    'no-starttls',
  ),
  pathPersona(
    'path-deleted-passthrough',
    'a box deletes the STARTTLS line but lets the forced STARTTLS through (220, handshake)',
    'hidden-starttls',
  ),
  pathPersona(
    'path-command-rewrite',
    'STARTTLS is advertised, but the box rewrites the command to XXXXXXXX and the server echoes it',
    'command-echo-corrupted',
  ),
  pathPersona('path-starttls-454', 'the box answers STARTTLS with 454 4.7.0 TLS not available', 'starttls-refused'),
];

/** The persona as a connection from a path source meets it on the STARTTLS port (itself when it has no box). */
const viewCache = new WeakMap<Persona, Persona>();
export function onPathView(persona: Persona): Persona {
  const onPath = persona.onPath;
  if (onPath === undefined) return persona;
  let view = viewCache.get(persona);
  if (view === undefined) {
    view = { name: persona.name, description: persona.description, server: onPath.server, expect: onPath.expect };
    viewCache.set(persona, view);
  }
  return view;
}
