// The incident snapshot's files: made from the monitor (the S key) or from the recorded history (--once --snapshot),
// written readable by their owner only and scrubbed of every known secret.
import {closeSync, constants, fchmodSync, fsyncSync, fstatSync, mkdirSync, openSync, readSync, renameSync, unlinkSync, writeSync} from 'node:fs';
import path from 'node:path';
import {defaultAuditLogPath} from '../actions/audit-log.js';
import type {Assessment} from '../core/assessment.js';
import type {EventEntry} from '../core/event-log.js';
import type {History} from '../core/history.js';
import {buildIncidentSnapshot, snapshotCharts, snapshotSources, snapshotWindowMs, type SnapshotAction} from '../core/incident-snapshot.js';
import {scrubSecrets} from '../core/redact.js';
import {reportJson} from '../core/report.js';
import {exitCodeFor} from '../core/rules.js';
import type {AnySourceModel} from '../core/source-model.js';
import type {Thresholds} from '../core/thresholds.js';
import type {StackSnapshot} from '../core/types.js';

/** The audit log's tail is enough for a 15-minute window. */
const auditTailBytes = 1024 * 1024;

/** The actions of the audit log since `since`; none when it does not exist or cannot be read. */
export function readAuditActions(file: string, since: number): SnapshotAction[] {
	let fd: number;
	try {
		fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW);
	} catch {
		return [];
	}

	try {
		const size = fstatSync(fd).size;
		const length = Math.min(size, auditTailBytes);
		const buffer = Buffer.alloc(length);
		readSync(fd, buffer, 0, length, size - length);
		const out: SnapshotAction[] = [];
		for (const line of buffer.toString('utf8').split('\n')) {
			try {
				const record = JSON.parse(line) as SnapshotAction;
				if (typeof record.time === 'string' && Date.parse(record.time) >= since) out.push(record);
			} catch {
				// The first line of a tail is cut; a torn last line is skipped too.
			}
		}

		return out;
	} finally {
		closeSync(fd);
	}
}

/** `va-top-voiceassist-voiceassist-server-20261128T064012Z`. */
export function snapshotBaseName(project: string, service: string, now: number): string {
	const stamp = new Date(now).toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
	return `va-top-${project}-${service}-${stamp}`;
}

function writePrivate(file: string, text: string, exclusive: boolean): void {
	const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_NOFOLLOW | (exclusive ? constants.O_EXCL : constants.O_TRUNC);
	const fd = openSync(file, flags, 0o600);
	try {
		// Whatever the umask or an existing file's mode: the owner's alone.
		fchmodSync(fd, 0o600);
		const buffer = Buffer.from(text, 'utf8');
		let done = 0;
		while (done < buffer.length) done += writeSync(fd, buffer, done, buffer.length - done);
		fsyncSync(fd);
	} finally {
		closeSync(fd);
	}
}

export interface SnapshotPaths {
	markdown: string;
	json: string;
}

/**
 * Writes the pair. Into a directory: new files named with the stack and the time (a number added, never one
 * overwritten). To a given FILE: FILE (Markdown; `.md` added when it has no extension) and the same name with
 * `.json`, each replaced atomically.
 */
export function writeSnapshotFiles(target: {dir: string; base: string} | {file: string}, markdown: string, json: string): SnapshotPaths {
	if ('file' in target) {
		const file = path.resolve(target.file);
		const ext = path.extname(file);
		const stem = ext === '.md' || ext === '.json' ? file.slice(0, -ext.length) : file;
		const paths = {markdown: ext === '' ? `${file}.md` : ext === '.json' ? `${stem}.md` : file, json: `${stem}.json`};
		for (const [to, text] of [[paths.markdown, markdown], [paths.json, json]] as const) {
			const temporary = path.join(path.dirname(to), `.${path.basename(to)}.${process.pid}.tmp`);
			try {
				writePrivate(temporary, text, false);
				renameSync(temporary, to);
			} catch (error) {
				try {
					unlinkSync(temporary);
				} catch {
					// Never made.
				}

				throw error;
			}
		}

		return paths;
	}

	// --snapshot-dir may name a folder not made yet: made for the owner alone, like the files in it.
	mkdirSync(target.dir, {recursive: true, mode: 0o700});
	for (let attempt = 1; ; attempt++) {
		const name = attempt === 1 ? target.base : `${target.base}-${attempt}`;
		const paths = {markdown: path.resolve(target.dir, `${name}.md`), json: path.resolve(target.dir, `${name}.json`)};
		try {
			writePrivate(paths.markdown, markdown, true);
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code === 'EEXIST' && attempt < 100) continue;
			throw error;
		}

		try {
			writePrivate(paths.json, json, true);
		} catch (error) {
			unlinkSync(paths.markdown);
			if ((error as NodeJS.ErrnoException).code === 'EEXIST' && attempt < 100) continue;
			throw error;
		}

		return paths;
	}
}

export interface TakeSnapshotInput {
	snapshot: StackSnapshot;
	assessment: Assessment;
	history: History;
	events: readonly EventEntry[];
	thresholds: Thresholds;
	/** The sources' models (the registry's): their states, report parts and charts. */
	models: readonly AnySourceModel[];
	auditLog: string | undefined;
	secrets: readonly string[];
	historyInfo: {source: string | null; fromSeconds: number | null; recording: string | null};
	target: {dir: string} | {file: string};
	env?: NodeJS.ProcessEnv;
}

/** Builds and writes the snapshot of a frame; returns the two paths. Throws on a failed write (the caller says so). */
export function takeSnapshot(input: TakeSnapshotInput): SnapshotPaths {
	const {snapshot, assessment} = input;
	const now = snapshot.at;
	const built = buildIncidentSnapshot({
		now,
		report: reportJson(snapshot, assessment, exitCodeFor(assessment), input.models),
		assessment,
		sources: snapshotSources(snapshot, input.models),
		charts: snapshotCharts(input.history, snapshot, assessment, input.thresholds, input.models),
		events: input.events,
		actions: readAuditActions(path.resolve(input.auditLog ?? defaultAuditLogPath(input.env ?? process.env)), now - snapshotWindowMs),
		history: input.historyInfo,
	});
	// Belt and braces: every text in it was scrubbed where it was made; a password must still never reach the file.
	const markdown = scrubSecrets(built.markdown, input.secrets);
	const json = scrubSecrets(`${JSON.stringify(built.json, null, 2)}\n`, input.secrets);
	const target = 'dir' in input.target ? {dir: input.target.dir, base: snapshotBaseName(snapshot.project, snapshot.service, now)} : input.target;
	return writeSnapshotFiles(target, markdown, json);
}
