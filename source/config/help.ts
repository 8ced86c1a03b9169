// --help, generated from the flag table so it cannot drift from what is parsed.
import {flagSpecs, type FlagSpec} from './flags.js';

function flagColumn(spec: FlagSpec): string {
	if (spec.kind === 'boolean') {
		if (spec.defaultText === 'on') return `--no-${spec.name}`;
		return `--${spec.name}`;
	}

	return `--${spec.name} ${spec.value ?? 'VALUE'}${spec.repeatable === true ? ' …' : ''}`;
}

export function helpText(): string {
	const lines = [
		'Usage',
		'  $ va-top [flags]            live full-screen monitor',
		'  $ va-top --once [--json]    one capacity check for cron and alerting',
		'',
	];
	const groups = [...new Set(flagSpecs.map(spec => spec.group))];
	const width = Math.max(...flagSpecs.map(spec => flagColumn(spec).length)) + 2;
	for (const group of groups) {
		lines.push(group);
		for (const spec of flagSpecs.filter(flag => flag.group === group)) {
			const extras = [spec.repeatable === true ? 'repeatable' : undefined, spec.defaultText === undefined || spec.kind === 'boolean' ? undefined : `default ${spec.defaultText}`, spec.env === undefined ? undefined : `env ${spec.env}`].filter(Boolean);
			const tail = extras.length > 0 ? ` [${extras.join('; ')}]` : '';
			lines.push(`  ${flagColumn(spec).padEnd(width)}${spec.description}${tail}`);
		}

		lines.push('');
	}

	lines.push('Exit codes of --once: 0 OK, 1 SOON, 2 IMMEDIATE, 3 a source could not be read; 64 bad input.');
	return lines.join('\n');
}
