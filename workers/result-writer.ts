/** Plain node entry point for the result writer: `node --import tsx workers/result-writer.ts --data-dir DIR …`. */
process.argv.splice(2, 0, 'writer');
await import('../src/cli/main.js');
