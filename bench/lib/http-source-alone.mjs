#!/usr/bin/env node
// The access-log source alone, as va-top runs it (the built dist/ modules, a 1 s interval): follows the project's
// nginx log through the Docker logs API and reads the window every second. The benchmark measures this process's
// CPU and memory: the source's own cost, with nothing else of va-top around it. Prints the last sample on exit.
// usage: node bench/lib/http-source-alone.mjs REPO PROJECT SECONDS
import {join} from 'node:path';

const [repo, project, seconds] = process.argv.slice(2);
const {httpLogSource} = await import(join(repo, 'dist/source/sources/http-log/index.js'));
const {createKit} = await import(join(repo, 'dist/source/sources/kit/index.js'));
const config = httpLogSource.configure({given: () => undefined, env: process.env, project, service: 'app', intervalMs: 1000, demo: false, once: false});
const collector = await httpLogSource.open(config, createKit({intervalMs: 1000}));
collector.start();
await new Promise((resolve) => setTimeout(resolve, Number(seconds) * 1000));
const {status, sample} = collector.view();
await collector.stop();
process.stdout.write(`${JSON.stringify({status: status.kind, requests: sample?.requests ?? null, requestsPerSecond: sample?.requestsPerSecond ?? null, p95Ms: sample?.p95Ms ?? null, notUnderstood: sample?.notUnderstood ?? null})}\n`);
