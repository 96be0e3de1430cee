// Language-ready UI strings, the way Specter Desktop does it with Flask-Babel
// (gettext): the English text is the message id. Views call t("English
// text", {name: value}); the active catalogue maps English messages to their
// translations, and a message without a translation shows in English.
//
// Catalogues are JSON files web/i18n/<tag>.json ({"English": "Translation"})
// fetched on demand, so the service worker's precache (which lists every
// file under web/) serves them offline. web/i18n/messages.json, the sorted
// list of every message id, and web/i18n/languages.json, the tags with a
// catalogue, are written by `go run ./internal/tools/i18n` (make build); its
// test checks the catalogues against the messages.
//
// Placeholders are {name}, filled from params as plain text. The UI builds
// DOM nodes with textContent, never innerHTML, so nothing here is escaped
// and nothing translated is ever parsed as HTML.
//
// Plurals: tn(one, other, n, params) picks the form with the active
// language's CLDR plural rules (Intl.PluralRules); {n} is filled with n. A
// catalogue translates the `other` message either with a string (languages
// with two forms: the `one` message is translated on its own) or with an
// object of CLDR categories, e.g. {"one": "…", "few": "…", "other": "…"}.

/** The language of the messages themselves. */
export const ENGLISH = "en";

// The one piece of state: the active language and its catalogue.
const active = { tag: ENGLISH, catalogue: null, plural: new Intl.PluralRules(ENGLISH) };

function has(obj, key) {
  return obj !== null && Object.prototype.hasOwnProperty.call(obj, key);
}

/** Fills {name} placeholders of text from params (unknown ones stay as they are). */
export function fill(text, params) {
  if (!params) return text;
  return text.replace(/\{([A-Za-z0-9_]+)\}/g, (whole, name) => (has(params, name) ? String(params[name]) : whole));
}

function lookup(message) {
  const c = active.catalogue;
  if (c && has(c, message)) {
    const tr = c[message];
    if (typeof tr === "string" && tr !== "") return tr;
    if (tr && typeof tr === "object" && typeof tr.other === "string") return tr.other;
  }
  return message;
}

/**
 * The active catalogue's translation of an English message (or the message
 * itself), with {name} placeholders filled from params. The first argument
 * must be a string literal so that internal/tools/i18n finds every message.
 */
export function t(message, params) {
  return fill(lookup(message), params);
}

/**
 * The plural form of a message for the count n: one (English n = 1) or
 * other, translated, with {n} and params filled.
 */
export function tn(one, other, n, params) {
  const all = { n, ...(params || {}) };
  const category = active.plural.select(Number(n));
  const c = active.catalogue;
  const tr = c && has(c, other) ? c[other] : null;
  if (tr && typeof tr === "object") {
    const form = typeof tr[category] === "string" ? tr[category] : tr.other;
    if (typeof form === "string") return fill(form, all);
  }
  return fill(lookup(category === "one" ? one : other), all);
}

/**
 * A translated message as a list of strings and nodes, for a sentence with
 * elements inside (a link, a code span): params that are DOM nodes take
 * their placeholder's place, other params are filled as text. The result is
 * a children array for ui.js's h().
 */
export function tDom(message, params = {}) {
  const text = lookup(message);
  const out = [];
  let last = 0;
  for (const m of text.matchAll(/\{([A-Za-z0-9_]+)\}/g)) {
    if (!has(params, m[1])) continue;
    const v = params[m[1]];
    const node = typeof Node !== "undefined" && v instanceof Node;
    out.push(text.slice(last, m.index) + (node ? "" : String(v)));
    if (node) out.push(v);
    last = m.index + m[0].length;
  }
  out.push(text.slice(last));
  // Merge adjacent strings and drop empty ones.
  const merged = [];
  for (const part of out) {
    if (typeof part === "string" && typeof merged[merged.length - 1] === "string") merged[merged.length - 1] += part;
    else merged.push(part);
  }
  return merged.filter((p) => p !== "");
}

/** The active language tag ("en" when no catalogue is loaded). */
export function language() {
  return active.tag;
}

/**
 * Makes catalogue (an object of English message -> translation, or null for
 * English) the active one under tag. setLanguage uses it; the end-to-end
 * tests call it through window.specterApp.i18n.useCatalogue to inject a
 * pseudo-locale without a file.
 */
export function useCatalogue(tag, catalogue) {
  let rules;
  try {
    rules = new Intl.PluralRules(tag || ENGLISH);
  } catch {
    rules = new Intl.PluralRules(ENGLISH);
  }
  active.tag = catalogue ? tag : ENGLISH;
  active.catalogue = catalogue || null;
  active.plural = catalogue ? rules : new Intl.PluralRules(ENGLISH);
}

/** The tags to try for tag, most specific first: "pt-BR" -> ["pt-BR", "pt"]. */
export function fallbacks(tag) {
  const out = [];
  const parts = String(tag || "").split("-").filter(Boolean);
  for (let i = parts.length; i > 0; i--) {
    const candidate = parts.slice(0, i).join("-");
    if (candidate.split("-")[0].toLowerCase() === ENGLISH) break;
    out.push(candidate);
  }
  return out;
}

/**
 * Loads the catalogue for a BCP 47 tag with its fallbacks ("pt-BR", then
 * "pt", then English) from /i18n/<tag>.json and makes it active. Returns the
 * tag in use ("en" when none was found).
 */
export async function setLanguage(tag, fetchFn = fetch) {
  for (const candidate of fallbacks(tag)) {
    try {
      const resp = await fetchFn(`/i18n/${encodeURIComponent(candidate)}.json`);
      if (!resp.ok) continue;
      const catalogue = await resp.json();
      if (!catalogue || typeof catalogue !== "object" || Array.isArray(catalogue)) continue;
      useCatalogue(candidate, catalogue);
      return candidate;
    } catch {
      // not there or not readable: try the next one
    }
  }
  useCatalogue(ENGLISH, null);
  return ENGLISH;
}

/**
 * The tags that have a catalogue, English first (web/i18n/languages.json,
 * written by internal/tools/i18n), each with its name in its own language.
 */
export async function availableLanguages(fetchFn = fetch) {
  let tags = [ENGLISH];
  try {
    const resp = await fetchFn("/i18n/languages.json");
    if (resp.ok) {
      const list = await resp.json();
      if (Array.isArray(list)) tags = [ENGLISH, ...list.filter((x) => typeof x === "string" && x !== ENGLISH)];
    }
  } catch {
    // offline without the list: English only
  }
  return tags.map((tag) => ({ tag, name: languageName(tag) }));
}

/** A language's name in that language ("English", "Deutsch"), or its tag. */
export function languageName(tag) {
  try {
    const name = new Intl.DisplayNames([tag], { type: "language" }).of(tag);
    return name ? name.charAt(0).toLocaleUpperCase(tag) + name.slice(1) : tag;
  } catch {
    return tag;
  }
}
