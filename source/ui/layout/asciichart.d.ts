// asciichart 1.5 ships no types; only what chart-fit uses.
declare module 'asciichart' {
	export interface PlotConfig {
		min?: number;
		max?: number;
		height?: number;
		offset?: number;
		padding?: string;
		colors?: string[];
		symbols?: string[];
		format?: (value: number, index: number) => string;
	}

	const asciichart: {
		plot(series: number[] | number[][], config?: PlotConfig): string;
	};
	export default asciichart;
}
