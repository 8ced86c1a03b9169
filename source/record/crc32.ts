// CRC-32 (IEEE), as zlib computes it: Node's own when it has one (20.15 and later), else a table in JavaScript.
import zlib from 'node:zlib';

const native = (zlib as unknown as {crc32?: (data: Uint8Array, value?: number) => number}).crc32;

const table = (() => {
	const out = new Uint32Array(256);
	for (let n = 0; n < 256; n++) {
		let c = n;
		for (let k = 0; k < 8; k++) c = c & 1 ? 0xed_b8_83_20 ^ (c >>> 1) : c >>> 1;
		out[n] = c >>> 0;
	}

	return out;
})();

export function crc32Js(data: Uint8Array): number {
	let crc = 0xff_ff_ff_ff;
	for (let i = 0; i < data.length; i++) crc = table[(crc ^ data[i]!) & 0xff]! ^ (crc >>> 8);
	return (crc ^ 0xff_ff_ff_ff) >>> 0;
}

export function crc32(data: Uint8Array): number {
	return native === undefined ? crc32Js(data) : native(data) >>> 0;
}
