// The playground page: settings in the URL, a polling loop while playing, canvas heatmaps,
// SVG links and the autograd graph of one neuron. Plain JavaScript, no build step, no network
// beyond this server.
"use strict";

const LEARNING_RATES = [0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10];
const REG_RATES = [0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10];
const DATASETS = {
  classification: [["circle", "Circle"], ["xor", "Exclusive or"], ["gauss", "Gaussian"],
    ["spiral", "Spiral"], ["moons", "Moons"]],
  regression: [["plane", "Plane"], ["multi-gauss", "Multi Gaussian"]],
};
const FEATURES = [["x1", "X\u2081"], ["x2", "X\u2082"], ["x1sq", "X\u2081\u00B2"],
  ["x2sq", "X\u2082\u00B2"], ["x1x2", "X\u2081X\u2082"], ["sinx1", "sin(X\u2081)"],
  ["sinx2", "sin(X\u2082)"]];
const DEFAULTS = {
  dataset: "circle", problem: "classification", noise: 0, ratio: 50, batch: 10,
  features: ["x1", "x2"], hidden: [4, 4], activation: "tanh", lr: 0.03, loss: "mse",
  reg: "none", reg_rate: 0, optimizer: "sgd", engine: "tensor", seed: 0,
};
const INTS = ["noise", "ratio", "batch", "seed"];
const FLOATS = ["lr", "reg_rate"];
const VIEW = { show_test: false, discretize: false };  // page-only settings, also in the URL
const NEG = [245, 147, 34], MID = [232, 234, 235], POS = [8, 119, 189];  // -1, 0, +1
const NEURON_PX = 38;
const ICONS = {
  play: '<svg viewBox="0 0 24 24" width="24" height="24"><path d="M8 5v14l11-7z" fill="currentColor"/></svg>',
  pause: '<svg viewBox="0 0 24 24" width="24" height="24"><path d="M6 5h4v14H6zM14 5h4v14h-4z" fill="currentColor"/></svg>',
};

const $ = (id) => document.getElementById(id);
const page = {
  session: newId(), config: { ...DEFAULTS }, view: { ...VIEW }, playing: false,
  state: null, frame: null, curve: [], lastEpoch: -1, selected: null, point: null,
  busy: false, draws: 0, drawMs: 0, generation: 0,
};
window.__playground = page;  // for the browser test and the benchmark

// ---------------------------------------------------------------- colours
const PALETTE = (() => {  // 256 RGB triples: -1 orange, 0 grey-white, +1 blue
  const table = new Uint8ClampedArray(256 * 3);
  for (let i = 0; i < 256; i++) {
    const v = i / 127.5 - 1, t = Math.abs(v), end = v < 0 ? NEG : POS;
    for (let c = 0; c < 3; c++) table[i * 3 + c] = MID[c] + (end[c] - MID[c]) * t;
  }
  return table;
})();
const rgb = (c) => `rgb(${c[0]},${c[1]},${c[2]})`;
function colourOf(v) {  // v in [-1, 1]
  const i = Math.max(0, Math.min(255, Math.round((v + 1) * 127.5)));
  return `rgb(${PALETTE[i * 3]},${PALETTE[i * 3 + 1]},${PALETTE[i * 3 + 2]})`;
}

function newId() {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

// ---------------------------------------------------------------- the URL
function readUrl() {
  const params = new URLSearchParams(location.search);
  const config = { ...DEFAULTS };
  for (const [key, text] of params) {
    if (key === "play") continue;
    if (key in VIEW) { page.view[key] = text === "1" || text === "true"; continue; }
    if (key === "hidden") config.hidden = text === "" ? [] : text.split(",").map(Number);
    else if (key === "features") config.features = text === "" ? [] : text.split(",");
    else if (INTS.includes(key) || FLOATS.includes(key)) config[key] = Number(text);
    else config[key] = text;  // unknown names go to the server, which says what is wrong
  }
  if (!params.has("problem") && DATASETS.regression.some(([name]) => name === config.dataset)) {
    config.problem = "regression";
  }
  return { config, play: params.get("play") === "1" };
}

function writeUrl() {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(page.config)) {
    params.set(key, Array.isArray(value) ? value.join(",") : String(value));
  }
  for (const [key, value] of Object.entries(page.view)) if (value) params.set(key, "1");
  if (page.playing) params.set("play", "1");
  history.replaceState(null, "", `${location.pathname}?${params.toString().replace(/%2C/g, ",")}`);
}

// ---------------------------------------------------------------- talking to the server
async function api(action, body) {
  const response = await fetch(`/api/${action}`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ session: page.session, ...body }),
  });
  const payload = await response.json();
  if (response.status === 404 && action !== "open") {  // freed while idle: open it again
    await openSession();
    return api(action, body);
  }
  if (!response.ok) throw new Error(payload.error || `HTTP ${response.status}`);
  return payload;
}

function showError(message) {
  const box = $("error");
  box.textContent = message || "";
  box.hidden = !message;
}

async function openSession() {
  const reply = await api("open", { config: page.config });
  acceptState(reply.state, true);
  acceptFrame(reply.frame);
}

async function changeConfig(changes) {
  const previous = page.config;
  page.config = { ...page.config, ...changes };
  try {
    const reply = await api("config", { config: changes, since: page.lastEpoch });
    acceptState(reply.state, reply.rebuilt);
    acceptFrame(reply.frame);
    showError(null);
  } catch (error) {
    page.config = previous;
    showError(error.message);
    syncControls();
  }
  writeUrl();
}

// ---------------------------------------------------------------- play / step / reset
async function playLoop() {
  // Pipelined: the next request goes out as soon as a frame arrives, so the server trains the
  // next chunk while this page draws the last one.
  if (page.busy) return;  // a loop is still finishing; it continues while playing
  page.busy = true;
  // A frame of a network that a settings change has replaced meanwhile is dropped.
  const send = (since) => ({ generation: page.generation, reply: api("play", { since }) });
  try {
    let request = send(page.lastEpoch);
    while (request) {
      const reply = await request.reply;
      const current = request.generation === page.generation;
      const since = current ? reply.frame.epoch : page.lastEpoch;
      request = page.playing && !(current && reply.frame.error) ? send(since) : null;
      if (!current) continue;
      acceptFrame(reply.frame);
      if (reply.frame.error) setPlaying(false);
      await new Promise((resolve) => requestAnimationFrame(() => resolve()));
    }
  } catch (error) {
    showError(error.message);
    setPlaying(false);
  } finally {
    page.busy = false;
  }
}

function setPlaying(on) {
  page.playing = on;
  const button = $("play");
  button.innerHTML = on ? ICONS.pause : ICONS.play;
  button.classList.toggle("playing", on);
  writeUrl();
  if (on) playLoop();
}

async function step() {
  setPlaying(false);
  try {
    const reply = await api("step", { since: page.lastEpoch });
    acceptFrame(reply.frame);
  } catch (error) { showError(error.message); }
}

async function reset() {
  try {
    const reply = await api("reset", {});
    acceptState(reply.state, true);
    acceptFrame(reply.frame);
    showError(null);
  } catch (error) { showError(error.message); }
}

// ---------------------------------------------------------------- state and frames
function acceptState(state, rebuilt) {
  page.state = state;
  page.config = { ...state.config };
  if (rebuilt) {
    page.generation += 1;
    page.curve = [];
    page.lastEpoch = -1;
    page.selected = null;
    $("graph-panel").hidden = true;
  }
  syncControls();
  buildNetwork();
}

function acceptFrame(frame) {
  page.frame = frame;
  for (const row of frame.curve) {
    const last = page.curve.length ? page.curve[page.curve.length - 1][0] : -1;
    if (row[0] > last) page.curve.push(row);
  }
  if (frame.epoch < page.lastEpoch) page.curve = frame.curve.slice();
  page.lastEpoch = frame.epoch;
  $("epoch").textContent = String(frame.epoch);
  $("train-loss").textContent = formatLoss(frame.train_loss);
  $("test-loss").textContent = formatLoss(frame.test_loss);
  if (frame.error) showError(frame.error);
  draw();
}

const formatLoss = (x) => (x === null ? "NaN" : x.toFixed(3));

// ---------------------------------------------------------------- controls
function fillSelect(id, values) {
  $(id).innerHTML = values.map((v) => `<option value="${v}">${v}</option>`).join("");
}

function syncControls() {
  const c = page.config;
  for (const id of ["activation", "reg", "problem", "optimizer", "engine", "loss"]) $(id).value = c[id];
  for (const id of ["lr", "reg_rate"]) {
    const values = id === "lr" ? LEARNING_RATES : REG_RATES;
    if (!values.includes(c[id])) { values.push(c[id]); values.sort((a, b) => a - b); fillSelect(id, values); }
    $(id).value = String(c[id]);
  }
  $("loss").disabled = c.problem === "regression";
  for (const id of ["ratio", "noise", "batch"]) {
    $(id).value = c[id];
    $(`${id}-value`).textContent = id === "ratio" ? `${c[id]}%` : String(c[id]);
  }
  $("show_test").checked = page.view.show_test;
  $("discretize").checked = page.view.discretize;
  $("n-layers").textContent = String(c.hidden.length);
  const box = $("datasets");
  box.innerHTML = "";
  for (const [name, label] of DATASETS[c.problem] || []) {
    const button = document.createElement("button");
    button.className = "dataset" + (name === c.dataset ? " selected" : "");
    button.dataset.testid = `dataset-${name}`;
    button.title = label;
    const thumb = document.createElement("canvas");
    thumb.width = thumb.height = 48;
    button.append(thumb, Object.assign(document.createElement("span"), { textContent: label }));
    button.addEventListener("click", () => changeConfig({ dataset: name, problem: c.problem }));
    box.append(button);
    if (page.state && page.state.thumbnails[name]) drawThumb(thumb, page.state.thumbnails[name]);
  }
  $("export-checkpoint").href = `/api/checkpoint?session=${page.session}`;
}

function drawThumb(canvas, rows) {  // rows of [x1, x2, label]
  const ctx = canvas.getContext("2d");
  ctx.fillStyle = "#f4f5f6";
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  for (const [x1, x2, label] of rows) {
    const [x, y] = toPixel([x1, x2], canvas.width);
    ctx.fillStyle = colourOf(pointValue(label));
    ctx.beginPath();
    ctx.arc(x, y, 1.6, 0, 2 * Math.PI);
    ctx.fill();
  }
}

function bindControls() {
  fillSelect("lr", LEARNING_RATES);
  fillSelect("reg_rate", REG_RATES);
  for (const id of ["activation", "reg", "optimizer", "engine", "loss"]) {
    $(id).addEventListener("change", () => changeConfig({ [id]: $(id).value }));
  }
  for (const id of ["lr", "reg_rate"]) {
    $(id).addEventListener("change", () => changeConfig({ [id]: Number($(id).value) }));
  }
  $("problem").addEventListener("change", () => {
    const problem = $("problem").value;
    changeConfig({ problem, dataset: DATASETS[problem][0][0], loss: "mse" });
  });
  for (const id of ["ratio", "noise", "batch"]) {
    $(id).addEventListener("input", () => { $(`${id}-value`).textContent = id === "ratio" ? `${$(id).value}%` : $(id).value; });
    $(id).addEventListener("change", () => changeConfig({ [id]: Number($(id).value) }));
  }
  for (const id of ["show_test", "discretize"]) {
    $(id).addEventListener("change", () => { page.view[id] = $(id).checked; writeUrl(); draw(); });
  }
  $("regenerate").addEventListener("click", () => changeConfig({ seed: (page.config.seed + 1) % 2147483647 }));
  $("play").addEventListener("click", () => setPlaying(!page.playing));
  $("step").addEventListener("click", step);
  $("reset").addEventListener("click", reset);
  $("add-layer").addEventListener("click", () => {
    if (page.config.hidden.length < 6) changeConfig({ hidden: [...page.config.hidden, 2] });
  });
  $("remove-layer").addEventListener("click", () => {
    if (page.config.hidden.length > 0) changeConfig({ hidden: page.config.hidden.slice(0, -1) });
  });
  $("heatmap").addEventListener("click", (event) => {
    const rect = $("heatmap").getBoundingClientRect(), d = page.state.domain;
    const x1 = ((event.clientX - rect.left) / rect.width) * 2 * d - d;
    const x2 = d - ((event.clientY - rect.top) / rect.height) * 2 * d;
    page.point = [x1, x2];
    draw();
    if (page.selected) showGraph();
  });
  $("export-command").addEventListener("click", () => showExport("command"));
  $("export-script").addEventListener("click", () => showExport("script"));
  $("export-close").addEventListener("click", () => $("export-dialog").close());
  $("export-copy").addEventListener("click", () => navigator.clipboard?.writeText($("export-text").textContent));
  window.addEventListener("resize", () => layoutLinks());
  window.addEventListener("pagehide", () => {
    fetch("/api/close", {
      method: "POST", keepalive: true, headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ session: page.session }),
    });
  });
}

async function showExport(kind) {
  try {
    const reply = await api("export", {});
    $("export-title").textContent = kind === "command" ? "The minitorch-nn train command" : "A Python script that reproduces this run";
    $("export-text").textContent = reply[kind];
    $("export-dialog").showModal();
  } catch (error) { showError(error.message); }
}

// ---------------------------------------------------------------- the network
function buildNetwork() {
  const c = page.config, columns = $("columns");
  columns.innerHTML = "";
  const featureColumn = column("features");
  FEATURES.forEach(([name, label], j) => {
    const on = c.features.includes(name);
    const node = neuron(featureColumn, `feature-${name}`, label, on ? "" : "off");
    node.title = on ? `${label}: click to turn off` : `${label}: click to feed it in`;
    node.addEventListener("click", () => {
      const chosen = on ? c.features.filter((f) => f !== name) : FEATURES.map(([f]) => f).filter((f) => f === name || c.features.includes(f));
      if (chosen.length) changeConfig({ features: chosen });
      else showError("at least one feature must be fed in");
    });
    node.dataset.feature = j;
  });
  c.hidden.forEach((size, l) => {
    const col = column("hidden");
    const controls = document.createElement("div");
    controls.className = "layer-controls";
    const plus = Object.assign(document.createElement("button"), { className: "round tiny", textContent: "+", title: "Add a neuron" });
    const minus = Object.assign(document.createElement("button"), { className: "round tiny", textContent: "\u2212", title: "Remove a neuron" });
    plus.addEventListener("click", () => { if (size < 8) changeConfig({ hidden: c.hidden.map((n, k) => (k === l ? n + 1 : n)) }); });
    minus.addEventListener("click", () => { if (size > 1) changeConfig({ hidden: c.hidden.map((n, k) => (k === l ? n - 1 : n)) }); });
    const caption = Object.assign(document.createElement("div"), { className: "caption", textContent: `${size} neuron${size > 1 ? "s" : ""}` });
    controls.append(plus, minus, caption);
    col.append(controls);
    for (let j = 0; j < size; j++) {
      const node = neuron(col, `neuron-${l + 1}-${j}`, "", "");
      node.addEventListener("click", () => selectNeuron(l + 1, j));
    }
  });
  const outputColumn = column("output-node");
  const out = neuron(outputColumn, `neuron-${c.hidden.length + 1}-0`, "", "");
  out.addEventListener("click", () => selectNeuron(c.hidden.length + 1, 0));
  requestAnimationFrame(layoutLinks);
}

function column(kind) {
  const col = document.createElement("div");
  col.className = `net-column ${kind}`;
  $("columns").append(col);
  return col;
}

function neuron(col, testid, label, extra) {
  const node = document.createElement("div");
  node.className = `node ${extra}`.trim();
  node.dataset.testid = testid;
  const canvas = document.createElement("canvas");
  canvas.width = canvas.height = NEURON_PX;
  node.append(canvas);
  if (label) node.append(Object.assign(document.createElement("span"), { className: "label", textContent: label }));
  col.append(node);
  return node;
}

function nodeCentre(node, box) {
  const r = node.querySelector("canvas").getBoundingClientRect();
  return { left: r.left - box.left, right: r.right - box.left, y: r.top - box.top + r.height / 2 };
}

function layoutLinks() {
  // One path per weight, placed once per network (and on resize); draw() only restyles them.
  const svg = $("links"), c = page.config;
  const box = $("network").getBoundingClientRect();
  svg.setAttribute("width", box.width);
  svg.setAttribute("height", box.height);
  const columns = [...document.querySelectorAll("#columns .net-column")];
  if (!columns.length) return;
  const nodesOf = (col) => [...col.querySelectorAll(".node")];
  const inputs = nodesOf(columns[0]).filter((n) => !n.classList.contains("off"));
  const layers = [inputs, ...columns.slice(1).map(nodesOf)];
  const names = [c.features.map((f) => FEATURES.find(([k]) => k === f)[1]),
    ...c.hidden.map((n, l) => Array.from({ length: n }, (_, j) => `h${l + 1}.${j + 1}`)), ["output"]];
  svg.innerHTML = "";
  page.links = [];
  for (let l = 0; l + 1 < layers.length; l++) {
    layers[l].forEach((from, i) => layers[l + 1].forEach((to, j) => {
      const a = nodeCentre(from, box), b = nodeCentre(to, box), mid = (a.right + b.left) / 2;
      const path = svgElement("path", { d: `M${a.right},${a.y} C${mid},${a.y} ${mid},${b.y} ${b.left},${b.y}` });
      const title = svgElement("title", {});
      path.append(title);
      svg.append(path);
      page.links.push({ l, i, j, path, title, name: `${names[l][i]} \u2192 ${names[l + 1][j]}` });
    }));
  }
  updateLinks();
}

function updateLinks() {
  const frame = page.frame;
  if (!frame || !page.links) return;
  for (const link of page.links) {
    const w = frame.weights[link.l]?.[link.i]?.[link.j];
    if (w === undefined) continue;
    link.path.setAttribute("stroke", rgb(w >= 0 ? POS : NEG));
    link.path.setAttribute("stroke-width", Math.min(0.6 + Math.abs(w) * 2.2, 7).toFixed(2));
    link.path.setAttribute("stroke-opacity", Math.min(0.25 + Math.abs(w) * 0.5, 0.95).toFixed(2));
    link.title.textContent = `${link.name}: weight ${w.toFixed(4)}`;
  }
}

// ---------------------------------------------------------------- drawing
const offscreen = document.createElement("canvas");

function paint(canvas, base64, size, discretize) {
  const bytes = Uint8Array.from(atob(base64), (ch) => ch.charCodeAt(0));
  offscreen.width = offscreen.height = size;
  const octx = offscreen.getContext("2d");
  const image = octx.createImageData(size, size);
  for (let i = 0; i < size * size; i++) {
    let v = bytes[i];
    if (discretize) v = v > 127 ? 255 : 0;
    image.data[i * 4] = PALETTE[v * 3];
    image.data[i * 4 + 1] = PALETTE[v * 3 + 1];
    image.data[i * 4 + 2] = PALETTE[v * 3 + 2];
    image.data[i * 4 + 3] = 255;
  }
  octx.putImageData(image, 0, 0);
  const ctx = canvas.getContext("2d");
  ctx.imageSmoothingEnabled = true;
  ctx.imageSmoothingQuality = "high";
  ctx.drawImage(offscreen, 0, 0, canvas.width, canvas.height);
}

const toPixel = (p, size) => {
  const d = page.state.domain;
  return [((p[0] + d) / (2 * d)) * size, ((d - p[1]) / (2 * d)) * size];
};
const pointValue = (label) => (page.config.problem === "classification" ? (label > 0.5 ? 1 : -1) : label);

function draw() {
  const frame = page.frame, state = page.state;
  if (!frame || !state) return;
  const start = performance.now();
  const canvas = $("heatmap");
  paint(canvas, frame.output, state.output_grid, page.view.discretize);
  const ctx = canvas.getContext("2d");
  state.points.forEach((p, i) => {
    const test = i >= state.n_train;
    if (test && !page.view.show_test) return;
    const [x, y] = toPixel(p, canvas.width);
    ctx.beginPath();
    ctx.arc(x, y, 3.2, 0, 2 * Math.PI);
    ctx.fillStyle = colourOf(pointValue(state.labels[i]));
    ctx.fill();
    ctx.lineWidth = 1;
    ctx.strokeStyle = test ? "#000" : "#fff";
    ctx.stroke();
  });
  if (page.point) {
    const [x, y] = toPixel(page.point, canvas.width);
    ctx.strokeStyle = "#111";
    ctx.lineWidth = 2;
    ctx.beginPath();
    ctx.moveTo(x - 6, y - 6); ctx.lineTo(x + 6, y + 6); ctx.moveTo(x + 6, y - 6); ctx.lineTo(x - 6, y + 6);
    ctx.stroke();
  }
  const columns = [...document.querySelectorAll("#columns .net-column")];
  if (columns.length) {
    const featureNodes = [...columns[0].querySelectorAll(".node")];
    let k = 0;
    featureNodes.forEach((node) => {
      const canvas = node.querySelector("canvas");
      if (node.classList.contains("off")) {
        const fctx = canvas.getContext("2d");
        fctx.fillStyle = "#f3f4f5";
        fctx.fillRect(0, 0, canvas.width, canvas.height);
      } else paint(canvas, state.inputs[k++], state.neuron_grid, false);
    });
    frame.neurons.forEach((layer, l) => {
      const nodes = columns[l + 1] ? [...columns[l + 1].querySelectorAll(".node canvas")] : [];
      layer.forEach((pixels, j) => nodes[j] && paint(nodes[j], pixels, state.neuron_grid, page.view.discretize));
    });
    frame.biases.forEach((biases, l) => {  // hover a neuron: its bias
      const nodes = columns[l + 1] ? [...columns[l + 1].querySelectorAll(".node")] : [];
      const name = l === frame.biases.length - 1 ? "output" : `h${l + 1}`;
      biases.forEach((b, j) => {
        if (nodes[j]) nodes[j].title = `${name}${name === "output" ? "" : `.${j + 1}`}: bias ${b.toFixed(4)}; click for its computation`;
      });
    });
    const outNode = columns[columns.length - 1].querySelector("canvas");
    if (outNode) paint(outNode, frame.output, state.output_grid, page.view.discretize);
    document.querySelectorAll(".node.selected").forEach((n) => n.classList.remove("selected"));
    if (page.selected) {
      const node = document.querySelector(`[data-testid="neuron-${page.selected[0]}-${page.selected[1]}"]`);
      if (node) node.classList.add("selected");
    }
  }
  drawCurve();
  updateLinks();
  page.draws += 1;
  page.drawMs += performance.now() - start;
}

function drawCurve() {
  const canvas = $("curve"), ctx = canvas.getContext("2d"), rows = page.curve;
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  if (rows.length < 2) return;
  const values = rows.flatMap((r) => [r[1], r[2]]).filter((v) => v !== null);
  const top = Math.max(...values, 1e-9);
  const first = rows[0][0], last = rows[rows.length - 1][0];
  const x = (e) => ((e - first) / Math.max(last - first, 1)) * (canvas.width - 4) + 2;
  const y = (v) => canvas.height - 3 - (Math.min(v, top) / top) * (canvas.height - 6);
  for (const [index, colour] of [[1, "#999"], [2, "#111"]]) {  // train grey, test black
    ctx.beginPath();
    ctx.strokeStyle = colour;
    ctx.lineWidth = 1.5;
    let started = false;
    for (const row of rows) {
      if (row[index] === null) continue;
      if (started) ctx.lineTo(x(row[0]), y(row[index]));
      else { ctx.moveTo(x(row[0]), y(row[index])); started = true; }
    }
    ctx.stroke();
  }
}

// ---------------------------------------------------------------- one neuron's graph
function selectNeuron(layer, index) {
  page.selected = [layer, index];
  if (!page.point) {
    const first = page.state.points[0];
    page.point = [first[0], first[1]];
  }
  draw();
  showGraph();
}

async function showGraph() {
  const [layer, neuronIndex] = page.selected;
  try {
    const reply = await api("graph", { layer, neuron: neuronIndex, point: page.point });
    renderGraph(reply.graph);
  } catch (error) { showError(error.message); }
}

const SVG_NS = "http://www.w3.org/2000/svg";
const INCH = 80;  // px per inch of plot.layout; its 9 pt monospace is 6 px a glyph at 10 px

function svgElement(tag, attributes, text) {
  const element = document.createElementNS(SVG_NS, tag);
  for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, value);
  if (text !== undefined) element.textContent = text;
  return element;
}

function renderGraph(graph) {
  $("graph-panel").hidden = false;
  $("graph-title").textContent = graph.title;
  $("explain").textContent = graph.explain;
  const xs = graph.items.flatMap((it) => [it.x - it.w / 2, it.x + it.w / 2]);
  const ys = graph.items.flatMap((it) => [it.y - it.h / 2, it.y + it.h / 2]);
  const minX = Math.min(...xs) - 0.2, maxX = Math.max(...xs) + 0.2;
  const minY = Math.min(...ys) - 0.2, maxY = Math.max(...ys) + 0.2;
  const svg = svgElement("svg", {
    width: (maxX - minX) * INCH, height: (maxY - minY) * INCH,
    viewBox: `${minX * INCH} ${minY * INCH} ${(maxX - minX) * INCH} ${(maxY - minY) * INCH}`,
  });
  svg.append(svgElement("defs", {}));
  svg.firstChild.innerHTML = '<marker id="arrow" viewBox="0 0 8 8" refX="8" refY="4" markerWidth="7" markerHeight="7" orient="auto"><path d="M0,0 L8,4 L0,8 z" fill="#666"/></marker>';
  for (const edge of graph.edges) {
    const pts = edge.points.map(([x, y]) => [x * INCH, y * INCH]);
    let d = `M${pts[0][0]},${pts[0][1]}`;
    for (let i = 1; i < pts.length; i++) {
      const [x0, y0] = pts[i - 1], [x1, y1] = pts[i], mid = (x0 + x1) / 2;
      d += ` C${mid},${y0} ${mid},${y1} ${x1},${y1}`;
    }
    svg.append(svgElement("path", { d, class: "edge", "marker-end": "url(#arrow)" }));
    if (edge.label) {
      const [x0, y0] = pts[pts.length - 2], [x1, y1] = pts[pts.length - 1];
      svg.append(svgElement("text", { x: (x0 + x1) / 2, y: (y0 + y1) / 2 - 3, class: "edge-label" }, edge.label));
    }
  }
  for (const item of graph.items) {
    const x = (item.x - item.w / 2) * INCH, y = (item.y - item.h / 2) * INCH;
    const w = item.w * INCH, h = item.h * INCH;
    const group = svgElement("g", { class: `gnode ${item.kind} ${item.role}`.trim() });
    if (item.kind === "op") {
      group.append(svgElement("circle", { cx: item.x * INCH, cy: item.y * INCH, r: Math.max(w, h) / 2 }));
      group.append(svgElement("text", { x: item.x * INCH, y: item.y * INCH + 3.5, "text-anchor": "middle" }, item.lines[0]));
    } else {
      group.append(svgElement("rect", { x, y, width: w, height: h, rx: 5 }));
      item.lines.forEach((line, i) => {
        group.append(svgElement("text", { x: x + 0.09 * INCH, y: y + 0.09 * INCH + (i + 0.8) * 0.156 * INCH, class: i === 0 ? "name" : "" }, line));
      });
    }
    svg.append(group);
  }
  const target = $("graph");
  target.innerHTML = "";
  target.append(svg);
  if (graph.note) target.append(Object.assign(document.createElement("p"), { className: "hint", textContent: graph.note }));
}

// ---------------------------------------------------------------- benchmark hook
page.redraw = (times) => {  // redraw the last frame `times` times; returns ms per redraw
  const start = performance.now();
  for (let i = 0; i < times; i++) draw();
  return (performance.now() - start) / times;
};

// ---------------------------------------------------------------- start
async function start() {
  const { config, play } = readUrl();
  page.config = config;
  bindControls();
  try {
    await openSession();
  } catch (error) {
    showError(`${error.message} (the defaults are used instead)`);
    page.config = { ...DEFAULTS };
    await openSession();
  }
  writeUrl();
  if (play) setPlaying(true);
}

start();
