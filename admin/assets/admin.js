// The console's page scripts (no inline scripts: the CSP forbids them). Live preview of
// a text as it is typed, and the inbox notifier (poll, browser notification, sound).
'use strict';

(function () {
  const body = document.body;
  const csrf = body.dataset.csrf || '';
  let texts = {};
  try { texts = JSON.parse(body.dataset.texts || '{}'); } catch (e) { texts = {}; }

  // --- live preview ---------------------------------------------------------------
  function preview(form) {
    const area = form.querySelector('textarea');
    const out = form.querySelector('.preview');
    const counts = form.querySelector('.counts');
    const data = new URLSearchParams({ lang: form.dataset.lang, key: form.dataset.key, text: area.value });
    fetch('/admin/api/preview', {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'X-CSRF-Token': csrf },
      body: data.toString(),
      credentials: 'same-origin',
    }).then((r) => r.json()).then((result) => {
      out.textContent = result.text;
      out.classList.toggle('invalid', !result.valid);
      counts.textContent = [result.counts].concat(result.warnings || []).join(' · ');
      counts.classList.toggle('over', (result.warnings || []).length > 0);
    }).catch(() => {});
  }
  document.querySelectorAll('form.edit').forEach((form) => {
    let timer = null;
    form.querySelector('textarea').addEventListener('input', () => {
      clearTimeout(timer);
      timer = setTimeout(() => preview(form), 250);
    });
  });

  // --- inbox notifier -------------------------------------------------------------
  const counter = document.getElementById('inbox-count');
  if (!counter) return;
  let known = null;  // ids waiting at the last poll
  // Browsers let a page make sound only after the person touched it: the audio context
  // is made (or resumed) on the first click or key, then reused for every tone.
  let audio = null;
  function unlockAudio() {
    try {
      if (!audio) audio = new (window.AudioContext || window.webkitAudioContext)();
      if (audio.state === 'suspended') audio.resume().catch(() => {});
    } catch (e) { audio = null; }
  }
  document.addEventListener('click', unlockAudio, { passive: true });
  document.addEventListener('keydown', unlockAudio, { passive: true });
  function beep() {
    try {
      unlockAudio();
      if (!audio) return;
      const tone = audio.createOscillator();
      const gain = audio.createGain();
      tone.frequency.value = 880;
      gain.gain.value = 0.15;
      tone.connect(gain).connect(audio.destination);
      tone.start();
      tone.stop(audio.currentTime + 0.25);
    } catch (e) { /* no audio: the badge and title still show it */ }
  }
  function poll() {
    fetch('/admin/api/inbox', { credentials: 'same-origin' }).then((r) => r.ok ? r.json() : null).then((data) => {
      if (!data) return;
      counter.textContent = data.waiting > 0 ? String(data.waiting) : '';
      const waiting = data.items.filter((i) => i.state === 'waiting').map((i) => i.id);
      if (known !== null && waiting.some((id) => !known.includes(id))) {
        beep();
        if ('Notification' in window && Notification.permission === 'granted') {
          new Notification(texts.new_handover || 'Buurtlijn', { body: texts.new_handover_body || '' });
        }
        document.title = '(' + data.waiting + ') ' + document.title.replace(/^\(\d+\) /, '');
        const news = document.getElementById('inbox-news');  // on the inbox: refresh the list
        if (news) news.hidden = false;
      }
      known = waiting;
    }).catch(() => {});
  }
  const enable = document.getElementById('notify-enable');
  if (enable) {
    if (!('Notification' in window) || Notification.permission !== 'default') enable.hidden = true;
    enable.addEventListener('click', () => {
      Notification.requestPermission().then(() => { enable.hidden = true; });
    });
  }
  poll();
  setInterval(poll, 5000);
})();

// A chosen PO file is read into the text field (nothing leaves the page until Check).
(function () {
  const file = document.getElementById('po-file');
  const text = document.getElementById('po');
  if (!file || !text) return;
  file.addEventListener('change', () => {
    const chosen = file.files && file.files[0];
    if (!chosen) return;
    chosen.text().then((content) => { text.value = content; });
  });
})();
