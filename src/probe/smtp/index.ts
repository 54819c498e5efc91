/** The pure SMTP STARTTLS probe: the machine the driver runs, and the pieces others may reuse. */
export { SmtpProbe } from './probe-machine.js';
export { classify, type Classification } from './classify.js';
export { escapeBytes, unescapeToBytes } from './escape.js';
export { certNameMatchesBanner } from './cert-name.js';
export { isMaskedKeyword, isMaskedBanner, findCorruptedEcho } from './fingerprints.js';
export type { Observations } from './observations.js';
export * from './events.js';
