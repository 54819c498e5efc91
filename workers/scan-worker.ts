/** Plain node entry point for a scan worker: `node --import tsx workers/scan-worker.ts --campaign NAME …`. */
process.argv.splice(2, 0, 'worker');
await import('../src/cli/main.js');
