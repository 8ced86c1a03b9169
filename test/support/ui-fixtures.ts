// Hand-made data for the UI tests, and helpers to render at a given terminal size with ink-testing-library.
import {EventEmitter} from 'node:events';
import {render} from 'ink-testing-library';
import type {ReactElement} from 'react';
import type {Assessment, Concern} from '../../source/core/assessment.js';
import {defaultThresholds} from '../../source/core/thresholds.js';
import type {SourceReading} from '../../source/core/source-model.js';
import type {InstanceSample, SourceStatus, StackSnapshot} from '../../source/core/types.js';
import type {PostgresSample} from '../../source/sources/postgres/index.js';
import type {RedisSample} from '../../source/sources/redis/index.js';
import {sources} from '../../source/sources/registry.js';
import type {ScreenSettings} from '../../source/ui/contexts/monitor-state-context.js';

/** The registry's sources, as the composition root hands them to the monitor and the screen. */
export {sources};

type PostgresView = SourceReading<PostgresSample>;
type RedisView = SourceReading<RedisSample>;

export const t0 = Date.UTC(2025, 10, 27, 9, 0, 0);
const gib = 1024 ** 3;

export function instance(name: string, cpu: number | null, mem: number | null, overrides: Partial<InstanceSample> = {}): InstanceSample {
	return {
		id: `id-${name}`,
		name,
		number: Number(/(\d+)$/.exec(name)?.[1] ?? 1),
		state: 'running',
		health: 'healthy',
		restartCount: 0,
		startedAt: t0 - 3_600_000,
		cpuPercent: cpu,
		memPercent: mem,
		memUsageBytes: mem === null ? null : (mem / 100) * 2 * gib,
		memLimitBytes: 2 * gib,
		sampledAt: t0,
		...overrides,
	};
}

export interface SnapshotInput {
	at?: number;
	instances?: InstanceSample[];
	docker?: SourceStatus;
	postgres?: Partial<PostgresView>;
	/** connections of 100 */
	db?: number;
	redis?: Partial<RedisView>;
	/** percent of a 1 GiB maxmemory */
	redisPercent?: number;
}

export function snapshot(input: SnapshotInput = {}): StackSnapshot {
	const at = input.at ?? t0;
	const db = input.db ?? 20;
	const redisPercent = input.redisPercent ?? 30;
	return {
		at,
		project: 'voiceassist',
		service: 'voiceassist-server',
		docker: {
			endpoint: 'unix:///var/run/docker.sock',
			status: input.docker ?? {kind: 'ok', at},
			instances: input.instances ?? [instance('web-1', 40, 50), instance('web-2', 45, 52), instance('web-3', 42, 48)],
		},
		sources: {
		postgres: {
			endpoint: '127.0.0.1:5432',
			status: {kind: 'ok', at},
			sample: {connections: db, active: Math.round(db / 3), maxConnections: 100, ratio: db / 100, at},
			...input.postgres,
		},
		redis: {
			endpoint: '127.0.0.1:6379',
			status: {kind: 'ok', at},
			sample: {
				usedMemoryBytes: (redisPercent / 100) * gib,
				usedMemoryRssBytes: (redisPercent / 100) * gib,
				maxMemoryBytes: gib,
				totalSystemMemoryBytes: 16 * gib,
				limitBytes: gib,
				limitSource: 'maxmemory',
				fragmentationRatio: 1,
				ratio: redisPercent / 100,
				at,
			},
			...input.redis,
		},
		},
	};
}

export function concern(overrides: Partial<Concern> & Pick<Concern, 'level' | 'key'>): Concern {
	return {
		scope: 'service',
		subject: 'voiceassist-server',
		metric: 'cpu',
		value: 84,
		threshold: 80,
		action: 'Scale application horizontally',
		message: 'voiceassist-server average CPU 84% > 80%: Scale application horizontally',
		...overrides,
	};
}

export function assessment(concerns: Concern[] = [], at = t0): Assessment {
	const level = concerns.some(c => c.level === 'IMMEDIATE') ? 'IMMEDIATE' : concerns.some(c => c.level === 'SOON') ? 'SOON' : 'OK';
	return {at, level, unknown: concerns.some(c => c.level === 'UNKNOWN'), concerns, averages: {cpuPercent: 42, memPercent: 50}};
}

export function settings(overrides: Partial<ScreenSettings> = {}): ScreenSettings {
	return {
		project: 'voiceassist',
		service: 'voiceassist-server',
		dockerEndpoint: 'unix:///var/run/docker.sock',
		mode: 'live',
		readOnly: false,
		dryRun: false,
		intervalMs: 1000,
		thresholds: defaultThresholds,
		min: 2,
		max: 10,
		color: false,
		sources,
		...overrides,
	};
}

/**
 * A plain in-memory data source with the Stack's snapshot() shape. Not a mock of Docker or of a database: the UI
 * only ever reads snapshots, and this hands it the ones a test sets.
 */
export class MemoryStack {
	readonly mode: 'live' | 'demo';
	/** The registry's sources, as a real stack carries them. */
	readonly models = sources;
	current: StackSnapshot;
	reads = 0;

	constructor(first: StackSnapshot, mode: 'live' | 'demo' = 'live') {
		this.current = first;
		this.mode = mode;
	}

	snapshot(): StackSnapshot {
		this.reads++;
		return this.current;
	}
}

/** Lines of a frame as the terminal shows them (SGR codes do not take cells). */
export function frameLines(frame: string | undefined): string[] {
	return (frame ?? '').split('\n');
}

export function stripAnsi(text: string): string {
	return text.replace(/\u001B\[[\d;]*m/g, '');
}

export function cells(line: string): number {
	return Array.from(stripAnsi(line)).length;
}

export type Rendered = ReturnType<typeof render>;

/**
 * Renders with ink-testing-library at a given terminal size. Its fake stdout is 100 columns with no rows, so the
 * size is set on that stdout and announced with 'resize', as a real terminal does; Ink lays out to the new width.
 */
export function renderAt(tree: ReactElement, columns: number, rows: number): Rendered & {resize(columns: number, rows: number): void} {
	const rendered = render(tree);
	const resize = (nextColumns: number, nextRows: number) => {
		Object.defineProperty(rendered.stdout, 'columns', {value: nextColumns, configurable: true});
		Object.defineProperty(rendered.stdout, 'rows', {value: nextRows, configurable: true});
		rendered.stdout.emit('resize');
		rendered.rerender(tree);
	};

	resize(columns, rows);
	return {...rendered, resize};
}

/** Polls until the latest frame satisfies the check; fails with that frame when the deadline passes. */
export async function waitForFrame(rendered: {lastFrame(): string | undefined}, check: (frame: string) => boolean, timeoutMs = 3000): Promise<string> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const frame = rendered.lastFrame() ?? '';
		if (check(frame)) return frame;
		if (Date.now() > deadline) throw new Error(`frame never matched within ${timeoutMs} ms; last frame:\n${frame}`);
		await new Promise(resolve => setTimeout(resolve, 10));
	}
}

/** The fit rules of the issue: no line wider than the terminal, the frame at most rows - 1 lines. */
export function fitProblems(frame: string, columns: number, rows: number): string[] {
	const lines = frameLines(frame);
	const problems: string[] = [];
	if (lines.length > rows - 1) problems.push(`${lines.length} lines for ${rows} rows`);
	lines.forEach((line, index) => {
		if (cells(line) > columns) problems.push(`line ${index + 1} is ${cells(line)} cells: ${stripAnsi(line)}`);
	});
	return problems;
}

/** A stdin Ink accepts as a raw-mode TTY, fed by write(); for renderLive, which takes real-looking streams. */
export class FakeStdin extends EventEmitter {
	isTTY = true;
	rawMode: boolean[] = [];
	private data: string | null = null;
	write(data: string): void {
		this.data = data;
		this.emit('readable');
	}

	read(): string | null {
		const {data} = this;
		this.data = null;
		return data;
	}

	setRawMode(mode: boolean): void {
		this.rawMode.push(mode);
	}

	setEncoding(): void {}
	ref(): void {}
	unref(): void {}
	resume(): void {}
	pause(): void {}
}

/** A terminal-sized stdout recording everything written. */
export class FakeTerminal extends EventEmitter {
	isTTY = true;
	output = '';
	constructor(
		public columns: number,
		public rows: number,
	) {
		super();
	}

	write(chunk: string): boolean {
		this.output += chunk;
		return true;
	}

	resize(columns: number, rows: number): void {
		this.columns = columns;
		this.rows = rows;
		this.emit('resize');
	}
}

/** The process events the terminal session listens to, without touching the real process. */
export class FakeProcess extends EventEmitter {
	env: Record<string, string | undefined> = {};
	exits: number[] = [];
	exit(code?: number): void {
		this.exits.push(code ?? 0);
	}
}

/**
 * The runner's sleep between connection readings, driven by the test: each sleep waits for step(), which moves the
 * demo's clock by the slept time, so a drain's countdown advances one reading per step. An abort ends a sleep at once
 * (as the real abortableSleep does).
 */
export class SteppedSleep {
	private pending: Array<{ms: number; resolve: () => void}> = [];
	constructor(private readonly advance: (ms: number) => void) {}

	readonly sleep = async (ms: number, signal?: AbortSignal): Promise<void> =>
		new Promise<void>(resolve => {
			if (signal?.aborted) {
				resolve();
				return;
			}

			const entry = {ms, resolve};
			signal?.addEventListener(
				'abort',
				() => {
					this.pending = this.pending.filter(other => other !== entry);
					resolve();
				},
				{once: true},
			);
			this.pending.push(entry);
		});

	get waiting(): number {
		return this.pending.length;
	}

	/** Waits for the runner to sleep, then lets `count` readings pass. */
	async step(count = 1, timeoutMs = 3000): Promise<void> {
		for (let i = 0; i < count; i++) {
			const deadline = Date.now() + timeoutMs;
			while (this.pending.length === 0) {
				if (Date.now() > deadline) throw new Error('the runner never slept (no drain waiting?)');
				await new Promise(resolve => setTimeout(resolve, 5));
			}

			const next = this.pending.shift()!;
			this.advance(next.ms);
			next.resolve();
		}
	}
}
