// The chat page: ask, renderAnswer, openSource. Article text only ever goes in as text nodes.
"use strict";

const $ = (id) => document.getElementById(id);
const turns = [];            // {question, answer} pairs sent as history for follow-ups
let lastOpener = null;       // the element that opened the source panel, to give focus back
const TITLE_CHARS = 120;     // a longer title is cut (twice as long in the source panel)

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value);
  }
  for (const child of children) if (child) node.append(child);
  return node;
}

// The API's offsets count Unicode code points, as Python does; a JavaScript string counts
// UTF-16 units, two for an emoji or any other character past U+FFFF. So text is sliced
// by code points, and directly when it has no such character.
function pointSlicer(text) {
  if (!/[\uD800-\uDFFF]/.test(text)) return (start, end) => text.slice(start, end);
  const points = Array.from(text);
  return (start, end) => points.slice(start, end).join("");
}

function clip(text, limit) {
  const points = Array.from(text);
  return points.length > limit ? `${points.slice(0, limit).join("").trimEnd()}…` : text;
}

function docUrl(docId) {
  return "/documents/" + docId.split("/").map(encodeURIComponent).join("/");
}

// fetch, with the browser's bare "Failed to fetch" (no answer came at all) said plainly.
async function reach(url, options) {
  try {
    return await fetch(url, options);
  } catch (_) {
    throw new Error("the service could not be reached. Check that it is running, then try again.");
  }
}

async function errorMessage(response) {
  try {
    const body = await response.json();
    if (typeof body.detail === "string") return body.detail;
    if (Array.isArray(body.detail)) return body.detail.map((d) => d.msg).join("; ");
  } catch (_) { /* not JSON */ }
  return `The server answered ${response.status} ${response.statusText}`;
}

async function ask(question) {
  $("empty").hidden = true;
  const reply = el("div", { class: "reply pending", text: "Looking through the articles" });
  const turn = el("section", { class: "turn" }, el("div", { class: "question", text: question }), reply);
  $("conversation").append(turn);
  turn.scrollIntoView({ block: "end" });
  try {
    const response = await reach("/ask", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ question, history: turns.slice(-6), top_k: 3 }),
    });
    if (!response.ok) throw new Error(await errorMessage(response));
    const result = await response.json();
    reply.replaceChildren(result.no_answer ? renderNoAnswer(result) : renderAnswers(result));
    if (result.resolved_question) {  // how a follow-up's "they" or "it" was read
      reply.prepend(el("p", { class: "muted resolved", text: `Read as: ${result.resolved_question}` }));
    }
    turns.push({ question, answer: result.no_answer ? null : result.answers[0].text });
  } catch (error) {
    reply.replaceChildren(el("p", { class: "error", role: "alert", text: `Sorry, that failed: ${error.message}` }));
  }
  reply.classList.remove("pending");
  turn.scrollIntoView({ block: "end" });
}

function renderAnswers(result) {
  const [best, ...others] = result.answers;
  const box = el("div", {}, renderAnswer(best));
  if (others.length) {
    const same = others.every((a) => a.text.trim().toLowerCase() === best.text.trim().toLowerCase());
    const label = `${others.length} other source${others.length > 1 ? "s" : ""}${same ? " agree" : ""}`;
    const details = el("details", { class: "others" }, el("summary", { text: label }));
    for (const answer of others) details.append(renderAnswer(answer));
    box.append(details);
  }
  return box;
}

function renderAnswer(answer) {
  const c = answer.citation;
  const slice = pointSlicer(answer.sentence);
  const before = slice(0, c.start - c.sentence_start);
  const after = slice(c.end - c.sentence_start);
  const quote = el("blockquote", { class: "quote" }, before, el("strong", { text: answer.text }), after);
  const strong = answer.score >= 0.75;
  const fill = el("span");
  fill.style.width = `${Math.round(answer.score * 100)}%`;  // CSSOM, which the CSP allows
  const meter = el("span", { class: "meter", "aria-hidden": "true" }, fill);
  const match = el("span", { class: "match", title: `score ${answer.score.toFixed(2)}` }, meter,
    el("span", { text: strong ? "strong match" : "possible match" }));
  const name = c.title || c.doc_id;
  const open = el("button", { type: "button", class: "open-source", text: clip(name, TITLE_CHARS),
    title: name, "aria-label": `Open the source: ${name}`,
    onclick: (event) => openSource(c, event.currentTarget) });
  const cite = el("div", { class: "cite" }, open, c.published ? el("span", { class: "muted", text: c.published }) : null, match);
  return el("div", { class: "answer" }, quote, cite);
}

function renderNoAnswer(result) {
  const box = el("div", {}, el("p", { class: "no-answer", text: "I couldn't find that in the articles." }));
  if (result.related.length) {
    box.append(el("p", { class: "muted", text: "The closest passages:" }));
    const list = el("ul", { class: "related" });
    for (const passage of result.related) {
      const c = passage.citation;
      list.append(el("li", {}, el("button", { type: "button",
        onclick: (event) => openSource(c, event.currentTarget) },
        el("span", { class: "title", text: clip(c.title || c.doc_id, TITLE_CHARS) }),
        clip(passage.text, 280))));
    }
    box.append(list);
  }
  return box;
}

async function openSource(citation, opener) {
  lastOpener = opener || document.activeElement;
  const panel = $("source");
  const body = $("source-text");
  const name = citation.title || citation.doc_id;
  $("source-title").textContent = clip(name, 2 * TITLE_CHARS);
  $("source-title").title = name;
  $("source-meta").textContent = "Loading…";
  body.replaceChildren();
  panel.hidden = false;
  $("source-close").focus();
  try {
    const response = await reach(docUrl(citation.doc_id));
    if (!response.ok) throw new Error(await errorMessage(response));
    const doc = await response.json();
    $("source-meta").textContent = [doc.source, doc.published].filter(Boolean).join(" · ");
    const link = $("source-link");
    link.hidden = !doc.url;
    if (doc.url && /^https?:/i.test(doc.url)) link.href = doc.url; else link.hidden = true;
    const slice = pointSlicer(doc.text);
    const mark = el("mark", { id: "cited" }, slice(citation.sentence_start, citation.start),
      el("strong", { text: slice(citation.start, citation.end) }),
      slice(citation.end, citation.sentence_end));
    body.replaceChildren(slice(0, citation.sentence_start), mark, slice(citation.sentence_end));
    mark.scrollIntoView({ block: "center" });
  } catch (error) {
    $("source-meta").textContent = `Could not open the article: ${error.message}`;
  }
}

function closeSource() {
  $("source").hidden = true;
  if (lastOpener && document.contains(lastOpener)) lastOpener.focus();
}

function trapFocus(event) {
  if (event.key !== "Tab" || $("source").hidden) return;
  const items = [...$("source").querySelectorAll("button, a[href]:not([hidden]), [tabindex='0']")]
    .filter((n) => !n.hidden && n.offsetParent !== null);
  if (!items.length) return;
  const first = items[0], last = items[items.length - 1];
  if (event.shiftKey && document.activeElement === first) { last.focus(); event.preventDefault(); }
  else if (!event.shiftKey && document.activeElement === last) { first.focus(); event.preventDefault(); }
  else if (!$("source").contains(document.activeElement)) { first.focus(); event.preventDefault(); }
}

function grow() {
  const box = $("question");
  box.style.height = "auto";
  box.style.height = `${box.scrollHeight}px`;
}

function submit(event) {
  if (event) event.preventDefault();
  const box = $("question");
  const question = box.value.trim();
  if (!question) return;
  box.value = "";
  grow();
  ask(question);
}

function newConversation() {
  turns.length = 0;
  for (const turn of document.querySelectorAll(".turn")) turn.remove();
  $("empty").hidden = false;
  closeSource();
  $("question").focus();
}

async function showCount() {
  try {
    const response = await reach("/readyz");
    const body = await response.json();
    $("count").textContent = response.ok
      ? `${body.articles} article${body.articles === 1 ? "" : "s"} indexed.`
      : `The index is not ready: ${body.detail}`;
  } catch (error) {
    $("count").textContent = `Could not reach the service: ${error.message}`;
  }
}

document.addEventListener("DOMContentLoaded", () => {
  $("ask-form").addEventListener("submit", submit);
  $("question").addEventListener("input", grow);
  $("question").addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) submit(event);
  });
  $("new-conversation").addEventListener("click", newConversation);
  $("source-close").addEventListener("click", closeSource);
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && !$("source").hidden) closeSource();
    trapFocus(event);
  });
  for (const button of document.querySelectorAll(".example")) {
    button.addEventListener("click", () => { $("question").value = button.textContent; grow(); $("question").focus(); });
  }
  showCount();
  $("question").focus();
});
