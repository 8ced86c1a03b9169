// The Markdown report: one table per (size, variant), rows = metrics, columns = tools and ratios.

const MB = 1e6;
const pct = value => (value === null || value === undefined ? null : value * 100);

const rows = [
	{label: 'CPU, % of a core (user+system / wall)', get: r => pct(r.cpu), digits: 1},
	{label: 'RSS at end of window, MB', get: r => (r.rssEnd ? r.rssEnd / MB : null), digits: 1},
	{label: 'RSS peak (250 ms samples), MB', get: r => (r.rssPeak ? r.rssPeak / MB : null), digits: 1},
	{label: 'Engine CPU under it, % of a core (dockerd+containerd+shims)', get: r => pct(r.engine?.total), digits: 1},
	{label: '… dockerd', get: r => pct(r.engine?.dockerd), digits: 1},
	{label: '… containerd', get: r => pct(r.engine?.containerd), digits: 1},
	{label: '… containerd-shims', get: r => pct(r.engine?.shims), digits: 1},
	{label: 'Engine CPU over no-monitor baseline, % of a core', get: r => pct(r.engineIncrement), digits: 1},
	{label: 'Terminal output, KB/s', get: r => (r.bytesPerSecond === undefined ? null : r.bytesPerSecond / 1000), digits: 2},
	{label: 'First full frame after launch, s', get: r => r.firstFrame?.seconds ?? null, digits: 2, note: (r, run) => (r.firstFrame && r.firstFrame.visible < run.size ? ` (${r.firstFrame.visible} of ${run.size} rows fit)` : '')},
	{label: 'Key to frame, median ms', get: r => r.keys?.median ?? null, digits: 0},
	{label: 'Key to frame, worst ms', get: r => r.keys?.max ?? null, digits: 0, note: r => (r.keys?.timeouts ? ` (${r.keys.timeouts} no effect in 3 s)` : '')},
	{label: 'Render per frame, median ms', get: r => r.render?.median ?? null, digits: 2},
	{label: 'Render per frame, p95 ms', get: r => r.render?.p95 ?? null, digits: 2},
	{label: 'Refresh period, s', get: r => r.refreshSeconds ?? null, digits: 1, noRatio: true},
	{label: 'Other load on the machine during the window, % of a core', get: r => pct(r.other), digits: 1, noRatio: true},
	{label: "Engine events of others' containers during the window", get: r => r.events?.foreign ?? null, digits: 0, noRatio: true},
];

function format(value, digits) {
	return value === null || value === undefined || !Number.isFinite(value) ? 'n/a' : value.toFixed(digits);
}

function ratio(a, b) {
	if (a === null || b === null || a === undefined || b === undefined || !Number.isFinite(a) || !Number.isFinite(b) || b === 0) return 'n/a';
	return `${(a / b).toFixed(2)}×`;
}

export function runTable(run) {
	const ids = ['va-top', 'va-top-api', 'docker-stats', 'glances'];
	const byId = Object.fromEntries(run.tools.map(tool => [tool.tool, tool]));
	const header = ['metric', 'va-top', 'va-top (API)', 'docker stats', 'glances', 'va-top / docker stats', 'va-top / glances', 'va-top (API) / docker stats'];
	const lines = [`| ${header.join(' | ')} |`, `| ${header.map((_, i) => (i === 0 ? '---' : '---:')).join(' | ')} |`];
	for (const row of rows) {
		const values = ids.map(id => {
			const result = byId[id];
			if (!result || result.unavailable || result.error) return null;
			return row.get(result, run);
		});
		const cells = ids.map((id, index) => {
			const result = byId[id];
			if (!result || result.unavailable) return 'not available';
			if (result.error) return 'failed';
			return format(values[index], row.digits) + (row.note && values[index] !== null ? row.note(result, run) : '');
		});
		const ratios = row.noRatio ? ['', '', ''] : [ratio(values[0], values[2]), ratio(values[0], values[3]), ratio(values[1], values[2])];
		lines.push(`| ${[row.label, ...cells, ...ratios].join(' | ')} |`);
	}
	return lines.join('\n');
}

/** The issue's targets at 50 idle instances, checked against one run (a report, not an assertion). */
export function targetsTable(run) {
	const byId = Object.fromEntries(run.tools.map(tool => [tool.tool, tool]));
	const va = byId['va-top'];
	const ds = byId['docker-stats'];
	const gl = byId.glances;
	const api = byId['va-top-api'];
	if (!va || va.unavailable || va.error) return '_va-top did not run: targets not checked._';
	const ok = flag => (flag === null ? 'n/a' : flag ? 'met' : '**missed**');
	const usable = result => result && !result.unavailable && !result.error;
	const checks = [
		['CPU below docker stats', `${format(pct(va.cpu), 1)} % vs ${usable(ds) ? format(pct(ds.cpu), 1) : 'n/a'} %`, usable(ds) ? va.cpu < ds.cpu : null],
		['terminal bytes/s below glances (1 s refresh both)', `${format(va.bytesPerSecond / 1000, 2)} vs ${usable(gl) ? format(gl.bytesPerSecond / 1000, 2) : 'n/a'} KB/s`, usable(gl) ? va.bytesPerSecond < gl.bytesPerSecond : null],
		['engine CPU below what it is under docker stats', `${format(pct(va.engine.total), 1)} % vs ${usable(ds) ? format(pct(ds.engine.total), 1) : 'n/a'} %`, usable(ds) ? va.engine.total < ds.engine.total : null],
		...(usable(api)
			? [['… and with the API (a remote engine: 20 streams, the rest spaced)', `${format(pct(api.engine.total), 1)} % vs ${usable(ds) ? format(pct(ds.engine.total), 1) : 'n/a'} %`, usable(ds) ? api.engine.total < ds.engine.total : null]]
			: []),
		['RSS under 100 MB', `${format(va.rssPeak / MB, 1)} MB peak`, va.rssPeak < 100 * MB],
		['first full frame within 1.5 s', `${format(va.firstFrame?.seconds ?? null, 2)} s`, va.firstFrame ? va.firstFrame.seconds <= 1.5 : false],
		['key-to-frame median under 50 ms', `${format(va.keys?.median ?? null, 0)} ms`, va.keys?.median === null || va.keys?.median === undefined ? null : va.keys.median < 50],
	];
	return ['| target | measured | |', '| --- | --- | --- |', ...checks.map(([what, measured, flag]) => `| ${what} | ${measured} | ${ok(flag)} |`)].join('\n');
}

/** Today's va-top at 50 idle containers (bench/results at a32556b), the tier's cost target is relative to. */
export const tierReference = {cpu: 0.014, rssPeak: 81.2e6, commit: 'a32556b'};

/** va-top with and without the data tier, in the same run, and against the issue's targets (1.5× CPU, +10 MB). */
export function tierTable(run) {
	const byId = Object.fromEntries(run.tools.map(tool => [tool.tool, tool]));
	const usable = result => result && !result.unavailable && !result.error;
	const tiers = ['va-top-sentinel', 'va-top-cluster'].map(id => byId[id]).filter(usable);
	if (tiers.length === 0) return '';
	const va = byId['va-top'];
	const ids = [...(usable(va) ? [va] : []), ...tiers];
	const header = ['metric', ...ids.map(tool => tool.label)];
	const lines = [`| ${header.join(' | ')} |`, `| ${header.map((_, i) => (i === 0 ? '---' : '---:')).join(' | ')} |`];
	for (const row of rows.slice(0, 10)) lines.push(`| ${[row.label, ...ids.map(tool => format(row.get(tool, run), row.digits))].join(' | ')} |`);
	const ok = flag => (flag ? 'met' : '**missed**');
	const checks = tiers.flatMap(tool => [
		[`${tool.label}: CPU within 1.5× of ${format(pct(tierReference.cpu), 1)} % (va-top at ${tierReference.commit})`, `${format(pct(tool.cpu), 1)} %${usable(va) ? ` (va-top alone in this run: ${format(pct(va.cpu), 1)} %)` : ''}`, tool.cpu <= 1.5 * tierReference.cpu],
		[`${tool.label}: RSS peak within +10 MB of ${format(tierReference.rssPeak / MB, 1)} MB`, `${format(tool.rssPeak / MB, 1)} MB${usable(va) ? ` (va-top alone in this run: ${format(va.rssPeak / MB, 1)} MB)` : ''}`, tool.rssPeak <= tierReference.rssPeak + 10 * MB],
	]);
	return [...lines, '', '| target | measured | |', '| --- | --- | --- |', ...checks.map(([what, measured, flag]) => `| ${what} | ${measured} | ${ok(flag)} |`)].join('\n');
}

export function markdown(results) {
	const m = results.machine;
	const out = [
		'# va-top benchmark: the monitor\'s own cost against `docker stats` and glances',
		'',
		`Run ${results.date} at commit \`${results.commit}\` with \`${results.command}\`.`,
		'',
		`Machine: ${m.nproc} × ${m.cpuModel}, ${(m.memTotalBytes / 2 ** 30).toFixed(1)} GiB memory, Linux ${m.kernel}; Docker ${m.docker.version} (${m.docker.storageDriver}, cgroup v${m.docker.cgroupVersion}); Node ${m.node}; ${m.tmux}; ${m.glances}.`,
		'',
		`${results.options.rounds > 1 ? `Every figure is the median of ${results.options.rounds} rounds (baseline, then each tool, a different one first each round); key latencies and render times are pooled over the rounds. ` : ''}${results.options.engine === 'private' ? 'The containers run on a Docker engine of the benchmark\'s own (bench/engine.sh: same version and flags as the main one), so the engine\'s figures are the tools\' alone. ' : 'The containers run on the machine\'s main Docker engine, which others use too: see the events row. '}Each tool runs alone in a tmux pane of ${results.options.width}x${results.options.height} on the same containers, after a ${results.options.warmupSeconds} s warm-up, for a window of ${results.options.seconds} s: CPU is the process tree's user+system time over the window's wall time (/proc/PID/stat), RSS its VmRSS summed, the engine's CPU that of dockerd, containerd and every containerd-shim over the same window. "Other load" is the rest of the machine's busy time (other users of this machine), a sign of how noisy the window was. Key latency: the time from sending a key to the first screen capture (every ~3 ms) that shows its effect, after the window (va-top: \`?\` help open/close and \`j\`/\`k\` selection; glances: \`h\` help; docker stats reads no keys). MB = 10^6 bytes.`,
		'',
	];
	for (const run of results.runs) {
		out.push(`## ${run.size} containers, ${run.variant}${run.variant === 'busy' ? ` (${run.busyContainers} of them burning ~4 % of a core each)` : ''}`);
		out.push('');
		if (run.error) {
			out.push(`Failed: ${run.error}`, '');
			continue;
		}
		const b = run.baseline;
		out.push(`Engine with no monitor running (${b.seconds.toFixed(0)} s${run.rounds?.length > 1 ? ', median of the rounds' : ''}): ${format(pct(b.engine.total), 1)} % of a core (dockerd ${format(pct(b.engine.dockerd), 1)}, containerd ${format(pct(b.engine.containerd), 1)}, shims ${format(pct(b.engine.shims), 1)}); other load ${format(pct(b.other), 1)} %, ${format(b.events?.foreign ?? null, 0)} engine events of others' containers. Containers made in ${run.createSeconds.toFixed(1)} s.`);
		out.push('');
		out.push(runTable(run));
		out.push('');
		for (const tool of run.tools) {
			if (tool.unavailable) out.push(`- ${tool.label}: not available (${tool.unavailable})`);
			else if (tool.error) out.push(`- ${tool.label}: ${tool.error}`);
		}
		if (run.size === 50 && run.variant === 'idle') {
			out.push('', 'Targets from the issue at 50 idle instances (reported, not asserted):', '', targetsTable(run));
		}
		const tier = tierTable(run);
		if (tier !== '') out.push('', 'va-top watching the data tier as well (a primary with two streaming replicas, the Qdrant stand-in, and three sentinels or a six-node cluster; reported, not asserted):', '', tier);
		out.push('');
	}
	return out.join('\n');
}

export function soakMarkdown(soak) {
	const m = soak.machine;
	const minutes = soak.seconds / 60;
	return [
		`# va-top memory soak: ${soak.size} ${soak.variant} containers, ${minutes.toFixed(0)} of ${(soak.plannedSeconds / 60).toFixed(0)} minutes${soak.complete ? '' : ' (so far: the run was still going or was stopped)'}`,
		'',
		`Run ${soak.date} at commit \`${soak.commit}\` with \`${soak.command}\`; ${m.nproc} × ${m.cpuModel}, Linux ${m.kernel}, Docker ${m.docker.version} (${soak.engine} engine), Node ${m.node}. va-top alone in a 120x40 tmux pane; RSS = VmRSS every 5 s.`,
		'',
		'| metric | value |',
		'| --- | ---: |',
		`| RSS after the first minute, MB | ${format(soak.rssAfterFirstMinute / MB, 1)} |`,
		`| RSS at the end, MB | ${format(soak.rssEnd / MB, 1)} |`,
		`| RSS peak, MB | ${format(soak.rssPeak / MB, 1)} |`,
		`| RSS trend after the first minute, MB per hour (least squares) | ${format(soak.rssSlopeBytesPerHour / MB, 1)} |`,
		`| CPU over the run, % of a core | ${format(pct(soak.cpu), 2)} |`,
		`| Engine CPU over the run, % of a core | ${format(pct(soak.engineCpu?.total), 2)} |`,
		`| Terminal output, KB/s | ${format(soak.bytesPerSecond / 1000, 2)} |`,
		'',
		'RSS at the end of each minute (MB): ' + soak.minutes.map(entry => format(entry.rss / MB, 0)).join(', '),
		'',
	].join('\n');
}
