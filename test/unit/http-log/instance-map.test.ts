import {describe, expect, it} from 'vitest';
import {groupByInstance, matchAddress, splitHostPort, type InstanceEndpoints} from '../../../source/sources/http-log/instance-map.js';

// Production: the runbook's three replicas on a Compose network, each with its own IP.
const onNetwork: InstanceEndpoints[] = [
	{id: 'a1', name: 'voiceassist-voiceassist-server-1', ips: ['172.18.0.4', 'fd00::4'], listening: []},
	{id: 'b2', name: 'voiceassist-voiceassist-server-2', ips: ['172.18.0.5'], listening: []},
	{id: 'c3', name: 'voiceassist-voiceassist-server-3', ips: ['172.18.0.6'], listening: []},
];

// This machine's tests: host-network containers on one address, told apart by the ports their processes listen on.
const onHost: InstanceEndpoints[] = [
	{id: 'h1', name: 'vahttp-app-1', ips: [], listening: [{address: '127.0.0.1', port: 18101}]},
	{id: 'h2', name: 'vahttp-app-2', ips: [], listening: [{address: '0.0.0.0', port: 18102}, {address: '127.0.0.1', port: 18900}]},
	{id: 'h3', name: 'vahttp-app-3', ips: [], listening: [{address: '::', port: 18103}]},
];

describe('which instance an upstream address is', () => {
	it('names a container on a Compose network by its IP, whatever the port', () => {
		expect(matchAddress('172.18.0.5:8000', onNetwork)).toBe('b2');
		expect(matchAddress('172.18.0.4:9000', onNetwork)).toBe('a1');
		expect(matchAddress('[fd00::4]:8000', onNetwork)).toBe('a1');
	});

	it('names a host-network container by the port its processes listen on, on that address or on every address', () => {
		expect(matchAddress('127.0.0.1:18101', onHost)).toBe('h1');
		expect(matchAddress('127.0.0.1:18102', onHost)).toBe('h2');
		expect(matchAddress('127.0.0.1:18103', onHost)).toBe('h3');
		expect(matchAddress('[::1]:18103', onHost)).toBe('h3');
	});

	it('names nobody for a port bound to another address, an unknown address, a unix socket or an upstream block name', () => {
		expect(matchAddress('127.0.0.2:18101', onHost)).toBeNull();
		expect(matchAddress('127.0.0.1:18199', onHost)).toBeNull();
		expect(matchAddress('172.18.0.9:8000', onNetwork)).toBeNull();
		expect(matchAddress('unix:/run/app.sock', onNetwork)).toBeNull();
		expect(matchAddress('voiceassist_backend', onNetwork)).toBeNull();
	});

	it('names nobody when two containers claim the address, rather than guess', () => {
		const twice: InstanceEndpoints[] = [...onHost, {id: 'h4', name: 'vahttp-app-4', ips: [], listening: [{address: '0.0.0.0', port: 18101}]}];
		expect(matchAddress('127.0.0.1:18101', twice)).toBeNull();
	});

	it('splits host and port of IPv4, bracketed IPv6 and names', () => {
		expect(splitHostPort('10.0.0.1:80')).toEqual({host: '10.0.0.1', port: 80});
		expect(splitHostPort('[FD00::1]:8000')).toEqual({host: 'fd00::1', port: 8000});
		expect(splitHostPort('unix:/tmp/x')).toBeNull();
	});
});

describe('per-instance figures', () => {
	it('gives every instance of the workload a row in its order, groups its addresses, and lists the rest by address', () => {
		const byAddress = new Map([
			['172.18.0.6:8000', {requests: 5, errors: 1}],
			['10.9.9.9:8000', {requests: 2, errors: 0}],
			['172.18.0.4:8000', {requests: 7, errors: 0}],
			['[fd00::4]:8000', {requests: 3, errors: 3}],
		]);
		const workload = onNetwork.map(({id, name}) => ({id, name}));
		const rows = groupByInstance(byAddress, onNetwork, workload);
		expect(rows.map((row) => [row.name, row.id, row.addresses, row.figures.map((f) => f.requests)])).toEqual([
			['voiceassist-voiceassist-server-1', 'a1', ['172.18.0.4:8000', '[fd00::4]:8000'], [7, 3]],
			['voiceassist-voiceassist-server-2', 'b2', [], []],
			['voiceassist-voiceassist-server-3', 'c3', ['172.18.0.6:8000'], [5]],
			['10.9.9.9:8000', null, ['10.9.9.9:8000'], [2]],
		]);
	});

	it('lists an address by itself when its instance is no longer in the workload', () => {
		const rows = groupByInstance(new Map([['172.18.0.5:8000', {requests: 1, errors: 0}]]), onNetwork, [{id: 'a1', name: 'one'}]);
		expect(rows.map((row) => row.name)).toEqual(['one', '172.18.0.5:8000']);
	});
});
