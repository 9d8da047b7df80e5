import { describe, expect, it } from 'vitest';
import { UndoHistory } from './undoHistory';

describe('UndoHistory', () => {
  it('undoes and redoes through recorded snapshots', () => {
    const h = new UndoHistory();
    h.reset('a');
    expect(h.record('b')).toBe(true);
    expect(h.record('c')).toBe(true);
    expect(h.undo()).toBe('b');
    expect(h.undo()).toBe('a');
    expect(h.undo()).toBeUndefined();
    expect(h.current).toBe('a');
    expect(h.redo()).toBe('b');
    expect(h.redo()).toBe('c');
    expect(h.redo()).toBeUndefined();
    expect(h.current).toBe('c');
  });

  it('ignores a snapshot equal to the current one', () => {
    const h = new UndoHistory();
    h.reset('a');
    expect(h.record('a')).toBe(false);
    expect(h.canUndo).toBe(false);
  });

  it('drops the redo branch when a new change is recorded after an undo', () => {
    const h = new UndoHistory();
    h.reset('a');
    h.record('b');
    h.undo();
    h.record('x');
    expect(h.canRedo).toBe(false);
    expect(h.undo()).toBe('a');
    expect(h.redo()).toBe('x');
  });

  it('keeps only `capacity` undo steps, dropping the oldest', () => {
    const h = new UndoHistory(2);
    h.reset('s0');
    for (const s of ['s1', 's2', 's3']) h.record(s);
    expect(h.undoDepth).toBe(2);
    expect(h.undo()).toBe('s2');
    expect(h.undo()).toBe('s1');
    expect(h.undo()).toBeUndefined();
  });

  it('reset clears both directions', () => {
    const h = new UndoHistory();
    h.reset('a');
    h.record('b');
    h.undo();
    h.reset('z');
    expect([h.canUndo, h.canRedo, h.current]).toEqual([false, false, 'z']);
  });

  it('rejects a non-positive capacity with the value in the message', () => {
    expect(() => new UndoHistory(0)).toThrow(/positive integer, got 0/);
  });

  it('replaceCurrent swaps the current state without adding a step', () => {
    const h = new UndoHistory();
    h.reset('a');
    h.record('b');
    h.replaceCurrent('b2');
    expect(h.record('b2')).toBe(false);
    expect(h.undo()).toBe('a');
    expect(h.redo()).toBe('b2');
  });
});
