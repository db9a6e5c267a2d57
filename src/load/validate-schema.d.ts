// Types of the generated src/load/validate-schema.js (ajv standalone code).
import type { ValidateFunction } from "ajv";
export declare const validateSchema: ValidateFunction;
