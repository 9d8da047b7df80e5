/**
 * DNS-rebinding protection: a page on `evil.example` whose name later resolves to 127.0.0.1 sends
 * same-origin requests with `Host: evil.example`. Like vite's `allowedHosts`, only loopback names, IP
 * literals (a rebinding needs a DNS name), the `--listen` address and `--allow-host` names are served.
 */
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import type { NextFunction, Request, Response } from 'express';
import { sendError } from './httpErrors';

export interface HostAllowList {
  /** The address the server listens on (allowed as a Host name too). */
  listen: string;
  /** `--allow-host` names; `.example.com` allows its subdomains, `*` allows every host. */
  extra: readonly string[];
}

/** The host name of a `Host` header (`a.b:8188` → `a.b`, `[::1]:8188` → `::1`), lower-cased. */
export function hostNameOf(header: string): string {
  const host = header.trim().toLowerCase();
  if (host.startsWith('[')) return host.slice(1, host.indexOf(']') > 0 ? host.indexOf(']') : undefined);
  const colon = host.lastIndexOf(':');
  return (colon >= 0 ? host.slice(0, colon) : host).replace(/\.$/, '');
}

/** True when the request's `Host` may be served (no `Host` header: a local script, allowed). */
export function hostAllowed(req: IncomingMessage, allow: HostAllowList): boolean {
  const header = req.headers.host;
  if (header === undefined) return true;
  const name = hostNameOf(header);
  if (isIP(name) !== 0) return true;
  if (name === 'localhost' || name.endsWith('.localhost')) return true;
  if (name === allow.listen.toLowerCase()) return true;
  return allow.extra.some((entry) => {
    const allowed = entry.toLowerCase();
    if (allowed === '*') return true;
    if (allowed.startsWith('.')) return name === allowed.slice(1) || name.endsWith(allowed);
    return name === allowed;
  });
}

/** Refuses requests for a host name that is not allowed with 403 and the flag that allows it. */
export function hostGuard(allow: HostAllowList) {
  return (req: Request, res: Response, next: NextFunction): void => {
    if (hostAllowed(req, allow)) {
      next();
      return;
    }
    const name = hostNameOf(req.headers.host ?? '').slice(0, 100);
    sendError(
      res,
      403,
      'forbidden_host',
      `Refused a request for host "${name}"`,
      `open the studio at http://127.0.0.1 or localhost, or start it with --allow-host ${name || 'NAME'}`,
    );
  };
}
