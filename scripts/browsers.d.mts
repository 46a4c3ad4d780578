export declare const BROWSERS: Record<'chromium' | 'firefox-esr', string>;
export declare function plan(s: { missing: string[]; root: boolean; apt: boolean }): { action: 'none' } | { action: 'install'; packages: string[] } | { action: 'tell'; command: string };
export declare function ensureBrowsers(names: ('chromium' | 'firefox-esr')[]): boolean;
