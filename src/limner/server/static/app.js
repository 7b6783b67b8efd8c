// limner's web page: one small script, no build step. Talks to the same HTTP API scripts use.
"use strict";
const $ = (id) => document.getElementById(id);
const token = new URLSearchParams(location.search).get("token") || "";
const withToken = (url) => token ? url + (url.includes("?") ? "&" : "?") + "token=" + encodeURIComponent(token) : url;
let current = null;   // {job, index}: the selected image
let layout = null;    // the selected image's plan, as edited by dragging

async function api(method, path, body) {
  const headers = {"Content-Type": "application/json"};
  if (token) headers["Authorization"] = "Bearer " + token;
  const r = await fetch(path, {method, headers, body: body === undefined ? undefined : JSON.stringify(body)});
  const data = await r.json().catch(() => ({}));
  if (!r.ok) throw new Error(data.detail || ("HTTP " + r.status));
  return data;
}
function showError(e) { $("error").textContent = e ? String(e.message || e) : ""; }
function num(id) { const v = $(id).value; return v === "" ? null : Number(v); }

function jobRow(job) {
  let li = document.querySelector(`#jobs li[data-id="${job.id}"]`);
  if (!li) {
    li = document.createElement("li");
    li.dataset.id = job.id;
    li.innerHTML = `<span class="kind"></span><span class="status"></span><button class="cancel">Cancel</button>`;
    li.querySelector(".cancel").onclick = () => api("DELETE", `/api/jobs/${job.id}`)
      .then((j) => { updateJob(j); poll(j.id); }).catch(showError);
    $("jobs").prepend(li);
  }
  return li;
}

function updateJob(job) {
  const li = jobRow(job);
  li.dataset.status = job.status;
  li.querySelector(".kind").textContent = `${job.kind} ${job.id}`;
  let s = job.status;
  if (job.status === "queued") s += ` (position ${job.position})`;
  if (job.status === "running" && job.steps) s += ` step ${job.step}/${job.steps}`;
  if (job.error) s += `: ${job.error}`;
  li.querySelector(".status").textContent = s;
  li.querySelector(".cancel").hidden = !(job.status === "queued" || job.status === "running");
  $("progress").value = job.progress;
  $("stage").textContent = job.stage || job.status;
  if (job.status === "failed") showError(job.error);
  if (job.status === "done") showResult(job);
}

function track(job) {
  updateJob(job);
  if (["done", "failed", "cancelled"].includes(job.status)) return;
  const es = new EventSource(withToken(`/api/jobs/${job.id}/events`));
  es.onmessage = (ev) => {
    const j = JSON.parse(ev.data);
    updateJob(j);
    if (["done", "failed", "cancelled"].includes(j.status)) es.close();
  };
  es.onerror = () => { es.close(); poll(job.id); };
}

const DONE = ["done", "failed", "cancelled"];
const polling = new Set();
// Poll a job until it ends: the fallback when the event stream drops, and after a cancel
// (a running job stops at its next denoising step).
function poll(id) {
  if (polling.has(id)) return;
  polling.add(id);
  let errors = 0;
  const tick = () => api("GET", `/api/jobs/${id}`).then((j) => {
    updateJob(j);
    if (DONE.includes(j.status)) polling.delete(id); else setTimeout(tick, 500);
  }).catch((e) => {
    if (++errors < 30) setTimeout(tick, 1000); else { polling.delete(id); showError(e); }
  });
  tick();
}

function showResult(job) {
  // Newest results first; earlier ones stay, so any image can be selected, edited or re-drawn.
  const grid = $("grid");
  (job.notes || []).forEach((n) => { $("error").textContent = "note: " + n; });
  const figs = job.images.map((im, k) => {
    const fig = document.createElement("figure");
    fig.dataset.kind = im.record.kind || "generate";
    fig.dataset.job = job.id;
    fig.innerHTML = `<img alt="image ${k}"><figcaption>seed ${im.seed}</figcaption>`;
    fig.querySelector("img").src = withToken(im.url);
    fig.onclick = () => select(job, k, fig);
    return fig;
  });
  grid.prepend(...figs);
  while (grid.children.length > 48) grid.lastChild.remove();
  if (figs.length) select(job, 0, figs[0]);
}

function select(job, k, fig) {
  current = {job, index: k};
  document.querySelectorAll("#grid figure").forEach((f) => f.classList.toggle("selected", f === fig));
  const im = job.images[k];
  $("stagearea").hidden = false;
  $("big").src = withToken(im.url);
  $("download").href = withToken(im.url);
  $("download").download = `limner-${job.id}-${k}.png`;
  $("recipe").textContent = JSON.stringify(im.record, null, 2);
  layout = im.record.layout ? JSON.parse(JSON.stringify(im.record.layout)) : null;
  drawBoxes();
}

function drawBoxes() {
  const boxes = $("boxes");
  boxes.innerHTML = "";
  if (!layout) return;
  layout.objects.forEach((o, i) => {
    const d = document.createElement("div");
    d.className = "box";
    d.dataset.index = i;
    const [x0, y0, x1, y1] = o.box;
    Object.assign(d.style, {left: x0 * 100 + "%", top: y0 * 100 + "%", width: (x1 - x0) * 100 + "%", height: (y1 - y0) * 100 + "%"});
    d.innerHTML = `<span>${[o.color, o.name].filter(Boolean).join(" ")}</span>`;
    d.onpointerdown = (ev) => startDrag(ev, d, o);
    boxes.append(d);
  });
}

function startDrag(ev, el, obj) {
  ev.preventDefault();
  el.setPointerCapture(ev.pointerId);
  const rect = $("canvas").getBoundingClientRect();
  const start = {x: ev.clientX, y: ev.clientY, box: obj.box.slice()};
  el.onpointermove = (e) => {
    const w = start.box[2] - start.box[0], h = start.box[3] - start.box[1];
    const dx = (e.clientX - start.x) / rect.width, dy = (e.clientY - start.y) / rect.height;
    const x0 = Math.min(Math.max(start.box[0] + dx, 0), 1 - w), y0 = Math.min(Math.max(start.box[1] + dy, 0), 1 - h);
    obj.box = [x0, y0, x0 + w, y0 + h].map((v) => Math.round(v * 10000) / 10000);
    Object.assign(el.style, {left: x0 * 100 + "%", top: y0 * 100 + "%"});
  };
  el.onpointerup = () => { el.onpointermove = null; el.onpointerup = null; };
}

async function submit(path, body) {
  showError(null);
  try { track(await api("POST", path, body)); } catch (e) { showError(e); }
}

function generateBody() {
  const body = {prompt: $("prompt").value, seed: num("seed") || 0, num_images: num("n") || 1};
  if (num("steps")) body.num_inference_steps = num("steps");
  if ($("planner").value) body.planner = $("planner").value;
  return body;
}

$("generate").onclick = () => submit("/api/generate", generateBody());

$("regenerate").onclick = () => {
  if (!current || !layout) return showError("select an image with a plan first");
  const rec = current.job.images[current.index].record;
  const body = {prompt: rec.request.prompt || rec.prompt, seed: rec.seed, num_images: 1, layout,
                num_inference_steps: rec.request.num_inference_steps || undefined};
  submit("/api/generate", body);
};

$("edit").onclick = async () => {
  if (!current) return showError("select an image to edit first");
  const im = current.job.images[current.index];
  const blob = await (await fetch(withToken(im.url))).blob();
  const data = await new Promise((ok) => { const r = new FileReader(); r.onload = () => ok(r.result); r.readAsDataURL(blob); });
  submit("/api/edit", {image: data, instruction: $("instruction").value, seed: im.seed});
};

$("expand").onclick = async () => {
  showError(null);
  $("expansions").innerHTML = "<li>expanding…</li>";
  try {
    const out = await api("POST", "/api/expand", {prompt: $("prompt").value, n: 4, seed: num("seed") || 0});
    $("expansions").innerHTML = "";
    out.expansions.forEach((e) => {
      const li = document.createElement("li");
      li.textContent = e.text;
      li.title = "use this prompt";
      li.onclick = () => { $("prompt").value = e.text; };
      $("expansions").append(li);
    });
  } catch (e) { $("expansions").innerHTML = ""; showError(e); }
};

api("GET", "/api/health").then((h) => { $("health").textContent = `v${h.version}`; }).catch(() => {});
