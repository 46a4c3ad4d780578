/** The tool's name and version, read from package.json in this one place (reports, SARIF, HAR exports). */
import pkg from '../../package.json';

export const VERSION: string = (pkg as { version: string }).version;
export const TOOL = { name: 'coatcheck', version: VERSION } as const;
