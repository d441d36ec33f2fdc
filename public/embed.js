/*
 * Skyloom chat widget.
 *   <script src="https://HOST/embed.js" data-agent="SLUG" data-key="PUBLIC_KEY"></script>
 * Puts a chat bubble on the page that talks to the published agent SLUG through HOST's
 * OpenAI-compatible /v1 API with a public key (restricted to that agent and to the page's
 * origin). Replies stream in; the conversation survives reloads (localStorage). Model output
 * is only ever inserted as text, never as HTML.
 */
(function () {
  "use strict";
  var script =
    document.currentScript || document.querySelector('script[data-agent][src*="embed.js"]');
  if (!script) return;
  var agent = script.getAttribute("data-agent");
  var key = script.getAttribute("data-key");
  if (!agent || !key) {
    console.error("Skyloom widget: add data-agent and data-key to the <script> tag.");
    return;
  }
  var base = new URL(script.src, window.location.href).origin;
  var title = script.getAttribute("data-title") || "Chat";
  var storageKey = "skyloom-chat:" + base + ":" + agent;
  var MAX_KEPT = 50;
  var HISTORY_SENT = 20;

  function randomId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return String(Date.now()) + Math.random().toString(36).slice(2);
  }
  function load() {
    try {
      var saved = JSON.parse(window.localStorage.getItem(storageKey) || "null");
      if (saved && typeof saved.id === "string" && Array.isArray(saved.messages)) return saved;
    } catch {
      /* a broken entry starts a new conversation */
    }
    return { id: randomId(), messages: [] };
  }
  var state = load();
  function save() {
    state.messages = state.messages.slice(-MAX_KEPT);
    try {
      window.localStorage.setItem(storageKey, JSON.stringify(state));
    } catch {
      /* storage full or blocked: the chat still works for this page view */
    }
  }

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    for (var name in attrs || {}) node.setAttribute(name, attrs[name]);
    if (text !== undefined) node.textContent = text;
    return node;
  }

  /** A speech-bubble icon drawn as SVG: an emoji needs an emoji font, which many systems lack. */
  function chatIcon() {
    var ns = "http://www.w3.org/2000/svg";
    var svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("fill", "none");
    svg.setAttribute("stroke", "currentColor");
    svg.setAttribute("stroke-width", "2");
    svg.setAttribute("stroke-linecap", "round");
    svg.setAttribute("stroke-linejoin", "round");
    svg.setAttribute("aria-hidden", "true");
    var path = document.createElementNS(ns, "path");
    path.setAttribute("d", "M21 15a2 2 0 0 1-2 2H7l-4 4V5a2 2 0 0 1 2-2h14a2 2 0 0 1 2 2z");
    svg.appendChild(path);
    return svg;
  }

  var host = el("div", { "data-skyloom-widget": agent });
  var root = host.attachShadow({ mode: "open" });
  var style = el("style");
  // A page whose own Content-Security-Policy allows styles by nonce gives this <script> tag one;
  // the widget's stylesheet carries the same.
  if (script.nonce) style.setAttribute("nonce", script.nonce);
  style.textContent =
    ":host{all:initial}" +
    ".bubble{position:fixed;right:20px;bottom:20px;width:56px;height:56px;border-radius:50%;border:0;background:#4f46e5;color:#fff;display:flex;align-items:center;justify-content:center;cursor:pointer;box-shadow:0 4px 14px rgba(0,0,0,.25);z-index:2147483646}" +
    ".bubble svg{width:26px;height:26px}" +
    "button:focus-visible,input:focus-visible{outline:2px solid #f59e0b;outline-offset:2px}" +
    ".panel{position:fixed;right:20px;bottom:88px;width:340px;max-width:calc(100vw - 40px);height:460px;max-height:calc(100vh - 120px);display:none;flex-direction:column;background:#fff;border:1px solid #e2e8f0;border-radius:12px;box-shadow:0 10px 30px rgba(0,0,0,.2);font:14px/1.4 system-ui,sans-serif;color:#0f172a;z-index:2147483647;overflow:hidden}" +
    ".panel.open{display:flex}" +
    ".head{display:flex;align-items:center;justify-content:space-between;padding:10px 12px;background:#4f46e5;color:#fff;font-weight:600}" +
    ".head button{background:transparent;border:0;color:#fff;cursor:pointer;font:12px system-ui,sans-serif;text-decoration:underline}" +
    ".head .close{font-size:18px;line-height:1;text-decoration:none;margin-left:8px}" +
    ".log{flex:1;overflow-y:auto;padding:10px;display:flex;flex-direction:column;gap:8px}" +
    // overflow-wrap:anywhere: a long word (a URL) wraps inside the bubble instead of running out of it.
    ".msg{max-width:85%;padding:7px 10px;border-radius:10px;white-space:pre-wrap;overflow-wrap:anywhere;word-break:break-word}" +
    ".user{align-self:flex-end;background:#4f46e5;color:#fff}" +
    ".assistant{align-self:flex-start;background:#f1f5f9}" +
    ".assistant[aria-busy=true]:empty::after{content:'…';color:#64748b}" +
    ".error{align-self:stretch;background:#fef2f2;color:#b91c1c;border:1px solid #fecaca}" +
    "form{display:flex;gap:6px;border-top:1px solid #e2e8f0;padding:8px}" +
    "input{flex:1;border:1px solid #cbd5e1;border-radius:8px;padding:7px 9px;font:14px system-ui,sans-serif}" +
    "form button{border:0;border-radius:8px;background:#4f46e5;color:#fff;padding:0 12px;cursor:pointer}" +
    "form button:disabled{opacity:.5;cursor:default}";

  var bubble = el("button", { class: "bubble", type: "button", "aria-label": "Open chat", "aria-expanded": "false" });
  bubble.appendChild(chatIcon());
  var panel = el("div", { class: "panel", role: "dialog", "aria-label": title });
  var head = el("div", { class: "head" });
  head.appendChild(el("span", {}, title));
  var actions = el("span");
  var reset = el("button", { type: "button" }, "New chat");
  var close = el("button", { type: "button", class: "close", "aria-label": "Close chat" }, "×");
  actions.appendChild(reset);
  actions.appendChild(close);
  head.appendChild(actions);
  var log = el("div", { class: "log", role: "log", "aria-live": "polite" });
  var form = el("form");
  var input = el("input", { type: "text", placeholder: "Type a message…", "aria-label": "Message", maxlength: "4000" });
  var send = el("button", { type: "submit" }, "Send");
  form.appendChild(input);
  form.appendChild(send);
  panel.appendChild(head);
  panel.appendChild(log);
  panel.appendChild(form);
  root.appendChild(style);
  root.appendChild(panel);
  root.appendChild(bubble);

  function addMessage(role, text) {
    var node = el("div", { class: "msg " + role, "data-role": role }, text);
    log.appendChild(node);
    log.scrollTop = log.scrollHeight;
    return node;
  }
  function render() {
    log.textContent = "";
    state.messages.forEach(function (m) {
      addMessage(m.role, m.content);
    });
  }
  render();

  function setOpen(open) {
    panel.classList.toggle("open", open);
    bubble.setAttribute("aria-expanded", String(open));
    if (open) input.focus();
    else bubble.focus();
  }
  bubble.addEventListener("click", function () {
    setOpen(!panel.classList.contains("open"));
  });
  close.addEventListener("click", function () {
    setOpen(false);
  });
  // Escape closes the chat from anywhere inside it, as for any dialog.
  panel.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      event.preventDefault();
      setOpen(false);
    }
  });
  // The answer being streamed, so that "New chat" can stop it (the server then cancels the run).
  var streaming = null;
  reset.addEventListener("click", function () {
    if (streaming) streaming.abort();
    state = { id: randomId(), messages: [] };
    save();
    render();
  });

  async function errorText(response) {
    try {
      var body = await response.json();
      if (body && body.error && body.error.message) return body.error.message;
    } catch {
      /* not JSON */
    }
    return "The agent answered " + response.status + ".";
  }

  async function ask(text) {
    var history = state.messages.slice(-HISTORY_SENT).filter(function (m) {
      return m.role === "user" || m.role === "assistant";
    });
    state.messages.push({ role: "user", content: text });
    save();
    addMessage("user", text);
    var reply = addMessage("assistant", "");
    reply.setAttribute("aria-busy", "true");
    var answer = "";
    var response;
    var stopped = new AbortController();
    streaming = stopped;
    try {
      response = await fetch(base + "/v1/chat/completions", {
        signal: stopped.signal,
        method: "POST",
        headers: { authorization: "Bearer " + key, "content-type": "application/json", conversation_id: state.id },
        body: JSON.stringify({ model: agent, stream: true, messages: history.concat([{ role: "user", content: text }]) }),
      });
    } catch {
      if (stopped.signal.aborted) return;
      reply.remove();
      addMessage("error", "Could not reach the agent from this site. Its key may not allow " + window.location.origin + ", or the server is down.");
      return;
    }
    if (!response.ok || !response.body) {
      reply.remove();
      addMessage("error", await errorText(response));
      return;
    }
    var reader = response.body.getReader();
    var decoder = new TextDecoder();
    var buffer = "";
    var failed = null;
    for (;;) {
      var chunk;
      try {
        chunk = await reader.read();
      } catch {
        // "New chat" stopped it: the old conversation, this reply included, is gone.
        if (stopped.signal.aborted) return;
        // The connection dropped mid-answer: keep what arrived and say it is incomplete.
        failed = "The connection was lost before the answer was complete. Please try again.";
        break;
      }
      if (chunk.done) break;
      buffer += decoder.decode(chunk.value, { stream: true });
      var events = buffer.split("\n\n");
      buffer = events.pop() || "";
      for (var i = 0; i < events.length; i++) {
        var line = events[i].trim();
        if (line.indexOf("data:") !== 0) continue;
        var data = line.slice(5).trim();
        if (data === "[DONE]") continue;
        try {
          var event = JSON.parse(data);
          if (event.error) failed = event.error.message || "The agent failed.";
          var delta = event.choices && event.choices[0] && event.choices[0].delta;
          if (delta && delta.content) {
            answer += delta.content;
            reply.textContent = answer;
            log.scrollTop = log.scrollHeight;
          }
        } catch {
          /* ignore a malformed event */
        }
      }
    }
    reply.removeAttribute("aria-busy");
    if (failed) {
      if (!answer) reply.remove();
      addMessage("error", failed);
      return;
    }
    state.messages.push({ role: "assistant", content: answer });
    save();
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value.trim();
    if (!text || send.disabled) return;
    input.value = "";
    send.disabled = true;
    ask(text).finally(function () {
      streaming = null;
      send.disabled = false;
      input.focus();
    });
  });

  if (document.body) document.body.appendChild(host);
  else document.addEventListener("DOMContentLoaded", function () { document.body.appendChild(host); });
})();
