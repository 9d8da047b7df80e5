/** `/prompt`, `/queue`, `/interrupt`: submitting, listing and cancelling work. */
import { randomUUID } from 'node:crypto';
import { Router } from 'express';
import { z } from 'zod';
import { toQueueTask } from '../../engine/promptQueue';
import { validatePrompt } from '../../engine/validatePrompt';
import { errorBody } from '../httpErrors';
import type { StudioServices } from '../services';
import { type PromptAccepted, promptRequestSchema, type PromptRejected } from '../../../protocol/wireSchemas';
import { parseListAction } from './listActions';

const interruptSchema = z.looseObject({ prompt_id: z.string().optional() }).optional();

export function promptRoutes(services: StudioServices): Router {
  const { queue, registry, history, dispatch } = services;
  const router = Router();

  router.get('/prompt', (_req, res) => {
    res.json({ exec_info: { queue_remaining: queue.remaining() } });
  });

  router.post('/prompt', async (req, res) => {
    const parsed = promptRequestSchema.safeParse(req.body);
    if (!parsed.success) {
      const body: PromptRejected = {
        ...errorBody(
          'invalid_prompt',
          'Invalid prompt request',
          `${z.prettifyError(parsed.error)}; send {"prompt": {...}}`,
        ),
        node_errors: {},
      };
      res.status(400).json(body);
      return;
    }
    const request = parsed.data;
    if (request.prompt_id !== undefined && (queue.has(request.prompt_id) || history.has(request.prompt_id))) {
      const body: PromptRejected = {
        ...errorBody(
          'invalid_prompt',
          `prompt_id "${request.prompt_id}" is already in use`,
          'omit prompt_id to get a fresh one',
        ),
        node_errors: {},
      };
      res.status(400).json(body);
      return;
    }
    const validation = await validatePrompt(request.prompt, registry, {
      targets: request.partial_execution_targets,
    });
    if (!validation.ok) {
      const body: PromptRejected = { error: validation.error, node_errors: validation.nodeErrors };
      res.status(400).json(body);
      return;
    }
    const number = request.number ?? queue.allocateNumber(request.front ?? false);
    queue.reserveNumbersUpTo(number);
    const promptId = request.prompt_id ?? randomUUID();
    const extraData = {
      ...(request.extra_data ?? {}),
      ...(request.client_id !== undefined ? { client_id: request.client_id } : {}),
    };
    try {
      await dispatch.enqueue({
        number,
        promptId,
        prompt: validation.prompt,
        extraData,
        outputs: validation.outputs,
      });
    } catch (err) {
      services.logError(err);
      const message = err instanceof Error ? err.message : String(err);
      const body: PromptRejected = {
        ...errorBody(
          'queue_unavailable',
          `the prompt queue refused the prompt: ${message}`,
          'check that Redis is running',
        ),
        node_errors: {},
      };
      res.status(503).json(body);
      return;
    }
    const body: PromptAccepted = { prompt_id: promptId, number, node_errors: validation.nodeErrors };
    res.json(body);
  });

  router.get('/queue', (_req, res) => {
    const { running, pending } = queue.snapshot();
    res.json({ queue_running: running.map(toQueueTask), queue_pending: pending.map(toQueueTask) });
  });

  router.post('/queue', async (req, res) => {
    const action = parseListAction(req, res, 'queue');
    if (!action) return;
    if (action.clear) await dispatch.clear();
    if (action.delete) await dispatch.delete(action.delete);
    res.json({});
  });

  router.post('/interrupt', (req, res) => {
    const parsed = interruptSchema.safeParse(req.body);
    const promptId = parsed.success ? parsed.data?.prompt_id : undefined;
    res.json({ interrupted: dispatch.interrupt(promptId) });
  });

  return router;
}
