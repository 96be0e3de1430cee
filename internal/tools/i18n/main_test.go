package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/require"
)

func TestExtractFindsTheMessagesOfEveryCallForm(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []Call
	}{
		{"double, single and template literals", "h(\"p\", {text: t(\"Hello\")});\nt('It\\'s {n}', {n});\nt(`Plain`)",
			[]Call{{Func: "t", Line: 1, Messages: []string{"Hello"}}, {Func: "t", Line: 2, Messages: []string{"It's {n}"}}, {Func: "t", Line: 3, Messages: []string{"Plain"}}}},
		{"plural and DOM forms", `tn("{n} device", "{n} devices", n); tDom("See {link}.", {link})`,
			[]Call{{Func: "tn", Line: 1, Messages: []string{"{n} device", "{n} devices"}}, {Func: "tDom", Line: 1, Messages: []string{"See {link}."}}}},
		{"a message split over lines with escapes", "t(\n  \"A \\\"quoted\\\" word\\u00e9\"\n)",
			[]Call{{Func: "t", Line: 1, Messages: []string{"A \"quoted\" wordé"}}}},
		{"comments, strings and regexes are not calls", "// t(\"no\")\n/* t(\"no\") */ const s = \"t('no')\"; const r = /t(\"no\")/g; const q = `t(\"no\")`;",
			nil},
		{"a regex with a quote does not open a string", `const a = s.replace(/"/g, ""); t("After")`,
			[]Call{{Func: "t", Line: 1, Messages: []string{"After"}}}},
		{"division is not a regex", `const x = a / b; const y = c / d; t("Div")`,
			[]Call{{Func: "t", Line: 1, Messages: []string{"Div"}}}},
		{"declarations and other identifiers", "export function t(message, params) {}\nfunction tn(one, other) {}\nconst list = [].map((t) => t.x); at(\"x\"); tx(\"y\")",
			nil},
		{"a non-literal message", "t(label); t(a.b(c, d), {x}); t(`Hi ${name}`)",
			[]Call{{Func: "t", Line: 1, Arg: "label"}, {Func: "t", Line: 1, Arg: "a.b(c, d)"}, {Func: "t", Line: 1, Arg: "`Hi ${name}`"}}},
		{"a literal joined to more text is not a literal", `t("Hello " + name)`,
			[]Call{{Func: "t", Line: 1, Arg: `"Hello " + name`}}},
		{"a call with no argument", `t()`,
			[]Call{{Func: "t", Line: 1, Arg: "(no argument)"}}},
		{"tn with a non-literal plural", `tn("One", other, n)`,
			[]Call{{Func: "tn", Line: 1, Arg: "other"}}},
		{"a method call counts", `app.i18n.t("Via app")`,
			[]Call{{Func: "t", Line: 1, Messages: []string{"Via app"}}}},
		{"nested calls are found", `t("Outer {x}", {x: t("Inner")})`,
			[]Call{{Func: "t", Line: 1, Messages: []string{"Outer {x}"}}, {Func: "t", Line: 1, Messages: []string{"Inner"}}}},
		{"calls in a template's substitutions", "const s = `${a} · ${tn(\"{n} key\", \"{n} keys\", n)}`;\nconst u = `x ${`y ${t('Deep')}`}`",
			[]Call{{Func: "tn", Line: 1, Messages: []string{"{n} key", "{n} keys"}}, {Func: "t", Line: 2, Messages: []string{"Deep"}}}},
		{"calls inside a non-literal message", `t(ok ? t("Yes") : t("No"))`,
			[]Call{{Func: "t", Line: 1, Arg: `ok ? t("Yes") : t("No")`}, {Func: "t", Line: 1, Messages: []string{"Yes"}}, {Func: "t", Line: 1, Messages: []string{"No"}}}},
		{"a substitution on a later line", "x(`a\nb ${t(\"L3\")}`)\n",
			[]Call{{Func: "t", Line: 2, Messages: []string{"L3"}}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Extract(tc.src)
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}
}

func TestExtractReportsUnterminatedSource(t *testing.T) {
	for _, src := range []string{`t("open`, "/* open", "t(`a ${b`", `t("a" + `} {
		_, err := Extract(src)
		require.Error(t, err, src)
	}
}

func TestHTMLMessagesAreTheTextOfDataI18nElements(t *testing.T) {
	page := `<a href="#/w" data-nav="w" data-i18n>Wallets</a><span data-i18n id="x">Relay: checking…</span>` +
		`<p>not marked</p><button data-i18n>Save &amp; go</button>`
	require.Equal(t, []string{"Wallets", "Relay: checking…", "Save & go"}, HTMLMessages(page))
}

func TestCheckFindsUnknownKeysAndPlaceholderMismatches(t *testing.T) {
	ids := []string{"Hello", "Wallet {name} created.", "{n} device", "{n} devices"}
	tests := []struct {
		name     string
		entries  string
		problems []string
		missing  int
	}{
		{"complete and right", `{"Hello": "Hallo", "Wallet {name} created.": "Wallet {name} erstellt.", "{n} device": "{n} Gerät", "{n} devices": "{n} Geräte"}`, nil, 0},
		{"partial is allowed", `{"Hello": "Hallo"}`, nil, 3},
		{"a key that is not a message", `{"Helo": "Hallo"}`,
			[]string{`web/i18n/de.json: "Helo" is not a message of the UI (run go run ./internal/tools/i18n and compare with messages.json)`}, 4},
		{"a renamed placeholder", `{"Wallet {name} created.": "Wallet {nom} erstellt."}`,
			[]string{`web/i18n/de.json: the translation of "Wallet {name} created." has the placeholders {nom}, the message has {name}`}, 3},
		{"plural forms by CLDR category", `{"{n} devices": {"one": "ein Gerät", "few": "{n} Geräte", "other": "{n} Geräte"}}`, nil, 3},
		{"plural forms need other", `{"{n} devices": {"one": "{n} Gerät"}}`,
			[]string{`web/i18n/de.json: the plural forms of "{n} devices" have no "other" form`}, 3},
		{"an unknown plural category", `{"{n} devices": {"lots": "{n} Geräte", "other": "{n} Geräte"}}`,
			[]string{`web/i18n/de.json: "{n} devices" has a plural form "lots" that is not a CLDR category (zero, one, two, few, many, other)`}, 3},
		{"a translation that is a number", `{"Hello": 5}`,
			[]string{`web/i18n/de.json: the translation of "Hello" is neither a string nor an object of plural forms`}, 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := Catalogue{Tag: "de"}
			require.NoError(t, json.Unmarshal([]byte(tc.entries), &c.Entries))
			problems, missing := Check(c, ids)
			require.Equal(t, tc.problems, problems)
			require.Equal(t, tc.missing, missing)
		})
	}
}

func TestCollectFlagsNonLiteralMessagesOutsideTheAllowlist(t *testing.T) {
	web := fstest.MapFS{
		"index.html":        {Data: []byte(`<a data-i18n>Wallets</a>`)},
		"app.js":            {Data: []byte(`t(el.dataset.i18n); t("Start")`)},
		"js/views/x.js":     {Data: []byte("t(\"B\");\nt(label)")},
		"js/views/y.js":     {Data: []byte(`tn("A", "As", 2)`)},
		"vendor/lib.js":     {Data: []byte(`t(anything)`)},
		"i18n/de.json":      {Data: []byte(`{"A": "Ein A"}`)},
		"i18n/pt-BR.json":   {Data: []byte(`{}`)},
		"i18n/notes.json":   {Data: []byte(`[]`)},
		"precache.js":       {Data: []byte(`t(x)`)},
		"wasm/wasm_exec.js": {Data: []byte(`t(x)`)},
	}
	msgs, err := Collect(web)
	require.NoError(t, err)
	require.Equal(t, []string{"A", "As", "B", "Start", "Wallets"}, msgs.IDs)
	require.Equal(t, []string{"web/js/views/x.js:2: t(label, ...) has a non-literal message: write the English text as a string literal (or add it to the allowlist in internal/tools/i18n with the reason)"}, msgs.Problems)
	cats, err := Catalogues(web)
	require.NoError(t, err)
	require.Len(t, cats, 2)
	outs, err := Outputs(msgs, cats)
	require.NoError(t, err)
	require.Equal(t, "[\n  \"A\",\n  \"As\",\n  \"B\",\n  \"Start\",\n  \"Wallets\"\n]\n", string(outs["i18n/messages.json"]))
	require.Equal(t, "[\"de\",\"pt-BR\"]\n", string(outs["i18n/languages.json"]))
}

// TestCommittedMessagesAndCataloguesAreUpToDate fails when web/i18n's
// generated files differ from what the UI's scripts say (run
// `go run ./internal/tools/i18n` or `make build`), when a script passes t()
// a non-literal message outside the allowlist, or when a catalogue has a key
// that is not a message or placeholders that differ from its message's.
func TestCommittedMessagesAndCataloguesAreUpToDate(t *testing.T) {
	webDir := filepath.Join("..", "..", "..", "web")
	web := os.DirFS(webDir)
	msgs, err := Collect(web)
	require.NoError(t, err)
	require.Empty(t, msgs.Problems)
	require.NotEmpty(t, msgs.IDs)
	cats, err := Catalogues(web)
	require.NoError(t, err)
	for _, c := range cats {
		problems, _ := Check(c, msgs.IDs)
		require.Empty(t, problems, c.Tag)
	}
	outs, err := Outputs(msgs, cats)
	require.NoError(t, err)
	for name, want := range outs {
		got, err := os.ReadFile(filepath.Join(webDir, filepath.FromSlash(name)))
		require.NoError(t, err, "web/%s is missing: run go run ./internal/tools/i18n", name)
		if string(got) == string(want) {
			continue
		}
		// Say which ids differ rather than printing both files.
		var wantIDs, gotIDs []string
		require.NoError(t, json.Unmarshal(want, &wantIDs))
		require.NoError(t, json.Unmarshal(got, &gotIDs), "web/%s is not a JSON list", name)
		require.Equal(t, missingFrom(gotIDs, wantIDs), []string(nil), "web/%s lacks these (run go run ./internal/tools/i18n or make build)", name)
		require.Equal(t, missingFrom(wantIDs, gotIDs), []string(nil), "web/%s has these no more in use (run go run ./internal/tools/i18n or make build)", name)
		require.Fail(t, "web/"+name+" is not in the generated order or format: run go run ./internal/tools/i18n (make build)")
	}
}

// missingFrom is what of want is not in have.
func missingFrom(have, want []string) []string {
	set := map[string]bool{}
	for _, h := range have {
		set[h] = true
	}
	var out []string
	for _, w := range want {
		if !set[w] {
			out = append(out, w)
		}
	}
	return out
}

func FuzzExtract(f *testing.F) {
	for _, seed := range []string{`t("a")`, "t(`x ${y} z`)", `tn("a", "b", n)`, `x = /"/g; t('q')`, "/* t( */ t(\n'a'\n)", `t(`, `t("\u00e9\x41")`} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, src string) {
		calls, err := Extract(src)
		if err != nil {
			return
		}
		for _, c := range calls {
			if len(c.Messages) == 0 && c.Arg == "" {
				t.Fatalf("a call with neither messages nor argument text: %+v in %q", c, src)
			}
			if c.Line < 1 || c.Line > strings.Count(src, "\n")+1 {
				t.Fatalf("line %d out of range in %q", c.Line, src)
			}
		}
	})
}
