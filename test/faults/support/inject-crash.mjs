// Loaded with `node --import` before va-top: SIGUSR2 then throws from a callback (VA_FAULT_CRASH=throw, an uncaught
// exception) or rejects a promise nobody handles (VA_FAULT_CRASH=reject), inside the running program, so the test
// can see what va-top's own handlers make of a crash it did not expect.
process.on('SIGUSR2', () => {
	if (process.env.VA_FAULT_CRASH === 'reject') {
		void Promise.reject(new Error('injected fault: an unhandled rejection\n    at nowhere (fake.js:1:1)'));
		return;
	}

	setImmediate(() => {
		throw new Error('injected fault: an uncaught exception\n    at nowhere (fake.js:1:1)');
	});
});
