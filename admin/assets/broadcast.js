// The broadcast page (/admin/broadcast?id=N): polls /admin/api/broadcast?id=N every two
// seconds and redraws the progress table, the summary and the failure reasons, until the
// server says nothing is left to send (done). Loaded by that page only; no inline script.
(() => {
  'use strict';
  const table = document.getElementById('progress');
  if (!table) return;
  const id = table.dataset.id;
  const body = table.tBodies[0];
  const summary = document.getElementById('progress-summary');
  const failures = document.getElementById('failures');
  const stateCell = document.getElementById('broadcast-state');
  const columns = ['queued', 'sent', 'delivered', 'read', 'failed', 'total'];
  const EVERY_MS = 2000;

  function row(data, total) {
    const tr = document.createElement('tr');
    tr.dataset.channel = data.channel;
    if (total) tr.className = 'total';
    const th = document.createElement('th');
    th.scope = 'row';
    th.textContent = data.label;
    tr.appendChild(th);
    for (const column of columns) {
      const td = document.createElement('td');
      td.dataset.state = column;
      td.textContent = String(data[column]);
      tr.appendChild(td);
    }
    return tr;
  }

  function draw(data) {
    const rows = data.rows.map((r) => row(r, false));
    rows.push(row(data.totals, true));
    body.replaceChildren(...rows);
    summary.textContent = data.summary;
    if (stateCell) stateCell.textContent = data.state_label;
    failures.replaceChildren(...data.failures.map((f) => {
      const li = document.createElement('li');
      li.textContent = `${f.channel}: ${f.reason} (${f.items})`;
      return li;
    }));
    table.dataset.done = data.done ? 'true' : 'false';
  }

  function poll() {
    fetch(`/admin/api/broadcast?id=${encodeURIComponent(id)}`, { credentials: 'same-origin' })
      .then((r) => (r.ok ? r.json() : null))
      .then((data) => {
        if (data) draw(data);
        if (!data || !data.done) setTimeout(poll, EVERY_MS);
      })
      .catch(() => setTimeout(poll, EVERY_MS * 2));
  }

  if (table.dataset.done !== 'true') setTimeout(poll, EVERY_MS);
})();
