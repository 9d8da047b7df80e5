/** The express app: host and origin guards, JSON bodies, every route under both `/x` and `/api/x`, the client. */
import { existsSync } from 'node:fs';
import path from 'node:path';
import express, { Router } from 'express';
import { hostGuard } from './hostGuard';
import { errorHandler, notFoundHandler } from './httpErrors';
import { originGuard } from './originGuard';
import { fileRoutes } from './routes/fileRoutes';
import { historyRoutes } from './routes/historyRoutes';
import { infoRoutes } from './routes/infoRoutes';
import { promptRoutes } from './routes/promptRoutes';
import { systemRoutes } from './routes/systemRoutes';
import { userDataRoutes } from './routes/userDataRoutes';
import { workerRoutes } from './routes/workerRoutes';
import { workflowRoutes } from './routes/workflowRoutes';
import type { StudioServices } from './services';

export function createApp(services: StudioServices): express.Express {
  const app = express();
  app.disable('x-powered-by');
  // Workers authenticate with the shared secret and may reach the server under any host name.
  const channel = services.workerChannel;
  if (channel)
    app.use(
      workerRoutes({ secret: channel.secret, dirs: services.dirs, maxUploadBytes: services.maxUploadBytes }),
    );
  app.use(hostGuard(services.allowedHosts));
  app.use(originGuard(services.corsOrigin));
  // Any non-multipart body is JSON, whatever its content-type: ComfyUI's example scripts POST /prompt with
  // urllib's default form content-type, and ComfyUI parses it as JSON anyway.
  // `/userdata/{file}` bodies are stored as they are (read raw by that route).
  const isJsonBody = (req: { headers: { 'content-type'?: string }; url?: string }): boolean =>
    !(req.headers['content-type'] ?? '').toLowerCase().startsWith('multipart/') &&
    !/^(\/api)?\/userdata\//.test(req.url ?? '');
  // strict: false lets POST /settings/{id} carry a bare JSON value, as ComfyUI's front end sends it
  app.use(express.json({ limit: services.maxUploadBytes, type: isJsonBody, strict: false }));

  const api = Router();
  api.use(promptRoutes(services));
  api.use(historyRoutes(services));
  api.use(infoRoutes(services));
  api.use(fileRoutes(services));
  api.use(workflowRoutes(services));
  api.use(systemRoutes(services));
  api.use(userDataRoutes(services));
  app.use('/api', api);
  app.use(api);

  const dist = services.clientDistDir;
  if (dist) {
    app.use(express.static(dist, { index: 'index.html' }));
    // browsers and tools that ignore <link rel=icon> still ask for /favicon.ico
    app.get('/favicon.ico', (_req, res) => res.redirect(301, '/favicon.svg'));
    app.get('/', (_req, res) => {
      if (existsSync(path.join(dist, 'index.html'))) res.sendFile(path.join(dist, 'index.html'));
      else
        res
          .status(503)
          .type('text/plain')
          .send(
            'The client is not built yet: run `npm run build:client` (or `npm start`, which builds it).\n',
          );
    });
  }

  app.use(notFoundHandler);
  app.use(errorHandler(services.logError));
  return app;
}
