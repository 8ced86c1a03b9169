import {defineConfig} from 'vitest/config';

export default defineConfig({
	test: {
		include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
		// Integration tests share one Docker engine, PostgreSQL and Redis: files run one at a time.
		fileParallelism: false,
		testTimeout: 30_000,
		hookTimeout: 60_000,
		reporters: ['default', './test/support/summary-reporter.ts'],
		// Extra Docker engines a test started (the Swarm, the several-engines harness) are stopped when the run ends.
		globalSetup: ['./test/support/extra-engines-teardown.ts'],
	},
});
