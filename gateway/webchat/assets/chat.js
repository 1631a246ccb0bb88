// Buurtlijn web chat: the page at "/" (and "/?embed=1" inside the website widget).
//
// JSON text frames over the WebSocket at /webchat/ws:
//   page -> server: hello {token, language}, language {id, language},
//                   message {id, text}, choice {id, choice, label}, received {ids}
//   server -> page: ready {token, language, dir}, ack {id},
//                   message {id, text, lang, dir, buttons}, language {language, dir},
//                   error {code, message, id?}
// What it keeps in mind:
// - Every visible text comes from the `ui` strings in /webchat/languages.json of the
//   chosen language; bot text is rendered with textContent only (never as HTML).
// - Outgoing frames stay in `pending` until the server acks them and are sent again
//   after a reconnect (the server deduplicates by id). Bot messages are acknowledged
//   with "received" once shown; a message id already shown is ignored (only re-acked).
// - The token (localStorage "buurtlijn.token") resumes the conversation; the chosen
//   language is remembered in localStorage "buurtlijn.language".
// No framework, no build step; runs under "script-src 'self'".
(function () {
  'use strict';

  var TOKEN_KEY = 'buurtlijn.token';
  var LANGUAGE_KEY = 'buurtlijn.language';
  var LANGUAGES_URL = '/webchat/languages.json';
  var SOCKET_PATH = '/webchat/ws';
  var MAX_TEXT_BYTES = 4096;      // the server's limit on a message's text
  var MAX_LABEL_BYTES = 256;      // the server's limit on a choice's label
  var MAX_RECEIVED_IDS = 256;     // ids per "received" frame
  var BACKOFF_MIN_MS = 1000;
  var BACKOFF_MAX_MS = 30000;
  var ACK_TIMEOUT_MS = 25000;     // no ack for this long on an open socket: reconnect
  var MAX_SENDS = 8;              // a frame sent this often without an ack is given up
  var RETRY_AFTER_MS = { rate_limited: 10000, server_error: 5000 };
  var ERROR_KEYS = {
    too_long: 'error_too_long',
    rate_limited: 'error_rate_limited',
    invalid_utf8: 'error_invalid',
    invalid_frame: 'error_invalid',
    server_error: 'error_server'
  };

  var embedded = new URLSearchParams(window.location.search).get('embed') === '1';

  function $(id) { return document.getElementById(id); }
  var view = {
    chat: $('chat'),
    title: $('title'),
    changeLanguage: $('change-language'),
    changeLanguageText: $('change-language-text'),
    status: $('status'),
    scroller: $('scroller'),
    intro: $('intro'),
    picker: $('picker'),
    pickerTitle: $('picker-title'),
    languageList: $('language-list'),
    log: $('log'),
    error: $('error'),
    composer: $('composer'),
    input: $('input'),
    inputLabel: $('input-label'),
    sendText: $('send-text')
  };

  // --- small helpers -------------------------------------------------------------

  var storage = {
    get: function (key) {
      try { return window.localStorage.getItem(key); } catch (e) { return null; }
    },
    set: function (key, value) {
      try { window.localStorage.setItem(key, value); } catch (e) { /* private mode */ }
    }
  };

  var encoder = new TextEncoder();
  function utf8Length(text) { return encoder.encode(text).length; }

  // Cuts text to at most maxBytes of UTF-8 without splitting a character.
  function truncateUtf8(text, maxBytes) {
    if (utf8Length(text) <= maxBytes) return text;
    var out = '';
    var used = 0;
    for (var ch of text) {
      var n = utf8Length(ch);
      if (used + n > maxBytes) break;
      out += ch;
      used += n;
    }
    return out;
  }

  // Lone UTF-16 surrogates (possible from some keyboards or pastes) would reach the
  // server as invalid UTF-8; replace them like TextEncoder would.
  function wellFormed(text) {
    if (typeof text.toWellFormed === 'function') return text.toWellFormed();
    var out = '';
    for (var i = 0; i < text.length; i++) {
      var c = text.charCodeAt(i);
      if (c >= 0xd800 && c <= 0xdbff) {
        var d = i + 1 < text.length ? text.charCodeAt(i + 1) : 0;
        if (d >= 0xdc00 && d <= 0xdfff) { out += text[i] + text[i + 1]; i++; continue; }
        out += '\ufffd';
      } else if (c >= 0xdc00 && c <= 0xdfff) {
        out += '\ufffd';
      } else {
        out += text[i];
      }
    }
    return out;
  }

  function newId() {
    var c = window.crypto;
    if (c && typeof c.randomUUID === 'function') {
      try { return c.randomUUID(); } catch (e) { /* not a secure context */ }
    }
    var bytes = new Uint8Array(16);
    if (c && typeof c.getRandomValues === 'function') {
      c.getRandomValues(bytes);
    } else {
      for (var i = 0; i < bytes.length; i++) bytes[i] = Math.floor(Math.random() * 256);
    }
    var hex = '';
    for (var j = 0; j < bytes.length; j++) hex += (bytes[j] + 0x100).toString(16).slice(1);
    return hex;
  }

  function backoffDelay(attempt) {
    var ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * Math.pow(2, attempt));
    return Math.round(ceiling / 2 + Math.random() * ceiling / 2);  // "equal jitter"
  }

  function sleep(ms) { return new Promise(function (resolve) { setTimeout(resolve, ms); }); }

  // --- languages and ui strings --------------------------------------------------

  var languages = [];            // entries of languages.json, in its order
  var byCode = new Map();
  var defaultCode = 'nl';
  var uiCode = '';               // language of the page's own strings
  var conversationLanguage = ''; // as far as we know, the server's
  var statusKey = '';            // "connecting" | "reconnecting" | ""
  var errorKey = '';

  function ui(key) {
    var entry = byCode.get(uiCode) || byCode.get(defaultCode);
    var text = entry && entry.ui ? entry.ui[key] : undefined;
    if (typeof text === 'string') return text;
    var fallback = byCode.get(defaultCode);
    return fallback && fallback.ui && typeof fallback.ui[key] === 'string' ? fallback.ui[key] : '';
  }
  function dirOf(code) {
    var entry = byCode.get(code);
    return entry && entry.dir === 'rtl' ? 'rtl' : 'ltr';
  }

  async function loadLanguages() {
    for (var attempt = 0; ; attempt++) {
      try {
        var response = await fetch(LANGUAGES_URL, { credentials: 'same-origin' });
        if (!response.ok) throw new Error('HTTP ' + response.status);
        var data = await response.json();
        if (!data || !Array.isArray(data.languages) || data.languages.length === 0) {
          throw new Error('languages.json has no languages');
        }
        return data;
      } catch (e) {
        await sleep(backoffDelay(Math.min(attempt, 5)));
      }
    }
  }

  function browserLanguage() {
    var tags = navigator.languages && navigator.languages.length
      ? navigator.languages : [navigator.language || ''];
    for (var i = 0; i < tags.length; i++) {
      var code = String(tags[i] || '').toLowerCase().split(/[-_]/)[0];
      if (byCode.has(code)) return code;
    }
    return '';
  }

  function storedLanguage() {
    var code = storage.get(LANGUAGE_KEY);
    return code && byCode.has(code) ? code : '';
  }

  function rememberLanguage(code) {
    storage.set(LANGUAGE_KEY, code);
  }

  // Puts the strings of `code` on the page and sets lang and dir everywhere.
  function applyUi(code) {
    if (!byCode.has(code)) code = defaultCode;
    uiCode = code;
    var dir = dirOf(code);
    var root = document.documentElement;
    root.lang = code;
    root.dir = dir;
    view.chat.lang = code;
    view.chat.dir = dir;

    document.title = ui('title');
    view.title.textContent = ui('title');
    view.intro.textContent = ui('intro');
    view.pickerTitle.textContent = ui('choose_language');
    view.changeLanguageText.textContent = ui('change_language');
    view.inputLabel.textContent = ui('placeholder');
    view.input.placeholder = ui('placeholder');
    view.sendText.textContent = ui('send');
    renderStatus();
    renderError();
    var states = view.log.querySelectorAll('.user');
    for (var i = 0; i < states.length; i++) renderState(states[i]);
    markCurrentLanguage();
    tellParent();
  }

  function buildPicker() {
    view.languageList.textContent = '';
    languages.forEach(function (entry) {
      var item = document.createElement('li');
      var button = document.createElement('button');
      button.type = 'button';
      button.className = 'language';
      button.lang = entry.code;
      button.dir = entry.dir === 'rtl' ? 'rtl' : 'ltr';
      button.dataset.code = entry.code;
      button.textContent = entry.name;
      button.addEventListener('click', function () { pickLanguage(entry.code); });
      item.appendChild(button);
      view.languageList.appendChild(item);
    });
    markCurrentLanguage();
  }

  function markCurrentLanguage() {
    var current = conversationLanguage || storedLanguage();
    var buttons = view.languageList.querySelectorAll('button');
    for (var i = 0; i < buttons.length; i++) {
      if (buttons[i].dataset.code === current) buttons[i].setAttribute('aria-current', 'true');
      else buttons[i].removeAttribute('aria-current');
    }
  }

  // The picker is "required" while the conversation has no language yet: it is the
  // first thing shown and only a choice (ours or the server's) closes it.
  var pickerRequired = false;

  function pickerOpen() { return !view.picker.hidden; }

  function openPicker(moveFocus, required) {
    pickerRequired = Boolean(required);
    view.picker.hidden = false;
    view.log.hidden = true;
    view.composer.hidden = true;
    view.changeLanguage.hidden = pickerRequired;
    view.changeLanguage.setAttribute('aria-expanded', 'true');
    view.scroller.scrollTop = 0;
    markCurrentLanguage();
    if (moveFocus) {
      var target = view.languageList.querySelector('[aria-current="true"]') ||
        view.languageList.querySelector('button');
      if (target) target.focus();
    }
  }

  function closePicker(moveFocus) {
    var wasOpen = pickerOpen();
    pickerRequired = false;
    view.picker.hidden = true;
    view.log.hidden = false;
    view.composer.hidden = false;
    view.changeLanguage.hidden = false;
    view.changeLanguage.setAttribute('aria-expanded', 'false');
    if (wasOpen) scrollToEnd();
    if (moveFocus) view.input.focus();
  }

  function pickLanguage(code) {
    var entry = byCode.get(code);
    if (!entry) return;
    var changed = code !== conversationLanguage;
    rememberLanguage(code);
    conversationLanguage = code;
    applyUi(code);
    closePicker(false);
    if (changed) {
      var id = newId();
      var node = addUserBubble(entry.name, id, code, entry.dir === 'rtl' ? 'rtl' : 'ltr');
      enqueue({ type: 'language', id: id, language: code }, node);
    }
    view.input.focus();
  }

  // --- status line and errors ----------------------------------------------------

  function setStatus(key) {
    statusKey = key;
    renderStatus();
  }
  function renderStatus() {
    var text = statusKey ? ui(statusKey) : '';
    if (view.status.textContent !== text) view.status.textContent = text;
  }

  function showError(key) {
    errorKey = key;
    // Empty first, so that the same error twice in a row is announced twice.
    view.error.textContent = '';
    window.requestAnimationFrame(renderError);
  }
  function clearError() {
    errorKey = '';
    renderError();
    view.input.removeAttribute('aria-invalid');
  }
  function renderError() {
    var text = errorKey ? ui(errorKey) : '';
    if (view.error.textContent !== text) view.error.textContent = text;
  }

  // --- rendering messages --------------------------------------------------------

  var LINK = /\bhttps?:\/\/[^\s<>"'\u00a0]+/g;
  var TRAILING = /[.,;:!?)\]}'"\u060c\u061b\u061f\u3002\uff0c\u2019\u201d]+$/;

  // Appends text to `parent` as text nodes, with http(s) addresses as links. Never
  // parses HTML.
  function appendText(parent, text) {
    var last = 0;
    var match;
    LINK.lastIndex = 0;
    while ((match = LINK.exec(text)) !== null) {
      var url = match[0].replace(TRAILING, '');
      var start = match.index;
      if (!url) continue;
      var href = null;
      try {
        var parsed = new URL(url);
        if (parsed.protocol === 'https:' || parsed.protocol === 'http:') href = parsed.href;
      } catch (e) { href = null; }
      if (!href) continue;
      if (start > last) parent.appendChild(document.createTextNode(text.slice(last, start)));
      var a = document.createElement('a');
      a.href = href;
      a.target = '_blank';
      a.rel = 'noopener noreferrer';
      a.textContent = url;
      parent.appendChild(a);
      last = start + url.length;
      LINK.lastIndex = last;
    }
    if (last < text.length) parent.appendChild(document.createTextNode(text.slice(last)));
  }

  function speaker(key) {
    var span = document.createElement('span');
    span.className = 'visually-hidden';
    span.lang = uiCode;
    span.textContent = ui(key) + ': ';
    return span;
  }

  // Whether the conversation is scrolled to its end; it stays there when the view
  // gets smaller (an error or status line appears, the phone's keyboard opens).
  var pinned = true;

  function nearEnd() {
    var s = view.scroller;
    return s.scrollHeight - s.scrollTop - s.clientHeight < 48;
  }

  function scrollToEnd() {
    pinned = true;
    view.scroller.scrollTop = view.scroller.scrollHeight;
  }

  // Shows a new message: from its start when it is taller than the view.
  function reveal(node) {
    var s = view.scroller;
    if (node.offsetHeight > s.clientHeight - 24) {
      s.scrollTop = node.offsetTop - 12;
      pinned = false;
    } else {
      scrollToEnd();
    }
  }

  function addUserBubble(text, id, lang, dir) {
    var item = document.createElement('div');
    item.className = 'msg user';
    item.dataset.id = id;
    item.dataset.state = 'sending';
    item.lang = lang || conversationLanguage || uiCode;
    item.appendChild(speaker('you'));
    var body = document.createElement('p');
    body.className = 'text';
    body.dir = dir || 'auto';
    body.textContent = text;
    item.appendChild(body);
    var state = document.createElement('span');
    state.className = 'state';
    item.appendChild(state);
    renderState(item);
    view.log.appendChild(item);
    scrollToEnd();
    return item;
  }

  // The delivery mark of a user bubble: its label is a ui string when the language
  // has one ("sending", "sent"); the mark itself comes from CSS.
  function renderState(item) {
    var state = item.querySelector('.state');
    if (!state) return;
    var kind = item.dataset.state;
    if (kind === 'failed') {
      state.removeAttribute('role');
      state.removeAttribute('aria-label');
      state.removeAttribute('aria-hidden');
      state.textContent = ui(item.dataset.error || 'error_server');
      return;
    }
    state.textContent = '';
    var label = ui(kind);
    if (label) {
      state.setAttribute('role', 'img');
      state.setAttribute('aria-label', label);
      state.removeAttribute('aria-hidden');
    } else {
      state.removeAttribute('role');
      state.removeAttribute('aria-label');
      state.setAttribute('aria-hidden', 'true');
    }
  }

  function setState(item, kind, errorName) {
    if (!item) return;
    item.dataset.state = kind;
    if (errorName) item.dataset.error = errorName;
    renderState(item);
  }

  function renderBotMessage(message) {
    var lang = typeof message.lang === 'string' && message.lang ? message.lang : uiCode;
    var dir = message.dir === 'rtl' ? 'rtl' : 'ltr';
    var item = document.createElement('div');
    item.className = 'msg bot';
    item.dataset.id = message.id;
    item.lang = lang;
    item.dir = dir;
    item.appendChild(speaker('bot'));
    var body = document.createElement('p');
    body.className = 'text';
    appendText(body, typeof message.text === 'string' ? message.text : '');
    item.appendChild(body);

    var buttons = Array.isArray(message.buttons) ? message.buttons : [];
    var group = null;
    buttons.forEach(function (b) {
      if (!b || typeof b.id !== 'string' || !b.id || typeof b.label !== 'string') return;
      if (!group) {
        group = document.createElement('div');
        group.className = 'choices';
        group.setAttribute('role', 'group');
      }
      var button = document.createElement('button');
      button.type = 'button';
      button.className = 'choice';
      button.dataset.choice = b.id;
      button.textContent = b.label;
      button.addEventListener('click', function () { choose(button, b.id, b.label, lang); });
      group.appendChild(button);
    });
    if (group) item.appendChild(group);

    // Buttons of older messages no longer apply.
    var focusLost = false;
    var older = view.log.querySelectorAll('.choice:not(:disabled)');
    for (var i = 0; i < older.length; i++) {
      if (older[i] === document.activeElement) focusLost = true;
      older[i].disabled = true;
    }

    view.log.appendChild(item);
    reveal(item);
    var active = document.activeElement;
    if (focusLost || !active || active === document.body) {
      var first = group && group.querySelector('button');
      if (first) first.focus({ preventScroll: true });
      else if (!view.composer.hidden) view.input.focus({ preventScroll: true });
    }
  }

  function choose(button, choiceId, label, lang) {
    if (button.disabled) return;
    var group = button.parentNode;
    var all = group.querySelectorAll('button');
    for (var i = 0; i < all.length; i++) all[i].disabled = true;
    button.dataset.chosen = 'true';
    clearError();
    var id = newId();
    var node = addUserBubble(label, id, lang, 'auto');
    enqueue({ type: 'choice', id: id, choice: choiceId, label: truncateUtf8(label, MAX_LABEL_BYTES) }, node);
    view.input.focus({ preventScroll: true });
  }

  // --- outgoing frames -------------------------------------------------------------

  var pending = new Map();  // client id -> { frame, node, sends, sentAt, notBefore }
  var retryTimer = null;

  function enqueue(frame, node) {
    pending.set(frame.id, { frame: frame, node: node, sends: 0, sentAt: 0, notBefore: 0 });
    flush();
  }

  // Sends, in order, every pending frame not sent on the current socket. Stops at a
  // frame that must wait (rate limited), so that messages keep their order.
  function flush() {
    if (!socketReady()) return;
    var now = Date.now();
    for (var entry of pending.values()) {
      if (entry.sentAt) continue;
      if (entry.notBefore > now) {
        if (!retryTimer) {
          retryTimer = setTimeout(function () { retryTimer = null; flush(); },
            entry.notBefore - now + 50);
        }
        return;
      }
      if (entry.sends >= MAX_SENDS) {
        fail(entry, 'error_server');
        continue;
      }
      entry.sends += 1;
      entry.sentAt = now;
      lastSentId = entry.frame.id;
      socket.send(JSON.stringify(entry.frame));
    }
  }

  function fail(entry, errorName) {
    pending.delete(entry.frame.id);
    setState(entry.node, 'failed', errorName);
  }

  // --- acknowledging bot messages --------------------------------------------------

  var shown = new Set();   // server message ids already on the page
  var toAcknowledge = [];
  var ackQueued = false;

  function acknowledge(id) {
    toAcknowledge.push(id);
    if (ackQueued) return;
    ackQueued = true;
    setTimeout(function () {
      ackQueued = false;
      if (!socketReady()) { toAcknowledge = []; return; }  // re-sent after reconnect
      while (toAcknowledge.length) {
        var ids = toAcknowledge.splice(0, MAX_RECEIVED_IDS);
        socket.send(JSON.stringify({ type: 'received', ids: ids }));
      }
    }, 0);
  }

  // --- the socket -------------------------------------------------------------------

  var socket = null;
  var ready = false;          // "ready" received on the current socket
  var attempt = 0;
  var reconnectTimer = null;
  var watchdog = null;
  var lastSentId = '';
  var everConnected = false;

  function socketReady() {
    return socket !== null && ready && socket.readyState === WebSocket.OPEN;
  }

  function socketUrl() {
    var scheme = window.location.protocol === 'https:' ? 'wss:' : 'ws:';
    return scheme + '//' + window.location.host + SOCKET_PATH;
  }

  function connect() {
    if (reconnectTimer) { clearTimeout(reconnectTimer); reconnectTimer = null; }
    if (socket) return;
    setStatus(everConnected ? 'reconnecting' : 'connecting');
    var ws;
    try {
      ws = new WebSocket(socketUrl());
    } catch (e) {
      scheduleReconnect();
      return;
    }
    socket = ws;
    ready = false;
    lastSentId = '';
    ws.onopen = function () {
      if (ws !== socket) return;
      ws.send(JSON.stringify({
        type: 'hello',
        token: storage.get(TOKEN_KEY) || '',
        language: conversationLanguage || storedLanguage() || ''
      }));
    };
    ws.onmessage = function (event) {
      if (ws !== socket || typeof event.data !== 'string') return;
      var frame;
      try { frame = JSON.parse(event.data); } catch (e) { return; }
      if (frame && typeof frame === 'object') handleFrame(frame);
    };
    ws.onclose = function (event) {
      if (ws !== socket) return;
      socket = null;
      ready = false;
      stopWatchdog();
      // The server refused a frame: policy (1008) or size (1009). Give up the frame
      // last sent, or it would be refused again after every reconnect.
      if (event.code === 1008 || event.code === 1009) {
        var key = event.code === 1009 ? 'error_too_long' : 'error_invalid';
        showError(key);
        var entry = pending.get(lastSentId);
        if (entry) fail(entry, key);
      }
      for (var entry2 of pending.values()) entry2.sentAt = 0;
      scheduleReconnect();
    };
    ws.onerror = function () { /* onclose follows */ };
  }

  function scheduleReconnect() {
    if (reconnectTimer) return;
    setStatus(everConnected ? 'reconnecting' : 'connecting');
    var delay = backoffDelay(attempt);
    attempt = Math.min(attempt + 1, 10);
    reconnectTimer = setTimeout(function () { reconnectTimer = null; connect(); }, delay);
  }

  // Back online or back in view: do not wait for the rest of the backoff.
  function reconnectNow() {
    if (socket || !reconnectTimer) return;
    attempt = 0;
    connect();
  }

  function startWatchdog() {
    stopWatchdog();
    watchdog = setInterval(function () {
      if (!socketReady()) return;
      var now = Date.now();
      for (var entry of pending.values()) {
        if (entry.sentAt && now - entry.sentAt > ACK_TIMEOUT_MS) {
          socket.close(4000, 'ack timeout');  // a half-open connection: start afresh
          return;
        }
      }
    }, 5000);
  }
  function stopWatchdog() {
    if (watchdog) { clearInterval(watchdog); watchdog = null; }
  }

  function hasPendingLanguagePick() {
    for (var entry of pending.values()) if (entry.frame.type === 'language') return true;
    return false;
  }

  function handleFrame(frame) {
    switch (frame.type) {
      case 'ready': onReady(frame); break;
      case 'ack': onAck(frame); break;
      case 'message': onMessage(frame); break;
      case 'language': onLanguage(frame); break;
      case 'error': onError(frame); break;
      default: break;
    }
  }

  function onReady(frame) {
    ready = true;
    everConnected = true;
    attempt = 0;
    setStatus('');
    if (typeof frame.token === 'string' && frame.token) storage.set(TOKEN_KEY, frame.token);
    var code = typeof frame.language === 'string' ? frame.language : '';
    if (code && byCode.has(code)) {
      if (!hasPendingLanguagePick()) {
        conversationLanguage = code;
        rememberLanguage(code);
        applyUi(code);
      }
      if (pickerRequired) closePicker(false);
    } else if (!hasPendingLanguagePick()) {
      conversationLanguage = '';
      if (!pickerOpen()) openPicker(false, true);
    }
    startWatchdog();
    for (var entry of pending.values()) entry.sentAt = 0;
    flush();
  }

  function onAck(frame) {
    var entry = pending.get(frame.id);
    if (!entry) return;
    pending.delete(frame.id);
    setState(entry.node, 'sent');
  }

  function onMessage(frame) {
    if (typeof frame.id !== 'string' || !frame.id) return;
    if (!shown.has(frame.id)) {
      shown.add(frame.id);
      renderBotMessage(frame);
    }
    acknowledge(frame.id);
  }

  function onLanguage(frame) {
    var code = frame.language;
    if (typeof code !== 'string' || !byCode.has(code)) return;
    conversationLanguage = code;
    rememberLanguage(code);
    applyUi(code);
    if (pickerRequired) closePicker(false);
  }

  function onError(frame) {
    var key = ERROR_KEYS[frame.code] || 'error_server';
    showError(key);
    var entry = typeof frame.id === 'string' ? pending.get(frame.id) : undefined;
    if (!entry) return;
    var wait = RETRY_AFTER_MS[frame.code];
    if (wait) {
      // Not stored: send again later, keeping the order of what follows.
      entry.sentAt = 0;
      entry.notBefore = Date.now() + wait;
      flush();
    } else {
      fail(entry, key);  // refused for good: sending it again would not help
    }
  }

  // --- the composer ---------------------------------------------------------------

  function autoGrow() {
    if (window.CSS && CSS.supports && CSS.supports('field-sizing', 'content')) return;
    var input = view.input;
    input.style.height = 'auto';
    input.style.height = Math.min(input.scrollHeight + 4, 128) + 'px';
  }

  function submit(event) {
    if (event) event.preventDefault();
    var text = wellFormed(view.input.value).trim();
    if (!text) return;
    if (utf8Length(text) > MAX_TEXT_BYTES) {
      view.input.setAttribute('aria-invalid', 'true');
      showError('error_too_long');
      view.input.focus();
      return;
    }
    clearError();
    var id = newId();
    var node = addUserBubble(text, id, conversationLanguage || uiCode, 'auto');
    enqueue({ type: 'message', id: id, text: text }, node);
    view.input.value = '';
    autoGrow();
    view.input.focus();
  }

  function onInput() {
    autoGrow();
    var tooLong = utf8Length(view.input.value.trim()) > MAX_TEXT_BYTES;
    if (tooLong) {
      if (errorKey !== 'error_too_long') showError('error_too_long');
      view.input.setAttribute('aria-invalid', 'true');
    } else if (view.input.getAttribute('aria-invalid') === 'true') {
      clearError();
    }
  }

  function onKeyDown(event) {
    // Enter sends, Shift+Enter starts a new line; never while an IME is composing.
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing && event.keyCode !== 229) {
      submit(event);
    }
  }

  // --- embedding (the website widget) ----------------------------------------------

  function tellParent() {
    if (!embedded || window.parent === window) return;
    // Only public ui strings; the widget checks the origin of what it receives.
    window.parent.postMessage({ type: 'buurtlijn:ui', lang: uiCode, dir: dirOf(uiCode), title: ui('title') }, '*');
  }

  // In the widget: when the frame gets focus, put it on the first thing to use.
  function focusFirstControl() {
    if (document.activeElement && document.activeElement !== document.body) return;
    if (pickerOpen()) {
      var target = view.languageList.querySelector('[aria-current="true"]') ||
        view.languageList.querySelector('button');
      if (target) target.focus();
    } else if (!view.composer.hidden) {
      view.input.focus();
    }
  }

  function onDocumentKeyDown(event) {
    if (event.key !== 'Escape' || event.defaultPrevented) return;
    if (pickerOpen() && !pickerRequired) {
      closePicker(false);
      view.changeLanguage.focus();
      event.preventDefault();
      return;
    }
    if (embedded && window.parent !== window) {
      window.parent.postMessage({ type: 'buurtlijn:close' }, '*');
      event.preventDefault();
    }
  }

  // --- start -----------------------------------------------------------------------

  async function start() {
    if (embedded) document.documentElement.classList.add('embed');
    view.composer.addEventListener('submit', submit);
    view.input.addEventListener('keydown', onKeyDown);
    view.input.addEventListener('input', onInput);
    view.changeLanguage.addEventListener('click', function () {
      if (pickerOpen()) closePicker(true);
      else openPicker(true, false);
    });
    document.addEventListener('keydown', onDocumentKeyDown);
    view.scroller.addEventListener('scroll', function () { pinned = nearEnd(); }, { passive: true });
    if (typeof ResizeObserver === 'function') {
      new ResizeObserver(function () { if (pinned) scrollToEnd(); }).observe(view.scroller);
    }
    window.addEventListener('online', reconnectNow);
    document.addEventListener('visibilitychange', function () {
      if (document.visibilityState === 'visible') reconnectNow();
    });
    if (embedded) window.addEventListener('focus', focusFirstControl);

    setStatus('connecting');
    var data = await loadLanguages();
    languages = data.languages.filter(function (l) {
      return l && typeof l.code === 'string' && typeof l.name === 'string';
    });
    languages.forEach(function (l) { byCode.set(l.code, l); });
    defaultCode = byCode.has(data.default) ? data.default : languages[0].code;

    var chosen = storedLanguage();
    conversationLanguage = chosen;
    applyUi(chosen || browserLanguage() || defaultCode);
    buildPicker();
    if (chosen) closePicker(false);
    else openPicker(false, true);
    autoGrow();
    connect();
    if (embedded && document.hasFocus()) focusFirstControl();
  }

  start();
})();
