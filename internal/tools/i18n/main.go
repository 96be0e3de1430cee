// Command i18n keeps the PWA's UI strings language-ready, as Specter Desktop
// does with Flask-Babel (GNU gettext): the English text is the message id.
// It finds every message of the UI, the first arguments of t("..."),
// tDom("...") and tn("...", "...", n) in web/**/*.js (web/js/i18n.js) and
// the text of web/index.html's data-i18n elements, and writes
//
//   - web/i18n/messages.json: the sorted list of every message id, the
//     template a translator starts from;
//   - web/i18n/languages.json: the tags of the catalogues web/i18n/<tag>.json
//     (BCP 47), which the Settings screen offers besides English.
//
// It then checks the catalogues: every key must be a message id, every
// translation must have the same {placeholders} as its message, and t() may
// take a non-literal message only where the allowlist says so (a message
// the tool cannot see would stay English in every language).
//
//	go run ./internal/tools/i18n -web web
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/specterpwa/specter/shared/manager"
)

// Allowlist is where a translation function may take a non-literal message:
// file (relative to web/) -> the argument's source text. Each one
// translates messages that are found elsewhere.
var Allowlist = map[string][]string{
	// The data-i18n elements of index.html: HTMLMessages finds their text.
	"app.js": {"el.dataset.i18n"},
}

// skippedDir reports whether a directory under web/ holds no UI scripts:
// built output and third-party code.
func skippedDir(rel string) bool {
	switch rel {
	case "wasm", "vendor", "i18n":
		return true
	}
	return strings.HasPrefix(path.Base(rel), ".")
}

// Messages is what the web directory's scripts and page ask to translate.
type Messages struct {
	// IDs is the sorted set of message ids.
	IDs []string
	// Problems are the calls with a non-literal message outside the
	// allowlist, and files that could not be read.
	Problems []string
}

// Collect finds the messages of a web directory.
func Collect(web fs.FS) (Messages, error) {
	set := map[string]bool{}
	var problems []string
	err := fs.WalkDir(web, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if p != "." && skippedDir(p) {
				return fs.SkipDir
			}
			return nil
		}
		switch {
		case p == "index.html":
			page, err := fs.ReadFile(web, p)
			if err != nil {
				return err
			}
			for _, m := range HTMLMessages(string(page)) {
				set[m] = true
			}
		case strings.HasSuffix(p, ".js") && p != "precache.js" && p != "sw.js":
			src, err := fs.ReadFile(web, p)
			if err != nil {
				return err
			}
			calls, err := Extract(string(src))
			if err != nil {
				problems = append(problems, fmt.Sprintf("web/%s: %v", p, err))
				return nil
			}
			for _, c := range calls {
				if len(c.Messages) == 0 {
					if !slices.Contains(Allowlist[p], c.Arg) {
						problems = append(problems, fmt.Sprintf("web/%s:%d: %s(%s, ...) has a non-literal message: write the English text as a string literal (or add it to the allowlist in internal/tools/i18n with the reason)", p, c.Line, c.Func, c.Arg))
					}
					continue
				}
				for _, m := range c.Messages {
					if m == "" {
						problems = append(problems, fmt.Sprintf("web/%s:%d: %s(\"\") translates an empty message", p, c.Line, c.Func))
						continue
					}
					set[m] = true
				}
			}
		}
		return nil
	})
	if err != nil {
		return Messages{}, fmt.Errorf("reading the web directory: %w", err)
	}
	ids := make([]string, 0, len(set))
	for m := range set {
		ids = append(ids, m)
	}
	sort.Strings(ids)
	return Messages{IDs: ids, Problems: problems}, nil
}

// Catalogue is one web/i18n/<tag>.json.
type Catalogue struct {
	Tag string
	// Entries maps an English message to its translation: a string, or an
	// object of CLDR plural categories (one, few, many, other...) for the
	// other form of a tn() message.
	Entries map[string]json.RawMessage
}

// Catalogues reads the catalogues of web/i18n, sorted by tag. Files whose
// name is not a language tag (messages.json, languages.json) are not
// catalogues.
func Catalogues(web fs.FS) ([]Catalogue, error) {
	entries, err := fs.ReadDir(web, "i18n")
	if err != nil {
		if os.IsNotExist(err) {
			return nil, nil
		}
		return nil, fmt.Errorf("reading web/i18n: %w", err)
	}
	var out []Catalogue
	for _, e := range entries {
		tag, ok := strings.CutSuffix(e.Name(), ".json")
		if e.IsDir() || !ok || !manager.IsLanguageTag(tag) {
			continue
		}
		data, err := fs.ReadFile(web, "i18n/"+e.Name())
		if err != nil {
			return nil, err
		}
		c := Catalogue{Tag: tag}
		if err := json.Unmarshal(data, &c.Entries); err != nil {
			return nil, fmt.Errorf("web/i18n/%s is not a JSON object of message -> translation: %w", e.Name(), err)
		}
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Tag < out[j].Tag })
	return out, nil
}

// pluralCategories are CLDR's plural categories (UTS #35, Language Plural
// Rules), the keys Intl.PluralRules.select returns.
var pluralCategories = map[string]bool{"zero": true, "one": true, "two": true, "few": true, "many": true, "other": true}

// Check compares a catalogue with the message ids: every key must be a
// message, every translation a string (or, for plurals, an object of CLDR
// categories with "other") with the same placeholders as the message.
// It returns the problems and how many messages have no translation.
func Check(c Catalogue, ids []string) (problems []string, missing int) {
	known := map[string]bool{}
	for _, m := range ids {
		known[m] = true
	}
	keys := make([]string, 0, len(c.Entries))
	for k := range c.Entries {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	where := "web/i18n/" + c.Tag + ".json"
	for _, k := range keys {
		if !known[k] {
			problems = append(problems, fmt.Sprintf("%s: %q is not a message of the UI (run go run ./internal/tools/i18n and compare with messages.json)", where, k))
			continue
		}
		want := strings.Join(Placeholders(k), ",")
		raw := bytes.TrimSpace(c.Entries[k])
		forms := map[string]string{}
		var s string
		if err := json.Unmarshal(raw, &s); err == nil {
			forms[""] = s
		} else if err := json.Unmarshal(raw, &forms); err != nil {
			problems = append(problems, fmt.Sprintf("%s: the translation of %q is neither a string nor an object of plural forms", where, k))
			continue
		} else if _, ok := forms["other"]; !ok {
			problems = append(problems, fmt.Sprintf("%s: the plural forms of %q have no \"other\" form", where, k))
		}
		for cat, tr := range forms {
			if cat != "" && !pluralCategories[cat] {
				problems = append(problems, fmt.Sprintf("%s: %q has a plural form %q that is not a CLDR category (zero, one, two, few, many, other)", where, k, cat))
				continue
			}
			got := Placeholders(tr)
			if cat != "" {
				// A plural form may leave out {n} (e.g. "one file" in words).
				got = withN(got, want)
			}
			if strings.Join(got, ",") != want {
				problems = append(problems, fmt.Sprintf("%s: the translation of %q has the placeholders {%s}, the message has {%s}", where, k, strings.Join(got, "}, {"), strings.Join(Placeholders(k), "}, {")))
			}
		}
	}
	for _, m := range ids {
		if _, ok := c.Entries[m]; !ok {
			missing++
		}
	}
	return problems, missing
}

// withN adds n to got when the message has it and got has not.
func withN(got []string, want string) []string {
	if !strings.Contains(","+want+",", ",n,") {
		return got
	}
	if slices.Contains(got, "n") {
		return got
	}
	out := append(append([]string(nil), got...), "n")
	sort.Strings(out)
	return out
}

// Outputs are the generated files: path under web/ -> contents.
func Outputs(msgs Messages, cats []Catalogue) (map[string][]byte, error) {
	list, err := json.MarshalIndent(msgs.IDs, "", "  ")
	if err != nil {
		return nil, err
	}
	tags := []string{}
	for _, c := range cats {
		tags = append(tags, c.Tag)
	}
	langs, err := json.Marshal(tags)
	if err != nil {
		return nil, err
	}
	return map[string][]byte{
		"i18n/messages.json":  append(list, '\n'),
		"i18n/languages.json": append(langs, '\n'),
	}, nil
}

// run collects, checks and writes; problems make it fail after writing.
func run(webDir string) error {
	web := os.DirFS(webDir)
	msgs, err := Collect(web)
	if err != nil {
		return err
	}
	cats, err := Catalogues(web)
	if err != nil {
		return err
	}
	outs, err := Outputs(msgs, cats)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Join(webDir, "i18n"), 0o755); err != nil {
		return err
	}
	for name, data := range outs {
		p := filepath.Join(webDir, filepath.FromSlash(name))
		if old, err := os.ReadFile(p); err == nil && bytes.Equal(old, data) {
			continue
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			return err
		}
	}
	problems := msgs.Problems
	for _, c := range cats {
		p, missing := Check(c, msgs.IDs)
		problems = append(problems, p...)
		if missing > 0 {
			fmt.Fprintf(os.Stderr, "i18n: %s: %d of %d messages have no translation (they show in English)\n", c.Tag, missing, len(msgs.IDs))
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("%d problems:\n  %s", len(problems), strings.Join(problems, "\n  "))
	}
	return nil
}

func main() {
	webDir := flag.String("web", "web", "the PWA's directory")
	flag.Parse()
	if err := run(*webDir); err != nil {
		fmt.Fprintln(os.Stderr, "i18n:", err)
		os.Exit(1)
	}
}
