// The actions on `va-top --demo`: the simulated stack's scaleTo/beginDrain/connections/removeInstance/restoreInstance
// behind the same interface, so the screen, the rules, dry-run and the audit log behave exactly as on a real stack.
// The demo has no nginx: its "balancer" is beginDrain (no new load) and restoreInstance (back in).
import type {DemoStack} from '../sources/demo/demo-stack.js';
import type {ActionBackend, BackendInstance} from './backend.js';

export function createDemoBackend(stack: DemoStack, options: {appPort: number}): ActionBackend {
	async function list(): Promise<BackendInstance[]> {
		// The demo's docker collector view is the simulation's listing (the UI starts that collector).
		return stack.docker.view().instances.map((instance) => ({
			id: instance.id,
			name: instance.name,
			number: instance.number,
			state: instance.state,
			health: instance.health,
			createdAt: instance.startedAt ?? 0,
			aliases: [instance.name],
			address: `${instance.name}:${options.appPort}`,
		}));
	}

	return {
		kind: 'demo',
		description: 'the simulated demo stack',
		list,
		describeScaleUp(from, to) {
			return `add ${to - from} simulated instance${to - from === 1 ? '' : 's'} (created, booting, then serving)`;
		},
		describeRemoval(names) {
			return `stop and remove ${names.join(', ')} in the simulation`;
		},
		async scaleUp(instances, target) {
			const before = new Set(instances.map((instance) => instance.id));
			await stack.scaleTo(target);
			const after = await list();
			return {created: after.filter((instance) => !before.has(instance.id)).map((instance) => instance.name), notes: []};
		},
		async remove(victims) {
			for (const victim of victims) await stack.removeInstance(victim.id);
		},
		async connections(instance) {
			return stack.connections(instance.id);
		},
		async balancer() {
			return {
				description: 'the demo load balancer',
				async remove(instance) {
					await stack.beginDrain(instance.id);
					return {
						description: `${instance.name} takes no new load`,
						async restore() {
							await stack.restoreInstance(instance.id);
							return `${instance.name} back in the demo load balancer`;
						},
					};
				},
			};
		},
	};
}
