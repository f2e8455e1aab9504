// The local workspace's browser page: plain HTML and JS, no build step. Phone-first (a 390 px wide screen
// shows one conversation at a time), renders the Block Kit subset the app sends, polls the workspace state.
// Everything the page shows comes from other people or the app, so every string goes through escapeHtml, the
// product's one HTML escaping function, whose source is written into the script below; Slack's mrkdwn is
// turned into tags only around text that is already escaped.
import { escapeHtml } from '../http/html.js';

export function workspacePage(): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Situation Room — local Slack workspace</title>
<style>
  :root { --bg:#1a1d21; --panel:#222529; --text:#d1d2d3; --muted:#9a9b9d; --accent:#1164a3; --green:#007a5a; --red:#e01e5a; --border:#35373b; }
  * { box-sizing: border-box; }
  body { margin:0; font:15px/1.45 -apple-system, "Segoe UI", Roboto, sans-serif; background:var(--bg); color:var(--text); height:100vh; display:flex; flex-direction:column; }
  header { display:flex; gap:6px; padding:8px; background:#3f0e40; align-items:center; flex-wrap:wrap; }
  header select { flex:1 1 140px; min-width:0; font-size:15px; padding:6px; border-radius:6px; border:0; }
  header strong { color:#fff; font-size:14px; white-space:nowrap; }
  main { flex:1; display:flex; min-height:0; }
  #pane { flex:1; display:flex; flex-direction:column; min-width:0; }
  #thread { width:40%; border-left:1px solid var(--border); display:none; flex-direction:column; min-width:0; }
  #thread.open { display:flex; }
  @media (max-width: 700px) { #thread.open { position:fixed; inset:0; width:auto; background:var(--bg); z-index:5; border:0; } }
  .scroll { flex:1; overflow-y:auto; padding:8px 12px; }
  .msg { padding:8px 0; border-bottom:1px solid var(--border); }
  .msg.updated { animation: flash 1.2s ease-out; }
  @keyframes flash { from { background:#3b3a1f; } to { background:transparent; } }
  .who { font-weight:700; color:#fff; } .when { color:var(--muted); font-size:12px; margin-left:6px; }
  .ephemeral { background:#2b2f36; border-left:3px solid var(--muted); padding:6px 8px; margin:6px 0; font-size:14px; }
  .ephemeral .note { color:var(--muted); font-size:12px; }
  .blk-header { font-size:17px; font-weight:700; color:#fff; margin:6px 0 2px; }
  .blk-section { margin:4px 0; white-space:pre-wrap; word-wrap:break-word; overflow-wrap:anywhere; }
  .blk-context { color:var(--muted); font-size:13px; margin:4px 0; }
  .blk-divider { border:0; border-top:1px solid var(--border); margin:8px 0; }
  .blk-actions { display:flex; flex-wrap:wrap; gap:6px; margin:6px 0; }
  button.sbtn, a.sbtn { font:inherit; font-size:14px; font-weight:600; padding:8px 12px; min-height:40px; border-radius:6px; border:1px solid #565856; background:transparent; color:var(--text); cursor:pointer; text-decoration:none; display:inline-flex; align-items:center; }
  .sbtn.primary { background:var(--green); border-color:var(--green); color:#fff; }
  .sbtn.danger { background:transparent; border-color:var(--red); color:#ff7a9c; }
  .accessory { margin-top:6px; }
  code { background:#2c2d30; padding:1px 4px; border-radius:3px; font-size:13px; }
  pre { background:#2c2d30; padding:8px; border-radius:4px; overflow-x:auto; white-space:pre-wrap; font-size:12px; }
  a { color:#1d9bd1; }
  .mention { background:#1d9bd133; color:#1d9bd1; border-radius:3px; padding:0 2px; }
  .replies { color:#1d9bd1; font-size:13px; cursor:pointer; margin-top:4px; display:inline-block; }
  form.composer { display:flex; gap:6px; padding:8px; border-top:1px solid var(--border); }
  form.composer input { flex:1; min-width:0; font-size:16px; padding:8px; border-radius:6px; border:1px solid var(--border); background:var(--panel); color:var(--text); }
  form.composer button { font-size:15px; padding:8px 12px; border-radius:6px; border:0; background:var(--green); color:#fff; }
  .pane-title { padding:8px 12px; font-weight:700; border-bottom:1px solid var(--border); display:flex; justify-content:space-between; align-items:center; }
  #modal { position:fixed; inset:0; background:#000a; display:none; align-items:flex-end; justify-content:center; z-index:10; }
  #modal.open { display:flex; }
  @media (min-width: 701px) { #modal { align-items:center; } }
  #modal .sheet { background:var(--panel); width:100%; max-width:520px; max-height:90vh; overflow-y:auto; border-radius:10px 10px 0 0; padding:14px; }
  #modal h2 { margin:0 0 8px; font-size:18px; color:#fff; }
  #modal label { display:block; font-weight:700; margin:10px 0 4px; }
  #modal textarea, #modal input { width:100%; font:inherit; font-size:16px; padding:8px; border-radius:6px; border:1px solid var(--border); background:var(--bg); color:var(--text); }
  #modal .hint { color:var(--muted); font-size:12px; }
  #modal .error { color:#ff7a9c; font-size:13px; }
  #modal .buttons { display:flex; gap:8px; justify-content:flex-end; margin-top:12px; }
  .empty { color:var(--muted); padding:20px 0; text-align:center; }
  .welcome { padding:10px 0 12px; border-bottom:1px solid var(--border); }
  .welcome h2 { margin:0 0 4px; font-size:18px; color:#fff; }
  .welcome p { margin:4px 0; }
  .welcome ul { margin:6px 0; padding-left:18px; }
  .welcome li { margin:4px 0; }
  .welcome .try { color:#1d9bd1; cursor:pointer; }
  .banner { background:#5c1f2b; color:#fff; padding:8px 12px; font-size:14px; }
  .status { color:var(--muted); font-size:13px; font-style:italic; margin-top:4px; }
  .streaming::after { content:'▍'; color:var(--muted); }
  .prompts { padding:6px 8px 0; border-top:1px solid var(--border); }
  .prompts .ptitle { color:var(--muted); font-size:12px; margin-bottom:4px; }
  .prompts .plist { display:flex; flex-wrap:wrap; gap:6px; }
  button.prompt { font:inherit; font-size:14px; padding:6px 10px; border-radius:14px; border:1px solid #565856; background:var(--panel); color:var(--text); text-align:left; max-width:100%; overflow-wrap:anywhere; cursor:pointer; }
  .sbtn[aria-pressed="true"] { background:var(--accent); border-color:var(--accent); color:#fff; }
</style>
</head>
<body>
<header>
  <strong>Situation Room</strong>
  <select id="user" aria-label="You are"></select>
  <select id="conv" aria-label="Conversation"></select>
</header>
<div class="banner" id="banner" hidden></div>
<main>
  <section id="pane"><div class="pane-title" id="title"></div><div class="scroll" id="messages"></div><div class="prompts" id="prompts" hidden></div>
    <form class="composer" id="composer"><input id="text" autocomplete="off" placeholder="Message (try: pair with me on phase 2, or /sitroom help)"><button>Send</button></form></section>
  <section id="thread"><div class="pane-title"><span>Thread</span><button class="sbtn" id="closeThread" type="button">Close</button></div><div class="scroll" id="threadMessages"></div>
    <form class="composer" id="threadComposer"><input id="threadText" autocomplete="off" placeholder="Reply in thread"><button>Reply</button></form></section>
</main>
<div id="modal" role="dialog" aria-modal="true"><div class="sheet" id="sheet"></div></div>
<script>
const q = (s) => document.querySelector(s);
const params = new URLSearchParams(location.search);
let state = null, me = params.get('user') || '', conv = params.get('conv') || '', openThread = null, lastRender = '', seenEdits = {};
// The side of each answer's feedback buttons this person chose ("ts action_id" → positive|negative), shown pressed as Slack does.
let chosen = {}, openedDm = '';

${escapeHtml.toString()}
const esc = escapeHtml;
// Slack escapes &, < and > in message text (https://docs.slack.dev/messaging/formatting-message-text#escaping-text);
// the page shows the characters they stand for, escaped again for HTML.
function plain(s) { return esc(String(s).replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&')); }
// Only web links become links: a javascript: or data: URL from a message or a button stays text.
function safeUrl(u) { const url = String(u).replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&'); return /^https?:\\/\\//i.test(url) ? esc(url) : '#'; }
function userName(id) { const u = state.users.find((x) => x.id === id); return u ? (u.realName || u.name) : id === state.botUserId ? 'Situation Room' : id; }
// Slack mrkdwn subset: entities, links, mentions, dates, code, bold, italic, strike. Each recognised piece is
// rendered from escaped parts and set aside; the rest is escaped whole before emphasis marks become tags.
function mrkdwn(src) {
  const parts = [];
  const keep = (html) => { parts.push(html); return '\\u0000' + (parts.length - 1) + '\\u0000'; };
  let text = String(src).replace(/\\u0000/g, '');
  text = text.replace(/\`\`\`([\\s\\S]*?)\`\`\`/g, (_, code) => keep('<pre>' + plain(code) + '</pre>'));
  text = text.replace(/\`([^\`\\n]+)\`/g, (_, code) => keep('<code>' + plain(code) + '</code>'));
  text = text.replace(/<(https?:[^|>]+)\\|([^>]+)>/g, (_, url, label) => keep('<a target="_blank" rel="noopener" href="' + safeUrl(url) + '">' + plain(label) + '</a>'));
  text = text.replace(/<(https?:[^>]+)>/g, (_, url) => keep('<a target="_blank" rel="noopener" href="' + safeUrl(url) + '">' + plain(url) + '</a>'));
  text = text.replace(/<@([UW][A-Z0-9]+)>/g, (_, id) => keep('<span class="mention">@' + esc(userName(id)) + '</span>'));
  text = text.replace(/<!date\\^(\\d+)\\^[^|>]*\\|([^>]*)>/g, (_, secs) => keep(esc(new Date(Number(secs) * 1000).toLocaleString())));
  text = plain(text);
  const emoji = { white_check_mark: '✅', warning: '⚠️', busts_in_silhouette: '👥', eyes: '👀', x: '❌' };
  text = text.replace(/:([a-z_]+):/g, (m, name) => (Object.prototype.hasOwnProperty.call(emoji, name) ? emoji[name] : m));
  text = text.replace(/\\*([^*\\n]+)\\*/g, '<b>$1</b>').replace(/(^|\\W)_([^_\\n]+)_(?=\\W|$)/g, '$1<i>$2</i>').replace(/~([^~\\n]+)~/g, '<s>$1</s>');
  return text.replace(/\\u0000(\\d+)\\u0000/g, (_, i) => parts[Number(i)] ?? '');
}
function textObj(t) { return !t ? '' : t.type === 'mrkdwn' ? mrkdwn(t.text) : esc(t.text); }
const styleClass = (b) => (b.style === 'primary' || b.style === 'danger' ? b.style : '');
function buttonHtml(b, ctx) {
  if (b.url) return '<a class="sbtn ' + styleClass(b) + '" target="_blank" rel="noopener" href="' + safeUrl(b.url) + '">' + esc(b.text.text) + '</a>';
  return '<button class="sbtn ' + styleClass(b) + '" data-action="' + esc(b.action_id) + '" data-ctx="' + esc(JSON.stringify(ctx)) + '">' + esc(b.text.text) + '</button>';
}
// Thumbs up and down under an answer (feedback_buttons); a tap sends that side's value as a block action.
function feedbackHtml(e, ctx) {
  const side = (name) => { const b = e[name + '_button'] || {}; const key = ctx.ts + ' ' + e.action_id; const pressed = chosen[key] === name;
    return '<button class="sbtn" data-feedback="' + name + '" data-fb-action="' + esc(e.action_id) + '" data-ctx="' + esc(JSON.stringify(ctx)) + '" aria-pressed="' + pressed + '"' + (b.accessibility_label ? ' aria-label="' + esc(b.accessibility_label) + '"' : '') + '>' + esc(b.text ? b.text.text : name) + '</button>'; };
  return side('positive') + side('negative');
}
// What the app says it is doing in a thread ("is reading capi.go…"), under the thread's parent and at the thread's end.
function statusHtml(channel, threadTs) {
  const s = (state.statuses || []).find((x) => x.channel === channel && x.threadTs === threadTs);
  return s ? '<div class="status" role="status">' + esc(userName(state.botUserId)) + ' ' + esc(s.status) + '</div>' : '';
}
// A streamed answer is markdown (chat.startStream's markdown_text): its **bold** shown as mrkdwn's *bold*.
function streamedHtml(m, ctx) {
  const text = String(m.text || '').replace(/\\*\\*([^*\\n]+)\\*\\*/g, '*$1*');
  return '<div class="blk-section' + (m.stream.state === 'streaming' ? ' streaming' : '') + '">' + mrkdwn(text) + '</div>' + (m.blocks && m.blocks.length ? blocksHtml(m.blocks, ctx, '') : '');
}
function blocksHtml(blocks, ctx, fallback) {
  if (!blocks || !blocks.length) return '<div class="blk-section">' + mrkdwn(fallback || '') + '</div>';
  return blocks.map((b) => {
    switch (b.type) {
      case 'header': return '<div class="blk-header">' + esc(b.text.text) + '</div>';
      case 'section': return '<div class="blk-section">' + textObj(b.text) + (b.fields ? '<div>' + b.fields.map(textObj).join('<br>') + '</div>' : '') + (b.accessory && b.accessory.type === 'button' ? '<div class="accessory">' + buttonHtml(b.accessory, ctx) + '</div>' : '') + '</div>';
      case 'context': return '<div class="blk-context">' + b.elements.map(textObj).join(' · ') + '</div>';
      case 'divider': return '<hr class="blk-divider">';
      case 'actions': return '<div class="blk-actions">' + b.elements.map((e) => buttonHtml(e, ctx)).join('') + '</div>';
      case 'context_actions': return '<div class="blk-actions">' + (b.elements || []).map((e) => (e.type === 'feedback_buttons' ? feedbackHtml(e, ctx) : '')).join('') + '</div>';
      case 'input': return '';
      default: return '<div class="blk-context">[' + esc(b.type) + ' block]</div>';
    }
  }).join('');
}
function messageHtml(m, inThread) {
  const edited = m.edited ? ' <span class="when">(edited)</span>' : '';
  const ctx = { surface: 'message', channel: m.channel, ts: m.ts };
  const replies = !inThread && m.reply_count ? '<span class="replies" data-thread="' + esc(m.ts) + '">' + esc(Number(m.reply_count)) + ' repl' + (m.reply_count === 1 ? 'y' : 'ies') + '</span>' : '';
  const threadLink = !inThread && !m.reply_count ? '<span class="replies" data-thread="' + esc(m.ts) + '">Reply in thread</span>' : '';
  const flash = m.edited && seenEdits[m.ts] !== m.edited.ts ? ' updated' : '';
  if (m.edited) seenEdits[m.ts] = m.edited.ts;
  return '<div class="msg' + flash + '" data-ts="' + esc(m.ts) + '"><span class="who">' + esc(userName(m.user)) + '</span><span class="when">' + esc(new Date(Number(String(m.ts).split('.')[0]) * 1000).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })) + '</span>' + edited + (m.stream ? streamedHtml(m, ctx) : blocksHtml(m.blocks, ctx, m.text)) + replies + threadLink + (inThread ? '' : statusHtml(m.channel, m.ts)) + '</div>';
}
function ephemeralHtml(e) { return '<div class="ephemeral"><div class="note">Only visible to you</div>' + blocksHtml(e.blocks, { surface: 'ephemeral' }, e.text) + '</div>'; }
// The beginning of a DM, as Slack shows it, plus what to try first in this local workspace.
function welcomeHtml() {
  const u = state.users.find((x) => x.id === me);
  const who = u ? (u.realName || u.name) : me;
  const ask = 'show me the error propagation path from an Azure machine to NodePool conditions';
  return '<div class="welcome" id="welcome"><h2>Welcome, ' + esc(who) + '</h2>' +
    '<p>This is your direct message with Situation Room, in a Slack workspace that runs on your machine. Try:</p><ul>' +
    '<li><span class="try" data-try="/sitroom help"><code>/sitroom help</code></span> — what you can ask and do</li>' +
    '<li><span class="try" data-try="' + esc(ask) + '">' + esc(ask) + '</span> — an answer from the domain model</li>' +
    '<li><code>npm run demo</code> in a second terminal — plays a day on one ticket here, from plan to merged phases</li></ul>' +
    '<p class="blk-context">Tap a suggestion to put it in the message box. The menus at the top switch person and conversation (App Home is there too).</p></div>';
}
function render() {
  if (!state) return;
  const userSel = q('#user');
  if (!userSel.options.length) userSel.innerHTML = state.users.map((u) => '<option value="' + esc(u.id) + '">' + esc(u.realName || u.name) + ' (@' + esc(u.name) + ')</option>').join('');
  userSel.value = me;
  const convSel = q('#conv');
  const options = [{ id: 'home', name: 'App Home' }].concat(state.channels);
  const html = options.map((c) => '<option value="' + esc(c.id) + '">' + esc(c.name) + '</option>').join('');
  if (convSel.innerHTML !== html) convSel.innerHTML = html;
  if (!conv) conv = (state.channels.find((c) => c.isIm) || state.channels[0]).id;
  convSel.value = conv;
  let parts;
  if (conv === 'home') {
    q('#title').textContent = 'App Home'; q('#composer').style.display = 'none';
    parts = [{ key: 'home', html: state.home ? blocksHtml(state.home.blocks, { surface: 'home' }) : '<div class="empty">The app has not published a Home tab yet.</div>' }];
  } else {
    const c = state.channels.find((x) => x.id === conv);
    q('#title').textContent = c ? c.name : conv; q('#composer').style.display = 'flex';
    const top = state.messages.filter((m) => m.channel === conv && (!m.thread_ts || m.thread_ts === m.ts));
    const eph = state.ephemerals.filter((e) => e.channel === conv && !e.thread_ts);
    const items = top.map((m) => ({ ts: m.ts, key: 'm' + m.ts, html: messageHtml(m, false) })).concat(eph.map((e) => ({ ts: e.ts, key: 'e' + e.ts, html: ephemeralHtml(e) }))).sort((a, b) => Number(a.ts) - Number(b.ts));
    parts = (c && c.isIm ? [{ key: 'welcome', html: welcomeHtml() }] : []).concat(items.length ? items : c && c.isIm ? [] : [{ key: 'empty', html: '<div class="empty">No messages yet.</div>' }]);
  }
  const body = parts.map((p) => p.key + '=' + p.html).join('');
  let threadBody = '';
  if (openThread) {
    const parent = state.messages.find((m) => m.ts === openThread.ts && m.channel === openThread.channel);
    const replies = state.messages.filter((m) => m.channel === openThread.channel && m.thread_ts === openThread.ts && m.ts !== openThread.ts);
    const eph = state.ephemerals.filter((e) => e.channel === openThread.channel && e.thread_ts === openThread.ts);
    threadBody = (parent ? messageHtml(parent, true) : '') + replies.map((m) => messageHtml(m, true)).join('') + eph.map(ephemeralHtml).join('') + statusHtml(openThread.channel, openThread.ts);
  }
  // The prompts the app pinned in this DM (assistant.threads.setSuggestedPrompts); a tap sends one as her message.
  const pinned = conv !== 'home' && (state.suggestedPrompts || []).find((p) => p.channel === conv);
  const promptsHtml = pinned ? (pinned.title ? '<div class="ptitle">' + esc(pinned.title) + '</div>' : '') + '<div class="plist">' + pinned.prompts.map((p) => '<button type="button" class="prompt" data-prompt="' + esc(p.message) + '">' + esc(p.title) + '</button>').join('') + '</div>' : '';
  if (q('#prompts').innerHTML !== promptsHtml) { q('#prompts').innerHTML = promptsHtml; q('#prompts').hidden = !promptsHtml; }
  const modalHtml = state.modal ? modalView(state.modal) : '';
  const snapshot = body + '|' + threadBody + '|' + modalHtml;
  if (snapshot === lastRender) return;
  lastRender = snapshot;
  const scroller = q('#messages'); const atBottom = scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 40;
  patchList(scroller, parts); if (atBottom) scroller.scrollTop = scroller.scrollHeight;
  q('#thread').classList.toggle('open', !!openThread); q('#threadMessages').innerHTML = threadBody;
  const modal = q('#modal');
  if (state.modal) { if (!modal.classList.contains('open')) { q('#sheet').innerHTML = modalHtml; modal.classList.add('open'); } else if (state.modal.errors) { q('#sheet').querySelectorAll('.error').forEach((el) => { el.textContent = state.modal.errors[el.dataset.block] || ''; }); } }
  else { modal.classList.remove('open'); q('#sheet').innerHTML = ''; }
}
// Redraws only the messages that changed: replacing the whole list would pull a button from under a finger
// whenever any other message arrives or is edited.
function patchList(container, parts) {
  const byKey = new Map([...container.children].map((el) => [el.dataset.key, el]));
  let before = container.firstElementChild;
  for (const part of parts) {
    let el = byKey.get(part.key);
    byKey.delete(part.key);
    if (!el) { el = document.createElement('div'); el.dataset.key = part.key; }
    if (el.sitroomHtml !== part.html) { el.innerHTML = part.html; el.sitroomHtml = part.html; }
    if (el !== before) container.insertBefore(el, before); else before = before.nextElementSibling;
  }
  for (const stale of byKey.values()) stale.remove();
}
function modalView(v) {
  const inputs = (v.blocks || []).map((b) => {
    if (b.type !== 'input') return blocksHtml([b], { surface: 'modal' });
    const e = b.element, id = esc(b.block_id), val = esc(e.initial_value || ''), max = Number(e.max_length) || 3000;
    const field = e.multiline ? '<textarea rows="6" name="' + id + '" maxlength="' + max + '">' + val + '</textarea>' : '<input name="' + id + '" value="' + val + '" maxlength="' + max + '">';
    return '<label for="' + id + '">' + esc(b.label.text) + '</label>' + field + (b.hint ? '<div class="hint">' + esc(b.hint.text) + '</div>' : '') + '<div class="error" data-block="' + id + '"></div>';
  }).join('');
  return '<h2>' + esc(v.title.text) + '</h2><form id="modalForm">' + inputs + '<div class="buttons"><button type="button" class="sbtn" id="modalClose">' + esc(v.close ? v.close.text : 'Cancel') + '</button>' + (v.submit ? '<button class="sbtn primary">' + esc(v.submit.text) + '</button>' : '') + '</div></form>';
}
async function post(path, body) { const r = await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(Object.assign({ user: me }, body)) }); return r.json(); }
async function refresh() {
  try {
    const r = await fetch('/ui/state?user=' + encodeURIComponent(me)); const next = await r.json();
    const banner = q('#banner');
    if (!r.ok) { banner.textContent = next.detail || next.error; banner.hidden = false; return; }
    banner.hidden = true;
    // ?user= may be a name or an id; the workspace answers with the id, which the picker's options carry.
    state = next; me = state.me; render();
    // Opening the app's DM is what Slack tells the app (app_home_opened, messages tab): once each time it is shown.
    const dm = state.channels.find((c) => c.id === conv && c.isIm);
    if (dm && openedDm !== me + ' ' + conv) { openedDm = me + ' ' + conv; post('/ui/messages', {}).then(() => setTimeout(refresh, 200)); }
  } catch (e) { /* the server may be restarting */ }
}
document.addEventListener('click', async (ev) => {
  const btn = ev.target.closest('button[data-action]');
  if (btn) { ev.preventDefault(); const ctx = JSON.parse(btn.dataset.ctx); btn.disabled = true; await post('/ui/tap', Object.assign({ actionId: btn.dataset.action }, ctx)); setTimeout(refresh, 150); return; }
  const fb = ev.target.closest('button[data-feedback]');
  if (fb) { ev.preventDefault(); const ctx = JSON.parse(fb.dataset.ctx); chosen[ctx.ts + ' ' + fb.dataset.fbAction] = fb.dataset.feedback; lastRender = ''; render(); await post('/ui/feedback', { actionId: fb.dataset.fbAction, side: fb.dataset.feedback, channel: ctx.channel, ts: ctx.ts }); setTimeout(refresh, 150); return; }
  const prompt = ev.target.closest('button[data-prompt]');
  if (prompt) { await post('/ui/send', { channel: conv, text: prompt.dataset.prompt, threadTs: '' }); setTimeout(refresh, 150); return; }
  const suggestion = ev.target.closest('[data-try]');
  if (suggestion) { q('#text').value = suggestion.dataset.try; q('#text').focus(); return; }
  const th = ev.target.closest('[data-thread]');
  if (th) { openThread = { channel: conv, ts: th.dataset.thread }; lastRender = ''; render(); return; }
  if (ev.target.id === 'closeThread') { openThread = null; lastRender = ''; render(); }
  if (ev.target.id === 'modalClose') { await post('/ui/close', {}); refresh(); }
});
document.addEventListener('submit', async (ev) => {
  ev.preventDefault();
  if (ev.target.id === 'modalForm') { const values = {}; new FormData(ev.target).forEach((v, k) => { values[k] = String(v); }); await post('/ui/submit', { values: JSON.stringify(values) }); setTimeout(refresh, 150); return; }
  const inThread = ev.target.id === 'threadComposer';
  const input = inThread ? q('#threadText') : q('#text'); const text = input.value.trim(); if (!text) return; input.value = '';
  if (!inThread && text.startsWith('/')) await post('/ui/command', { channel: conv, text });
  else await post('/ui/send', { channel: inThread ? openThread.channel : conv, text, threadTs: inThread ? openThread.ts : '' });
  setTimeout(refresh, 150);
});
q('#user').addEventListener('change', (e) => { me = e.target.value; conv = ''; openThread = null; lastRender = ''; refresh(); });
q('#conv').addEventListener('change', (e) => { conv = e.target.value; openThread = null; lastRender = ''; openedDm = ''; if (conv === 'home') post('/ui/home', {}).then(() => setTimeout(refresh, 200)); render(); });
refresh(); setInterval(refresh, 700);
</script>
</body>
</html>`;
}
