/**
 * What one tenant's templates may cost the others, checked without timing: the parse cache is bounded
 * by (estimated) bytes and holds only rendered templates, a request's templates are bounded together,
 * and render time is budgeted per notification and per service per second against an injected clock.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HeraldError } from '../../src/domain/errors.ts';
import { ByteLru } from '../../src/domain/byte-lru.ts';
import { createTemplateRenderer, parsedBytes, type RendererClocks } from '../../src/domain/templates.ts';

/** A clock that only moves when told; `{{ tick }}` makes a render "take" `step` ms. */
function fakeClocks(step = 150) {
  const state = { now: 0, slept: [] as number[], yields: 0 };
  const clocks: RendererClocks = {
    now: () => state.now,
    sleep: async (ms) => {
      state.slept.push(ms);
      state.now += ms;
    },
    yieldNow: async () => {
      state.yields++;
    },
  };
  const vars = {
    get tick() {
      state.now += step;
      return 't';
    },
  };
  return { state, clocks, vars };
}

describe('template parse cache', () => {
  it('is bounded by bytes, evicting the least recently used', () => {
    const lru = new ByteLru<string>(100);
    lru.set('a', 'A', 40);
    lru.set('b', 'B', 40);
    assert.equal(lru.get('a'), 'A'); // a is now the most recent
    lru.set('c', 'C', 40);
    assert.equal(lru.get('b'), undefined, 'b was the least recently used');
    assert.equal(lru.get('a'), 'A');
    assert.equal(lru.bytes, 80);
    lru.set('huge', 'H', 101);
    assert.equal(lru.get('huge'), undefined, 'a value over the whole bound is not kept');
    assert.equal(lru.bytes, 80);
  });

  it('keeps the renderer under cacheBytes however many templates it renders', async () => {
    const template = (i: number) => `${'{{ a }}'.repeat(200)} #${i}`;
    const bound = parsedBytes(template(0)) * 3 + 100;
    const renderer = createTemplateRenderer({ cacheBytes: bound });
    for (let i = 0; i < 20; i++) await renderer.render(template(i), { a: 1 });
    const stats = renderer.cacheStats();
    assert.ok(stats.bytes <= bound, `${stats.bytes} > ${bound}`);
    assert.ok(stats.entries <= 3 && stats.entries > 0, `${stats.entries} entries`);
    // The dense template the issue measured (~14 MB parsed for 100k characters) is estimated above that.
    assert.ok(parsedBytes('{{a}}{{b}}'.repeat(10_000)) >= 14_000_000);
  });

  it('does not cache templates that were only checked', () => {
    const renderer = createTemplateRenderer();
    for (let i = 0; i < 10; i++) renderer.check(`{{ x }} ${i}`, 'f');
    renderer.checkAll([{ source: '{{ y }}', field: 'g' }]);
    assert.deepEqual(renderer.cacheStats(), { entries: 0, bytes: 0 });
  });

  it('refuses a request whose templates together exceed requestTemplateBytes, though each is small enough', () => {
    const renderer = createTemplateRenderer({ requestTemplateBytes: 1000, maxTemplateChars: 600 });
    const t = (n: number) => ({ source: 'é'.repeat(n), field: `f${n}` });
    renderer.checkAll([t(250), t(250)]); // 1000 bytes: at the limit
    assert.throws(
      () => renderer.checkAll([t(250), t(251)]),
      (err: unknown) =>
        err instanceof HeraldError &&
        err.code === 'templates_too_large' &&
        err.status === 422 &&
        (err.details as { bytes: number }).bytes === 1002,
    );
  });
});

describe('render budgets', () => {
  it("stops a notification's renders once its budget is spent", async () => {
    const { clocks, vars } = fakeClocks(150);
    const renderer = createTemplateRenderer({ notificationRenderMs: 400 }, clocks);
    const session = renderer.session('svc-a');
    for (let i = 0; i < 3; i++) assert.equal(await session.render('{{ tick }}', vars), 't'); // 450 ms spent
    await assert.rejects(
      session.render('{{ tick }}', vars),
      (err: unknown) => err instanceof HeraldError && err.code === 'template_render_error',
    );
    // The next notification has a budget of its own.
    assert.equal(await renderer.session('svc-a').render('{{ tick }}', vars), 't');
  });

  it('makes a service over its per-second budget wait for the next second, and no other service', async () => {
    const { state, clocks, vars } = fakeClocks(150);
    const renderer = createTemplateRenderer(
      { serviceRenderMsPerSecond: 300, notificationRenderMs: 10_000 },
      clocks,
    );
    const heavy = renderer.session('heavy');
    await heavy.render('{{ tick }}', vars); // 0 → 150
    await heavy.render('{{ tick }}', vars); // 150 → 300: the second's budget is spent
    assert.deepEqual(state.slept, []);
    await renderer.session('light').render('{{ tick }}', vars); // 300 → 450, not delayed
    assert.deepEqual(state.slept, []);
    await heavy.render('{{ tick }}', vars); // waits until 1000, then renders
    assert.deepEqual(state.slept, [550]);
    assert.equal(state.now, 1150);
  });

  it("reads the thread's CPU time once for the renders of a millisecond, not once per render", async () => {
    const { state, clocks } = fakeClocks(150);
    let readings = 0;
    const renderer = createTemplateRenderer({}, { ...clocks, cpu: () => (readings++, 0) });
    const session = renderer.session('svc');
    for (let i = 0; i < 50; i++)
      assert.equal(await session.render('trader:{{ id }}', { id: i }), `trader:${i}`);
    assert.equal(readings, 1);
    state.now += 0.5;
    await session.render('trader:{{ id }}', { id: 1 });
    assert.equal(readings, 1, 'a reading half a millisecond old is used again');
    state.now += 0.5;
    await session.render('trader:{{ id }}', { id: 1 });
    assert.equal(readings, 2, 'one a millisecond old is not');
  });

  it('gives plain text back as it is, in either mode, without parsing it or spending budget', async () => {
    const { state, clocks } = fakeClocks(150);
    const renderer = createTemplateRenderer({ notificationRenderMs: 1 }, clocks);
    const session = renderer.session('svc');
    const plain = ['https://hooks.example/a?b=1&c=<2>', 'Your order { shipped }', '', 'a % b'];
    for (const text of plain) {
      assert.equal(await session.render(text, {}, 'text'), text);
      assert.equal(await session.render(text, {}, 'html'), text, 'no escaping: only output tags escape');
    }
    assert.equal(renderer.cacheStats().entries, 0, 'nothing was parsed');
    // The notification's 1 ms budget is untouched, so a real template still renders.
    assert.equal(await session.render('{{ name }}', { name: 'Ann' }), 'Ann');
    assert.equal(state.now, 0);
  });

  it('yields to the event loop between renders once it has held it yieldEveryMs', async () => {
    const { state, clocks, vars } = fakeClocks(150);
    const renderer = createTemplateRenderer(
      { yieldEveryMs: 100, notificationRenderMs: 10_000, serviceRenderMsPerSecond: 10_000 },
      clocks,
    );
    const session = renderer.session('svc');
    for (let i = 0; i < 4; i++) await session.render('{{ tick }}', vars);
    assert.equal(state.yields, 3, 'before each render after the first');
    for (let i = 0; i < 3; i++) await session.render('no time', {});
    assert.equal(state.yields, 4, 'once more after the last slow render, then not for fast ones');
  });

  it('lets callbacks waiting on the real event loop run between one notification’s renders', async () => {
    const renderer = createTemplateRenderer({ yieldEveryMs: 0 });
    const order: string[] = [];
    const vars = {
      get mark() {
        order.push('render');
        return '';
      },
    };
    const session = renderer.session('svc');
    const rendering = (async () => {
      for (let i = 0; i < 3; i++) await session.render('{{ mark }}', vars);
    })();
    setImmediate(() => order.push('other tenant'));
    await rendering;
    assert.notEqual(order.indexOf('other tenant'), -1);
    assert.ok(order.indexOf('other tenant') < order.lastIndexOf('render'), order.join(','));
  });

  // LiquidJS times a render by the wall clock. On a loaded machine the process can be kept off the CPU
  // for longer than the limit in the middle of a render that costs nothing: the digest bench's
  // 100-item templates failed with `template render limit exceeded` at load ~30 (reproduced by
  // stopping the process with SIGSTOP for 300 ms in every 400). The thread is put to sleep here instead.
  const sleepThread = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

  it('tries again a render that passed its time limit while the process was kept waiting', async () => {
    const renderer = createTemplateRenderer({ renderTimeMs: 20 });
    let reads = 0;
    const vars = {
      get slow() {
        if (reads++ === 0) sleepThread(100);
        return 'a';
      },
    };
    assert.equal(await renderer.session('svc').render('{{ slow }}{{ slow }}b', vars), 'aab');
  });

  it('still stops a render that spends its time computing', async () => {
    const renderer = createTemplateRenderer({ renderTimeMs: 20 });
    const vars = {
      get busy() {
        const until = performance.now() + 60;
        while (performance.now() < until);
        return 'a';
      },
    };
    await assert.rejects(
      renderer.session('svc').render('{{ busy }}{{ busy }}', vars),
      /render limit exceeded/,
    );
  });
});
