export declare function generateValidator(): Promise<string>;
