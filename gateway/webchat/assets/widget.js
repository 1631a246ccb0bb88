// Buurtlijn chat widget for the municipality's website:
//
//   <script src="https://buurtlijn.example/webchat/widget.js" async></script>
//
// Adds a floating button that opens the chat (an iframe of "/?embed=1" from the origin
// this script came from) in a panel; Escape or the button closes it again and focus
// returns to the button. Optional attributes on the script tag:
//   data-label="Chat met de gemeente"  the button's visible text (default "Buurtlijn")
//   data-position="start"              bottom-left in a left-to-right page (default: end)
// Everything lives in a shadow root: the page's CSS does not reach it and its CSS does
// not leak out. Styles go in through a constructed style sheet, which the host page's
// Content-Security-Policy allows without 'unsafe-inline'. The host page must allow
// this origin in frame-src (and script-src) if it has a CSP of its own.
(function () {
  'use strict';

  var script = document.currentScript;
  if (!script || !script.src) return;
  if (window.__buurtlijnWidget) return;  // included twice
  window.__buurtlijnWidget = true;

  var origin = new URL(script.src, document.baseURI).origin;
  var label = (script.getAttribute('data-label') || '').trim() || 'Buurtlijn';
  var atStart = script.getAttribute('data-position') === 'start';

  var css = [
    ':host { all: initial; }',
    '.launcher, .panel { position: fixed; z-index: 2147483000; }',
    '.launcher {',
    '  inset-block-end: max(16px, env(safe-area-inset-bottom));',
    '  inset-inline-end: 16px;',
    '  display: inline-flex; align-items: center; gap: 8px;',
    '  min-block-size: 48px; min-inline-size: 48px; max-inline-size: calc(100vw - 32px);',
    '  padding: 10px 18px; border: 2px solid #ffffff; border-radius: 999px;',
    '  background: #0a4a66; color: #ffffff;',
    '  font: 600 16px/1.2 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", Arial, sans-serif;',
    '  box-shadow: 0 2px 10px rgba(0, 0, 0, 0.35); cursor: pointer;',
    '}',
    '.launcher:hover { background: #073a51; }',
    '.launcher:focus-visible, .panel:focus-visible {',
    '  outline: 3px solid #0b0c0c; outline-offset: 2px; box-shadow: 0 0 0 2px #ffdd00;',
    '}',
    '.launcher svg { inline-size: 24px; block-size: 24px; fill: currentColor; flex: none; }',
    '.launcher .text { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }',
    '.launcher[aria-expanded="true"] .icon-open, .launcher[aria-expanded="false"] .icon-close { display: none; }',
    '.panel {',
    '  inset-block-end: calc(max(16px, env(safe-area-inset-bottom)) + 64px);',
    '  inset-inline-end: 16px;',
    '  inline-size: min(400px, calc(100vw - 32px));',
    '  block-size: min(640px, calc(100vh - 112px));',
    '  block-size: min(640px, calc(100dvh - 112px));',
    '  border: 1px solid #6b7780; border-radius: 16px; overflow: hidden;',
    '  background: #ffffff; box-shadow: 0 8px 32px rgba(0, 0, 0, 0.3);',
    '}',
    '.panel[hidden] { display: none; }',
    '.panel iframe { display: block; inline-size: 100%; block-size: 100%; border: 0; }',
    ':host(.at-start) .launcher, :host(.at-start) .panel { inset-inline-end: auto; inset-inline-start: 16px; }',
    '@media (max-width: 480px) {',
    '  .panel { inset-inline: 8px; inline-size: auto; inset-block-start: 8px; block-size: auto;',
    '    inset-block-end: calc(max(16px, env(safe-area-inset-bottom)) + 60px); }',
    '  :host(.at-start) .panel { inset-inline: 8px; }',
    '}',
    '@media (forced-colors: active) { .launcher, .panel { border: 2px solid CanvasText; } }',
    '@media print { .launcher, .panel { display: none; } }'
  ].join('\n');

  var SVG = 'http://www.w3.org/2000/svg';
  function icon(className, path) {
    var svg = document.createElementNS(SVG, 'svg');
    svg.setAttribute('viewBox', '0 0 24 24');
    svg.setAttribute('aria-hidden', 'true');
    svg.setAttribute('focusable', 'false');
    svg.setAttribute('class', className);
    var p = document.createElementNS(SVG, 'path');
    p.setAttribute('d', path);
    svg.appendChild(p);
    return svg;
  }

  function mount() {
    var host = document.createElement('div');
    host.id = 'buurtlijn-widget';
    if (atStart) host.className = 'at-start';
    var root = host.attachShadow({ mode: 'open' });

    var adopted = false;
    try {
      if ('adoptedStyleSheets' in root && typeof CSSStyleSheet === 'function') {
        var sheet = new CSSStyleSheet();
        sheet.replaceSync(css);
        root.adoptedStyleSheets = [sheet];
        adopted = true;
      }
    } catch (e) { adopted = false; }
    if (!adopted) {
      var style = document.createElement('style');  // older browsers
      style.textContent = css;
      root.appendChild(style);
    }

    var panel = document.createElement('div');
    panel.className = 'panel';
    panel.id = 'buurtlijn-panel';
    panel.hidden = true;
    panel.setAttribute('role', 'dialog');
    panel.setAttribute('aria-label', label);
    panel.tabIndex = -1;

    var button = document.createElement('button');
    button.type = 'button';
    button.className = 'launcher';
    button.setAttribute('aria-expanded', 'false');
    button.setAttribute('aria-controls', panel.id);
    button.appendChild(icon('icon-open',
      'M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H8.4L4 21.6V18a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2Zm3 6.5a1.5 1.5 0 1 0 0 .01Zm5 0a1.5 1.5 0 1 0 0 .01Zm5 0a1.5 1.5 0 1 0 0 .01Z'));
    button.appendChild(icon('icon-close',
      'M6.4 5 12 10.6 17.6 5 19 6.4 13.4 12 19 17.6 17.6 19 12 13.4 6.4 19 5 17.6 10.6 12 5 6.4Z'));
    var text = document.createElement('span');
    text.className = 'text';
    text.textContent = label;
    button.appendChild(text);

    root.appendChild(button);  // first in tab order, then the chat
    root.appendChild(panel);
    document.body.appendChild(host);

    var frame = null;
    var loaded = false;

    // Focus goes into the chat once its document is there: focusing the iframe before
    // it has loaded would leave the chat page itself without focus.
    function focusChat() {
      if (loaded && !panel.hidden) frame.focus();
      else panel.focus();
    }

    function open() {
      if (!frame) {
        frame = document.createElement('iframe');
        frame.title = label;
        frame.src = origin + '/?embed=1';
        frame.referrerPolicy = 'no-referrer';
        frame.addEventListener('load', function () {
          loaded = true;
          if (!panel.hidden && root.activeElement === panel) frame.focus();
        });
        panel.appendChild(frame);
      }
      panel.hidden = false;
      button.setAttribute('aria-expanded', 'true');
      focusChat();
    }

    function close(returnFocus) {
      if (panel.hidden) return;
      panel.hidden = true;
      button.setAttribute('aria-expanded', 'false');
      if (returnFocus) button.focus();
    }

    button.addEventListener('click', function () {
      if (panel.hidden) open();
      else close(true);
    });

    // Escape while focus is on the button or the panel; inside the iframe the chat page
    // sees the key and asks us to close (below).
    root.addEventListener('keydown', function (event) {
      if (event.key === 'Escape' && !panel.hidden) {
        event.preventDefault();
        close(true);
      }
    });

    window.addEventListener('message', function (event) {
      if (event.origin !== origin || !frame || event.source !== frame.contentWindow) return;
      var data = event.data;
      if (!data || typeof data !== 'object') return;
      if (data.type === 'buurtlijn:close') {
        close(true);
      } else if (data.type === 'buurtlijn:ui' && typeof data.title === 'string' && data.title) {
        // The chat's own title, in the visitor's language, names the dialog and frame.
        panel.setAttribute('aria-label', data.title);
        frame.title = data.title;
        if (typeof data.lang === 'string') panel.lang = data.lang;
      }
    });
  }

  if (document.body) mount();
  else document.addEventListener('DOMContentLoaded', mount, { once: true });
})();
