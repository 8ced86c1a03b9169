// Random arguments and config files thrown at the parser: every outcome is Options or one UsageError line.
import fc from 'fast-check';
import {describe, expect, it} from 'vitest';
import {flagSpecs} from '../../source/config/flags.js';
import {checkArgv, checkConfig, resolveOptions, type RawFlags} from '../../source/config/options.js';
import {UsageError} from '../../source/config/usage-error.js';

const flagNames = flagSpecs.map(spec => spec.name);
const tokens = fc.oneof(
	fc.constantFrom(...flagNames.map(name => `--${name}`), ...flagNames.map(name => `--no-${name}`), '-h', '-x', '--', '-', '--=', '---'),
	fc.string({maxLength: 12}),
	fc.constantFrom('0', '-1', '100', '101', '1e3', 'NaN', '', ' ', '0.1', 'postgres://u:pw@h:5/d', 'redis://:pw@h:0', 'tcp://', 'ssh://u@h', 'unix://', '10m', '9999999999'),
	fc.tuple(fc.constantFrom(...flagNames), fc.string({maxLength: 8})).map(([name, value]) => `--${name}=${value}`),
);

function expectOneLineUsageErrorOrSuccess(run: () => unknown): void {
	try {
		run();
	} catch (error) {
		expect(error).toBeInstanceOf(UsageError);
		const message = (error as Error).message;
		expect(message.length).toBeGreaterThan(0);
		expect(message).not.toContain('\n');
		expect(message).not.toMatch(/:pw@/);
	}
}

describe('parser under random input', () => {
	it('answers any argv with Options or one UsageError line', () => {
		fc.assert(
			fc.property(fc.array(tokens, {maxLength: 8}), argv => {
				expectOneLineUsageErrorOrSuccess(() => {
					checkArgv(argv);
					// Values the tokenizer accepted, as a parser would hand them over.
					const flags: RawFlags = {};
					for (let i = 0; i < argv.length; i++) {
						const [name, inline] = argv[i]!.slice(2).split(/=(.*)/s);
						const spec = flagSpecs.find(flag => flag.name === name);
						if (spec === undefined) continue;
						flags[spec.name] = spec.kind === 'boolean' ? true : inline ?? argv[++i];
					}

					resolveOptions(flags, {}, {});
				});
			}),
			{numRuns: 3000},
		);
	});

	it('answers any config file with Options or one UsageError line', () => {
		const values = fc.oneof(fc.string({maxLength: 10}), fc.double(), fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.integer(), {maxLength: 2}), fc.object({maxDepth: 1}));
		const keys = fc.oneof(fc.constantFrom(...flagNames), fc.string({maxLength: 10}));
		const files = fc.oneof(
			fc.dictionary(keys, values, {maxKeys: 5}).map(object => JSON.stringify(object)),
			fc.string({maxLength: 30}),
			fc.json(),
		);
		fc.assert(
			fc.property(files, content => {
				expectOneLineUsageErrorOrSuccess(() => resolveOptions({}, checkConfig(content, 'random.json'), {}));
			}),
			{numRuns: 3000},
		);
	});

	it('never echoes a URL password, whichever flag the URL lands on', () => {
		fc.assert(
			fc.property(fc.constantFrom(...flagSpecs.filter(spec => spec.kind !== 'boolean').map(spec => spec.name)), name => {
				expectOneLineUsageErrorOrSuccess(() => resolveOptions({[name]: 'mysql://ops:pw@db:5/x'}, {}, {}));
			}),
		);
	});

	it('can fail: a value out of range is refused, not accepted', () => {
		expect(() => resolveOptions({'cpu-immediate': '100.5'}, {}, {})).toThrow(UsageError);
	});
});
