export declare const ROOT: string;
export declare const CHROME_DIST: string;
export declare const FIREFOX_DIST: string;
export declare function readManifest(dir: string): any;
export declare function popupPath(dir: string): string;
