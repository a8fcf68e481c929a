// Zorgroute proefomgeving: one Telegram-like chat pane per demo member, driven through the
// emulator's control API. The page never decides anything itself: every press and message goes
// to the same bot through the emulated Bot API, and what the bot sends comes back on /control/events.
"use strict";

// All UI text in one place so the page can be translated later without touching the logic.
const STRINGS = {
  title: "Zorgroute — proefomgeving",
  skipToChats: "Naar de chats",
  clockLabel: "Tijd in de proefomgeving:",
  plusHour: "+1 uur",
  plusDay: "+1 dag",
  plusWeek: "+1 week",
  clockNotWired: "De klok kan hier niet vooruit: de bot heeft geen klokbediening aangesloten.",
  clockAdvanced: (now, fired) =>
    `Klok staat op ${now}.` + (fired === undefined ? "" : ` ${fired} herinnering(en) verstuurd.`),
  languageNote:
    "Iedereen ziet de bot in de eigen taal (Nederlands of Engels, per persoon hieronder). Deze pagina zelf is Nederlands.",
  heldNote:
    "Stille uren: wat de bot na 18:00, vóór 07:30 of in het weekend stuurt, wacht tot de stille uren voorbij zijn " +
    "(de chat zegt dan tot wanneer). Spoel vooruit met de klok.",
  live: "Live verbonden",
  offline: "Verbinding weg — opnieuw verbinden…",
  schools: "Demoscholen",
  emptyRoster: "Nog geen demoleden. Start de bot met `make run`; de chats verschijnen vanzelf.",
  paneLabel: (name, roles) => (roles ? `Chat van ${name} (${roles})` : `Chat van ${name}`),
  otherChats: "Overige chats",
  noRoles: "buiten de demo",
  messagesLabel: (name) => `Berichten van en aan ${name}`,
  inputLabel: (name) => `Bericht als ${name}`,
  send: "Verstuur",
  fromBot: "Zorgroute:",
  fromMe: (name) => `${name}:`,
  edited: "bewerkt",
  keyboardLabel: "Knoppen bij dit bericht",
  language: { en: "spreekt Engels" }, // Dutch, the default, goes without saying
  hintStarter: "Probeer /signaal om een zorg over een leerling te melden, of /help voor alles wat je kunt.",
  hintOther: "Hier komen meldingen binnen. Probeer /mijn voor wat er op je wacht, of /help.",
  held: (count, until) => `${count === 1 ? "1 bericht wacht" : `${count} berichten wachten`} tot ${until} (stille uren)`,
  document: (name) => `Bijlage: ${name}`,
  openFullSize: (name) => `${name} op ware grootte openen`,
  pictureOf: (name) => `Afbeelding: ${name}`,
  photo: "Foto",
  outboxTitle: "Verstuurd per e-mail en WhatsApp",
  outboxLabel: "Outbox: wat per e-mail en WhatsApp zou zijn verstuurd",
  outboxEmpty: "Nog niets verstuurd per e-mail of WhatsApp.",
  outboxBadge: (n) => `${n} via e-mail/WhatsApp`,
  channel: { email: "E-mail", whatsapp: "WhatsApp-bericht" },
  cardTitle: (channel, who) => `${channel} aan ${who}`,
  subject: "Onderwerp:",
  attachment: "Bijlage:",
  failed: (what) => `Mislukt: ${what}`,
  miniApp: "Mini App",
  miniAppOf: (name) => `Zorgroute Mini App van ${name}`,
  closeMiniApp: "Sluiten",
};

const TIMEZONE = "Europe/Amsterdam"; // the schools' time, whatever the demo machine says
const TOAST_MS = 5000;
const ALERT_MS = 10000;

// Telegram's HTML subset (core.telegram.org/bots/api#html-style): tag → the element we draw.
const TELEGRAM_TAGS = {
  B: "b", STRONG: "b", I: "i", EM: "i", U: "u", INS: "u", S: "s", STRIKE: "s", DEL: "s",
  CODE: "code", PRE: "pre", A: "a", BLOCKQUOTE: "blockquote", "TG-SPOILER": "span",
};
// Dropped with their content: never text a person should see, and never anything to run.
const DROPPED_TAGS = new Set([
  "SCRIPT", "STYLE", "TEMPLATE", "IFRAME", "OBJECT", "EMBED", "SVG", "MATH", "NOSCRIPT", "TITLE", "HEAD",
]);
const SAFE_LINK = /^(https?:|mailto:|tg:)/i;

const $ = (selector, root = document) => root.querySelector(selector);

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === false || value === null || value === undefined) continue;
    if (name === "class") node.className = value;
    else if (name === "text") node.textContent = value;
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children) if (child) node.append(child);
  return node;
}

// A picture the bot sent as a document (the routekaart: PNG, SVG) is shown in the chat, and opens full
// size in a new tab; any other document stays a line with its name.
const INLINE_PICTURE = /\.(png|svg|jpe?g)$/i;

function renderDocument(message) {
  const name = message.document;
  if (!message.file_id || !INLINE_PICTURE.test(name)) {
    return el("p", { class: "attachment", text: STRINGS.document(name) });
  }
  const url = `/control/files/${encodeURIComponent(message.file_id)}`;
  return el("figure", { class: "attachment picture" },
    el("a", { href: url, target: "_blank", rel: "noopener" },
      el("img", { src: url, alt: STRINGS.pictureOf(name), loading: "lazy" })),
    el("figcaption", {},
      el("a", { href: url, target: "_blank", rel: "noopener", text: STRINGS.openFullSize(name) })),
  );
}

// ---------------------------------------------------------------------------------------------
// Rendering Telegram's HTML without ever handing untrusted markup to innerHTML: DOMParser builds
// an inert document (no scripts run, nothing loads), and we copy only text and allowed tags out.
function telegramHtml(source) {
  const parsed = new DOMParser().parseFromString(`<body>${source}</body>`, "text/html");
  const out = document.createDocumentFragment();
  copyAllowed(parsed.body, out);
  return out;
}

function copyAllowed(from, to) {
  for (const node of from.childNodes) {
    if (node.nodeType === Node.TEXT_NODE) {
      to.append(document.createTextNode(node.data));
      continue;
    }
    if (node.nodeType !== Node.ELEMENT_NODE || DROPPED_TAGS.has(node.tagName)) continue;
    const isSpoiler = node.tagName === "TG-SPOILER" ||
      (node.tagName === "SPAN" && node.getAttribute("class") === "tg-spoiler");
    const tag = isSpoiler ? "span" : TELEGRAM_TAGS[node.tagName];
    if (!tag) {
      copyAllowed(node, to); // unknown tag: keep its text, lose the tag (Telegram would refuse it)
      continue;
    }
    const copy = document.createElement(tag);
    if (isSpoiler) copy.className = "spoiler";
    if (tag === "a") {
      const href = node.getAttribute("href") || "";
      if (SAFE_LINK.test(href.trim())) {
        copy.setAttribute("href", href.trim());
        copy.setAttribute("target", "_blank");
        copy.setAttribute("rel", "noopener noreferrer");
      }
    }
    if (tag === "code") {
      const language = /^language-[\w+-]+$/.exec(node.getAttribute("class") || "");
      if (language) copy.className = language[0];
    }
    copyAllowed(node, copy);
    to.append(copy);
  }
}

function messageBody(message) {
  const body = el("div", { class: "text" });
  // Only HTML is parsed: the bot uses it, and Telegram shows any other text exactly as sent.
  if (message.parse_mode && message.parse_mode.toUpperCase() === "HTML") body.append(telegramHtml(message.text));
  else body.textContent = message.text;
  return body;
}

const timeFormat = new Intl.DateTimeFormat("nl-NL", {
  weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit", timeZone: TIMEZONE,
});
const clockFormat = new Intl.DateTimeFormat("nl-NL", {
  weekday: "long", day: "numeric", month: "long", year: "numeric", hour: "2-digit", minute: "2-digit",
  timeZone: TIMEZONE,
});

// "di 07:30": when a held message goes out.
const heldFormat = new Intl.DateTimeFormat("nl-NL", {
  weekday: "short", hour: "2-digit", minute: "2-digit", timeZone: TIMEZONE,
});

// ---------------------------------------------------------------------------------------------
async function api(method, path, body) {
  const response = await fetch(path, {
    method,
    headers: body === undefined ? {} : { "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(data.error || `${response.status} ${response.statusText}`);
  return data;
}

// Whether `name` already carries every role in `roles`, brackets aside: "Sanne (onderwijsspecialist SWV)"
// carries "onderwijsspecialist (SWV)". A name without them ("Anna") does not.
function namesRoles(name, roles) {
  const bare = (text) => text.replace(/[()]/g, "").replace(/\s+/g, " ").trim().toLowerCase();
  return roles.length > 0 && roles.every((role) => bare(name).includes(bare(role)));
}

// ---------------------------------------------------------------------------------------------
// One chat pane. Messages are kept by id with their edit count, so the initial load and the live
// stream can arrive in any order: the newer version of a message always wins.
class Pane {
  constructor(person, outbox) {
    this.person = person;
    this.outbox = outbox;
    this.versions = new Map(); // message_id → edits
    this.toastTimer = null;
    const id = person.user_id;
    // The roles as the school names them ("intern begeleider"); a roster without names shows the ids.
    const named = person.role_names && person.role_names.length ? person.role_names : person.roles;
    const roles = named.length ? named.join(", ") : STRINGS.noRoles;
    // The demo's names already say the role ("Koen (intern begeleider)"): then the header says it once.
    const shownRoles = namesRoles(person.name, named) ? "" : roles;
    const language = STRINGS.language[person.language];
    this.log = el("div", {
      class: "messages", role: "log", "aria-live": "polite", "aria-label": STRINGS.messagesLabel(person.name),
      tabindex: "0",
    });
    this.toast = el("div", { class: "toast", role: "status", "aria-live": "polite" });
    this.badge = el("span", { class: "badge", hidden: true });
    // What to try first, until the chat has a message.
    this.hint = el("p", { class: "hint", text: person.starter ? STRINGS.hintStarter : STRINGS.hintOther });
    this.held = el("p", { class: "held", "aria-live": "polite", hidden: true });
    this.log.append(this.hint);
    this.input = el("input", { id: `input-${id}`, type: "text", autocomplete: "off", enterkeyhint: "send" });
    const form = el("form", { class: "composer" },
      el("label", { for: `input-${id}`, class: "sr-only", text: STRINGS.inputLabel(person.name) }),
      this.input,
      el("button", { type: "submit", text: STRINGS.send }),
    );
    this.input.placeholder = STRINGS.inputLabel(person.name);
    form.addEventListener("submit", (event) => {
      event.preventDefault(); // a form submit is what Enter in the input does: no extra key handler
      this.send();
    });
    this.node = el("section", {
      class: "pane", "aria-label": STRINGS.paneLabel(person.name, shownRoles), "data-user-id": id,
      "data-school": person.school,
    },
      el("header", { class: "pane-head" },
        el("h2", { text: person.name }),
        shownRoles ? el("p", { class: "roles", text: shownRoles }) : null,
        language ? el("p", { class: "lang", text: language }) : null,
        this.badge,
      ),
      this.log, this.held, this.toast, form,
    );
  }

  get chatId() { return this.person.user_id; }

  clear() {
    this.versions.clear();
    this.log.replaceChildren(this.hint);
    this.updateBadge();
  }

  // Messages the bot holds for this person's quiet hours: [{channel, due_at}, ...].
  showHeld(rows) {
    this.held.hidden = rows.length === 0;
    if (!rows.length) return;
    const first = rows.map((row) => row.due_at).sort()[0];
    this.held.textContent = STRINGS.held(rows.length, heldFormat.format(new Date(first)));
  }

  async send() {
    const text = this.input.value.trim();
    if (!text) return;
    try {
      await api("POST", "/control/send", {
        user_id: this.person.user_id, text, first_name: this.person.name, language_code: this.person.language,
      });
      this.input.value = ""; // the message itself appears when the stream reports it
    } catch (error) {
      this.showToast(STRINGS.failed(error.message), true);
    }
  }

  async press(button, messageId, data) {
    button.setAttribute("aria-busy", "true"); // Telegram's spinner until the bot answers
    try {
      // The message id and callback_data, not the label: two messages may carry the same label.
      await api("POST", "/control/press", { user_id: this.person.user_id, message_id: messageId, data });
    } catch (error) {
      button.removeAttribute("aria-busy");
      this.showToast(STRINGS.failed(error.message), true);
    }
  }

  upsert(message) {
    const known = this.versions.get(message.message_id);
    if (known !== undefined && known > message.edits) return; // an older copy arriving late
    this.versions.set(message.message_id, message.edits);
    const node = this.renderMessage(message);
    const old = this.log.querySelector(`[data-message-id="${message.message_id}"]`);
    if (!old) {
      this.hint.remove();
      const stick = this.log.scrollHeight - this.log.scrollTop - this.log.clientHeight < 40;
      this.log.append(node);
      if (stick) this.log.scrollTop = this.log.scrollHeight;
      return;
    }
    // An edit replaces the node; keep a keyboard user's place instead of dropping focus to <body>.
    const focusedData = old.contains(document.activeElement) ? document.activeElement.dataset.callback : null;
    old.replaceWith(node);
    if (focusedData !== null) {
      const same = [...node.querySelectorAll("button[data-callback]")].find((b) => b.dataset.callback === focusedData);
      (same || this.input).focus();
    }
  }

  renderMessage(message) {
    const mine = !message.from_bot;
    const bubble = el("div", { class: "bubble" },
      el("span", { class: "sr-only", text: mine ? STRINGS.fromMe(this.person.name) : STRINGS.fromBot }),
    );
    if (message.document) bubble.append(renderDocument(message));
    if (message.photo && message.file_id) {
      // Photos (e.g. the /overzicht chart) inline, as Telegram shows them; the control API serves only images.
      bubble.append(el("img", {
        class: "photo", alt: STRINGS.photo, loading: "lazy",
        src: `/control/files/${encodeURIComponent(message.file_id)}`,
      }));
    } else if (message.photo) bubble.append(el("p", { class: "attachment", text: STRINGS.photo }));
    bubble.append(messageBody(message));
    const meta = el("span", { class: "meta" });
    if (message.edits > 0) meta.append(el("span", { class: "edited", text: STRINGS.edited }), " ");
    meta.append(el("time", { datetime: message.date, text: timeFormat.format(new Date(message.date)) }));
    bubble.append(meta);
    const node = el("div", {
      class: `msg ${mine ? "mine" : "bot"}`, "data-message-id": message.message_id,
    }, bubble);
    if (message.buttons.length) node.append(this.renderKeyboard(message));
    return node;
  }

  renderKeyboard(message) {
    const keyboard = el("div", { class: "keyboard", role: "group", "aria-label": STRINGS.keyboardLabel });
    for (const row of message.buttons) {
      const line = el("div", { class: "row" });
      for (const spec of row) {
        if (spec.web_app) {
          // A Mini App button: Telegram opens the page in a sheet over the chat, signed for this member.
          const button = el("button", { type: "button", class: "kb-button web-app", text: spec.text });
          button.addEventListener("click", () => this.openMiniApp(spec.web_app));
          line.append(button);
        } else if (spec.url) {
          line.append(el("a", {
            class: "kb-button", href: SAFE_LINK.test(spec.url) ? spec.url : null, target: "_blank",
            rel: "noopener noreferrer", text: `${spec.text} ↗`,
          }));
        } else if (spec.callback_data !== null) {
          const button = el("button", { type: "button", class: "kb-button", "data-callback": spec.callback_data, text: spec.text });
          button.addEventListener("click", () => this.press(button, message.message_id, spec.callback_data));
          line.append(button);
        } else {
          line.append(el("button", { type: "button", class: "kb-button", disabled: true, text: spec.text }));
        }
      }
      keyboard.append(line);
    }
    return keyboard;
  }

  // The Mini App in a sheet over this pane, as Telegram shows it: the emulator signs initData for the
  // member (/control/mini_app), the iframe loads the bot's Mini App from the emulator's /app/.
  async openMiniApp(appUrl) {
    const asked = new URL(appUrl, location.href).searchParams;
    const query = new URLSearchParams();
    for (const key of ["ref", "to"]) if (asked.get(key)) query.set(key, asked.get(key));
    try {
      const launch = await api("GET", `/control/mini_app/${this.person.user_id}?${query}`);
      this.closeMiniApp();
      const close = el("button", { type: "button", class: "sheet-close", text: STRINGS.closeMiniApp });
      const frame = el("iframe", { src: launch.url, title: STRINGS.miniAppOf(this.person.name) });
      this.sheet = el("div", {
        class: "sheet", role: "dialog", "aria-modal": "false", "aria-label": STRINGS.miniAppOf(this.person.name),
      }, el("div", { class: "sheet-head" }, el("span", { text: STRINGS.miniApp }), close), frame);
      close.addEventListener("click", () => this.closeMiniApp());
      this.sheet.addEventListener("keydown", (event) => { if (event.key === "Escape") this.closeMiniApp(); });
      this.node.append(this.sheet);
      close.focus();
    } catch (error) {
      this.showToast(STRINGS.failed(error.message), true);
    }
  }

  closeMiniApp() {
    if (!this.sheet) return;
    this.sheet.remove();
    this.sheet = null;
    this.input.focus();
  }

  answered(answer) {
    const pressed = this.log.querySelector(`[data-message-id="${answer.message_id}"] [aria-busy]`);
    if (pressed) pressed.removeAttribute("aria-busy");
    if (answer.text) this.showToast(answer.text, answer.show_alert);
  }

  showToast(text, urgent = false) {
    clearTimeout(this.toastTimer);
    this.toast.textContent = text;
    this.toast.classList.toggle("alert", urgent);
    this.toast.classList.add("visible");
    this.toastTimer = setTimeout(() => {
      this.toast.classList.remove("visible");
      this.toast.textContent = "";
    }, urgent ? ALERT_MS : TOAST_MS);
  }

  updateBadge() {
    const count = this.outbox.countFor(this.person.user_id);
    this.badge.hidden = count === 0;
    this.badge.textContent = `✉ ${count}`;
    this.badge.setAttribute("aria-label", STRINGS.outboxBadge(count));
    this.badge.title = STRINGS.outboxBadge(count);
  }
}

// ---------------------------------------------------------------------------------------------
class Outbox {
  constructor(names) {
    this.names = names; // user_id → name, for "Aan:"
    this.entries = new Map(); // delivery_id → record
    this.list = el("div", { class: "messages outbox-list", role: "log", "aria-live": "polite", tabindex: "0" });
    this.empty = el("p", { class: "empty", text: STRINGS.outboxEmpty });
    this.node = el("section", { class: "pane outbox", "aria-label": STRINGS.outboxLabel },
      el("header", { class: "pane-head" }, el("h2", { text: STRINGS.outboxTitle })),
      this.empty, this.list,
    );
  }

  countFor(userId) {
    let count = 0;
    for (const entry of this.entries.values()) if (entry.to_user_id === userId) count += 1;
    return count;
  }

  clear() {
    this.entries.clear();
    this.list.replaceChildren();
    this.empty.hidden = false;
  }

  add(entry, school) {
    if (this.entries.has(entry.delivery_id)) return;
    this.entries.set(entry.delivery_id, entry);
    this.empty.hidden = true;
    // In plain words: what, to whom, at which address, and the message; the delivery's technical
    // details (kind, language, template) are the outbox's business, not the demo's.
    const channel = STRINGS.channel[entry.channel] || entry.channel;
    const known = entry.to_user_id !== null && this.names.has(entry.to_user_id);
    const card = el("article", { class: `delivery ${entry.channel}`, "data-delivery-id": entry.delivery_id,
      "data-school": school ?? "" },
      el("p", { class: "channel" },
        el("strong", { text: STRINGS.cardTitle(channel, known ? this.names.get(entry.to_user_id) : entry.address) }), " ",
        el("time", { datetime: entry.at, text: timeFormat.format(new Date(entry.at)) })),
      known && entry.address ? el("p", { class: "address", text: entry.address }) : null,
      entry.subject ? el("p", {}, el("span", { class: "label", text: `${STRINGS.subject} ` }), entry.subject) : null,
      // Plain text on purpose: an e-mail body is shown as what it says, never as markup to run.
      el("p", { class: "text", text: entry.text }),
      entry.meta && entry.meta.attachment
        ? el("p", { class: "attachment" }, el("span", { class: "label", text: `${STRINGS.attachment} ` }), String(entry.meta.attachment))
        : null,
    );
    this.list.append(card);
    this.list.scrollTop = this.list.scrollHeight;
  }
}

// ---------------------------------------------------------------------------------------------
class App {
  constructor() {
    this.panes = new Map(); // chat id → Pane
    this.people = new Map(); // user id → person
    this.names = new Map();
    this.school = null;
    this.outbox = new Outbox(this.names);
    this.main = $("#panes");
    this.loading = null;
    this.heldTimer = null;
  }

  start() {
    for (const node of document.querySelectorAll("[data-text]")) node.textContent = STRINGS[node.dataset.text];
    document.title = STRINGS.title;
    $("#schools").setAttribute("aria-label", STRINGS.schools);
    for (const button of document.querySelectorAll(".clock-step")) {
      button.addEventListener("click", () => this.advanceClock(button.dataset.step));
    }
    this.connect();
  }

  connect() {
    // Server-sent events: the page only listens; everything it does goes through plain POSTs.
    // EventSource reconnects by itself, and each (re)connect reloads, so nothing missed stays missing.
    const stream = new EventSource("/control/events");
    stream.addEventListener("open", () => {
      this.setConnection(STRINGS.live, true);
      this.reload();
    });
    stream.addEventListener("error", () => this.setConnection(STRINGS.offline, false));
    stream.addEventListener("message", (event) => this.handle(JSON.parse(event.data)));
  }

  setConnection(text, live) {
    const status = $("#connection");
    status.textContent = text;
    status.classList.toggle("live", live);
    document.body.dataset.live = live ? "yes" : "no";
  }

  // Initial state from the control API; live events may interleave, which upsert() tolerates.
  async reload() {
    const roster = await api("GET", "/control/roster");
    this.buildPanes(roster.people, roster.schools);
    const [chats, external, clock] = await Promise.all([
      api("GET", "/control/chats"), api("GET", "/control/external"), api("GET", "/control/clock"),
    ]);
    // Someone off the roster only gets a pane once their chat has something in it: the roster
    // opens chats for its members, and a member dropped from it should not leave an empty pane.
    for (const chat of chats.chats) {
      if (chat.type === "private" && chat.message_count > 0) this.paneFor(chat.id, chat.first_name);
    }
    await Promise.all([...this.panes.values()].map(async (pane) => {
      const history = await api("GET", `/control/chats/${pane.chatId}/messages`);
      for (const message of history.messages) pane.upsert(message);
    }));
    for (const entry of external.external) this.addExternal(entry);
    this.showClock(clock.now, clock.can_advance);
    await this.refreshHeld();
    document.body.dataset.ready = "yes"; // tests wait on this, not on a delay
  }

  buildPanes(people, schools) {
    this.panes.clear();
    this.people.clear();
    this.names.clear();
    this.outbox.clear();
    for (const node of this.main.querySelectorAll("section")) node.remove();
    for (const person of people) {
      this.people.set(person.user_id, person);
      this.names.set(person.user_id, person.name);
      this.addPane(person);
    }
    this.main.append(this.outbox.node);
    $("#empty-roster").hidden = people.length > 0;
    this.buildSchoolTabs(schools);
  }

  addPane(person) {
    const pane = new Pane(person, this.outbox);
    this.panes.set(person.user_id, pane);
    this.main.insertBefore(pane.node, this.outbox.node.isConnected ? this.outbox.node : null);
    return pane;
  }

  // A chat nobody put on the roster (the bot wrote to someone else): still shown, never lost.
  paneFor(chatId, name) {
    return this.panes.get(chatId) ||
      this.addPane({ user_id: chatId, name: name || `#${chatId}`, roles: [], school: STRINGS.otherChats, language: "nl" });
  }

  buildSchoolTabs(schools) {
    const tabs = $("#schools");
    tabs.replaceChildren();
    tabs.hidden = schools.length < 2;
    if (!schools.includes(this.school)) this.school = schools[0] ?? null;
    schools.forEach((school, index) => {
      const tab = el("button", { type: "button", role: "tab", id: `school-tab-${index}`, "aria-controls": "panes", text: school });
      tab.addEventListener("click", () => this.selectSchool(school, tab));
      // Arrow keys move between tabs, as screen-reader users expect of a tablist.
      tab.addEventListener("keydown", (event) => {
        const step = { ArrowRight: 1, ArrowLeft: -1 }[event.key];
        if (!step) return;
        const all = [...tabs.querySelectorAll("[role=tab]")];
        const next = all[(all.indexOf(tab) + step + all.length) % all.length];
        next.focus();
        next.click();
      });
      tabs.append(tab);
    });
    this.selectSchool(this.school);
  }

  selectSchool(school) {
    this.school = school;
    for (const tab of document.querySelectorAll("#schools [role=tab]")) {
      const selected = tab.textContent === school;
      tab.setAttribute("aria-selected", String(selected));
      tab.tabIndex = selected ? 0 : -1;
    }
    const several = !$("#schools").hidden;
    for (const pane of this.panes.values()) {
      pane.node.hidden = several && pane.person.school !== school && pane.person.school !== STRINGS.otherChats;
    }
    for (const card of this.outbox.list.children) {
      card.hidden = several && card.dataset.school !== "" && card.dataset.school !== school;
    }
  }

  // Quiet hours: ask the bot what it holds back, after anything that may have queued or released some.
  async refreshHeld() {
    const { held } = await api("GET", "/control/held").catch(() => ({ held: [] }));
    const byUser = new Map();
    for (const row of held) byUser.set(row.to_user_id, [...(byUser.get(row.to_user_id) || []), row]);
    for (const pane of this.panes.values()) pane.showHeld(byUser.get(pane.chatId) || []);
    document.body.dataset.held = String(held.length);
  }

  heldSoon() {
    clearTimeout(this.heldTimer);
    this.heldTimer = setTimeout(() => this.refreshHeld(), 150); // one ask for a burst of messages
  }

  addExternal(entry) {
    const person = this.people.get(entry.to_user_id);
    this.outbox.add(entry, person ? person.school : "");
    const pane = this.panes.get(entry.to_user_id);
    if (pane) pane.updateBadge();
    this.selectSchool(this.school);
  }

  handle(event) {
    switch (event.type) {
      case "message":
      case "edit": {
        const message = event.message;
        const chat = this.panes.get(event.chat_id) || (event.chat_id > 0 ? this.paneFor(event.chat_id) : null);
        if (chat) chat.upsert(message);
        this.heldSoon();
        break;
      }
      case "callback_answer": {
        const pane = this.panes.get(event.chat_id);
        if (pane) pane.answered(event);
        break;
      }
      case "external":
        this.addExternal(event);
        break;
      case "clock":
        this.showClock(event.now, true);
        $("#clock-status").textContent = STRINGS.clockAdvanced(clockFormat.format(new Date(event.now)), event.fired);
        this.refreshHeld();
        break;
      case "roster":
      case "reset":
        this.reload();
        break;
      default:
        break; // "update" and others: nothing to draw
    }
  }

  showClock(now, canAdvance) {
    const clock = $("#clock-now");
    clock.dateTime = now;
    clock.textContent = clockFormat.format(new Date(now));
    for (const button of document.querySelectorAll(".clock-step")) {
      button.disabled = !canAdvance;
      button.title = canAdvance ? "" : STRINGS.clockNotWired;
    }
  }

  async advanceClock(step) {
    try {
      const result = await api("POST", "/control/clock", { advance: step });
      this.showClock(result.now, true);
    } catch (error) {
      $("#clock-status").textContent = STRINGS.failed(error.message);
    }
  }
}

document.addEventListener("DOMContentLoaded", () => new App().start());
