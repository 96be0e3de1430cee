// #/devices: the signers whose keys make the wallets (Specter's devices
// blueprint). List; add a hardware device by type with "[fp/path]xpub"
// lines or the vendor's export file (read by the engine, keys.parseExport);
// create a software "hot" device from a new or restored BIP39 mnemonic,
// encrypted with a password; rename; add keys; delete (refused while a
// wallet uses the device, with the reason).
import { cameraScanner } from "../camera.js";
import { t, tn } from "../i18n.js";
import { confirmButton, errorBox, facts, field, h, heading, readFile, showError, table } from "../ui.js";

// Brand names stay as they are; the two generic types are translated.
const TYPE_NAMES = {
  ledger: "Ledger", trezor: "Trezor", bitbox02: "BitBox02", coldcard: "Coldcard", jade: "Jade",
  keystone: "Keystone", passport: "Passport", seedsigner: "SeedSigner", specterdiy: "Specter DIY",
  krux: "Krux",
};

// Model names are brand names too; "" is a device whose model is not set.
const MODEL_NAMES = { coldcard: { mk4: "Mk3 / Mk4", q: "Coldcard Q" } };

/** The name of a device's model (its id when unknown), or "" when not set. */
export function modelName(type, model) {
  if (!model) return "";
  return (MODEL_NAMES[type] && MODEL_NAMES[type][model]) || model;
}

/** The models of each type that has some (devices.models), {} when the engine has none. */
export async function deviceModels(app) {
  if (!app.methods.has("devices.models")) return {};
  return (await app.call("devices.models")).models || {};
}

/** A select of a type's models, with "not set" first; null for a type without models. */
export function modelSelect(models, type, selected) {
  const list = models[type];
  if (!list || !list.length) return null;
  return h("select", { name: "model" },
    h("option", { value: "", text: t("Not set"), selected: !selected }),
    list.map((m) => h("option", { value: m, text: modelName(type, m), selected: m === selected })));
}

export function typeName(type) {
  if (type === "other") return t("Other");
  if (type === "hot") return t("Hot wallet (this browser)");
  return TYPE_NAMES[type] || type;
}

export async function render(root, app, parts) {
  if (parts[0] === "new") return renderAdd(root, app);
  if (parts[0] === "hot") return renderHot(root, app);
  if (parts[0]) return renderDevice(root, app, parts[0]);
  return renderList(root, app);
}

async function renderList(root, app) {
  const { devices } = await app.call("devices.list");
  root.append(heading(t("Devices")),
    h("div", { class: "actions" },
      h("a", { class: "button", href: "#/devices/new" }, t("Add a device")),
      h("a", { class: "button secondary", href: "#/devices/hot" }, t("Create a hot device"))));
  if (!devices.length) {
    root.append(h("p", { class: "empty" }, t("No devices yet. Add your hardware signers by pasting their xpubs or uploading their export files.")));
    return;
  }
  root.append(h("ul", { class: "cards", "aria-label": t("Devices") }, devices.map((d) => h("li", {},
    h("a", { href: "#/devices/" + encodeURIComponent(d.id) },
      h("span", { class: "title", translate: "no", text: d.name }),
      h("span", { class: "sub", text: `${typeName(d.type)} · ${tn("{n} key", "{n} keys", d.keys.length)}` }),
      h("span", { class: "sub mono", text: [...new Set(d.keys.map((k) => k.origin.split("/")[0]))].join(", ") }))))));
}

function typeSelect(types, selected) {
  return h("select", { name: "type", required: true },
    types.filter((x) => x !== "hot").map((x) => h("option", { value: x, selected: x === selected, text: typeName(x) })));
}

async function renderAdd(root, app) {
  const types = await app.call("devices.types");
  const models = await deviceModels(app);
  const slot = h("div");
  const name = h("input", { type: "text", name: "name", required: true, autocomplete: "off" });
  const type = typeSelect(types, "other");
  // The model, for the types whose models differ (a Coldcard Q reads QR
  // codes, a Mk4 the SD card): it picks the default format when signing.
  const modelSlot = h("div");
  let model = null;
  const showModel = () => {
    model = modelSelect(models, type.value, "");
    modelSlot.replaceChildren(...(model ? [field(t("Model"), model, t("Decides how PSBTs go to the device by default: a Coldcard Q scans QR codes, a Mk3 or Mk4 reads the SD card."))] : []));
  };
  type.addEventListener("change", showModel);
  showModel();
  const keys = h("textarea", { name: "keys", spellcheck: "false", placeholder: "[f5acc2fd/48'/1'/0'/2']tpubDF..." });
  const file = h("input", { type: "file", name: "file", accept: ".json,.txt,text/plain,application/json" });
  const preview = h("div", { "aria-live": "polite" });
  const submit = h("button", { type: "submit" }, t("Add the device"));

  async function showPreview() {
    const text = keys.value.trim();
    if (!text) { preview.replaceChildren(); return; }
    try {
      const res = await app.call("keys.parseExport", { text });
      preview.replaceChildren(table(tn("{n} key found", "{n} keys found", res.keys.length), [t("Origin"), t("Key"), t("Script")],
        res.keys.map((k) => [h("code", { text: k.origin }), h("code", { text: k.xpub.slice(0, 20) + "…" + k.xpub.slice(-8) }), k.script_hint || ""])));
    } catch (err) {
      preview.replaceChildren(errorBox(err));
    }
  }
  keys.addEventListener("change", showPreview);
  file.addEventListener("change", async () => {
    if (!file.files.length) return;
    keys.value = await readFile(file.files[0]);
    if (!name.value) name.value = file.files[0].name.replace(/\.[^.]+$/, "");
    await showPreview();
  });

  // Or the device's key QR code (xpub, account export, UR crypto-account),
  // read by the camera and the engine's air-gap collector.
  const scanner = cameraScanner(app, {
    label: t("Or scan the device's key QR code"),
    level: 2,
    onResult: (p) => {
      if (p.keys && p.keys.length) keys.value = p.keys.map((k) => `[${k.origin}]${k.xpub}`).join("\n");
      else if (p.text) keys.value = p.text;
      else {
        showError(slot, { message: t("the QR code holds {kind}, not keys", { kind: p.kind }), hint: t("show the device's xpub or account export QR code") });
        return;
      }
      showPreview();
    },
  });

  const form = h("form", { class: "panel" },
    field(t("Name"), name, t("How you call this signer, e.g. \"Coldcard in the safe\".")),
    field(t("Type"), type),
    modelSlot,
    field(t("Keys"), keys, t("One \"[fingerprint/derivation]xpub\" per line, or the text of the device's export file.")),
    field(t("Or upload the device's export file"), file, t("Coldcard, Keystone, Passport, SeedSigner, Jade, Specter DIY, Electrum and Sparrow exports are read.")),
    scanner.el,
    preview,
    h("div", { class: "actions" }, submit, h("a", { class: "button secondary", href: "#/devices" }, t("Cancel"))));
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    submit.disabled = true;
    try {
      const params = { name: name.value.trim(), type: type.value, export: keys.value };
      if (model && model.value) params.model = model.value;
      const d = await app.call("devices.add", params);
      app.announce(t("Device {name} added with {n} keys.", { name: d.name, n: d.keys.length }));
      app.go("#/devices/" + encodeURIComponent(d.id));
    } catch (err) {
      showError(slot, err);
      submit.disabled = false;
    }
  });
  root.append(heading(t("Add a device")), slot, form);
}

async function renderHot(root, app) {
  const slot = h("div");
  const name = h("input", { type: "text", name: "name", required: true, autocomplete: "off", value: t("Hot wallet") });
  const network = h("select", { name: "network" },
    ["main", "test", "signet", "regtest"].map((n) => h("option", { value: n, text: n, selected: n === "test" })));
  const modeNew = h("input", { type: "radio", name: "mode", id: "mode-new", value: "new", checked: true });
  const modeRestore = h("input", { type: "radio", name: "mode", id: "mode-restore", value: "restore" });
  const mnemonic = h("textarea", { name: "mnemonic", spellcheck: "false", autocomplete: "off" });
  const mnemonicField = field(t("Mnemonic to restore"), mnemonic, t("12 to 24 BIP39 words, separated by spaces."));
  mnemonicField.hidden = true;
  const mnemonicCheck = h("div", { "aria-live": "polite" });
  const passphrase = h("input", { type: "password", name: "passphrase", autocomplete: "off" });
  const password = h("input", { type: "password", name: "password", required: true, autocomplete: "new-password", minlength: "8" });
  const password2 = h("input", { type: "password", name: "password2", required: true, autocomplete: "new-password" });
  const submit = h("button", { type: "submit" }, t("Create the hot device"));
  for (const r of [modeNew, modeRestore]) {
    r.addEventListener("change", () => { mnemonicField.hidden = !modeRestore.checked; });
  }
  mnemonic.addEventListener("change", async () => {
    if (!mnemonic.value.trim()) { mnemonicCheck.replaceChildren(); return; }
    try {
      const res = await app.call("keys.validateMnemonic", { mnemonic: mnemonic.value });
      mnemonicCheck.replaceChildren(!res.valid && res.problem ? errorBox({ message: res.problem.message, hint: res.problem.suggestion ? t("did you mean \"{word}\"?", { word: res.problem.suggestion }) : t("check each word against the BIP39 list") }) : h("p", { class: "notice", text: t("The mnemonic is valid.") }));
    } catch (err) {
      mnemonicCheck.replaceChildren(errorBox(err));
    }
  });
  const form = h("form", { class: "panel" },
    h("p", { class: "warning" }, t("A hot device keeps its seed in this browser, encrypted with your password. Use it for small amounts or as one key of a multisig.")),
    field(t("Name"), name), field(t("Network"), network),
    h("fieldset", {}, h("legend", { text: t("Seed") }),
      h("div", { class: "choice" }, modeNew, h("label", { for: "mode-new", text: t("Draw a new mnemonic") })),
      h("div", { class: "choice" }, modeRestore, h("label", { for: "mode-restore", text: t("Restore from my mnemonic") }))),
    mnemonicField, mnemonicCheck,
    field(t("BIP39 passphrase (optional)"), passphrase, t("An extra word that changes every key; without it the seed opens another wallet.")),
    field(t("Password"), password, t("Encrypts the seed in this browser (at least 8 characters). Needed to sign.")),
    field(t("Password again"), password2),
    h("div", { class: "actions" }, submit, h("a", { class: "button secondary", href: "#/devices" }, t("Cancel"))));
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    if (password.value !== password2.value) {
      showError(slot, { message: t("the two passwords differ"), hint: t("type the same password twice") });
      password2.focus();
      return;
    }
    submit.disabled = true;
    submit.textContent = t("Encrypting the seed…");
    try {
      const res = await app.call("devices.createHot", {
        name: name.value.trim(), network: network.value, password: password.value, passphrase: passphrase.value,
        mnemonic: modeRestore.checked ? mnemonic.value.trim() : "",
      }, { timeout: 120000 });
      password.value = password2.value = passphrase.value = mnemonic.value = "";
      if (res.mnemonic) {
        showMnemonicOnce(root, app, res);
      } else {
        app.announce(t("Hot device created."));
        app.go("#/devices/" + encodeURIComponent(res.device.id));
      }
    } catch (err) {
      showError(slot, err);
      submit.disabled = false;
      submit.textContent = t("Create the hot device");
    }
  });
  root.append(heading(t("Create a hot device")), slot, form);
}

// The new mnemonic is shown once, then forgotten by the page.
function showMnemonicOnce(root, app, res) {
  const words = res.mnemonic.split(/\s+/);
  const h1 = heading(t("Write down your mnemonic"));
  root.replaceChildren(h1,
    h("p", { class: "warning" }, t("This is the only time the words are shown. Anyone with them can spend; without them and without this browser's data, the funds of this key are lost.")),
    h("ol", { class: "mnemonic", "aria-label": t("Mnemonic words") }, words.map((w) => h("li", { text: w }))),
    h("div", { class: "actions" }, h("button", {
      type: "button",
      onclick: () => { res.mnemonic = ""; app.go("#/devices/" + encodeURIComponent(res.device.id)); },
    }, t("I wrote the words down"))));
  h1.focus();
}

async function renderDevice(root, app, id) {
  const d = await app.call("devices.get", { id });
  const slot = h("div");
  const { wallets } = await app.call("wallets.list");
  const usedBy = wallets.filter((w) => (w.device_ids || []).includes(d.id));
  const title = heading(d.name);
  title.setAttribute("translate", "no"); // a name, not a text of the app
  const models = await deviceModels(app);
  root.append(title, slot,
    facts([[t("Type"), typeName(d.type)], d.model ? [t("Model"), modelName(d.type, d.model)] : null, [t("Keys"), String(d.keys.length)],
      [t("Used by"), usedBy.length ? h("span", {}, usedBy.map((w, i) => [i ? ", " : "", h("a", { href: "#/wallets/" + encodeURIComponent(w.id), text: w.name })])) : t("no wallet")],
      [t("Added"), new Date(d.created_at).toLocaleString()]]),
    h("h2", { text: t("Keys") }),
    table(t("Keys of {name}", { name: d.name }), [t("Origin"), t("Key"), t("Script"), t("Label")],
      d.keys.map((k) => [h("code", { text: "[" + k.origin + "]" }), h("code", { text: k.xpub }), k.script_hint || "", k.label || ""])));

  // Add keys.
  const more = h("textarea", { name: "more-keys", spellcheck: "false" });
  const addForm = h("form", { class: "panel" }, h("h2", { text: t("Add keys") }),
    field(t("Keys to add"), more, t("\"[fingerprint/derivation]xpub\" lines or an export file's text.")),
    h("button", { type: "submit" }, t("Add the keys")));
  addForm.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    try {
      await app.call("devices.addKeys", { id: d.id, export: more.value });
      app.announce(t("Keys added."));
      app.go("#/devices/" + encodeURIComponent(d.id));
    } catch (err) {
      showError(slot, err);
    }
  });

  // Rename.
  const newName = h("input", { type: "text", name: "rename", value: d.name, required: true });
  const renameForm = h("form", { class: "panel" }, h("h2", { text: t("Rename") }), field(t("New name"), newName),
    h("button", { type: "submit" }, t("Rename")));
  renameForm.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    try {
      const nd = await app.call("devices.rename", { id: d.id, name: newName.value.trim() });
      app.announce(t("Renamed to {name}.", { name: nd.name }));
      app.go("#/devices/" + encodeURIComponent(d.id));
    } catch (err) {
      showError(slot, err);
    }
  });

  // Model, for the types that have models.
  const model = app.methods.has("devices.setModel") ? modelSelect(models, d.type, d.model || "") : null;
  let modelForm = null;
  if (model) {
    modelForm = h("form", { class: "panel" }, h("h2", { text: t("Model") }),
      field(t("Model of {name}", { name: d.name }), model, t("Decides how PSBTs go to the device by default: a Coldcard Q scans QR codes, a Mk3 or Mk4 reads the SD card.")),
      h("button", { type: "submit" }, t("Save the model")));
    modelForm.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      try {
        await app.call("devices.setModel", { id: d.id, model: model.value });
        app.announce(t("Model saved."));
        app.go("#/devices/" + encodeURIComponent(d.id));
      } catch (err) {
        showError(slot, err);
      }
    });
  }

  const del = h("section", { class: "panel" }, h("h2", { text: t("Delete") }),
    h("p", {}, usedBy.length ? t("Wallets use this device: the engine refuses to delete it while they exist.") : t("The device's keys are forgotten; wallets are not affected.")),
    confirmButton(t("Delete"), t("Delete {name}?", { name: d.name }), async () => {
      try {
        await app.call("devices.delete", { id: d.id });
        app.announce(t("Device deleted."));
        app.go("#/devices");
      } catch (err) {
        showError(slot, err);
        slot.querySelector(".error")?.setAttribute("tabindex", "-1");
        slot.querySelector(".error")?.focus();
      }
    }, { yes: t("Yes, delete") }));
  root.append(addForm, ...(modelForm ? [modelForm] : []), renameForm, del);
}
