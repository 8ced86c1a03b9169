// What each transport of the meter needs from the engine it meters.
import type {EngineLink} from '../../docker/engine-link.js';
import type {MeteredEntry} from './slot.js';

export interface MeterContext {
	link: EngineLink;
	entries: ReadonlyMap<string, MeteredEntry>;
	now(): number;
	/** The rows changed: the view is rebuilt and listeners are told. */
	changed(): void;
	/** Chooses the instance's transport again (its files went away, its stream ended). */
	resync(id: string): void;
}
