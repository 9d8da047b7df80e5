import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { historyEntrySchema, promptAcceptedSchema, queueStateSchema } from '../../protocol/wireSchemas';
import { postJson, startTestStudio, WsRecorder } from '../support/testStudio';
import { createTestNodes, type TestNodes } from '../support/testNodes';

let studio: Awaited<ReturnType<typeof startTestStudio>>;
let ws: WsRecorder;
let t: TestNodes;

const blockPrompt = {
  '1': { class_type: 'TestBlock', inputs: { value: 1 } },
  '2': { class_type: 'TestOutput', inputs: { value: ['1', 0] } },
};
const quick = (value: number) => ({
  '1': { class_type: 'TestNumber', inputs: { value } },
  '2': { class_type: 'TestOutput', inputs: { value: ['1', 0] } },
});

async function queue(
  prompt: unknown,
  extra: Record<string, unknown> = {},
): Promise<{ prompt_id: string; number: number }> {
  const response = await postJson(`${studio.url}/prompt`, { prompt, client_id: 'ctl', ...extra });
  expect(response.status).toBe(200);
  return promptAcceptedSchema.parse(await response.json());
}

async function queueState() {
  return queueStateSchema.parse(await (await fetch(`${studio.url}/api/queue`)).json());
}

beforeAll(async () => {
  t = createTestNodes();
  studio = await startTestStudio({ extraNodes: t.nodes });
  ws = await WsRecorder.open(studio.url, 'ctl');
});
afterAll(async () => {
  ws.close();
  await studio.close();
});

describe('queue control over HTTP', () => {
  it('orders front/back, deletes, clears and interrupts', async () => {
    const blocker = await queue(blockPrompt);
    await t.gate.entered;
    const running = await ws.waitFor(
      (f) => f.type === 'executing' && f.data.node === '1' && f.data.prompt_id === blocker.prompt_id,
    );
    expect(running.data.display_node).toBe('1');
    await ws.waitFor((f) => f.type === 'progress' && f.data.prompt_id === blocker.prompt_id);
    // A client that reconnects mid-run is told which node is running.
    const reconnected = await WsRecorder.open(studio.url, 'ctl');
    const current = await reconnected.waitFor((f) => f.type === 'executing');
    expect(current.data).toEqual({ node: '1', display_node: '1', prompt_id: blocker.prompt_id });
    reconnected.close();

    const back1 = await queue(quick(1));
    const back2 = await queue(quick(2));
    const front = await queue(quick(3), { front: true });
    expect(front.number).toBeLessThan(0);
    let state = await queueState();
    expect(state.queue_running.map((task) => task[1])).toEqual([blocker.prompt_id]);
    expect(state.queue_pending.map((task) => task[1])).toEqual([
      front.prompt_id,
      back1.prompt_id,
      back2.prompt_id,
    ]);
    expect(await (await fetch(`${studio.url}/prompt`)).json()).toEqual({ exec_info: { queue_remaining: 4 } });

    expect((await postJson(`${studio.url}/queue`, { delete: [back1.prompt_id] })).status).toBe(200);
    state = await queueState();
    expect(state.queue_pending.map((task) => task[1])).toEqual([front.prompt_id, back2.prompt_id]);
    await postJson(`${studio.url}/api/queue`, { clear: true });
    expect((await queueState()).queue_pending).toEqual([]);

    // An interrupt for another prompt id leaves the running one alone.
    expect(await (await postJson(`${studio.url}/interrupt`, { prompt_id: 'someone-else' })).json()).toEqual({
      interrupted: false,
    });
    expect(await (await postJson(`${studio.url}/api/interrupt`, {})).json()).toEqual({ interrupted: true });
    await ws.finished(blocker.prompt_id);
    const interrupted = ws.framesOf(blocker.prompt_id).find((f) => f.type === 'execution_interrupted');
    expect(interrupted?.data).toMatchObject({ node_id: '1', node_type: 'TestBlock', executed: [] });
    const history = (await (await fetch(`${studio.url}/history/${blocker.prompt_id}`)).json()) as Record<
      string,
      unknown
    >;
    expect(historyEntrySchema.parse(history[blocker.prompt_id]).status).toMatchObject({
      status_str: 'error',
      completed: false,
    });
    expect(studio.history.has(back1.prompt_id)).toBe(false);
    expect(await queueState()).toEqual({ queue_running: [], queue_pending: [] });
  });

  it('reports a node exception as execution_error and keeps serving', async () => {
    const failing = {
      '1': { class_type: 'TestNumber', inputs: { value: 4 } },
      '2': { class_type: 'TestFail', inputs: { value: ['1', 0], note: 'nope' } },
      '3': { class_type: 'TestOutput', inputs: { value: ['2', 0] } },
    };
    const { prompt_id: promptId } = await queue(failing);
    await ws.finished(promptId);
    const error = ws.framesOf(promptId).find((f) => f.type === 'execution_error');
    expect(error?.data).toMatchObject({
      node_id: '2',
      node_type: 'TestFail',
      exception_type: 'RangeError',
      exception_message: 'refusing value 4: nope',
      current_inputs: { value: ['4'], note: ['nope'] },
    });
    const ok = await queue(quick(9));
    await ws.finished(ok.prompt_id);
    expect(studio.history.get(ok.prompt_id)?.outputs).toEqual({ '2': { values: [9] } });
  });

  it('routes custom events to the queuing client only', async () => {
    const other = await WsRecorder.open(studio.url, 'someone-else');
    t.gate.open();
    const { prompt_id: promptId } = await queue({
      ...blockPrompt,
      '1': { class_type: 'TestBlock', inputs: { value: 7 } },
    });
    await ws.finished(promptId);
    expect(ws.framesOf(promptId).find((f) => f.type === 'test_event')?.data).toEqual({
      note: 'released',
      prompt_id: promptId,
      node: '1',
    });
    expect(other.framesOf(promptId)).toEqual([]);
    // Binary preview frame: type 1 (preview), format 1 (JPEG), then the bytes.
    expect(ws.binary.map((b) => [...b])).toEqual([[0, 0, 0, 1, 0, 0, 0, 1, 0xff, 0xd8, 0xff, 0xd9]]);
    expect(other.binary).toEqual([]);
    other.close();
  });

  it('manages history: max_items, delete and clear', async () => {
    const all = (await (await fetch(`${studio.url}/history`)).json()) as Record<string, unknown>;
    const ids = Object.keys(all);
    expect(ids.length).toBeGreaterThanOrEqual(3);
    const last = (await (await fetch(`${studio.url}/history?max_items=1`)).json()) as Record<string, unknown>;
    expect(Object.keys(last)).toEqual([ids[ids.length - 1]]);
    await postJson(`${studio.url}/history`, { delete: [ids[0]] });
    expect(studio.history.has(ids[0])).toBe(false);
    await postJson(`${studio.url}/api/history`, { clear: true });
    expect(await (await fetch(`${studio.url}/history`)).json()).toEqual({});
  });

  it('rejects a reused prompt_id and accepts a chosen one', async () => {
    const chosen = await queue(quick(11), { prompt_id: 'my-own-id' });
    expect(chosen.prompt_id).toBe('my-own-id');
    await ws.finished('my-own-id');
    const again = await postJson(`${studio.url}/prompt`, { prompt: quick(12), prompt_id: 'my-own-id' });
    expect(again.status).toBe(400);
  });

  it.each(['queue', 'history'])(
    'answers a malformed %s action with 400 and the expected body',
    async (list) => {
      const response = await postJson(`${studio.url}/${list}`, { delete: 'not-a-list' });
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual({
        error: {
          type: 'invalid_request',
          message: `Invalid ${list} action`,
          details: 'send {"clear": true} or {"delete": [prompt_id, ...]}',
          extra_info: {},
        },
      });
    },
  );
});
