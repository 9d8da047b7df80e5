/** Reads a JSON config file through a zod schema, with errors that name the file and the bad field. */
import fs from 'node:fs';
import type { z } from 'zod';

/** Parses `value` with `schema`; `source` names where it came from in the error. */
export function parseConfig<T extends z.ZodType>(schema: T, value: unknown, source: string): z.output<T> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
  throw new Error(`${source}: invalid config — ${problems.slice(0, 5).join('; ')}; fix or replace the file`);
}

/** Reads and parses a JSON config file. */
export function readConfigFile<T extends z.ZodType>(schema: T, file: string): z.output<T> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new Error(`cannot read config ${file}: ${(error as Error).message}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new Error(`${file}: not valid JSON (${(error as Error).message}); fix or replace the file`);
  }
  return parseConfig(schema, value, file);
}
