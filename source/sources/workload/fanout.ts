// Several engines as one workload: one collector per engine (each with its own connection, retry and meter), merged
// into one view. An instance is its engine and its container: with several engines its id is `HOST/CONTAINER_ID` and
// its name carries its host (`acme_api_1@app2`), since every host has its own `acme_api_1`. An engine that cannot be read leaves its
// instances in the table as not assessed (numbers null, never zero, with the reason) while the others go on.
// One engine alone passes through unchanged (today's single-engine behaviour), only named.
import type {DockerView, EngineView, InstanceSample, SourceStatus} from '../../core/types.js';
import type {DockerCollector} from '../docker/docker-collector.js';

export interface FanoutMember {
	/** Shown in the HOST column, the header, the JSON and the audit log. */
	name: string;
	collector: DockerCollector;
	role?: EngineView['role'];
}

/** The name an instance of `host` is known by when several engines are watched. */
export function qualifiedName(name: string, host: string): string {
	return `${name}@${host}`;
}

/** The id of an instance when several engines are watched: its engine and its container. */
export function qualifiedId(containerId: string, host: string): string {
	return `${host}/${containerId}`;
}

/** The container id and host of a qualified id; null when it is not one of `hosts`. */
export function splitQualifiedId(id: string, hosts: readonly string[]): {host: string; containerId: string} | null {
	for (const host of hosts) if (id.startsWith(`${host}/`)) return {host, containerId: id.slice(host.length + 1)};
	return null;
}

function isDown(status: SourceStatus): status is Extract<SourceStatus, {reason: string}> {
	return status.kind === 'unreachable' || status.kind === 'reconnecting';
}

/** The whole workload's status: ok while any engine answers; else connecting while one still tries first; else down. */
export function combinedStatus(engines: readonly EngineView[]): SourceStatus {
	const [only] = engines;
	if (engines.length === 1 && only) return only.status;
	const ok = engines.flatMap((engine) => (engine.status.kind === 'ok' ? [engine.status.at] : []));
	if (ok.length > 0) return {kind: 'ok', at: Math.max(...ok)};
	const connecting = engines.flatMap((engine) => (engine.status.kind === 'connecting' ? [engine.status.since] : []));
	if (connecting.length > 0) return {kind: 'connecting', since: Math.min(...connecting)};
	const down = engines.flatMap((engine) => (isDown(engine.status) ? [{name: engine.name, status: engine.status}] : []));
	const reason = `all ${engines.length} hosts unreachable: ${down.map((entry) => `${entry.name}: ${entry.status.reason}`).join('; ')}`;
	const kind = down.some((entry) => entry.status.kind === 'reconnecting') ? 'reconnecting' : 'unreachable';
	return {kind, reason, since: Math.min(...down.map((entry) => entry.status.since))};
}

/** Why an engine's instances are not assessed, for the row and the report. */
export function notAssessedReason(engine: EngineView): string {
	return isDown(engine.status) ? `${engine.name} ${engine.status.kind === 'reconnecting' ? 'reconnecting' : 'unreachable'}: ${engine.status.reason}` : `${engine.name} not read yet`;
}

/** Per engine: its last view and the instances (and other services' containers) made from it, so an unchanged engine costs nothing per frame. */
export type MergeCache = Map<string, {view: DockerView; instances: InstanceSample[]; others: InstanceSample[]}>;

/** The engines' views as one. Pure but for `cache`, which it reads and fills. */
export function mergeViews(members: ReadonlyArray<{name: string; view: DockerView; role?: EngineView['role']}>, cache: MergeCache = new Map()): DockerView {
	const several = members.length > 1;
	const engines = members.map(
		({name, view, role}): EngineView => ({name, endpoint: view.endpoint, status: view.status, role: role ?? 'engine', instances: view.instances.length}),
	);
	const statsFrom = {cgroup: 0, api: 0, spaced: 0};
	const othersStatsFrom = {cgroup: 0, api: 0, spaced: 0};
	for (const {view} of members) {
		statsFrom.cgroup += view.statsFrom?.cgroup ?? 0;
		statsFrom.api += view.statsFrom?.api ?? 0;
		statsFrom.spaced += view.statsFrom?.spaced ?? 0;
		othersStatsFrom.cgroup += view.othersStatsFrom?.cgroup ?? 0;
		othersStatsFrom.api += view.othersStatsFrom?.api ?? 0;
		othersStatsFrom.spaced += view.othersStatsFrom?.spaced ?? 0;
	}

	function samplesOf(name: string, view: DockerView, engine: EngineView): {instances: InstanceSample[]; others: InstanceSample[]} {
		const cached = cache.get(name);
		if (cached?.view === view) return cached;
		const down = several && isDown(view.status) ? notAssessedReason(engine) : undefined;
		const toMerged = (sample: InstanceSample): InstanceSample => {
			const named: InstanceSample = {
				...sample,
				host: name,
				containerId: sample.id,
				node: sample.node ?? null,
				...(several ? {id: qualifiedId(sample.id, name), name: qualifiedName(sample.name, name)} : {}),
			};
			if (down === undefined) return named;
			return {...named, cpuPercent: null, memPercent: null, memUsageBytes: null, memLimitBytes: null, notAssessed: down};
		};
		const entry = {view, instances: view.instances.map(toMerged), others: (view.others ?? []).map(toMerged)};
		cache.set(name, entry);
		return entry;
	}

	const merged = members.map((member, index) => samplesOf(member.name, member.view, engines[index]!));

	return {
		endpoint: several ? engines.map((engine) => engine.name).join(', ') : (members[0]?.view.endpoint ?? ''),
		status: combinedStatus(engines),
		// Grouped by host in the order given, each host's by number as one engine shows them.
		instances: merged.flatMap((part) => part.instances),
		statsFrom,
		engines,
		others: merged.flatMap((part) => part.others),
		othersStatsFrom,
	};
}

/** The rows on screen, per engine, as that engine's own container ids. */
export function focusByHost(ids: readonly string[], hosts: readonly string[]): Map<string, string[]> {
	const byHost = new Map<string, string[]>(hosts.map((host) => [host, []]));
	for (const id of ids) {
		const split = splitQualifiedId(id, hosts);
		if (split) byHost.get(split.host)!.push(split.containerId);
	}

	return byHost;
}

export function createFanout(members: readonly FanoutMember[]): DockerCollector {
	const several = members.length > 1;
	const cache: MergeCache = new Map();
	let last: {views: DockerView[]; view: DockerView} | null = null;

	return {
		start() {
			for (const member of members) member.collector.start();
		},
		async stop() {
			await Promise.allSettled(members.map(async (member) => member.collector.stop()));
		},
		view() {
			const views = members.map((member) => member.collector.view());
			if (last !== null && views.every((view, index) => view === last!.views[index])) return last.view;
			const view = mergeViews(
				members.map((member, index) => ({name: member.name, view: views[index]!, role: member.role})),
				cache,
			);
			last = {views, view};
			return view;
		},
		subscribe(listener) {
			const unsubscribers = members.map((member) => member.collector.subscribe(listener));
			return () => {
				for (const unsubscribe of unsubscribers) unsubscribe();
			};
		},
		focus(ids) {
			if (!several || ids === null) {
				for (const member of members) member.collector.focus(ids);
				return;
			}

			const byHost = focusByHost(ids, members.map((member) => member.name));
			for (const member of members) member.collector.focus(byHost.get(member.name)!);
		},
	};
}
