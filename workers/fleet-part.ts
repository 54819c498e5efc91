/** Plain node entry point of one process of a split fleet: `node --import tsx workers/fleet-part.ts`, forked by `stripscan sim`. */
import { servePart } from '../src/sim/fleet-part.js';

servePart();
