export declare function readmeWithReference(): Promise<string>;
