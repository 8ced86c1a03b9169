// The autoscaler's and the capacity report's flags: the runbook's defaults, values from flags and the config file,
// and one clear line for each thing that does not fit.
import {describe, expect, it} from 'vitest';
import {checkConfig, resolveOptions} from '../../source/config/options.js';
import {UsageError} from '../../source/config/usage-error.js';
import {sources} from '../../source/sources/registry.js';
import type {AnySourceKind} from '../../source/sources/source-kind.js';

/** A stand-in queue source (configured whenever asked), so `queue` has something that measures it. */
const queues = {id: 'queues', title: 'Queues', thresholds: [], flags: [], scaleTriggers: ['queue'], configure: () => ({}), concerns: () => [], report: {json: () => null, lines: () => []}} as unknown as AnySourceKind;

function usageMessage(fn: () => unknown): string {
	try {
		fn();
	} catch (error) {
		expect(error).toBeInstanceOf(UsageError);
		return (error as Error).message;
	}

	throw new Error('expected a UsageError, got none');
}

describe('autoscale flags', () => {
	it("default to va-autoscale's: 70 / 30 %, every 60 s, up held the whole interval, down 5 minutes, cooldown 3 minutes, CPU only", () => {
		expect(resolveOptions({}, {}, {}).autoscale).toEqual({
			enabled: false,
			headless: false,
			scaleUpAt: 70,
			scaleDownAt: 30,
			triggers: ['cpu'],
			intervalMs: 60_000,
			upSustainMs: 60_000,
			downSustainMs: 300_000,
			cooldownMs: 180_000,
			countdownMs: 10_000,
		});
	});

	it('take flags and config keys; the up-sustain follows the interval unless given', () => {
		const options = resolveOptions(
			{autoscale: true, headless: true, 'autoscale-interval': '5s', 'scale-up-on': 'cpu, memory,queue'},
			checkConfig(JSON.stringify({'scale-up-at': 65, 'scale-down-at': 25, 'scale-down-sustain': 30, 'autoscale-cooldown': '1m'}), 'c.json'),
			{},
			[...sources, queues],
		);
		expect(options.autoscale).toMatchObject({enabled: true, headless: true, scaleUpAt: 65, scaleDownAt: 25, triggers: ['cpu', 'memory', 'queue'], intervalMs: 5000, upSustainMs: 5000, downSustainMs: 30_000, cooldownMs: 60_000});
		expect(resolveOptions({'autoscale-interval': '5s', 'scale-up-sustain': '20s'}, {}, {}).autoscale.upSustainMs).toBe(20_000);
	});

	it('refuse what cannot work, naming the flag and what was expected', () => {
		expect(usageMessage(() => resolveOptions({headless: true}, {}, {}))).toBe('--headless goes with --autoscale, expected --autoscale --headless');
		expect(usageMessage(() => resolveOptions({autoscale: true, once: true}, {}, {}))).toContain('--autoscale and --once do not go together');
		expect(usageMessage(() => resolveOptions({'scale-down-at': '70'}, {}, {}))).toBe('--scale-down-at (70) is not below --scale-up-at (70), expected a band between them so a step is not undone');
		expect(usageMessage(() => resolveOptions({'scale-up-on': 'cpu,gpu'}, {}, {}))).toBe('--scale-up-on: "gpu" is not a trigger, expected a comma-separated list of cpu, memory, latency, errors, queue');
		expect(usageMessage(() => resolveOptions({'scale-up-on': 'cpu,cpu'}, {}, {}))).toContain('named twice');
		// A trigger no configured source measures would leave the autoscaler never scaling down.
		// (the access log, read by default, measures latency and errors; without it nothing does; queue needs --queue)
		expect(usageMessage(() => resolveOptions({'scale-up-on': 'cpu,latency', http: false}, {}, {}))).toBe(
			'--scale-up-on: latency is not measured here (configure http), expected triggers a configured source measures, such as cpu or memory',
		);
		expect(resolveOptions({'scale-up-on': 'cpu,latency,errors'}, {}, {}).autoscale.triggers).toEqual(['cpu', 'latency', 'errors']);
		expect(usageMessage(() => resolveOptions({'scale-up-on': 'queue'}, {}, {}))).toBe(
			'--scale-up-on: queue is not measured here (configure queues), expected triggers a configured source measures, such as cpu or memory',
		);
		expect(usageMessage(() => resolveOptions({'autoscale-interval': '0.5'}, {}, {}))).toBe('--autoscale-interval: expected a duration of 1 s or more, got "0.5"');
		expect(usageMessage(() => resolveOptions({'scale-up-at': '120'}, {}, {}))).toContain('--scale-up-at');
		expect(usageMessage(() => resolveOptions({}, checkConfig('{"autoscale-cooldown": "soon"}', 'c.json'), {}))).toContain('config "autoscale-cooldown"');
	});
});

describe('capacity flags', () => {
	it('--capacity goes with --once, --growth with --capacity; the growth defaults to the runbook 1.5', () => {
		expect(resolveOptions({once: true, capacity: true}, {}, {})).toMatchObject({capacity: true, growth: 1.5});
		expect(resolveOptions({once: true, capacity: true, growth: '2'}, {}, {}).growth).toBe(2);
		expect(usageMessage(() => resolveOptions({capacity: true}, {}, {}))).toBe('--capacity goes with --once, expected --once --capacity');
		expect(usageMessage(() => resolveOptions({once: true, growth: '2'}, {}, {}))).toContain('--growth goes with --capacity');
		expect(usageMessage(() => resolveOptions({once: true, capacity: true, growth: '0'}, {}, {}))).toContain('--growth: expected a growth factor');
	});
});
