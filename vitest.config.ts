import { defineConfig } from 'vitest/config';

// Two projects, run one after the other by `npm test`:
// - "main": everything that only needs correctness, two files at a time;
// - "serial": tests that measure rates or run several worker processes
//   (queue, benchmarks). On a 2-core machine a neighbouring test file would
//   steal the CPU they measure, so their files run one at a time, alone.
const SERIAL = [
  'test/queue/**/*.test.ts',
  'test/bench/**/*.test.ts',
  'test/load/**/*.test.ts',
  'test/package/**/*.test.ts',
];

export default defineConfig({
  test: {
    globalSetup: ['test/setup/build-cli.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'main',
          include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
          exclude: ['**/node_modules/**', ...SERIAL],
          maxWorkers: 2,
        },
      },
      {
        extends: true,
        test: { name: 'serial', include: SERIAL, fileParallelism: false, maxWorkers: 1 },
      },
    ],
  },
});
