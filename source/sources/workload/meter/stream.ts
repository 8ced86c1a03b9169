// The API transport for instances in the stream set: one `stats?stream=true` connection each, reopened a second after
// it ends on its own while the container still runs.
import type {DockerStatsJson} from '../../../core/docker-stats.js';
import {openStatsStream} from '../../docker/stats-reader.js';
import type {MeterContext} from './context.js';
import {applyStats, type MeteredEntry} from './slot.js';

/** A stats stream that ended while its container still runs is reopened after this. */
const streamReopenMs = 1000;

/** The hot path: one call per container per second (streams) or per spaced reading. */
export function takeStats(context: MeterContext, entry: MeteredEntry, stats: DockerStatsJson): void {
	applyStats(entry, stats, context.now());
	context.link.fresh();
	context.changed();
}

export function openStream(context: MeterContext, id: string, entry: MeteredEntry): void {
	const {link, entries} = context;
	const readerEpoch = link.epoch();
	const reader = openStatsStream(link.docker, id, {
		onStats(stats) {
			if (entries.get(id) === entry && entry.meter.reader === reader) takeStats(context, entry, stats);
		},
		onEnd() {
			if (entry.meter.reader !== reader) return;
			entry.meter.reader = null;
			void link.track(reader.close());
			// Usually the container stopped and its die event is on the way; if not, read again.
			if (!link.current(readerEpoch) || entries.get(id) !== entry) return;
			entry.meter.reopenTimer = setTimeout(() => {
				entry.meter.reopenTimer = undefined;
				if (link.current(readerEpoch)) context.resync(id);
			}, streamReopenMs);
		},
	});
	entry.meter.reader = reader;
}

export function closeStream(context: MeterContext, entry: MeteredEntry): void {
	const slot = entry.meter;
	clearTimeout(slot.reopenTimer);
	slot.reopenTimer = undefined;
	const reader = slot.reader;
	slot.reader = null;
	if (reader) void context.link.track(reader.close());
}
