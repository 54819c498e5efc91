/** Plain node entry point of one process of a scan spread over several, forked by `stripscan scan` (src/scan/scan-parts.ts). */
import { runPart } from '../src/scan/scan-part.js';

runPart();
