// One screen line: never wraps, never wider than its box. Every line of the UI goes through this.
import {Text} from 'ink';
import React, {type ReactNode} from 'react';
import type {ColorName} from '../../layout/symbols.js';

export interface LineProps {
	children?: ReactNode;
	color?: ColorName;
	bold?: boolean;
	dim?: boolean;
	inverse?: boolean;
}

export function Line({children, color, bold, dim, inverse}: LineProps) {
	return (
		<Text wrap="truncate" color={color} bold={bold} dimColor={dim} inverse={inverse}>
			{children ?? ' '}
		</Text>
	);
}
