/// The console's script: no framework and no build step. It draws the partner's layers from the
/// export queries, redraws a layer when a live event of its service arrives over the WebSocket,
/// reconnects and resumes after a drop, and sends the partner's forms as commands.
enum ConsoleScript {
    static let text = #"""
'use strict';
const $ = (id) => document.getElementById(id);
const state = { session: null, map: null, layers: {}, features: {}, areas: {}, seen: {}, since: null,
                socket: null, retry: 0, ended: false, received: [], pending: new Set(), loading: {}, trace: [], draws: [], timer: null };

// Layers: each is an export query (GeoJSON) asked as the signed-in partner, redrawn when an event
// of one of its services arrives.
const LAYERS = [
  { key: 'units', label: 'Units', path: '/api/export/registry/unit?format=geojson', services: ['registry'] },
  { key: 'routes', label: 'Routes', path: '/api/export/logistics/route?format=geojson', services: ['logistics', 'intelligence'] },
  { key: 'convoys', label: 'Convoys', path: '/api/export/logistics/convoy?format=geojson', services: ['logistics'] },
  { key: 'alerts', label: 'Alert areas and tearlines', path: '/api/export/intelligence/alert?format=geojson', services: ['intelligence'] },
  { key: 'sites', label: 'Humanitarian sites and movements', path: '/api/export/liaison/notification?format=geojson', services: ['liaison'] },
  { key: 'notices', label: 'Deconfliction notices', list: 'query.liaison.notice.list', services: ['liaison'] },
];
const LISTS = {
  requests: { subject: 'query.logistics.request.list', service: 'logistics' },
  convoys: { subject: 'query.logistics.convoy.list', service: 'logistics' },
  alerts: { subject: 'query.intelligence.alert.list', service: 'intelligence' },
  rfas: { subject: 'query.liaison.rfa.list', service: 'liaison' },
  conflicts: { subject: 'query.training.conflict.list', service: 'training' },
  notifications: { subject: 'query.liaison.notification.list', service: 'liaison' },
  notices: { subject: 'query.liaison.notice.list', service: 'liaison' },
};

async function api(method, path, body) {
  const options = { method, headers: {}, credentials: 'same-origin' };
  if (body !== undefined) { options.headers['Content-Type'] = 'application/json'; options.body = JSON.stringify(body); }
  const response = await fetch(path, options);
  const type = response.headers.get('Content-Type') || '';
  const data = type.includes('json') ? await response.json() : await response.text();
  if (response.status === 401 && state.session) ended((data && data.error) || 'signed out');
  return { ok: response.ok, status: response.status, data };
}

function show(section) {
  for (const id of ['signin', 'partner', 'operator', 'ended']) $(id).hidden = id !== section;
  $('signout').hidden = section === 'signin' || section === 'ended';
}

function setStatus(text) { $('live-status').textContent = text; }

async function boot() {
  const response = await fetch('/api/session', { credentials: 'same-origin' });
  if (response.ok) start(await response.json()); else show('signin');
}

function start(session) {
  state.session = session;
  state.ended = false;
  $('who').textContent = session.role === 'operator' ? 'Operator' : 'Signed in as ' + session.partner;
  if (session.role === 'operator') {
    show('operator');
    refreshStatus();
    state.timer = setInterval(refreshStatus, 5000);
    return;
  }
  show('partner');
  initMap();
  refreshLayers(new Set(['registry', 'logistics', 'intelligence', 'liaison', 'training']));
  refreshList();
  connect();
}

function ended(reason) {
  if (state.ended) return;
  state.ended = true;
  state.session = null;
  if (state.socket) state.socket.close();
  if (state.timer) clearInterval(state.timer);
  if (state.map) { state.map.remove(); state.map = null; }
  state.layers = {}; state.features = {};
  $('ended-reason').textContent = reason;
  $('who').textContent = '';
  setStatus('Not signed in');
  show('ended');
}

// ── Map ──────────────────────────────────────────────────────────────────────────────────────
function initMap() {
  if (state.map) return;
  const map = L.map('map', { keyboard: true, zoomControl: true }).setView([7.2, 30.8], 6);
  if (state.session.tiles) L.tileLayer(state.session.tiles, { maxZoom: 14 }).addTo(map);
  const graticule = L.layerGroup();
  for (let lon = 22; lon <= 38; lon += 1) L.polyline([[2, lon], [14, lon]], { color: '#99a', weight: lon % 5 === 0 ? 1.2 : .5, interactive: false }).addTo(graticule);
  for (let lat = 2; lat <= 14; lat += 1) L.polyline([[lat, 22], [lat, 38]], { color: '#99a', weight: lat % 5 === 0 ? 1.2 : .5, interactive: false }).addTo(graticule);
  graticule.addTo(map);
  const control = L.control.layers(null, null, { collapsed: false }).addTo(map);
  for (const layer of LAYERS) {
    state.layers[layer.key] = L.layerGroup().addTo(map);
    control.addOverlay(state.layers[layer.key], layer.label);
  }
  state.map = map;
  loadAreas(control);
}

async function loadAreas(control) {
  const answer = await api('POST', '/api/request', { subject: 'query.registry.area.list', data: {} });
  if (!answer.ok || !state.map) return;
  const group = L.layerGroup();
  for (const area of answer.data.data.areas || []) {
    state.areas[area.area] = area.geometry;
    L.geoJSON(area.geometry, { style: { color: '#445', weight: 1, fill: false, dashArray: '2 4' }, interactive: false }).addTo(group);
  }
  group.addTo(state.map);
  control.addOverlay(group, "Mission's areas");
  refreshLayers(new Set(['liaison']));
}

function styleFor(layer, properties) {
  if (layer === 'routes') return properties.atRisk === 'true' ? { color: '#b00020', weight: 5, dashArray: '10 8', className: 'route at-risk' } : { color: '#1b5e20', weight: 4, className: 'route clear' };
  if (layer === 'alerts') return properties.tearline === 'true' ? { color: '#e65100', weight: 3, dashArray: '6 6', fillOpacity: .08, className: 'alert tearline' } : { color: '#b00020', weight: 2, fillOpacity: .3, className: 'alert full' };
  if (layer === 'notices') return { color: '#6d4c41', weight: 2, dashArray: '2 6', fill: false, className: 'notice' };
  return { color: '#333', weight: 2 };
}

function pointStyle(layer, properties) {
  const halted = properties.status === 'halted';
  const colours = { units: '#2e7d32', convoys: halted ? '#b00020' : '#0b3d91', sites: '#6a1b9a' };
  return { radius: halted ? 10 : 7, color: '#000', weight: 1, fillColor: colours[layer] || '#333', fillOpacity: .9, className: layer + (halted ? ' halted' : '') };
}

function describe(layer, feature) {
  const p = feature.properties || {};
  if (layer === 'routes') return p.name + (p.atRisk === 'true' ? ' — AT RISK' : ' — clear');
  if (layer === 'convoys') return p.name + ' — ' + String(p.status || '').toUpperCase();
  if (layer === 'alerts') return (p.tearline === 'true' ? 'Tearline (' : 'Alert (') + p.classification + '): ' + p.name;
  if (layer === 'notices') return 'Notice: ' + p.name;
  return p.name;
}

function draw(layer, collection) {
  const group = state.layers[layer];
  if (!group) return;
  group.clearLayers();
  state.features[layer] = [];
  for (const feature of collection.features || []) {
    const text = describe(layer, feature);
    const drawn = L.geoJSON(feature, {
      style: () => styleFor(layer, feature.properties || {}),
      pointToLayer: (_, latlng) => L.circleMarker(latlng, pointStyle(layer, feature.properties || {})),
    });
    // A node, not a string: Leaflet would read a string as HTML, and names come from partners.
    const label = document.createElement('span');
    label.textContent = text;
    drawn.bindTooltip(label, { permanent: layer === 'convoys' || layer === 'alerts', className: 'status' });
    drawn.addTo(group);
    state.features[layer].push({ id: feature.id, text, geometry: feature.geometry.type, properties: feature.properties || {} });
  }
  state.draws.push({ layer, at: Date.now(), features: state.features[layer] });
  if (state.draws.length > 500) state.draws.shift();
}

function refreshLayers(services) {
  for (const layer of LAYERS) if (layer.services.some((s) => services.has(s))) refreshLayer(layer);
}

// One load per layer at a time; a request for another while one runs loads once more after it,
// so an older answer never draws over a newer one.
async function refreshLayer(layer) {
  if (state.loading[layer.key]) { state.loading[layer.key] = 'again'; return; }
  do {
    state.loading[layer.key] = 'running';
    await loadLayer(layer);
  } while (state.loading[layer.key] === 'again');
  delete state.loading[layer.key];
}

async function loadLayer(layer) {
  const started = performance.now();
  try {
    await fetchLayer(layer);
  } finally {
    state.trace.push({ layer: layer.key, at: Date.now(), ms: Math.round(performance.now() - started) });
    if (state.trace.length > 500) state.trace.shift();
  }
}

async function fetchLayer(layer) {
  if (layer.list) {
    const answer = await api('POST', '/api/request', { subject: layer.list, data: {} });
    if (!answer.ok) return;
    const notices = firstArray(answer.data.data).filter((n) => n.status !== 'lifted' && state.areas[n.area]);
    draw(layer.key, { features: notices.map((n) => ({ id: n.notice, geometry: state.areas[n.area], properties: { name: n.area + ': ' + (n.reason || ''), status: n.status } })) });
  } else {
    const answer = await api('GET', layer.path);
    if (answer.ok && typeof answer.data === 'object') draw(layer.key, answer.data);
  }
}

// Events come in bursts: redraw once per burst, for the services they came from.
function scheduleRefresh(service) {
  const first = state.pending.size === 0;
  state.pending.add(service);
  if (!first) return;
  setTimeout(() => {
    const services = new Set(state.pending);
    state.pending.clear();
    refreshLayers(services);
    const list = LISTS[$('list-kind').value];
    if (list && services.has(list.service)) refreshList();
  }, 100);
}

// ── Live events ──────────────────────────────────────────────────────────────────────────────
function connect() {
  if (state.ended) return;
  const params = new URLSearchParams();
  if (state.since) {
    params.set('since', state.since);
    params.set('seen', Object.entries(state.seen).map(([source, sequence]) => source + ':' + sequence).join(','));
  }
  const query = params.toString();
  const socket = new WebSocket((location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/api/live' + (query ? '?' + query : ''));
  state.socket = socket;
  socket.onopen = () => { state.retry = 0; state.openedAt = state.openedAt || Date.now(); setStatus('Live'); };
  socket.onmessage = (message) => receive(JSON.parse(message.data));
  socket.onclose = async () => {
    if (state.ended || state.socket !== socket) return;
    setStatus('Connection lost: reconnecting');
    const check = await api('GET', '/api/session');
    if (!check.ok) return;
    setTimeout(connect, Math.min(10000, 500 * 2 ** state.retry++));
  };
}

function receive(message) {
  if (message.kind === 'ended') { ended(message.reason); return; }
  if (message.kind === 'resumed') {
    log('resumed', message.count + ' missed event(s) from the feed' + (message.note ? ' (' + message.note + ')' : ''));
    return;
  }
  const event = message.event || {};
  if (event.source && event.sequence) {
    if ((state.seen[event.source] || 0) >= event.sequence) return;    // already shown
    state.seen[event.source] = event.sequence;
  }
  if (event.time) state.since = event.time;
  message.at = Date.now();
  state.received.push(message);
  if (state.received.length > 5000) state.received.shift();
  log(message.subject, JSON.stringify(event.data));
  scheduleRefresh(message.subject.split('.')[0]);
}

function log(subject, text) {
  const item = document.createElement('li');
  item.textContent = new Date().toISOString().slice(11, 19) + '  ' + subject + '  ' + (text || '').slice(0, 300);
  $('log').prepend(item);
  while ($('log').children.length > 200) $('log').lastChild.remove();
}

// ── Lists ────────────────────────────────────────────────────────────────────────────────────
function firstArray(data) {
  if (!data || typeof data !== 'object') return [];
  for (const value of Object.values(data)) if (Array.isArray(value)) return value;
  return [];
}

function cell(value) {
  if (value === null || value === undefined) return '';
  if (typeof value === 'object') return Array.isArray(value) && value.every((v) => typeof v !== 'object') ? value.join(', ') : '…';
  return String(value);
}

async function refreshList() {
  const kind = $('list-kind').value;
  const answer = await api('POST', '/api/request', { subject: LISTS[kind].subject, data: {} });
  const table = $('list-table');
  table.tHead.replaceChildren();
  table.tBodies[0].replaceChildren();
  $('list-caption').textContent = $('list-kind').selectedOptions[0].textContent;
  if (!answer.ok) { $('list-note').textContent = (answer.data && answer.data.error) || 'refused'; return; }
  const rows = firstArray(answer.data.data);
  const filter = $('list-filter').value.trim().toLowerCase();
  const columns = rows.length ? Object.keys(rows[0]).filter((k) => typeof rows[0][k] !== 'object' || Array.isArray(rows[0][k])).slice(0, 8) : [];
  const head = table.tHead.insertRow();
  for (const column of columns) { const th = document.createElement('th'); th.scope = 'col'; th.textContent = column; head.append(th); }
  let shown = 0;
  for (const row of rows) {
    const values = columns.map((c) => cell(row[c]));
    if (filter && !values.join(' ').toLowerCase().includes(filter)) continue;
    const tr = table.tBodies[0].insertRow();
    for (const value of values) tr.insertCell().textContent = value;
    shown += 1;
  }
  $('list-note').textContent = shown + ' of ' + rows.length + ' shown';
}

// ── Forms: the partner's own commands, checked by the gateway and the service ────────────────
function commandData(form) {
  const values = Object.fromEntries(new FormData(form).entries());
  const me = state.session.partner;
  switch (form.dataset.subject) {
    case 'cmd.liaison.rfa.submit':
      return { rfa: values.rfa, requester: me, kind: values.kind, location: values.location, neededBy: values.neededBy,
               justification: values.justification, ...(values.route ? { route: values.route } : {}) };
    case 'cmd.logistics.request.create':
      return { request: values.request, requester: me, destination: values.destination, neededBy: values.neededBy, priority: values.priority,
               items: [{ item: values.item, quantity: Number(values.quantity), unit: values.unit }] };
    case 'cmd.liaison.notification.notify': {
      const point = values.lon !== '' && values.lat !== '' ? { point: [Number(values.lon), Number(values.lat)] } : {};
      return { notification: values.notification, partner: me, kind: values.kind, location: values.location, from: values.from, until: values.until, ...point };
    }
  }
  return values;
}

function newKey() {
  if (crypto.randomUUID) return crypto.randomUUID();
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
}

async function submitCommand(event) {
  event.preventDefault();
  const form = event.target;
  const answer = await api('POST', '/api/request', { subject: form.dataset.subject, data: commandData(form), idempotencyKey: newKey() });
  const out = $('form-answer');
  if (answer.ok) {
    out.className = 'accepted';
    out.textContent = 'Accepted: ' + answer.data.type;
  } else {
    out.className = 'refused';
    const data = answer.data && answer.data.data;
    out.textContent = 'Refused: ' + ((data && data.message) || (answer.data && answer.data.error) || answer.status);
  }
}

// ── Operator page ────────────────────────────────────────────────────────────────────────────
async function refreshStatus() {
  const answer = await api('GET', '/api/operator/status');
  if (!answer.ok) return;
  const body = $('status-table').tBodies[0];
  body.replaceChildren();
  for (const row of answer.data) {
    const tr = body.insertRow();
    for (const value of [row.part, row.health, row.sequence, row.lag, row.deadLetters]) tr.insertCell().textContent = value;
  }
}

// ── Wiring ───────────────────────────────────────────────────────────────────────────────────
$('signin-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const values = Object.fromEntries(new FormData(event.target).entries());
  const body = { partner: values.partner };
  if (values.token) body.token = values.token; else { body.user = values.user; body.password = values.password; }
  const answer = await api('POST', '/api/session', body);
  if (!answer.ok) { $('signin-error').textContent = answer.data.error; return; }
  $('signin-error').textContent = '';
  event.target.reset();
  start(answer.data);
});
$('operator-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const answer = await api('POST', '/api/session', { operatorToken: $('operator-token').value });
  if (!answer.ok) { $('signin-error').textContent = answer.data.error; return; }
  event.target.reset();
  start(answer.data);
});
$('signout').addEventListener('click', async () => { await api('DELETE', '/api/session'); ended('signed out'); });
$('signin-again').addEventListener('click', () => { $('signin-error').textContent = ''; show('signin'); });
$('list-kind').addEventListener('change', refreshList);
$('list-filter').addEventListener('input', refreshList);
for (const form of document.querySelectorAll('form.command')) form.addEventListener('submit', submitCommand);

// What tests and assistive tools can read without parsing the drawing.
window.concord = {
  features: (layer) => state.features[layer] || [],
  received: () => state.received,
  ended: () => state.ended,
  // Each layer load: when it ended and how long it took; each drawing: when, and what.
  loads: () => state.trace,
  draws: () => state.draws,
  // When the live feed first opened (ms since the epoch).
  openedAt: () => state.openedAt,
};
boot();
"""#
}
