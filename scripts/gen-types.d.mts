export declare function generateWrittenTypes(): Promise<string>;
