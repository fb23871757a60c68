// Girder dashboard: a single-page app over the node's REST API (/v1) and its live events.
// Every figure shown comes from an API answer; nothing is invented here. See docs/dashboard.md.
'use strict';

(function () {
  const API = '/v1';
  const main = document.getElementById('main');
  let units = null; // denom -> {display, exponent}
  let feeDenom = 'ugrd'; // the chain's fee denom, from /v1/fees (loadUnits)
  let gen = 0; // route generation: a page's late answers are dropped after navigation
  let cleanups = [];

  // ---------- helpers ----------
  function h(tag, attrs, ...kids) {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k === 'text') el.textContent = v;
      else if (k === 'on') for (const [ev, fn] of Object.entries(v)) el.addEventListener(ev, fn);
      else if (k === 'testid') el.setAttribute('data-testid', v);
      else el.setAttribute(k, v === true ? '' : String(v));
    }
    add(el, kids);
    return el;
  }
  function add(el, ...kids) {
    for (const c of kids.flat(Infinity)) {
      if (c === undefined || c === null || c === false) continue;
      el.appendChild(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return el;
  }
  const SVGNS = 'http://www.w3.org/2000/svg';
  function s(tag, attrs, ...kids) {
    const el = document.createElementNS(SVGNS, tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === 'text') el.textContent = v; else if (k === 'testid') el.setAttribute('data-testid', v); else el.setAttribute(k, String(v));
    }
    for (const c of kids.flat()) if (c) el.appendChild(c);
    return el;
  }

  class APIError extends Error { constructor(status, msg) { super(msg); this.status = status; } }
  async function get(path) {
    const r = await fetch(API + path, { headers: { Accept: 'application/json' } });
    if (!r.ok) {
      let detail = r.statusText;
      try { const p = await r.json(); detail = p.detail || p.title || detail; } catch (_) { /* not JSON */ }
      throw new APIError(r.status, detail);
    }
    return r.json();
  }
  async function getOr(path, fallback) {
    try { return await get(path); } catch (e) { if (e.status === 404) return fallback; throw e; }
  }
  const enc = encodeURIComponent;
  // safeURL: only web and IPFS addresses become links (an on-chain URI such as javascript:… never does).
  function safeURL(u) { return /^(https?|ipfs):\/\//i.test(String(u || '')); }

  async function loadUnits() {
    if (units) return units;
    const m = {};
    const [denoms, assets, fees] = await Promise.all([get('/denoms').catch(() => []), get('/assets').catch(() => []), get('/fees').catch(() => null)]);
    if (fees && fees.denom) feeDenom = fees.denom;
    for (const a of assets || []) m[a.denom] = { display: a.symbol || a.denom, exponent: a.decimals || 0 };
    for (const d of denoms || []) m[d.base] = { display: d.display, exponent: d.exponent };
    units = m;
    return m;
  }
  function unitOf(denom) { return (units && units[denom]) || { display: denom, exponent: 0 }; }
  function group(intStr) { return intStr.replace(/\B(?=(\d{3})+(?!\d))/g, ','); }
  // fmtAmount formats base units of a denom in its display unit ("1,234.5 EURt"), exactly (BigInt).
  function fmtAmount(amount, denom) {
    const u = unitOf(denom);
    let v;
    try { v = BigInt(amount); } catch (_) { return String(amount) + ' ' + denom; }
    const neg = v < 0n; if (neg) v = -v;
    const base = 10n ** BigInt(u.exponent);
    const whole = v / base, frac = v % base;
    let out = group(whole.toString());
    if (u.exponent > 0 && frac > 0n) {
      const digits = frac.toString().padStart(u.exponent, '0');
      // Currency-like units (up to 2 decimals) keep every decimal ("3,703.70 EURt"); finer ones drop trailing zeros.
      out += '.' + (u.exponent <= 2 ? digits : digits.replace(/0+$/, ''));
    }
    return (neg ? '-' : '') + out + ' ' + u.display;
  }
  // fmtPrice shows an offering's price (num/den cash base units per security base unit) per whole
  // security unit in the cash's display unit ("1.25 EURt per BRIDGE"), or the exact fraction when
  // it does not come out whole in cash base units.
  function fmtPrice(num, den, cash, sec) {
    try {
      const n = BigInt(num) * 10n ** BigInt(unitOf(sec).exponent), d = BigInt(den);
      if (d > 0n && n % d === 0n) return fmtAmount((n / d).toString(), cash) + ' per ' + unitOf(sec).display;
    } catch (_) { /* fall through to the fraction */ }
    return num + '/' + den + ' ' + cash + ' per ' + sec;
  }
  function amt(amount, denom, attrs) {
    return h('span', Object.assign({ 'data-amount': amount, 'data-denom': denom, title: amount + ' ' + denom, text: fmtAmount(amount, denom) }, attrs || {}));
  }
  function coinStr(c) { // "5000ubridge" -> [amount, denom]
    const m = /^(\d+)(.*)$/.exec(c || ''); return m ? [m[1], m[2]] : [c, ''];
  }
  function fmtInt(n) { return group(String(n)); }
  function fmtTime(t) {
    if (t === undefined || t === null || t === 0 || t === '') return '—';
    const d = typeof t === 'number' ? new Date(t * 1000) : new Date(t);
    if (isNaN(d)) return String(t);
    return d.toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z').replace(/Z$/, ' UTC');
  }
  function short(x, n) { n = n || 10; x = String(x || ''); return x.length > 2 * n + 1 ? x.slice(0, n) + '…' + x.slice(-6) : x; }
  function addrLink(a) { return a ? h('a', { href: '#/accounts/' + a, class: 'mono', title: a, text: short(a, 12) }) : '—'; }
  function txLink(hash) { return h('a', { href: '#/txs/' + hash, class: 'mono', title: hash, text: short(hash, 10) }); }
  function blockLink(ht) { return h('a', { href: '#/blocks/' + ht, text: '#' + fmtInt(ht) }); }
  function badge(text, kind) { return h('span', { class: 'badge' + (kind ? ' ' + kind : ''), text }); }
  function statusKind(st) {
    if (/released|settled|passed|executed|closed|paid|on_sale|active|allow|success/.test(st)) return 'ok';
    if (/disput|reject|fail|veto|refund|return|cancel|expired|bad/.test(st)) return 'bad';
    if (/hold|flag|claimed|signed|voting|open|pending/.test(st)) return 'warn';
    return '';
  }
  function card(label, testid, value, extra) {
    return h('div', { class: 'card' }, h('div', { class: 'k', text: label }), h('div', { class: 'v', testid }, value), extra ? h('div', { class: 'k' }, extra) : null);
  }
  function panel(title, ...kids) { return h('section', { class: 'panel', 'aria-label': title }, h('h2', { text: title }), kids); }
  function list(testid, items, empty) {
    const ul = h('ul', { class: 'list', testid });
    if (!items.length) ul.appendChild(h('li', { class: 'muted', 'data-empty': 'true', text: empty || 'None.' }));
    add(ul, items);
    return ul;
  }
  function errorBox(e) { return h('div', { class: 'err', role: 'alert', text: 'The API answered: ' + (e && e.message ? e.message : String(e)) }); }

  // Live events. stream() opens an EventSource on /v1/events with the given filter and calls onEvent
  // for each event's data; it resolves `replayed` once the replay of past events is done (the
  // stream has reached `untilHeight`, or has been quiet for a moment). Closed on navigation.
  function stream(query, onEvent, untilHeight, names) {
    const es = new EventSource(API + '/events' + (query ? '?' + query : ''));
    let done, quiet;
    const replayed = new Promise((res) => { done = res; });
    const arm = () => { clearTimeout(quiet); quiet = setTimeout(done, 400); };
    const cap = setTimeout(done, 4000);
    es.onopen = () => { arm(); setConn('live'); };
    es.onerror = () => { setConn('reconnecting to live events…'); };
    es.onmessage = () => {};
    const handler = (m) => {
      let d; try { d = JSON.parse(m.data); } catch (_) { return; }
      onEvent(d);
      if (untilHeight && d.height >= untilHeight) done(); else arm();
    };
    const types = names || [decodeURIComponent((/(?:^|&)type=([^&]+)/.exec(query || '') || [])[1] || 'message')];
    for (const t of types) es.addEventListener(t, handler);
    cleanups.push(() => { es.close(); clearTimeout(quiet); clearTimeout(cap); });
    return { es, replayed: replayed.then(() => clearTimeout(cap)) };
  }
  function setConn(t) { const c = document.getElementById('conn'); if (c) c.textContent = t ? 'Live events: ' + t + '.' : ''; }
  function every(ms, fn) { const id = setInterval(fn, ms); cleanups.push(() => clearInterval(id)); }
  function debounce(fn, ms) { let t; const d = () => { clearTimeout(t); t = setTimeout(fn, ms); }; cleanups.push(() => clearTimeout(t)); return d; }

  // ---------- page frame ----------
  function page(title, nav) {
    main.setAttribute('data-ready', 'false');
    main.replaceChildren(h('h1', { testid: 'page-title', text: title }));
    document.title = title + ' · Girder';
    for (const a of document.querySelectorAll('nav a')) {
      if (a.dataset.nav === nav) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
    }
    return main;
  }
  function ready(g) { if (g === gen) main.setAttribute('data-ready', 'true'); }

  // ---------- overview ----------
  async function overview(g) {
    page('Overview', 'overview');
    const st = await get('/status');
    if (g !== gen) return; // navigated away: nothing more of this page (see route)
    const cards = h('div', { class: 'cards' });
    const spark = h('div', { class: 'panel-chart' });
    const blocksBox = h('div'), txsBox = list('recent-txs', [], 'No txs in the recent blocks.');
    const projBox = h('div');
    add(main, cards, panel('Projects', projBox), panel('Block times', spark), h('div', { class: 'grid2' }, panel('Recent blocks', blocksBox), panel('Recent txs', txsBox)));
    // The chain's projects at a glance: milestones released and the latest offering of each.
    const projDone = (async () => {
      const res = await getOr('/projects?limit=6', { projects: [] });
      const ps = res.projects || [];
      const rows = await Promise.all(ps.map(async (p) => {
        const [ms, offs] = await Promise.all([getOr('/projects/' + enc(p.id) + '/milestones', []),
          p.security ? getOr('/offerings?security=' + enc(p.security), null) : null]);
        const released = (ms || []).filter((m) => m.status === 'released').length;
        const ol = (offs && offs.offerings) || [];
        const o = ol.length ? ol[ol.length - 1] : null;
        return h('li', { testid: 'overview-project', 'data-id': p.id, 'data-milestones': (ms || []).length, 'data-released': released },
          h('a', { href: '#/projects/' + enc(p.id), text: p.name || p.id }), badge(p.sector || ''), h('span', { class: 'muted', text: p.location || '' }),
          p.security ? h('span', {}, 'token ', h('strong', { text: unitOf(p.security).display })) : null,
          h('span', {}, released + ' of ' + (ms || []).length + ' milestones released'),
          o ? h('span', {}, 'offering #' + o.id + ' ', badge(o.status, statusKind(o.status)), ' raised ', amt(o.raised || '0', o.cash)) : null);
      }));
      if (g !== gen) return;
      add(projBox, list('overview-projects', rows, 'No projects on this chain yet.'),
        res.next ? h('p', {}, h('a', { href: '#/projects', text: 'All projects →' })) : null);
    })();
    const txs = [];
    let height = st.latest_block_height;
    const render = (fees, blocks, vals) => {
      const bl = blocks.blocks || [];
      const times = bl.map((b) => Date.parse(b.time));
      let interval = '—', rate = '—';
      if (bl.length > 1) {
        const span = (times[0] - times[times.length - 1]) / 1000;
        interval = (span / (bl.length - 1)).toFixed(2) + ' s';
        const n = bl.slice(0, -1).reduce((a, b) => a + b.num_txs, 0);
        rate = span > 0 ? (n / span).toFixed(2) + ' tx/s' : '—';
      }
      const proposers = new Set(bl.map((b) => b.proposer));
      if (bl.length && bl[0].height > height) height = bl[0].height;
      cards.replaceChildren(
        card('Chain id', 'chain-id', st.chain_id),
        card('Height', 'height', h('a', { href: '#/blocks/' + height, 'data-height': height, text: fmtInt(height) })),
        card('Block interval', 'block-interval', interval, 'mean of the last ' + Math.max(bl.length - 1, 0) + ' intervals'),
        card('Recent tx rate', 'tx-rate', rate, 'over the last ' + bl.length + ' blocks'),
        card('Validators', 'validators', String(vals.total), 'voting power ' + fmtInt(vals.total_power) + ' · ' + proposers.size + ' proposer(s) in the last ' + bl.length + ' blocks'),
        card('Base fee', 'base-fee', h('span', { 'data-amount': fees.base_fee, 'data-denom': fees.denom, text: fees.base_fee + ' ' + fees.denom + ' per gas' })),
        card('Total burnt', 'burnt', amt(fees.burnt, fees.denom), 'fee pool ' + fmtAmount(fees.pooled, fees.denom)),
      );
      spark.replaceChildren(blockTimeChart(bl));
      blocksBox.replaceChildren(list('recent-blocks', bl.slice(0, 12).map(blockRow)));
    };
    const refresh = async () => {
      const [fees, blocks, vals] = await Promise.all([get('/fees'), get('/blocks?limit=40'), get('/validators')]);
      if (g !== gen) return;
      render(fees, blocks, vals);
    };
    const renderTxs = () => {
      txsBox.replaceChildren(...(txs.length ? txs.slice(0, 12).map(txRowFromEvent) : [h('li', { class: 'muted', 'data-empty': 'true', text: 'No txs in the last 10,000 blocks.' })]));
    };
    await refresh();
    if (g !== gen) return;
    const soon = debounce(() => refresh().catch(() => {}), 250);
    const from = Math.max(1, st.latest_block_height - 10000);
    const { replayed } = stream('type=fees.charged&from_height=' + from, (d) => {
      if (!txs.some((t) => t.tx_hash === d.tx_hash)) { txs.unshift(d); txs.length = Math.min(txs.length, 50); renderTxs(); }
      if (d.height > height) { height = d.height; soon(); }
    }, st.latest_block_height);
    every(2000, () => refresh().catch(() => {}));
    await Promise.all([replayed, projDone]);
    renderTxs();
    ready(g);
  }
  function blockRow(b) {
    return h('li', { testid: 'block-row', 'data-height': b.height },
      blockLink(b.height), h('span', { class: 'muted', text: fmtTime(b.time) }),
      h('span', { text: b.num_txs + (b.num_txs === 1 ? ' tx' : ' txs') }), h('span', { class: 'mono muted', title: b.hash, text: short(b.hash, 8) }));
  }
  function txRowFromEvent(d) {
    const a = d.attributes || {};
    return h('li', { testid: 'tx-row', 'data-hash': d.tx_hash },
      txLink(d.tx_hash), h('span', {}, 'in ', blockLink(d.height)), h('span', { class: 'muted' }, 'payer ', addrLink(a.payer)),
      a.total ? h('span', {}, 'fee ', amt(a.total, feeDenom)) : null);
  }
  function txRow(t) {
    return h('li', { testid: 'tx-row', 'data-hash': t.hash },
      txLink(t.hash), h('span', {}, 'in ', blockLink(t.height)),
      h('span', { text: (t.msgs || []).map((m) => m.type).join(', ') }),
      t.code === 0 ? badge('success', 'ok') : badge('failed: ' + (t.codespace || '') + ' ' + t.code, 'bad'));
  }
  // A chart is a figure: HTML labels (they keep their size at any width) around an SVG drawing
  // stretched to the width (preserveAspectRatio none, strokes not scaled).
  function chartBox(testid, label, top, drawing, axis) {
    return h('figure', { class: 'chartbox', testid, role: 'img', 'aria-label': label, title: label },
      top ? h('div', { class: 'axis' }, top) : null, drawing, axis ? h('div', { class: 'axis' }, axis) : null);
  }
  function drawing(W, H, px, ...kids) {
    return s('svg', { viewBox: '0 0 ' + W + ' ' + H, preserveAspectRatio: 'none', style: 'height:' + px + 'px', 'aria-hidden': 'true', focusable: 'false' }, ...kids);
  }
  function blockTimeChart(bl) {
    const pts = [];
    for (let i = bl.length - 1; i > 0; i--) pts.push({ h: bl[i - 1].height, dt: (Date.parse(bl[i - 1].time) - Date.parse(bl[i].time)) / 1000 });
    const W = 600, H = 100, P = 2;
    const max = Math.max(0.001, ...pts.map((p) => p.dt));
    const x = (i) => P + (i * (W - 2 * P)) / Math.max(1, pts.length - 1);
    const y = (v) => H - 2 - (v / max) * (H - 6);
    const d = pts.map((p, i) => (i ? 'L' : 'M') + x(i).toFixed(1) + ' ' + y(p.dt).toFixed(1)).join(' ');
    const label = pts.length ? 'Block times of blocks ' + pts[0].h + ' to ' + pts[pts.length - 1].h + ': from ' + Math.min(...pts.map((p) => p.dt)).toFixed(2) + ' s to ' + max.toFixed(2) + ' s' : 'No block times yet';
    return chartBox('block-time-chart', label,
      h('span', { text: pts.length ? 'max ' + max.toFixed(2) + ' s between blocks' : 'No block times yet' }),
      drawing(W, H, 90,
        s('line', { x1: 0, x2: W, y1: H - 1, y2: H - 1, stroke: '#d9dee5', 'vector-effect': 'non-scaling-stroke' }),
        pts.length ? s('path', { d, fill: 'none', stroke: '#0b5cad', 'stroke-width': 2, 'vector-effect': 'non-scaling-stroke' }) : null),
      pts.length ? [h('span', { text: 'height ' + pts[0].h }), h('span', { text: 'height ' + pts[pts.length - 1].h })] : null);
  }

  // ---------- projects ----------
  async function projects(g) {
    page('Projects', 'projects');
    const res = await get('/projects');
    const ps = res.projects || [];
    add(main, panel(ps.length + (ps.length === 1 ? ' project' : ' projects'), list('projects', ps.map((p) => h('li', { testid: 'project-row', 'data-id': p.id },
      h('a', { href: '#/projects/' + enc(p.id), text: p.name || p.id }), h('span', { class: 'mono muted', text: p.id }),
      badge(p.sector || ''), h('span', { class: 'muted', text: p.location || '' }),
      p.security ? h('span', {}, 'token ', h('strong', { text: unitOf(p.security).display })) : null)), 'No projects on this chain yet.')));
    ready(g);
  }

  async function project(g, id) {
    page('Project', 'projects');
    const p = await get('/projects/' + enc(id));
    if (g !== gen) return;
    main.querySelector('h1').replaceChildren(h('span', { testid: 'project-name', text: p.name || p.id }));
    document.title = (p.name || p.id) + ' · Girder';
    const q = (path) => getOr(path, null);
    const [milestones, timeline, documents, asset, offerings, dists, passes, proposals] = await Promise.all([
      q('/projects/' + enc(id) + '/milestones'), timelineOf(id), q('/projects/' + enc(id) + '/documents'),
      p.security ? q('/assets/' + enc(p.security)) : null,
      p.security ? q('/offerings?security=' + enc(p.security)) : null,
      p.security ? q('/distributions/assets/' + enc(p.security) + '/distributions') : null,
      q('/passes/projects/' + enc(id) + '/classes'),
      p.security ? q('/governance/proposals?dao=' + enc(p.security)) : null, // no token, no DAO
    ]);
    if (g !== gen) return;
    add(main, h('p', { class: 'muted', text: [p.description, p.location, p.sector].filter(Boolean).join(' · ') }));

    // token and supply
    add(main, h('div', { class: 'cards' },
      card('Token', 'token', p.security ? h('a', { href: '#/explorer', title: p.security, text: (asset && asset.symbol) || p.security }) : 'none', asset ? asset.name + ' (' + p.security + ')' : ''),
      card('Supply', 'supply', asset ? amt(asset.supply || asset.minted || '0', asset.denom) : '—', asset && asset.max_supply ? 'max ' + fmtAmount(asset.max_supply, asset.denom) : ''),
      card('Treasury', 'treasury', addrLink(p.treasury)),
      card('Concession', 'concession', fmtTime(p.concession_start).slice(0, 10) + ' → ' + fmtTime(p.concession_end).slice(0, 10)),
    ));

    // offering
    const offs = (offerings && offerings.offerings) || [];
    add(main, panel('Offering', offs.length ? offs.map(offeringView) : h('p', { class: 'muted', text: 'No offering of this token.' })));

    // milestones timeline
    const msBox = h('div');
    const renderMs = (ms, tl) => {
      const recs = (tl && tl.records) || [];
      msBox.replaceChildren(h('ol', { class: 'timeline', testid: 'milestones' }, ms.slice().sort((a, b) => (a.due || 0) - (b.due || 0)).map((m) => milestoneView(m, recs))));
      if (!ms.length) add(msBox, h('p', { class: 'muted', text: 'No milestones yet.' }));
      if (tl && tl.truncated) add(msBox, h('p', { class: 'muted', text: 'Showing the first ' + fmtInt(recs.length) + ' timeline records; GET /v1/projects/' + id + '/timeline pages through the rest.' }));
    };
    renderMs(milestones || [], timeline);
    add(main, panel('Milestones', msBox));

    const docs = documents || [];
    const stake = p.stakeholders || [];
    add(main, h('div', { class: 'grid2' },
      panel('Documents', list('documents', docs.concat((asset && asset.documents) || []).map((d) => h('li', { testid: 'document', 'data-name': d.name },
        safeURL(d.uri) ? h('a', { href: d.uri, rel: 'noopener noreferrer', text: d.name }) : h('span', { title: d.uri, text: d.name }), badge('v' + d.version), h('code', { title: 'SHA-256', text: d.hash }),
        h('span', { class: 'muted' }, d.asset ? 'asset ' + unitOf(d.asset).display : 'project', ' · ', blockLink(d.height)))), 'No documents.')),
      panel('Stakeholders', list('stakeholders', stake.map((x) => h('li', { testid: 'stakeholder', 'data-role': x.role, 'data-account': x.account },
        badge(x.role.replace(/_/g, ' ')), addrLink(x.account), h('span', { class: 'muted' }, 'since ', blockLink(x.height)))), 'No stakeholders.')),
      panel('Treasury balances', list('treasury', (p.treasury_balances || []).map((c) => h('li', { testid: 'treasury-balance', 'data-denom': c.denom }, amt(c.amount, c.denom))), 'The treasury holds nothing.'),
        (p.escrowed || []).length ? h('p', { class: 'muted' }, 'In tranche escrow: ', (p.escrowed || []).map((c, i) => [i ? ', ' : '', amt(c.amount, c.denom)])) : null),
      panel('Distributions', list('distributions', ((dists && dists.distributions) || []).map((d) => h('li', { testid: 'distribution', 'data-id': d.id },
        h('strong', { text: '#' + d.id }), d.memo ? h('span', { text: d.memo }) : null, amt(d.amount.amount, d.amount.denom), badge(d.status, statusKind(d.status)),
        h('span', { class: 'muted' }, 'paid ', amt(d.paid, d.amount.denom), ' · withheld ', amt(d.withheld, d.amount.denom), ' · record height ', blockLink(d.checkpoint_height)))), 'No distributions.')),
    ));

    const classes = (passes && passes.classes) || [];
    add(main, panel('Passes', list('pass-classes', classes.map((c) => h('li', { testid: 'pass-class', 'data-id': c.id },
      h('strong', { text: c.name }), amt(c.price.amount, c.price.denom), h('span', { text: c.uses ? c.uses + ' uses' : 'unlimited uses' }),
      h('span', { class: 'muted', text: 'sold ' + fmtInt(c.sold) + ' of ' + fmtInt(c.max_supply) }), badge(c.status, statusKind(c.status)),
      h('span', { class: 'muted', text: c.valid_from ? 'valid ' + fmtTime(c.valid_from).slice(0, 10) + ' → ' + fmtTime(c.valid_until).slice(0, 10) : 'valid ' + (c.validity && c.validity.kind || '').replace(/_/g, ' ') }))), 'No pass classes.')));

    const props = (proposals && proposals.proposals) || [];
    const propBox = h('div');
    add(main, panel('Proposals', propBox));
    const renderProps = (ps) => propBox.replaceChildren(list('proposals', ps.map((x) => proposalView(x, p.security)), 'No proposals.'));
    renderProps(props);
    const st = await get('/status');
    if (g !== gen) return;
    // live timeline: milestones and their records again after each of this project's events
    const msAgain = debounce(async () => {
      const [m2, t2] = await Promise.all([getOr('/projects/' + enc(id) + '/milestones', null), timelineOf(id)]);
      if (m2 && t2 && g === gen) renderMs(m2, t2);
    }, 300);
    stream('module=projects&from_height=' + (st.latest_block_height + 1), (d) => { if ((d.attributes || {}).project === id) msAgain(); }, 0,
      ['projects.report_posted', 'projects.attested', 'projects.entry_disputed', 'projects.milestone_planned', 'projects.milestone_funded', 'projects.milestone_awaiting_funds',
        'projects.milestone_claimed', 'projects.milestone_sign_off', 'projects.milestone_signed_off', 'projects.milestone_disputed', 'projects.milestone_resolved',
        'projects.milestone_released', 'projects.milestone_cancelled', 'projects.milestone_late']);
    // live tallies: refetch the proposals when a vote or a governance event commits
    if (p.security) {
      const again = debounce(async () => {
        const r = await getOr('/governance/proposals?dao=' + enc(p.security), null);
        if (r && g === gen) renderProps(r.proposals || []);
      }, 200);
      stream('module=governance&from_height=' + (st.latest_block_height + 1), again, 0,
        ['governance.vote', 'governance.proposal_submitted', 'governance.approved', 'governance.proposal_passed', 'governance.proposal_rejected', 'governance.proposal_vetoed', 'governance.proposal_executed', 'governance.execution_failed', 'governance.voting_extended']);
    }
    ready(g);
  }

  function offeringView(o) {
    const sec = o.security, cash = o.cash;
    const sub = BigInt(o.subscribed || '0'), soft = BigInt(o.soft_cap || '0'), hard = BigInt(o.hard_cap || '1') || 1n;
    const W = 1000, H = 30;
    const x = (v) => Number((v * 10000n) / hard) / 10000 * W;
    const pct = (v) => Number((v * 1000n) / hard) / 10;
    const label = 'Offering ' + o.id + ': ' + fmtAmount(o.subscribed, sec) + ' subscribed of a hard cap of ' + fmtAmount(o.hard_cap, sec) + ' (soft cap ' + fmtAmount(o.soft_cap, sec) + ')';
    const bar = chartBox('offering-chart', label,
      h('span', { class: 'softcap', style: 'margin-left:' + Math.min(85, pct(soft)) + '%', text: '▼ soft cap' }),
      drawing(W, H, 26,
        s('rect', { x: 0, y: 4, width: W, height: H - 8, fill: '#e8edf3' }),
        s('rect', { x: 0, y: 4, width: Math.max(0, x(sub > hard ? hard : sub)), height: H - 8, fill: sub >= soft ? '#1a7f37' : '#0b5cad' }),
        s('line', { x1: x(soft), x2: x(soft), y1: 0, y2: H, stroke: '#b35900', 'stroke-width': 2, 'vector-effect': 'non-scaling-stroke' })),
      [h('span', { class: 'strong', text: pct(sub) + ' % subscribed' }), h('span', { text: 'hard cap' })]);
    return h('div', { testid: 'offering', 'data-id': o.id },
      h('p', {}, h('strong', { text: 'Offering #' + o.id + ' ' }), badge(o.status, statusKind(o.status)), ' ',
        h('span', { class: 'muted', text: 'price ' + fmtPrice(o.price_num, o.price_den, cash, sec) + ' · window ' + fmtTime(o.start) + ' → ' + fmtTime(o.end) })),
      bar,
      h('div', { class: 'cards' },
        card('Raised', 'offering-raised', amt(o.raised, cash), fmtInt(o.subscribers) + ' subscribers'),
        card('Subscribed', 'offering-subscribed', amt(o.subscribed, sec)),
        card('Soft cap', 'offering-soft-cap', amt(o.soft_cap, sec)),
        card('Hard cap', 'offering-hard-cap', amt(o.hard_cap, sec))));
  }

  // timelineOf reads a project's whole timeline, page by page (500 records a page), up to 10,000
  // records; truncated says whether more exist.
  async function timelineOf(id) {
    let records = [], after = 0;
    for (let i = 0; i < 20; i++) {
      const r = await getOr('/projects/' + enc(id) + '/timeline?limit=500' + (after ? '&after=' + after : ''), null);
      if (!r) return i ? { records, truncated: false } : null;
      records = records.concat(r.records || []);
      if (!r.next) return { records, truncated: false };
      after = r.next;
    }
    return { records, truncated: true };
  }

  function milestoneView(m, recs) {
    const evs = recs.filter((r) => r.milestone === m.id && r.kind !== 'milestone_planned');
    const kindText = { report: 'Progress report', attestation: 'Attestation', dispute: 'Dispute', milestone_funded: 'Tranche funded', milestone_claimed: 'Claimed', milestone_sign_off: 'Sign-off', milestone_signed_off: 'Signed off', milestone_released: 'Tranche released', milestone_returned: 'Tranche returned', milestone_disputed: 'Dispute' };
    return h('li', { testid: 'milestone', 'data-id': m.id, 'data-status': m.status },
      h('div', {}, h('strong', { text: m.id }), ' ', badge(m.status.replace(/_/g, ' '), statusKind(m.status)), ' ', h('span', { text: m.description || '' })),
      h('div', { class: 'muted' }, 'due ', fmtTime(m.due).slice(0, 10), ' · tranche ', amt(m.tranche.amount, m.tranche.denom),
        m.funded ? ' (funded)' : ' (not funded)', ' · released ', amt(m.released || '0', m.tranche.denom), ' · sign-off by ', String(m.policy && m.policy.min), ' of ', ((m.policy && m.policy.roles) || []).join(', ').replace(/_/g, ' ')),
      evs.length ? h('ul', { class: 'list ev' }, evs.map((r) => h('li', { 'data-kind': r.kind, testid: r.kind === 'attestation' ? 'attestation' : (/disput/.test(r.kind) ? 'dispute' : (r.kind === 'milestone_released' ? 'released-tranche' : 'timeline-record')) },
        h('span', { text: kindText[r.kind] || r.kind.replace(/_/g, ' ') }),
        r.role ? badge(r.role.replace(/_/g, ' ')) : (r.roles && r.roles.length ? badge(r.roles.join(', ').replace(/_/g, ' ')) : null),
        r.amount ? amt(r.amount.amount, r.amount.denom) : null,
        r.note ? h('span', { class: 'muted', text: r.note }) : null,
        r.by ? addrLink(r.by) : null, blockLink(r.height)))) : null);
  }

  function proposalView(x, dao) {
    const t = x.tally || {};
    const denom = x.dao || dao || '';
    const tal = (k) => h('span', { testid: 'tally-' + k, 'data-amount': t[k] || '0', 'data-denom': denom, text: k + ' ' + fmtAmount(t[k] || '0', denom) });
    return h('li', { testid: 'proposal', 'data-id': x.id, 'data-status': x.status },
      h('strong', { text: '#' + x.id + ' ' + (x.title || '') }), badge(x.status, statusKind(x.status)),
      h('span', { class: 'muted', text: x.summary || '' }),
      h('span', { class: 'tally' }, tal('yes'), ' · ', tal('no'), ' · ', tal('abstain'), ' · ', tal('veto')),
      h('span', { class: 'muted' }, 'eligible ', amt(x.eligible || '0', denom), ' · quorum ', x.quorum_reached ? 'reached' : 'not reached', ' · voting ends ', fmtTime(x.voting_end)),
      h('span', { class: 'muted', text: 'msgs: ' + (x.msgs || []).map((m) => m.Type || m.type).join(', ') }));
  }

  // ---------- portfolio ----------
  async function portfolio(g, addr) {
    page(addr ? 'Portfolio' : 'Portfolio', 'portfolio');
    const input = h('input', { id: 'pf-addr', type: 'text', value: addr || '', placeholder: 'gir1…', 'aria-label': 'Address', spellcheck: 'false', autocomplete: 'off' });
    add(main, h('form', { class: 'inline', on: { submit: (e) => { e.preventDefault(); const v = input.value.trim(); if (v) location.hash = '#/portfolio/' + v; } } },
      h('label', { for: 'pf-addr', class: 'sr', text: 'Address' }), input, h('button', { type: 'submit', text: 'Show portfolio' })));
    if (!addr) {
      add(main, h('p', { class: 'muted', text: 'Enter an address (gir1…) to see its holdings, claimable dividends, passes, votes and history.' }));
      ready(g);
      return;
    }
    main.querySelector('h1').textContent = 'Portfolio of ' + short(addr, 12);
    const [bal, assets, passes, props, hist, subs] = await Promise.all([
      get('/accounts/' + enc(addr) + '/balances'), get('/assets'), getOr('/passes/holders/' + enc(addr), { passes: [] }),
      getOr('/governance/proposals', { proposals: [] }), get('/accounts/' + enc(addr) + '/txs?limit=30'),
      getOr('/accounts/' + enc(addr) + '/subscriptions', { subscriptions: [] }),
    ]);
    // claimable dividends: every distribution of every security, the holder's entitlement
    const secs = (assets || []).filter((a) => a.kind === 'security');
    const dl = await Promise.all(secs.map((a) => getOr('/distributions/assets/' + enc(a.denom) + '/distributions', { distributions: [] })));
    const dists = dl.flatMap((d) => d.distributions || []);
    const ents = (await Promise.all(dists.map((d) => getOr('/distributions/entitlements/' + d.id + '/' + enc(addr), null)))).filter((e) => e && e.gross && e.gross.amount !== '0');
    const propList = props.proposals || [];
    const votes = (await Promise.all(propList.map((p) => getOr('/governance/proposals/' + p.id + '/votes/' + enc(addr), null)
      .then((v) => (v ? [Object.assign({ title: p.title, dao: p.dao }, v)] : []))))).flat();
    if (g !== gen) return;
    add(main, h('p', {}, h('span', { class: 'mono', testid: 'portfolio-address', text: addr }), ' · ', h('a', { href: '#/accounts/' + addr, text: 'account in the explorer' })));
    add(main, h('div', { class: 'grid2' },
      panel('Holdings', list('holdings', (bal.balances || []).map((c) => h('li', { testid: 'holding', 'data-denom': c.denom, 'data-amount': c.amount, text: fmtAmount(c.amount, c.denom) })), 'This address holds nothing.')),
      panel('Claimable dividends', list('claimables', ents.map((e) => h('li', { testid: 'claimable', 'data-id': e.distribution, 'data-claimable': String(!!e.claimable) },
        h('strong', { text: 'Distribution #' + e.distribution }), amt(e.net.amount, e.net.denom),
        h('span', { class: 'muted' }, 'gross ', amt(e.gross.amount, e.gross.denom), ' · withheld ', amt(e.withheld.amount, e.withheld.denom), ' (', e.jurisdiction || '—', ')'),
        e.paid ? badge('paid', 'ok') : (e.claimable ? badge('claimable', 'warn') : badge('not claimable')))), 'Nothing to claim.')),
      panel('Passes', list('passes', (passes.passes || []).map((x) => h('li', { testid: 'pass', 'data-id': x.id },
        h('strong', { text: 'Pass #' + x.id }), h('span', { text: x.class_name || ('class ' + x.class) }),
        h('span', { 'data-uses-left': x.class_uses === 0 ? 'unlimited' : (x.uses_left || 0),
          text: x.class_uses === 0 ? ('unlimited uses' + (x.used ? ' (' + x.used + ' so far)' : '')) : ((x.uses_left || 0) + ' of ' + x.class_uses + ' uses left') }),
        badge(x.status || '', statusKind(x.status || '')),
        h('span', { class: 'muted', text: x.valid_from ? ('valid ' + fmtTime(x.valid_from).slice(0, 10) + ' → ' + fmtTime(x.valid_until).slice(0, 10)) : 'valid from the service opening (not open yet)' }))), 'No passes.')),
      panel('Votes', list('votes', votes.map((v) => h('li', { testid: 'vote', 'data-proposal': v.proposal, 'data-option': v.option },
        h('strong', { text: 'Proposal #' + v.proposal }), h('span', { text: v.title || '' }), badge(v.option), h('span', {}, 'weight ', amt(v.weight, v.dao)), blockLink(v.height))), 'No votes.')),
    ));
    if ((subs.subscriptions || []).length) {
      add(main, panel('Subscriptions', list('subscriptions', subs.subscriptions.map((x) => h('li', { testid: 'subscription' },
        h('strong', { text: 'Offering #' + x.offering }), h('span', { text: '' }), badge(x.status, statusKind(x.status)), h('span', { class: 'muted', text: x.counted_as || '' }), blockLink(x.height))))));
    }
    add(main, panel('History', h('p', { class: 'muted', text: fmtInt(hist.total || 0) + ' txs involve this address; the newest ' + (hist.txs || []).length + ':' }),
      list('history', (hist.txs || []).map((t) => { const li = txRow(t); li.setAttribute('data-testid', 'history'); return li; }), 'No txs.')));
    ready(g);
  }

  // ---------- compliance ----------
  async function compliance(g) {
    page('Compliance', 'compliance');
    const [alerts, holds, rules, st] = await Promise.all([get('/compliance/alerts?limit=100'), get('/compliance/holds?status=open&limit=100'), get('/compliance/rules'), get('/status')]);
    if (g !== gen) return;
    const alertBox = h('div'), holdBox = h('div');
    const renderAH = (al, ho) => {
      alertBox.replaceChildren(list('alerts', (al.alerts || []).map((a) => h('li', { testid: 'alert', 'data-id': a.id, 'data-status': a.status || '' },
        h('strong', { text: 'Alert #' + a.id }), badge(a.status || '', statusKind(a.status || '')), a.severity ? badge(a.severity, 'warn') : null,
        h('span', { text: 'rule ' + (a.rule || '') }), a.amount ? amtOf(a.amount, a.asset) : null,
        h('span', { class: 'muted' }, addrLink(a.from), ' → ', addrLink(a.to)), a.reason ? h('span', { class: 'muted', text: a.reason }) : null)), 'No alerts.'));
      holdBox.replaceChildren(list('holds', (ho.holds || []).map((x) => h('li', { testid: 'hold', 'data-id': x.id },
        h('strong', { text: 'Hold #' + x.id }), badge(x.status || 'open', 'warn'), h('span', { text: 'rule ' + (x.rule || '') }), x.amount ? amtOf(x.amount, x.asset) : null,
        h('span', { class: 'muted' }, addrLink(x.from), ' → ', addrLink(x.to)), x.deadline ? h('span', { class: 'muted', text: 'deadline ' + fmtTime(x.deadline) }) : null)), 'No open holds.'));
    };
    renderAH(alerts, holds);
    // A decision (or an officer's action) changes alerts and holds: fetch them again.
    const refreshAH = debounce(async () => {
      const [al, ho, rs] = await Promise.all([getOr('/compliance/alerts?limit=100', null), getOr('/compliance/holds?status=open&limit=100', null), getOr('/compliance/rules', null)]);
      if (g !== gen) return;
      if (al && ho) renderAH(al, ho);
      if (rs) renderRules(rs);
    }, 300);
    add(main, h('div', { class: 'grid2' }, panel('Alerts', alertBox), panel('Open holds', holdBox)));
    const rulesBox = h('div');
    const renderRules = (rs) => rulesBox.replaceChildren(list('rules', (rs || []).map((r) => h('li', { testid: 'rule-set', 'data-scope': r.asset || 'chain', 'data-version': r.version },
      h('strong', { text: r.asset ? unitOf(r.asset).display : 'chain-wide' }), (r.rules || []).map((x) => badge(x.id + ': ' + x.kind + ' → ' + x.outcome)), h('span', { class: 'muted', text: 'version ' + r.version }))), 'No rules.'));
    renderRules(rules);
    add(main, panel('Rules', rulesBox));
    const from = Math.max(1, st.latest_block_height - 5000);
    const decBox = h('div'), byRule = h('div'), flowBox = h('div');
    add(main, panel('Recent decisions by rule', byRule, decBox));
    add(main, panel('Flows per asset', h('p', { class: 'muted', text: 'Transferred amounts per asset (bank.transfer events) from height ' + from + ', in blocks of heights.' }), flowBox));
    const decisions = [], transfers = [];
    const renderDec = () => {
      const counts = {};
      for (const d of decisions) { const k = d.attributes.rule || '?'; counts[k] = counts[k] || {}; counts[k][d.attributes.outcome] = (counts[k][d.attributes.outcome] || 0) + 1; }
      byRule.replaceChildren(h('table', { testid: 'decisions-by-rule' }, h('thead', {}, h('tr', {}, h('th', { text: 'Rule' }), h('th', { text: 'Decisions' }))),
        h('tbody', {}, Object.keys(counts).sort().map((k) => h('tr', { 'data-rule': k }, h('td', { text: k }), h('td', { text: Object.entries(counts[k]).map(([o, n]) => o + ' ' + n).join(', ') }))))));
      decBox.replaceChildren(list('decisions', decisions.slice(0, 50).map((d) => { const a = d.attributes; const [am, dn] = coinStr(a.amount);
        return h('li', { testid: 'decision', 'data-rule': a.rule, 'data-outcome': a.outcome },
          badge(a.outcome, statusKind(a.outcome)), h('span', { text: 'rule ' + a.rule }), a.amount ? amt(am, dn || a.asset) : null,
          h('span', { class: 'muted' }, addrLink(a.from), ' → ', addrLink(a.to)), a.reason ? h('span', { class: 'muted', text: a.reason }) : null,
          d.tx_hash ? txLink(d.tx_hash) : null, blockLink(d.height)); }), 'No decisions other than allow since height ' + from + '.'));
    };
    const renderFlows = () => flowBox.replaceChildren(flowChart(transfers, from, Math.max(st.latest_block_height, ...transfers.map((t) => t.height))));
    const later = debounce(() => { renderDec(); renderFlows(); }, 150);
    // One compliance stream: decisions replayed and live; any live compliance event (a decision,
    // rules set, a hold decided or expired, an alert closed) fetches alerts, holds and rules again.
    const a = stream('module=compliance&from_height=' + from, (d) => {
      if (d.type === 'compliance.decision') { decisions.unshift(d); later(); }
      if (d.height > st.latest_block_height) refreshAH();
    }, st.latest_block_height, ['compliance.decision', 'compliance.alert_closed', 'compliance.hold_decided', 'compliance.hold_expired', 'compliance.rules_set']);
    const b = stream('type=bank.transfer&from_height=' + from, (d) => { transfers.push(d); later(); }, st.latest_block_height);
    renderDec(); renderFlows();
    await Promise.all([a.replayed, b.replayed]);
    renderDec(); renderFlows();
    ready(g);
  }
  function amtOf(a, asset) { if (typeof a === 'object') return amt(a.amount, a.denom); const [x, d] = coinStr(a); return amt(x, d || asset); }

  function flowChart(transfers, from, to) {
    const per = {};
    const bins = 30, span = Math.max(1, to - from + 1), w = Math.ceil(span / bins);
    for (const t of transfers) {
      const [x, d] = coinStr(t.attributes.amount); if (!d) continue;
      let v; try { v = BigInt(x); } catch (_) { continue; }
      const i = Math.min(bins - 1, Math.floor((t.height - from) / w));
      (per[d] = per[d] || Array(bins).fill(0n))[i] += v;
    }
    const denoms = Object.keys(per).sort();
    const label = 'Transferred amount per asset from height ' + from + ' to ' + to + ' in ' + bins + ' buckets of ' + w + ' heights: ' +
      denoms.map((d) => unitOf(d).display + ' total ' + fmtAmount(per[d].reduce((a, b) => a + b, 0n).toString(), d)).join('; ');
    const W = bins * 10, H = 50;
    const rows = denoms.map((d, r) => {
      const vals = per[d], max = vals.reduce((a, b) => (b > a ? b : a), 1n);
      const total = vals.reduce((a, b) => a + b, 0n);
      const bars = [s('line', { x1: 0, x2: W, y1: H, y2: H, stroke: '#d9dee5', 'vector-effect': 'non-scaling-stroke' })];
      vals.forEach((v, i) => {
        if (v === 0n) return;
        const hh = Math.max(1, Number((v * 1000n) / max) / 1000 * (H - 2));
        bars.push(s('rect', { x: i * 10 + 1, y: (H - hh).toFixed(2), width: 8, height: hh.toFixed(2), fill: ['#0b5cad', '#1a7f37', '#b35900', '#6f42c1'][r % 4] },
          s('title', { text: unitOf(d).display + ', heights ' + (from + i * w) + '–' + (from + (i + 1) * w - 1) + ': ' + fmtAmount(v.toString(), d) })));
      });
      return h('div', { class: 'flowrow', testid: 'flow-row', 'data-denom': d, 'data-total': total.toString(), 'data-max': max.toString() },
        h('div', {}, h('strong', { text: unitOf(d).display }), h('div', { class: 'muted small', text: 'max ' + fmtAmount(max.toString(), d).replace(/ \S+$/, '') + ' per bucket' })),
        s('svg', { viewBox: '0 0 ' + W + ' ' + H, preserveAspectRatio: 'none', style: 'height:56px', 'aria-hidden': 'true', focusable: 'false' }, ...bars));
    });
    return h('figure', { class: 'chartbox', testid: 'flow-chart', 'data-from': from, 'data-to': to, role: 'img', 'aria-label': label, title: label },
      denoms.length ? rows : h('p', { class: 'muted', text: 'No transfers in this range.' }),
      h('div', { class: 'flowrow' }, h('div'), h('div', { class: 'axis' }, h('span', { text: 'height ' + from }), h('span', { text: 'height ' + to }))));
  }

  // ---------- explorer ----------
  async function explorer(g) {
    page('Explorer', 'explorer');
    const st = await get('/status');
    if (g !== gen) return;
    const blocksBox = h('div'), txsBox = list('txs', [], 'No txs in the last 10,000 blocks.');
    let cursor = null;
    const more = h('button', { class: 'link', type: 'button', text: 'Older blocks' });
    const blocksList = list('blocks', []);
    add(blocksBox, blocksList, h('div', { class: 'pager' }, more));
    add(main, h('div', { class: 'grid2' }, panel('Blocks', blocksBox), panel('Txs', txsBox)));
    const load = async () => {
      const r = await get('/blocks?limit=20' + (cursor ? '&cursor=' + enc(cursor) : ''));
      if (g !== gen) return;
      for (const e of blocksList.querySelectorAll('[data-empty]')) e.remove();
      add(blocksList, (r.blocks || []).map(blockRow));
      cursor = r.next || null; more.hidden = !cursor;
    };
    more.addEventListener('click', () => load().catch(() => {}));
    await load();
    if (g !== gen) return;
    let top = Number((blocksList.querySelector('[data-height]') || { dataset: { height: 0 } }).dataset.height);
    every(2000, async () => {
      const r = await get('/blocks?limit=20&from=' + (top + 1)).catch(() => null);
      if (!r || g !== gen) return;
      const fresh = (r.blocks || []).filter((b) => b.height > top);
      if (fresh.length) { top = fresh[0].height; blocksList.prepend(...fresh.map(blockRow)); }
    });
    const txs = [];
    const { replayed } = stream('type=fees.charged&from_height=' + Math.max(1, st.latest_block_height - 10000), (d) => {
      if (txs.some((t) => t.tx_hash === d.tx_hash)) return;
      txs.unshift(d);
      for (const e of txsBox.querySelectorAll('[data-empty]')) e.remove();
      txsBox.prepend(txRowFromEvent(d));
      while (txsBox.children.length > 30) txsBox.lastChild.remove();
    }, st.latest_block_height);
    await replayed;
    ready(g);
  }

  async function block(g, height) {
    page('Block', 'explorer');
    const b = await get('/blocks/' + enc(height));
    if (g !== gen) return;
    main.querySelector('h1').replaceChildren('Block ', h('span', { testid: 'block-height', text: String(b.height) }));
    add(main, h('div', { class: 'cards' },
      card('Time', 'block-time', fmtTime(b.time)), card('Txs', 'block-num-txs', String(b.num_txs)),
      card('Hash', 'block-hash', h('span', { class: 'mono', text: b.hash })), card('Proposer', 'block-proposer', h('span', { class: 'mono', text: b.proposer })),
      card('App hash (after the previous block)', 'block-app-hash', h('span', { class: 'mono', text: b.app_hash }))));
    add(main, h('p', {}, b.height > 1 ? h('a', { href: '#/blocks/' + (b.height - 1), text: '← block ' + (b.height - 1) }) : null, ' ', h('a', { href: '#/blocks/' + (b.height + 1), text: 'block ' + (b.height + 1) + ' →' })));
    const txs = await Promise.all((b.tx_hashes || []).slice(0, 100).map((x) => getOr('/txs/' + x, { hash: x, height: b.height, msgs: [], code: 0 })));
    if (g !== gen) return;
    add(main, panel('Txs', list('block-txs', txs.map(txRow), 'This block has no txs.')));
    ready(g);
  }

  async function txPage(g, hash) {
    page('Tx', 'explorer');
    const t = await get('/txs/' + enc(hash));
    if (g !== gen) return;
    main.querySelector('h1').replaceChildren('Tx ', h('span', { class: 'mono', testid: 'tx-hash', text: t.hash }));
    const ok = t.code === 0;
    add(main, h('div', { class: 'cards' },
      card('Result', 'tx-result', ok ? badge('success (code 0)', 'ok') : h('span', {}, badge('failed', 'bad'), ' ', (t.codespace || '') + ' code ' + t.code), t.log || ''),
      card('Block', 'tx-height', blockLink(t.height), 'index ' + t.index),
      card('Signer', 'tx-signer', addrLink(t.signer), 'nonce ' + t.nonce),
      card('Fee', 'tx-fee', amt(t.fee, feeDenom), t.fee_limits ? 'max ' + fmtAmount(t.fee_limits.max_fee, feeDenom) : ''),
      card('Gas', 'tx-gas', fmtInt(t.gas_used) + ' used', 'of ' + fmtInt(t.gas_wanted) + ' wanted')));
    add(main, panel('Msgs', h('ol', { testid: 'tx-msgs', class: 'list' }, (t.msgs || []).map((m, i) => h('li', { testid: 'tx-msg', 'data-type': m.type },
      h('strong', { text: (i + 1) + '. ' + m.type }), h('pre', { text: JSON.stringify(m.value, null, 2) }))))));
    add(main, panel('Events', h('table', { testid: 'tx-events' }, h('thead', {}, h('tr', {}, h('th', { text: 'Event' }), h('th', { text: 'Attributes' }))),
      h('tbody', {}, (t.events || []).map((e) => h('tr', { testid: 'tx-event', 'data-type': e.type }, h('td', { class: 'mono', text: e.type }),
        h('td', {}, (e.attributes || []).map((a) => h('div', {}, h('span', { class: 'muted', text: a.key + ': ' }), h('span', { class: 'mono', text: a.value }))))))))));
    // State changes: the API re-runs the tx's block up to it over the state before the block.
    let ch = null, chErr = null;
    try { ch = await get('/txs/' + enc(hash) + '/changes'); } catch (e) { chErr = e; }
    if (g !== gen) return;
    if (!ch) {
      add(main, panel('State changes', h('p', { testid: 'tx-changes-unavailable', class: 'muted', text: 'Not available: ' + chErr.message })));
    } else {
      const sim = ch.simulation;
      const same = ch.matches_committed === true;
      add(main, panel('State changes',
        h('p', { testid: 'tx-replay', 'data-match': same ? 'true' : 'false', class: 'muted' },
          'Block ' + ch.height + ' re-run up to this tx (' + fmtInt(ch.replayed) + ' tx' + (ch.replayed === 1 ? '' : 's') + ') over the state committed at height ' + ch.state_at + ' (',
          h('code', {}, 'GET /v1/txs/…/changes'), '): ',
          same ? 'same result, gas and events as committed.' : h('strong', { text: 'the re-run differs from the committed result (re-run: code ' + sim.code + ', gas ' + sim.gas_used + ').' })),
        (sim.changes || []).length === 0 ? h('p', { testid: 'tx-changes-none', class: 'muted', text: 'The tx wrote nothing.' }) :
          h('table', { testid: 'tx-changes', class: 'changes' },
            h('thead', {}, h('tr', {}, h('th', { text: 'Module' }), h('th', { text: 'Key' }), h('th', { text: 'New value' }))),
            h('tbody', {}, sim.changes.map((c) => h('tr', { testid: 'tx-change', 'data-module': c.module || '', 'data-key': c.key, 'data-deleted': c.deleted ? 'true' : 'false' },
              h('td', {}, h('span', { class: 'mono', text: c.module || '?' }), c.record ? h('div', { class: 'muted small', 'data-record': c.record, text: c.record }) : null),
              h('td', { class: 'mono key', title: c.key, text: c.key_text }),
              h('td', {}, c.deleted ? badge('deleted', 'bad') : c.decoded !== undefined ? h('pre', { class: 'value', text: JSON.stringify(c.decoded) }) : h('span', { class: 'mono key', text: c.value }))))))));
    }
    ready(g);
  }

  async function account(g, addr) {
    page('Account', 'explorer');
    main.querySelector('h1').replaceChildren('Account ', h('span', { class: 'mono', testid: 'account-address', text: addr }));
    const [acct, bal, txs, roles] = await Promise.all([getOr('/accounts/' + enc(addr), null), get('/accounts/' + enc(addr) + '/balances'),
      get('/accounts/' + enc(addr) + '/txs?limit=30'), getOr('/accounts/' + enc(addr) + '/roles', null)]);
    if (g !== gen) return;
    add(main, h('div', { class: 'cards' },
      card('Key type', 'account-key-type', acct ? (acct.key_type || '—') : 'no account yet'), card('Next nonce', 'account-nonce', acct ? String(acct.nonce) : '—'),
      card('Created at', 'account-created', acct ? blockLink(acct.created_height) : '—'),
      card('Portfolio', 'account-portfolio', h('a', { href: '#/portfolio/' + addr, text: 'holdings, dividends, passes, votes' }))));
    const rl = roles && (roles.roles || (Array.isArray(roles) ? roles : []));
    add(main, h('div', { class: 'grid2' },
      panel('Balances', list('account-balances', (bal.balances || []).map((c) => h('li', { testid: 'account-balance', 'data-denom': c.denom, 'data-amount': c.amount, text: fmtAmount(c.amount, c.denom) })), 'No balances.')),
      panel('Roles', list('account-roles', (rl || []).map((r) => h('li', { testid: 'account-role' }, badge(String(r.role || r.name || JSON.stringify(r)).replace(/_/g, ' ')), r.granted_by ? h('span', { class: 'muted' }, 'granted by ', addrLink(r.granted_by)) : null)), 'No chain roles.'))));
    add(main, panel('Txs', h('p', { class: 'muted', text: fmtInt(txs.total || 0) + ' txs involve this address; the newest ' + (txs.txs || []).length + ':' }), list('account-txs', (txs.txs || []).map(txRow), 'No txs.')));
    ready(g);
  }

  // ---------- search and routing ----------
  function searchTarget(q) {
    q = q.trim();
    if (!q) return null;
    if (/^\d+$/.test(q)) return '#/blocks/' + q;
    const hex = q.replace(/^0x/i, '');
    if (/^[0-9a-fA-F]{64}$/.test(hex)) return '#/txs/' + hex.toUpperCase();
    if (/^gir1[02-9ac-hj-np-z]{20,}$/i.test(q)) return '#/accounts/' + q.toLowerCase();
    return '#/projects/' + enc(q);
  }
  document.getElementById('search').addEventListener('submit', (e) => {
    e.preventDefault();
    const input = document.getElementById('search-input');
    const t = searchTarget(input.value);
    if (t) { if (location.hash === t) route(); else location.hash = t; }
  });

  async function route() {
    for (const c of cleanups.splice(0)) { try { c(); } catch (_) { /* closed already */ } }
    setConn('');
    const g = ++gen;
    const raw = (location.hash || '#/').replace(/^#/, '');
    let path;
    try { path = decodeURIComponent(raw) || '/'; } catch (_) { path = raw; } // a stray % stays as typed
    const parts = path.split('/').filter(Boolean);
    try {
      await loadUnits();
      if (g !== gen) return;
      if (parts.length === 0) await overview(g);
      else if (parts[0] === 'projects' && parts.length === 1) await projects(g);
      else if (parts[0] === 'projects') await project(g, parts.slice(1).join('/'));
      else if (parts[0] === 'portfolio') await portfolio(g, parts[1]);
      else if (parts[0] === 'compliance') await compliance(g);
      else if (parts[0] === 'explorer') await explorer(g);
      else if (parts[0] === 'blocks' && parts[1]) await block(g, parts[1]);
      else if (parts[0] === 'txs' && parts[1]) await txPage(g, parts[1]);
      else if (parts[0] === 'accounts' && parts[1]) await account(g, parts[1]);
      else { page('Not found', ''); add(main, h('p', {}, 'No page ', h('code', { text: path }), '. ', h('a', { href: '#/', text: 'Overview' }))); ready(g); }
    } catch (e) {
      if (g !== gen) return;
      add(main, errorBox(e));
      ready(g);
    }
  }
  window.addEventListener('hashchange', () => { route(); main.focus({ preventScroll: true }); });
  document.querySelector('[data-skip]').addEventListener('click', (e) => { e.preventDefault(); main.focus(); });
  route();
})();
