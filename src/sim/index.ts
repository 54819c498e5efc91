/** The simulated SMTP fleet: the demo's, the tests' and the benchmarks' target. */
export { startFleet, DEFAULT_RANGE } from './fleet.js';
export type { Fleet, FleetOptions, ManifestEntry, ScannerAssumptions } from './fleet.js';
export type { Persona, ExpectedRecord, ServerBehaviour, TlsProfile } from './persona.js';
export { PERSONAS, personaByName } from './personas.js';
export { MIXES, type Mix } from './assignment.js';
export { parseFleetRange, type FleetRange } from './address-range.js';
export { REALISTIC_WEIGHTS_PPM } from './realistic-mix.js';
export { SIM_HOST, WRONG_HOST } from './certificates.js';
export { PATH_PERSONAS } from './path-personas.js';
export { PathSources } from './path-sources.js';
