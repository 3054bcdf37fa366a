// tracetail's page (docs/web.md): plain JavaScript, no library, no build step. Routes live in the
// URL's fragment (#/traces/<id>?level=warn&q=...), so every view is a permalink and the daemon
// serves only /, /ui/app.js and /ui/app.css. Everything shown comes from the HTTP API.
"use strict";
(function () {
  // Errors are collected where a test (or a curious user) can read them.
  const pageErrors = (window.__tracetailErrors = []);
  window.addEventListener("error", (event) => pageErrors.push(String(event.message || event)));
  window.addEventListener("unhandledrejection", (event) => {
    const reason = event.reason;
    pageErrors.push("unhandled rejection: " + String((reason && reason.message) || reason));
  });

  const LEVELS = ["trace", "debug", "info", "warn", "error", "fatal"];
  const PAGE = 500; // records rendered at once in a list; "Show more" renders the next page
  const PANEL_PAGE = 200; // records rendered at once under an expanded span
  const SPAN_PAGE = 300; // span rows rendered at once
  const main = document.getElementById("main");
  const liveBadge = document.getElementById("live");
  let view = null; // the view on screen: { stop() }
  let generation = 0; // bumped by every navigation: an answer for an older one is dropped
  const idle = { stop() {} };

  // ---- small helpers ------------------------------------------------------------------------

  function el(tag, attributes, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (name === "class") node.className = value;
      else if (name === "text") node.textContent = value;
      else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
      else if (name === "style") Object.assign(node.style, value);
      else node.setAttribute(name, value === true ? "" : String(value));
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  async function api(path) {
    let response;
    try {
      response = await fetch(path, { headers: { Accept: "application/json" } });
    } catch (error) {
      return { status: 0, body: { error: "the daemon did not answer: " + error.message } };
    }
    let body = null;
    try {
      body = await response.json();
    } catch (_) {
      body = null;
    }
    return { status: response.status, body: body };
  }

  function setState(state) {
    document.body.dataset.state = state;
  }

  function parseRoute() {
    const fragment = location.hash.replace(/^#/, "") || "/";
    const question = fragment.indexOf("?");
    const path = question < 0 ? fragment : fragment.slice(0, question);
    const query = question < 0 ? "" : fragment.slice(question + 1);
    const parts = path.split("/").filter((part) => part.length > 0).map((part) => {
      try {
        return decodeURIComponent(part);
      } catch (_) {
        return part;
      }
    });
    return { path: path, parts: parts, params: new URLSearchParams(query) };
  }

  /// Writes the view's parameters into the URL without reloading (the URL stays a permalink).
  function replaceParams(params) {
    const route = parseRoute();
    const query = params.toString();
    history.replaceState(null, "", "#" + route.path + (query ? "?" + query : ""));
  }

  function millis(iso) {
    const value = Date.parse(iso);
    return Number.isNaN(value) ? 0 : value;
  }

  function clock(iso) {
    return typeof iso === "string" && iso.length >= 23 ? iso.slice(11, 23) : String(iso || "");
  }

  function duration(ms) {
    if (ms < 1000) return ms + " ms";
    if (ms < 60000) return (ms / 1000).toFixed(ms < 10000 ? 2 : 1) + " s";
    return Math.floor(ms / 60000) + " min " + Math.round((ms % 60000) / 1000) + " s";
  }

  function compareCursor(a, b) {
    const x = a.split(".").map(Number);
    const y = b.split(".").map(Number);
    for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return x[i] < y[i] ? -1 : 1;
    return 0;
  }

  /// The level a record counts as: its own, else error in an -error file, info elsewhere (the
  /// API's rule for `level` and for error counts).
  function levelOf(record) {
    if (record.level && LEVELS.includes(record.level)) return record.level;
    return record.stream === "err" ? "error" : "info";
  }

  function isError(record) {
    return LEVELS.indexOf(levelOf(record)) >= LEVELS.indexOf("error");
  }

  function source(record) {
    const where = record.host ? record.host + " " : "";
    return where + record.app + (record.instance ? "#" + record.instance : "");
  }

  function notice(title, detail) {
    main.replaceChildren(el("section", { class: "notice" }, el("h1", { text: title }), detail ? el("p", { text: detail }) : null));
  }

  // ---- filters and record rows, shared by every page that lists records ----------------------

  /// The level filter and text search of a view; `onChange` re-renders without a reload.
  function filterBar(filters, onChange) {
    const level = el("select", { "aria-label": "Minimum level", id: "filter-level" },
      el("option", { value: "" , text: "all levels" }),
      LEVELS.slice(1).map((name) => el("option", { value: name, text: name + " and above" })));
    level.value = filters.level || "";
    const text = el("input", { type: "search", id: "filter-text", placeholder: "filter messages", "aria-label": "Filter records by text", value: filters.q || "" });
    let timer = null;
    level.addEventListener("change", () => {
      filters.level = level.value;
      onChange();
    });
    text.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        filters.q = text.value;
        onChange();
      }, 120);
    });
    return el("div", { class: "filters" }, level, text);
  }

  function matcher(filters) {
    const minimum = filters.level ? LEVELS.indexOf(filters.level) : -1;
    const needle = (filters.q || "").toLowerCase();
    return (record) => {
      if (minimum >= 0 && LEVELS.indexOf(levelOf(record)) < minimum) return false;
      if (!needle) return true;
      return (record.msg || "").toLowerCase().includes(needle) || (record.raw || "").toLowerCase().includes(needle);
    };
  }

  /// One record: time, source, level, span, message; a click (or Enter) shows its original text.
  function recordRow(record, options) {
    const level = levelOf(record);
    const open = options.rawOpen.has(record.cursor);
    const row = el("div", {
      class: "rec lvl-" + level + (record.cursor === options.highlight ? " hl" : "") + (open ? " open" : ""),
      "data-record": record.cursor || "",
      "data-trace-id": record.trace_id || "",
      "data-focus": "rec:" + options.place + ":" + record.cursor,
      tabindex: "0",
      role: "button",
      "aria-expanded": open ? "true" : "false",
      title: "Show the original text",
    },
    el("span", { class: "ts", text: clock(record.ts) }),
    el("span", { class: "src", text: source(record) }),
    el("span", { class: "lvl", text: level.toUpperCase() }),
    record.span_id
      ? el("a", { class: "chip", href: options.spanLink(record), text: record.span_id.slice(0, 8), title: "span " + record.span_id })
      : el("span", { class: "chip none", text: options.noSpanText || "no span" }),
    el("span", { class: "msg", text: record.msg || record.raw || "" }),
    record.cursor ? el("a", { class: "plink", href: options.permalink(record), title: "Link to this record", "aria-label": "Link to this record", text: "#" }) : null);
    if (open) row.append(el("pre", { class: "raw", text: record.raw || "" }));
    const toggle = (event) => {
      if (event.target.closest("a") || event.target.closest("pre")) return;
      if (event.type === "keydown" && event.key !== "Enter" && event.key !== " ") return;
      event.preventDefault();
      if (options.rawOpen.has(record.cursor)) options.rawOpen.delete(record.cursor);
      else options.rawOpen.add(record.cursor);
      options.rerender();
    };
    row.addEventListener("click", toggle);
    row.addEventListener("keydown", toggle);
    return row;
  }

  /// The first `limit` records of `records` that pass the filters, and a button for the next page.
  function recordBlock(records, limit, options, onMore) {
    const shown = records.slice(0, limit);
    const block = el("div", { class: "recs" }, shown.map((record) => recordRow(record, options)));
    if (records.length === 0) block.append(el("p", { class: "empty", text: options.emptyText || "No records match the filters." }));
    if (records.length > limit) {
      block.append(el("button", { class: "more", "data-focus": "more:" + options.place, onclick: onMore, text: "Show " + Math.min(PAGE, records.length - limit) + " more of " + (records.length - limit) }));
    }
    return block;
  }

  /// Keeps keyboard focus on the "same" element across a re-render.
  function rerenderKeepingFocus(render) {
    const focused = document.activeElement && document.activeElement.dataset ? document.activeElement.dataset.focus : null;
    render();
    if (focused) {
      const again = main.querySelector('[data-focus="' + CSS.escape(focused) + '"]');
      if (again) again.focus({ preventScroll: true });
    }
  }

  // ---- home: recent traces -----------------------------------------------------------------

  async function homePage() {
    main.replaceChildren(el("p", { class: "loading", text: "Loading recent traces…" }));
    const mine = generation;
    const answer = await api("/traces?limit=200");
    if (mine !== generation) return idle;
    if (answer.status !== 200 || !answer.body) {
      notice("Recent traces are not available", (answer.body && answer.body.error) || "HTTP " + answer.status);
      setState("ready");
      return { stop() {} };
    }
    const traces = answer.body.traces || [];
    // Errors first to the eye: failed traces on top, each group newest first (the API's order).
    const ordered = traces.filter((t) => t.errors > 0).concat(traces.filter((t) => !(t.errors > 0)));
    const failed = traces.filter((t) => t.errors > 0).length;
    const rows = ordered.map((trace) =>
      el("tr", { class: trace.errors > 0 ? "failed" : "", "data-trace-id": trace.trace_id },
        el("td", {}, el("a", { href: "#/traces/" + encodeURIComponent(trace.trace_id), class: "mono", text: trace.trace_id })),
        el("td", { class: "num" + (trace.errors > 0 ? " err" : ""), text: trace.errors > 0 ? "✖ " + trace.errors : "0" }),
        el("td", { class: "num", text: trace.records }),
        el("td", { class: "num", text: duration(trace.duration_ms) }),
        el("td", { class: "mono", text: clock(trace.last) }),
        el("td", { class: "apps", text: (trace.apps || []).join(", ") })));
    main.replaceChildren(
      el("section", { class: "home" },
        el("h1", { text: "Recent traces" }),
        el("p", { class: "hint", text: traces.length + " traces, newest first; the " + failed + " with errors are listed first. Paste any trace, span, workflow or task id into the box above." + (answer.body.partial ? " (Partial: some stored blocks could not be read.)" : "") }),
        el("div", { class: "table-wrap" },
          el("table", { class: "traces" },
            el("thead", {}, el("tr", {}, ["trace", "errors", "records", "duration", "last record", "apps"].map((h) => el("th", { scope: "col", text: h })))),
            el("tbody", {}, rows)))));
    setState("ready");
    return { stop() {} };
  }

  // ---- search -------------------------------------------------------------------------------

  /// Asks each logs endpoint whether the text names one of its ids, and goes to the right page:
  /// a trace, the trace of a span (with the span open), a workflow or a task.
  async function findPage(text) {
    main.replaceChildren(el("p", { class: "loading", text: "Looking for " + text + "…" }));
    const id = encodeURIComponent(text.trim());
    const mine = generation;
    // Only the kinds the text can be (the API's rules), so that no probe is a 400: a UUID or 32
    // hex characters is not a span id, 16 hex characters not a trace id.
    const clean = text.trim();
    const hex128 = /^[0-9a-f]{32}$/i.test(clean) || /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(clean);
    const hex64 = /^[0-9a-f]{16}$/i.test(clean);
    const brokenHex = clean.length >= 16 && /^[0-9a-f-]+$/i.test(clean) && (/[a-f-]/i.test(clean) || /^0+$/.test(clean));
    const probe = (kind, possible) => (possible ? api("/" + kind + "/" + id + "/logs?limit=1") : Promise.resolve({ status: 400, body: null }));
    const [trace, span, workflow, task] = await Promise.all([
      probe("traces", hex128 || !brokenHex), probe("spans", hex64 || !brokenHex), probe("workflows", true), probe("tasks", true)]);
    if (mine !== generation) return idle;
    const found = (answer) => answer.status === 200 && answer.body && answer.body.count > 0;
    if (found(trace)) return go("#/traces/" + encodeURIComponent(trace.body.trace_id));
    if (found(span)) {
      const line = span.body.lines[0];
      if (line.trace_id) return go("#/traces/" + encodeURIComponent(line.trace_id) + "?open=" + encodeURIComponent(span.body.span_id));
    }
    if (found(workflow)) return go("#/workflows/" + encodeURIComponent(workflow.body.workflow_id));
    if (found(task)) return go("#/tasks/" + encodeURIComponent(task.body.task_id));
    const reasons = [trace, span, workflow, task].map((a) => a.body && a.body.error).filter(Boolean);
    notice("Nothing found for " + text, reasons.length ? reasons[0] : "No trace, span, workflow or task has this id.");
    setState("ready");
    return { stop() {} };
  }

  function go(hash) {
    location.replace(hash);
    return idle;
  }

  // ---- the trace page -----------------------------------------------------------------------

  function tracePage(traceID, params) {
    const S = {
      id: traceID,
      overview: null,
      spans: new Map(), // span id -> { id, parent, children: [], depth, order }
      roots: [],
      records: [], // every record, in cursor order
      early: [], // records that came before the summary (the tree is built from the summary first)
      cursors: new Set(),
      caughtUp: false,
      opened: false,
      stopped: false,
      filters: { level: params.get("level") || "", q: params.get("q") || "" },
      open: new Set((params.get("open") || "").split(",").filter(Boolean)),
      deep: new Set((params.get("deep") || "").split(",").filter(Boolean)),
      highlight: params.get("record") || "",
      rawOpen: new Set(params.get("record") ? [params.get("record")] : []),
      listLimit: PAGE,
      panelLimits: new Map(),
      spanLimit: SPAN_PAGE,
      renderTimer: null,
      scrolled: false,
    };
    const header = el("section", { class: "trace-head" });
    const bar = filterBar(S.filters, () => {
      S.listLimit = PAGE;
      saveParams();
      render();
    });
    const waterfall = el("section", { class: "waterfall", "aria-label": "Spans on a time axis" });
    const list = el("section", { class: "all-records", "aria-label": "All records in time order" });
    main.replaceChildren(el("p", { class: "loading", text: "Loading trace " + traceID + "…" }));

    function saveParams() {
      const params = new URLSearchParams();
      if (S.filters.level) params.set("level", S.filters.level);
      if (S.filters.q) params.set("q", S.filters.q);
      if (S.open.size) params.set("open", Array.from(S.open).join(","));
      if (S.deep.size) params.set("deep", Array.from(S.deep).join(","));
      if (S.highlight) params.set("record", S.highlight);
      replaceParams(params);
    }

    function permalink(record) {
      const params = new URLSearchParams();
      if (S.filters.level) params.set("level", S.filters.level);
      if (S.filters.q) params.set("q", S.filters.q);
      if (record.span_id) params.set("open", record.span_id);
      params.set("record", record.cursor);
      return "#/traces/" + encodeURIComponent(S.id) + "?" + params.toString();
    }

    function spanLink(record) {
      const params = new URLSearchParams();
      params.set("open", record.span_id);
      return "#/traces/" + encodeURIComponent(S.id) + "?" + params.toString();
    }

    function addSpan(id, parent) {
      if (S.spans.has(id)) return S.spans.get(id);
      const span = { id: id, parent: parent || null, children: [], records: [] };
      S.spans.set(id, span);
      const parentSpan = parent ? S.spans.get(parent) : null;
      if (parentSpan) parentSpan.children.push(span);
      else S.roots.push(span);
      return span;
    }

    function takeOverview(overview) {
      S.overview = overview;
      const walk = (node, parent) => {
        const span = addSpan(node.span_id, parent);
        span.parentID = node.parent_span_id || null;
        for (const child of node.children || []) walk(child, node.span_id);
      };
      for (const root of overview.spans || []) walk(root, null);
      for (const record of S.early) addRecord(record);
      S.early = [];
    }

    function addRecord(record) {
      if (!record.cursor || S.cursors.has(record.cursor)) return;
      S.cursors.add(record.cursor);
      record.ms = millis(record.ts);
      const records = S.records;
      if (records.length === 0 || compareCursor(records[records.length - 1].cursor, record.cursor) < 0) records.push(record);
      else {
        let low = 0;
        let high = records.length;
        while (low < high) {
          const mid = (low + high) >> 1;
          if (compareCursor(records[mid].cursor, record.cursor) < 0) low = mid + 1;
          else high = mid;
        }
        records.splice(low, 0, record);
      }
      if (record.span_id) {
        // A span the summary did not have yet (a live record): under its parent when known.
        const span = S.spans.get(record.span_id) || addSpan(record.span_id, S.spans.has(record.parent_span_id) ? record.parent_span_id : null);
        span.records.push(record);
        if (span.records.length > 1 && compareCursor(span.records[span.records.length - 2].cursor, record.cursor) > 0) {
          span.records.sort((a, b) => compareCursor(a.cursor, b.cursor));
        }
      }
    }

    /// Spans in tree order with their depth; each with its figures from the records.
    function flatten() {
      const rows = [];
      const visit = (span, depth) => {
        rows.push({ span: span, depth: depth });
        const children = span.children.slice().sort((a, b) => first(a) - first(b));
        for (const child of children) visit(child, depth + 1);
      };
      const first = (span) => (span.records.length ? span.records[0].ms : Infinity);
      for (const root of S.roots) visit(root, 0);
      return rows;
    }

    function subtreeRecords(span) {
      const out = [];
      const visit = (node) => {
        out.push(...node.records);
        for (const child of node.children) visit(child);
      };
      visit(span);
      return out.sort((a, b) => compareCursor(a.cursor, b.cursor));
    }

    function rowOptions(place) {
      return {
        rawOpen: S.rawOpen,
        highlight: S.highlight,
        place: place,
        permalink: permalink,
        spanLink: spanLink,
        rerender: () => render(),
      };
    }

    function scheduleRender() {
      if (S.renderTimer !== null) return;
      S.renderTimer = setTimeout(() => {
        S.renderTimer = null;
        render();
      }, 60);
    }

    function render() {
      if (S.stopped || !S.overview || !S.caughtUp) return;
      rerenderKeepingFocus(() => {
        renderHead();
        renderWaterfall();
        renderList();
      });
      if (!main.contains(header)) main.replaceChildren(header, bar, waterfall, list);
      if (S.highlight && !S.scrolled) {
        const target = list.querySelector('[data-record="' + CSS.escape(S.highlight) + '"]');
        if (target) {
          S.scrolled = true;
          target.scrollIntoView({ block: "center" });
        }
      }
    }

    function renderHead() {
      const o = S.overview;
      const errors = S.records.filter(isError).length;
      const apps = new Set(S.records.map((r) => r.app));
      const t0 = S.records.length ? S.records[0].ms : millis(o.first);
      const t1 = S.records.length ? S.records[S.records.length - 1].ms : millis(o.last);
      header.replaceChildren(
        el("h1", {}, "Trace ", el("span", { class: "mono", text: o.trace_id })),
        el("p", { class: "facts" },
          el("span", { text: S.records.length + " records" }),
          el("span", { class: errors ? "err" : "", text: errors + " errors" }),
          el("span", { text: S.spans.size + " spans" }),
          el("span", { text: duration(Math.max(0, t1 - t0)) }),
          el("span", { text: Array.from(apps).sort().join(", ") }),
          o.partial ? el("span", { class: "err", text: "partial: " + o.unreadable_blocks + " blocks unreadable" }) : null,
          o.truncated ? el("span", { class: "err", text: "summary truncated" }) : null,
          el("a", { href: "/traces/" + encodeURIComponent(S.id) + "/logs?format=text", text: "raw text" })));
    }

    function renderWaterfall() {
      const records = S.records;
      const t0 = records.length ? records[0].ms : 0;
      const t1 = records.length ? records[records.length - 1].ms : 1;
      const span = Math.max(1, t1 - t0);
      const at = (ms) => ((ms - t0) / span) * 100;
      const ticks = [];
      for (let i = 0; i <= 4; i++) {
        ticks.push(el("span", { class: "tick", style: { left: i * 25 + "%" }, text: "+" + duration(Math.round((span * i) / 4)) }));
      }
      const rows = flatten();
      const children = [el("div", { class: "axis", "aria-hidden": "true" }, el("div", { class: "axis-label" }, "span"), el("div", { class: "axis-track" }, ticks))];
      for (const { span: node, depth } of rows.slice(0, S.spanLimit)) {
        children.push(spanRow(node, depth, at));
        if (S.open.has(node.id)) children.push(spanPanel(node));
      }
      if (rows.length > S.spanLimit) {
        children.push(el("button", { class: "more", "data-focus": "more:spans", text: "Show " + Math.min(SPAN_PAGE, rows.length - S.spanLimit) + " more spans of " + (rows.length - S.spanLimit), onclick: () => { S.spanLimit += SPAN_PAGE; render(); } }));
      }
      const unspanned = records.filter((r) => !r.span_id);
      if (unspanned.length) {
        const open = S.open.has("-");
        children.push(el("div", { class: "span-row unspanned", "data-unspanned": "" },
          el("button", { class: "span-toggle", "aria-expanded": open ? "true" : "false", "data-focus": "toggle:-", onclick: () => toggleOpen("-"), text: open ? "▾" : "▸", "aria-label": "Records outside any span" }),
          el("div", { class: "span-label" }, el("span", { text: "outside any span" }), el("span", { class: "count", text: unspanned.length + " rec" })),
          el("div", { class: "span-track" }, unspanned.map((r) => el("span", { class: "dot" + (isError(r) ? " err" : ""), style: { left: at(r.ms) + "%" }, title: clock(r.ts) + " " + (r.msg || "") })))));
        if (open) {
          const limit = S.panelLimits.get("-") || PANEL_PAGE;
          const shown = unspanned.filter(matcher(S.filters));
          children.push(el("div", { class: "span-panel", "data-panel-for": "-" },
            recordBlock(shown, limit, Object.assign(rowOptions("panel-"), { noSpanText: "no span" }), () => { S.panelLimits.set("-", limit + PAGE); render(); })));
        }
      }
      waterfall.replaceChildren(...children);
    }

    function spanRow(node, depth, at) {
      const records = node.records;
      const errors = records.filter(isError).length;
      const first = records.length ? records[0].ms : null;
      const last = records.length ? records[records.length - 1].ms : null;
      const apps = Array.from(new Set(records.map(source))).sort();
      const open = S.open.has(node.id);
      const left = first === null ? 0 : at(first);
      const width = first === null ? 0 : Math.max(0, at(last) - left);
      return el("div", { class: "span-row" + (errors ? " error" : ""), "data-span-id": node.id, "data-records": records.length, "data-errors": errors, "data-depth": depth },
        el("button", {
          class: "span-toggle", "aria-expanded": open ? "true" : "false", "data-focus": "toggle:" + node.id,
          "aria-label": (open ? "Hide" : "Show") + " the records of span " + node.id,
          onclick: () => toggleOpen(node.id), text: open ? "▾" : "▸",
        }),
        el("div", { class: "span-label", title: "span " + node.id + (node.parentID ? ", parent " + node.parentID : "") },
          el("span", { class: "indent", style: { width: Math.min(depth, 24) * 12 + "px" } }),
          errors ? el("span", { class: "mark", title: errors + " errors", text: "✖" }) : null,
          el("span", { class: "apps", text: apps.join(", ") || "?" }),
          el("span", { class: "mono sid", text: node.id.slice(0, 8) }),
          el("span", { class: "count", text: records.length + " rec" })),
        el("div", { class: "span-track" },
          el("div", { class: "span-bar", style: { left: left + "%", width: "max(3px, " + width + "%)" } }),
          el("span", {
            // Right of the bar; near the axis's end, left of it, or inside it when it is long.
            class: "dur" + (left + width > 80 && left <= 15 ? " inside" : ""),
            style: left + width <= 80 ? { left: left + width + "%" } : left > 15 ? { right: 100 - left + "%" } : { right: 100 - left - width + "%" },
            text: first === null ? "" : duration(last - first),
          })));
    }

    function spanPanel(node) {
      const deep = S.deep.has(node.id);
      const records = (deep ? subtreeRecords(node) : node.records).filter(matcher(S.filters));
      const descendants = subtreeRecords(node).length - node.records.length;
      const limit = S.panelLimits.get(node.id) || PANEL_PAGE;
      const toggle = el("input", { type: "checkbox", class: "desc-toggle", "data-desc-for": node.id, "data-focus": "deep:" + node.id, checked: deep });
      toggle.addEventListener("change", () => {
        if (toggle.checked) S.deep.add(node.id);
        else S.deep.delete(node.id);
        saveParams();
        render();
      });
      return el("div", { class: "span-panel", "data-panel-for": node.id },
        el("div", { class: "panel-head" },
          el("span", { class: "mono", text: "span " + node.id + (node.parentID ? " ← " + node.parentID : "") }),
          el("label", {}, toggle, " with its descendants' records (" + descendants + ")"),
          el("a", { href: "/spans/" + node.id + "/logs?format=text", text: "raw text" })),
        recordBlock(records, limit, rowOptions("panel-" + node.id), () => { S.panelLimits.set(node.id, limit + PAGE); render(); }));
    }

    function toggleOpen(id) {
      if (S.open.has(id)) S.open.delete(id);
      else S.open.add(id);
      saveParams();
      render();
    }

    function renderList() {
      const shown = S.records.filter(matcher(S.filters));
      if (S.highlight && !S.scrolled) {
        const index = shown.findIndex((r) => r.cursor === S.highlight);
        if (index >= S.listLimit) S.listLimit = index + 1;
      }
      list.replaceChildren(
        el("h2", { text: "Records " }, el("span", { class: "count", text: shown.length === S.records.length ? String(S.records.length) : shown.length + " of " + S.records.length })),
        recordBlock(shown, S.listLimit, rowOptions("list"), () => { S.listLimit += PAGE; render(); }));
    }

    // The summary and the stream start together; the page is ready when both have answered.
    const stream = new EventSource("/traces/" + encodeURIComponent(traceID) + "/logs/stream");
    stream.onmessage = (event) => {
      let record;
      try {
        record = JSON.parse(event.data);
      } catch (_) {
        return;
      }
      if (!S.overview) S.early.push(record);
      else addRecord(record);
      if (S.caughtUp) scheduleRender();
    };
    stream.addEventListener("caught_up", () => {
      if (S.caughtUp) return;
      S.caughtUp = true;
      settle();
    });
    stream.onopen = () => {
      S.opened = true;
      liveBadge.textContent = "● live";
      liveBadge.className = "live on";
      settle();
    };
    stream.onerror = () => {
      // The browser reconnects by itself, with Last-Event-ID.
      liveBadge.textContent = "reconnecting…";
      liveBadge.className = "live off";
      if (!S.stopped && document.body.dataset.state === "live") setState("ready");
    };

    function settle() {
      if (S.stopped || !S.overview || !S.caughtUp) return;
      if (document.body.dataset.state === "loading") {
        render();
        setState("ready");
      }
      if (S.opened && document.body.dataset.state === "ready") setState("live");
    }

    api("/traces/" + encodeURIComponent(traceID)).then((answer) => {
      if (S.stopped) return;
      if (answer.status !== 200 || !answer.body) {
        stream.close();
        liveBadge.textContent = "";
        notice(answer.status === 404 ? "No records for trace " + traceID : "The trace cannot be shown", (answer.body && answer.body.error) || "HTTP " + answer.status);
        setState("ready");
        return;
      }
      takeOverview(answer.body);
      settle();
    });

    return {
      stop() {
        S.stopped = true;
        stream.close();
        clearTimeout(S.renderTimer);
        liveBadge.textContent = "";
        liveBadge.className = "live";
      },
    };
  }

  // ---- workflow and task pages --------------------------------------------------------------

  /// The correlation summary (`GET /workflows/{id}`, `/tasks/{id}`) when the daemon has it: the
  /// findings, the row's fields and the tasks; else what the logs alone say. The records below.
  async function groupPage(kind, id, params) {
    const plural = kind + "s";
    const path = "/" + plural + "/" + encodeURIComponent(id);
    main.replaceChildren(el("p", { class: "loading", text: "Loading " + kind + " " + id + "…" }));
    const mine = generation;
    const [summary, logs] = await Promise.all([api(path), api(path + "/logs?limit=10000")]);
    if (mine !== generation) return idle;
    const correlated = summary.status === 200 && summary.body && Array.isArray(summary.body.tasks);
    if (!correlated && logs.status !== 200) {
      notice("No records for " + kind + " " + id, (logs.body && logs.body.error) || "HTTP " + logs.status);
      setState("ready");
      return { stop() {} };
    }
    const records = logs.status === 200 && logs.body ? logs.body.lines : [];
    records.forEach((record, index) => {
      record.cursor = record.cursor || "row-" + index;
    });
    const filters = { level: params.get("level") || "", q: params.get("q") || "" };
    const rawOpen = new Set();
    let limit = PAGE;
    const sections = [el("h1", {}, kind === "workflow" ? "Workflow " : "Task ", el("span", { class: "mono", text: id }))];
    if (correlated) sections.push(...correlatedSections(kind, summary.body));
    else {
      // A workflow's tasks from their own records (an agent names the workflow only on a task's
      // first record), at most 50 of them.
      let taskRecords = records;
      if (kind === "workflow") {
        const taskIDs = Array.from(new Set(records.map((r) => r.task_id).filter(Boolean))).slice(0, 50);
        const answers = await Promise.all(taskIDs.map((t) => api("/tasks/" + encodeURIComponent(t) + "/logs?limit=10000")));
        if (mine !== generation) return idle;
        const found = answers.flatMap((a) => (a.status === 200 && a.body ? a.body.lines : []));
        if (found.length) taskRecords = found;
      }
      sections.push(el("p", { class: "hint", text: "What the logs alone say: this daemon has no correlation summary for " + plural + " (GET " + "/" + plural + "/{id} answered " + summary.status + ")." }));
      sections.push(...taskSections(tasksFromLogs(taskRecords)), tracesSection(Array.from(new Set(records.concat(taskRecords).map((r) => r.trace_id).filter(Boolean)))));
    }
    const listSection = el("section", { class: "all-records" });
    const renderList = () => {
      const shown = records.filter(matcher(filters));
      const options = {
        rawOpen: rawOpen, highlight: "", place: "list", rerender: () => rerenderKeepingFocus(renderList),
        permalink: (record) => (record.trace_id ? "#/traces/" + encodeURIComponent(record.trace_id) + "?record=" + encodeURIComponent(record.cursor) + (record.span_id ? "&open=" + record.span_id : "") : location.hash),
        spanLink: (record) => "#/traces/" + encodeURIComponent(record.trace_id || "") + "?open=" + record.span_id,
      };
      listSection.replaceChildren(
        el("h2", { text: "Records " }, el("span", { class: "count", text: shown.length + " of " + records.length + (logs.body && logs.body.truncated ? " (first page)" : "") })),
        recordBlock(shown, limit, options, () => { limit += PAGE; rerenderKeepingFocus(renderList); }));
    };
    const bar = filterBar(filters, () => {
      const p = new URLSearchParams();
      if (filters.level) p.set("level", filters.level);
      if (filters.q) p.set("q", filters.q);
      replaceParams(p);
      limit = PAGE;
      renderList();
    });
    renderList();
    main.replaceChildren(el("section", { class: "group" }, sections), bar, listSection);
    setState("ready");
    return { stop() {} };
  }

  function tasksFromLogs(records) {
    const tasks = new Map();
    for (const record of records) {
      if (!record.task_id) continue;
      let task = tasks.get(record.task_id);
      if (!task) {
        task = { task_id: record.task_id, records: 0, errors: 0, first: record.ts, last: record.ts, trace_ids: [], span_ids: [] };
        tasks.set(record.task_id, task);
      }
      task.records += 1;
      if (isError(record)) task.errors += 1;
      if (record.ts < task.first) task.first = record.ts;
      if (record.ts > task.last) task.last = record.ts;
      if (record.trace_id && !task.trace_ids.includes(record.trace_id)) task.trace_ids.push(record.trace_id);
      if (record.span_id && !task.span_ids.includes(record.span_id)) task.span_ids.push(record.span_id);
    }
    return Array.from(tasks.values());
  }

  function correlatedSections(kind, body) {
    const sections = [];
    const findings = body.findings || [];
    sections.push(el("section", { class: "findings", "aria-label": "Findings" },
      el("h2", { text: "Findings" }),
      findings.length === 0
        ? el("p", { class: "empty", text: "No findings." })
        : el("ul", {}, findings.map((finding) =>
          el("li", { class: "finding sev-" + (finding.severity || "info"), "data-finding-kind": finding.kind || "" },
            el("span", { class: "sev", text: (finding.severity || "info").toUpperCase() }),
            el("span", { class: "kind mono", text: finding.kind || "" }),
            el("span", { class: "msg", text: finding.message || "" }))))));
    const row = body[kind];
    sections.push(el("section", { class: "row-fields" },
      el("h2", { text: "The " + kind + "'s row" + (body.database ? " in " + body.database : "") }),
      row && typeof row === "object"
        ? el("table", { class: "fields" }, el("tbody", {}, Object.entries(row).map(([name, value]) =>
          el("tr", {}, el("th", { scope: "row", text: name }), el("td", { class: "mono", text: value !== null && typeof value === "object" ? JSON.stringify(value) : String(value) })))))
        : el("p", { class: "empty", text: "No row for this id in the database." })));
    sections.push(...taskSections(body.tasks || []));
    if (body.trace && body.trace.trace_id) sections.push(tracesSection([body.trace.trace_id], body.trace));
    return sections;
  }

  function taskSections(tasks) {
    if (!tasks.length) return [el("section", {}, el("h2", { text: "Tasks" }), el("p", { class: "empty", text: "No task ids in these records." }))];
    return [el("section", { class: "tasks" },
      el("h2", { text: "Tasks (" + tasks.length + ")" }),
      el("div", { class: "table-wrap" },
        el("table", { class: "traces" },
          el("thead", {}, el("tr", {}, ["task", "row", "records", "errors", "first", "last", "traces"].map((h) => el("th", { scope: "col", text: h })))),
          el("tbody", {}, tasks.map((task) =>
            el("tr", { class: task.errors > 0 ? "failed" : "", "data-task-id": task.task_id },
              el("td", {}, el("a", { class: "mono", href: "#/tasks/" + encodeURIComponent(task.task_id), text: task.task_id })),
              el("td", { class: "mono", text: task.row ? JSON.stringify(task.row) : "—" }),
              el("td", { class: "num", text: task.records }),
              el("td", { class: "num" + (task.errors > 0 ? " err" : ""), text: task.errors }),
              el("td", { class: "mono", text: clock(task.first) }),
              el("td", { class: "mono", text: clock(task.last) }),
              el("td", {}, (task.trace_ids || []).map((t) => el("a", { class: "mono tlink", href: "#/traces/" + encodeURIComponent(t), text: t.slice(0, 8) })))))))))];
  }

  function tracesSection(traceIDs, overview) {
    return el("section", { class: "trace-links" },
      el("h2", { text: "Traces" }),
      traceIDs.length === 0
        ? el("p", { class: "empty", text: "These records carry no trace id." })
        : el("ul", {}, traceIDs.map((t) => el("li", {},
          el("a", { class: "mono", href: "#/traces/" + encodeURIComponent(t), text: t }),
          overview ? " " + overview.records + " records, " + overview.errors + " errors, " + duration(overview.duration_ms) : null))));
  }

  // ---- routing ------------------------------------------------------------------------------

  async function route() {
    if (view) view.stop();
    view = null;
    const mine = ++generation;
    setState("loading");
    const { parts, params } = parseRoute();
    try {
      let shown = idle;
      if (parts.length === 0) shown = await homePage();
      else if (parts[0] === "find" && parts[1]) shown = await findPage(parts[1]);
      else if (parts[0] === "traces" && parts[1]) shown = tracePage(parts[1], params);
      else if ((parts[0] === "workflows" || parts[0] === "tasks") && parts[1]) shown = await groupPage(parts[0].slice(0, -1), parts[1], params);
      else {
        notice("No such page", "Try an id in the box above.");
        setState("ready");
      }
      if (mine === generation) view = shown;
      else shown.stop();
    } catch (error) {
      pageErrors.push(String(error && error.stack ? error.stack : error));
      notice("Something went wrong", String(error));
      setState("ready");
    }
    if (parts[1]) document.getElementById("search-id").value = parts[1];
    document.title = parts.length ? "tracetail · " + parts[0].replace(/s$/, "") + " " + (parts[1] || "") : "tracetail";
  }

  document.getElementById("search").addEventListener("submit", (event) => {
    event.preventDefault();
    const text = document.getElementById("search-id").value.trim();
    if (text) location.hash = "#/find/" + encodeURIComponent(text);
  });
  window.addEventListener("hashchange", route);
  route();
})();
