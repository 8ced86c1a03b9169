// What the access-log source reads, as configure() makes it from the flags. Pure.

export interface HttpLogConfig {
	/** docker: the logs of the project's `service` containers; file: `file`. */
	mode: 'docker' | 'file';
	file: string | null;
	/** The Compose service of nginx. */
	service: string;
	/** The service was named by flag: missing, it is an unreachable source rather than "no nginx here". */
	serviceGiven: boolean;
	project: string;
	/** The app service, whose instances the upstream addresses are matched to. */
	appService: string;
	windowSeconds: number;
	/** --once: read the last window and stop following. */
	once: boolean;
	/** DOCKER_HOST or --docker-host; undefined: the local socket. */
	dockerHost: string | undefined;
}

export function sourceLabel(config: HttpLogConfig): string {
	return config.mode === 'file' ? `file:${config.file}` : `docker:${config.project}/${config.service}`;
}
