/**
 * The last server log lines, kept in memory for ComfyUI's `/internal/logs` routes (bounded by line count
 * and bytes), and a logger that writes to both the real logger and the buffer.
 */
import type { StudioLogger } from './config';

export interface LogEntry {
  /** ISO time. */
  t: string;
  /** The line, ending in a newline like ComfyUI's. */
  m: string;
}

export class LogBuffer {
  private readonly lines: LogEntry[] = [];
  private bytes = 0;

  /** `redact`: absolute folders shown as their label (`<data-dir>`), so the routes reveal no server paths. */
  constructor(
    private readonly redact: readonly (readonly [folder: string, label: string])[] = [],
    private readonly maxLines = 1000,
    private readonly maxBytes = 1024 * 1024,
  ) {}

  push(level: string, message: string): void {
    let text = message.slice(0, 4096);
    for (const [folder, label] of this.redact) text = text.replaceAll(folder, label);
    const entry = { t: new Date().toISOString(), m: `${level}: ${text}\n` };
    this.lines.push(entry);
    this.bytes += entry.m.length;
    while (this.lines.length > this.maxLines || this.bytes > this.maxBytes) {
      this.bytes -= this.lines.shift()?.m.length ?? 0;
    }
  }

  entries(): LogEntry[] {
    return [...this.lines];
  }

  /** `time - message` lines joined, as ComfyUI's `/internal/logs`. */
  text(): string {
    return this.lines.map((l) => `${l.t} - ${l.m}`).join('');
  }
}

/** `logger` that also records into `buffer`. */
export function teeLogger(logger: StudioLogger, buffer: LogBuffer): StudioLogger {
  return {
    info: (message) => {
      buffer.push('info', message);
      logger.info(message);
    },
    warn: (message) => {
      buffer.push('warning', message);
      logger.warn(message);
    },
    error: (message, err) => {
      buffer.push('error', message);
      logger.error(message, err);
    },
  };
}
