package main

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Call is one call of the UI's translation functions found in a script.
type Call struct {
	// Func is t, tn or tDom.
	Func string
	// Line is the 1-based line of the call.
	Line int
	// Messages are the literal message ids: one for t and tDom, the one and
	// other forms for tn. Empty when the call's message is not a literal.
	Messages []string
	// Arg is the source text of the first non-literal argument (for the
	// allowlist) when Messages is empty.
	Arg string
}

// translators are the functions of web/js/i18n.js whose leading arguments
// are message ids, with how many of them.
var translators = map[string]int{"t": 1, "tDom": 1, "tn": 2}

// lexer walks JavaScript source far enough to find calls: it skips
// comments, string and template literals and regular expression literals
// (ECMA-262 decides "/" by the previous token; the usual heuristic below is
// what linters and minifiers do without a full parser).
type lexer struct {
	src  string
	pos  int
	line int
	// prev is the previous significant token: an identifier, a keyword, or
	// a punctuator; "" at the start.
	prev string
	// subs are the byte ranges of the ${...} substitutions of the template
	// literals read (the outermost ones), whose calls Extract finds too.
	subs [][2]int
	// nest is how deep in substitutions the lexer is.
	nest int
}

// regexAfter are tokens after which "/" starts a regular expression.
var regexAfter = map[string]bool{
	"": true, "(": true, ",": true, "=": true, ":": true, "[": true, "!": true, "&": true, "|": true,
	"?": true, "{": true, "}": true, ";": true, "+": true, "-": true, "*": true, "%": true, "<": true,
	">": true, "~": true, "^": true, "return": true, "typeof": true, "case": true, "do": true, "else": true,
	"in": true, "of": true, "new": true, "delete": true, "void": true, "throw": true, "yield": true, "await": true,
}

func isIdentStart(r rune) bool { return r == '_' || r == '$' || unicode.IsLetter(r) }
func isIdentPart(r rune) bool  { return isIdentStart(r) || unicode.IsDigit(r) }

// skipSpace skips white space and comments.
func (l *lexer) skipSpace() error {
	for l.pos < len(l.src) {
		c := l.src[l.pos]
		switch {
		case c == '\n':
			l.line++
			l.pos++
		case c == ' ' || c == '\t' || c == '\r':
			l.pos++
		case strings.HasPrefix(l.src[l.pos:], "//"):
			end := strings.IndexByte(l.src[l.pos:], '\n')
			if end < 0 {
				l.pos = len(l.src)
			} else {
				l.pos += end
			}
		case strings.HasPrefix(l.src[l.pos:], "/*"):
			end := strings.Index(l.src[l.pos+2:], "*/")
			if end < 0 {
				return fmt.Errorf("line %d: unterminated comment", l.line)
			}
			l.line += strings.Count(l.src[l.pos:l.pos+2+end], "\n")
			l.pos += end + 4
		default:
			return nil
		}
	}
	return nil
}

// readString reads a quoted or template literal at pos and returns its
// value; ok is false for a template with ${} substitutions.
func (l *lexer) readString() (value string, ok bool, err error) {
	quote := l.src[l.pos]
	start := l.line
	l.pos++
	var b strings.Builder
	ok = true
	for l.pos < len(l.src) {
		c := l.src[l.pos]
		switch {
		case c == quote:
			l.pos++
			return b.String(), ok, nil
		case c == '\\':
			if l.pos+1 >= len(l.src) {
				return "", false, fmt.Errorf("line %d: unterminated string", start)
			}
			n, width := unescape(l.src[l.pos+1:])
			if l.src[l.pos+1] == '\n' {
				l.line++
			}
			b.WriteString(n)
			l.pos += 1 + width
		case c == '\n' && quote != '`':
			return "", false, fmt.Errorf("line %d: unterminated string", start)
		case quote == '`' && strings.HasPrefix(l.src[l.pos:], "${"):
			ok = false
			if err := l.skipSubstitution(); err != nil {
				return "", false, err
			}
		default:
			if c == '\n' {
				l.line++
			}
			b.WriteByte(c)
			l.pos++
		}
	}
	return "", false, fmt.Errorf("line %d: unterminated string", start)
}

// skipSubstitution skips a template's ${ ... } with nested braces, strings
// and templates.
func (l *lexer) skipSubstitution() error {
	l.pos += 2
	start := l.pos
	l.nest++
	defer func() { l.nest-- }()
	depth := 1
	for l.pos < len(l.src) {
		if err := l.skipSpace(); err != nil {
			return err
		}
		if l.pos >= len(l.src) {
			break
		}
		switch c := l.src[l.pos]; c {
		case '{':
			depth++
			l.pos++
		case '}':
			depth--
			l.pos++
			if depth == 0 {
				if l.nest == 1 {
					l.subs = append(l.subs, [2]int{start, l.pos - 1})
				}
				return nil
			}
		case '"', '\'', '`':
			if _, _, err := l.readString(); err != nil {
				return err
			}
		default:
			l.pos++
		}
	}
	return fmt.Errorf("line %d: unterminated template substitution", l.line)
}

// unescape decodes the escape after a backslash: its value and how many
// bytes it took.
func unescape(s string) (string, int) {
	switch s[0] {
	case 'n':
		return "\n", 1
	case 't':
		return "\t", 1
	case 'r':
		return "\r", 1
	case 'b':
		return "\b", 1
	case 'f':
		return "\f", 1
	case 'v':
		return "\v", 1
	case '0':
		return "\x00", 1
	case '\n':
		return "", 1
	case 'u':
		if strings.HasPrefix(s, "u{") {
			end := strings.IndexByte(s, '}')
			var r rune
			if end > 2 {
				if _, err := fmt.Sscanf(s[2:end], "%x", &r); err == nil {
					return string(r), end + 1
				}
			}
			return "u", 1
		}
		if len(s) >= 5 {
			var r rune
			if _, err := fmt.Sscanf(s[1:5], "%04x", &r); err == nil {
				return string(r), 5
			}
		}
		return "u", 1
	case 'x':
		if len(s) >= 3 {
			var r rune
			if _, err := fmt.Sscanf(s[1:3], "%02x", &r); err == nil {
				return string(r), 3
			}
		}
		return "x", 1
	}
	_, width := utf8.DecodeRuneInString(s)
	return s[:width], width
}

// readRegex skips a regular expression literal at pos.
func (l *lexer) readRegex() error {
	start := l.line
	l.pos++
	inClass := false
	for l.pos < len(l.src) {
		c := l.src[l.pos]
		switch {
		case c == '\\':
			l.pos += 2
			continue
		case c == '\n':
			return fmt.Errorf("line %d: unterminated regular expression", start)
		case c == '[':
			inClass = true
		case c == ']':
			inClass = false
		case c == '/' && !inClass:
			l.pos++
			for l.pos < len(l.src) && isIdentPart(rune(l.src[l.pos])) {
				l.pos++
			}
			return nil
		}
		l.pos++
	}
	return fmt.Errorf("line %d: unterminated regular expression", start)
}

// readIdent reads an identifier at pos.
func (l *lexer) readIdent() string {
	start := l.pos
	for l.pos < len(l.src) {
		r, width := utf8.DecodeRuneInString(l.src[l.pos:])
		if !isIdentPart(r) {
			break
		}
		l.pos += width
	}
	return l.src[start:l.pos]
}

// argument reads one call argument: a lone string literal gives its value
// (literal true); anything else gives its source text up to the next "," or
// ")" at depth 0, and leaves the lexer at the argument's start so that the
// calls inside it are found too. end is the character that ended it.
func (l *lexer) argument() (value string, literal bool, end byte, err error) {
	if err := l.skipSpace(); err != nil {
		return "", false, 0, err
	}
	start := l.pos
	l.subs = nil
	if l.pos < len(l.src) && strings.ContainsRune("\"'`", rune(l.src[l.pos])) {
		v, ok, err := l.readString()
		if err != nil {
			return "", false, 0, err
		}
		if err := l.skipSpace(); err != nil {
			return "", false, 0, err
		}
		if ok && l.pos < len(l.src) && (l.src[l.pos] == ',' || l.src[l.pos] == ')') {
			end = l.src[l.pos]
			l.pos++
			return v, true, end, nil
		}
	}
	l.pos = start
	line := l.line
	depth := 0
	l.prev = "("
	for l.pos < len(l.src) {
		if err := l.skipSpace(); err != nil {
			return "", false, 0, err
		}
		if l.pos >= len(l.src) {
			break
		}
		c := l.src[l.pos]
		switch {
		case depth == 0 && (c == ',' || c == ')'):
			text := strings.Join(strings.Fields(l.src[start:l.pos]), " ")
			if text == "" {
				text = "(no argument)"
			}
			l.pos, l.line, l.prev = start, line, "("
			return text, false, c, nil
		case c == '(' || c == '[' || c == '{':
			depth++
			l.prev = string(c)
			l.pos++
		case c == ')' || c == ']' || c == '}':
			depth--
			l.prev = string(c)
			l.pos++
		case c == '"' || c == '\'' || c == '`':
			if _, _, err := l.readString(); err != nil {
				return "", false, 0, err
			}
			l.prev = "str"
		case c == '/' && regexAfter[l.prev]:
			if err := l.readRegex(); err != nil {
				return "", false, 0, err
			}
			l.prev = "re"
		case isIdentStart(rune(c)) || c >= utf8.RuneSelf:
			l.prev = l.readIdent()
			if l.prev == "" {
				l.pos++
			}
		default:
			l.prev = string(c)
			l.pos++
		}
	}
	return "", false, 0, fmt.Errorf("line %d: unterminated call", l.line)
}

// Extract finds every call of t, tn and tDom in a script. A declaration
// (function t(...)) and a property access named so (x.t(...)) are not
// calls of the UI's functions; a method call such as app.i18n.t(...) is
// counted.
func Extract(src string) ([]Call, error) {
	l := &lexer{src: src, line: 1}
	var calls []Call
	for {
		if err := l.skipSpace(); err != nil {
			return nil, err
		}
		if l.pos >= len(l.src) {
			return calls, nil
		}
		c := l.src[l.pos]
		switch {
		case c == '"' || c == '\'' || c == '`':
			l.subs = nil
			if _, _, err := l.readString(); err != nil {
				return nil, err
			}
			l.prev = "str"
			// The calls in a template's substitutions: `${t("...")}`.
			for _, sub := range l.subs {
				inner, err := Extract(l.src[sub[0]:sub[1]])
				if err != nil {
					return nil, err
				}
				offset := strings.Count(l.src[:sub[0]], "\n")
				for _, c := range inner {
					c.Line += offset
					calls = append(calls, c)
				}
			}
		case c == '/' && regexAfter[l.prev]:
			if err := l.readRegex(); err != nil {
				return nil, err
			}
			l.prev = "re"
		case isIdentStart(rune(c)) || c >= utf8.RuneSelf:
			before := l.prev
			line := l.line
			id := l.readIdent()
			if id == "" {
				l.pos++
				l.prev = "?"
				continue
			}
			l.prev = id
			n, ok := translators[id]
			if !ok || before == "function" {
				continue
			}
			save := l.pos
			if err := l.skipSpace(); err != nil {
				return nil, err
			}
			if l.pos >= len(l.src) || l.src[l.pos] != '(' {
				l.pos = save
				continue
			}
			l.pos++
			call := Call{Func: id, Line: line}
			for i := 0; i < n; i++ {
				v, literal, end, err := l.argument()
				if err != nil {
					return nil, fmt.Errorf("%s( at line %d: %w", id, line, err)
				}
				if !literal {
					// The lexer is back at the argument: the main loop
					// finds the calls inside it.
					call.Messages, call.Arg = nil, v
					break
				}
				call.Messages = append(call.Messages, v)
				if end == ')' && i < n-1 {
					call.Messages, call.Arg = nil, "(missing argument)"
					break
				}
				l.prev = string(end)
			}
			calls = append(calls, call)
		default:
			l.prev = string(c)
			l.pos++
		}
	}
}

// htmlText finds the elements of an HTML page marked data-i18n and returns
// their text: app.js translates them with t() when the language changes.
var htmlI18n = regexp.MustCompile(`<([a-zA-Z][a-zA-Z0-9]*)\b[^>]*\sdata-i18n\b[^>]*>([^<]*)</`)

// HTMLMessages are the message ids of an HTML page's data-i18n elements.
func HTMLMessages(page string) []string {
	var out []string
	for _, m := range htmlI18n.FindAllStringSubmatch(page, -1) {
		text := strings.TrimSpace(m[2])
		if text != "" {
			out = append(out, htmlUnescape(text))
		}
	}
	return out
}

func htmlUnescape(s string) string {
	return strings.NewReplacer("&amp;", "&", "&lt;", "<", "&gt;", ">", "&quot;", `"`, "&#39;", "'").Replace(s)
}

// placeholder is a {name} in a message.
var placeholder = regexp.MustCompile(`\{([A-Za-z0-9_]+)\}`)

// Placeholders is the sorted set of a message's {name} placeholders, each
// once.
func Placeholders(s string) []string {
	seen := map[string]bool{}
	var out []string
	for _, m := range placeholder.FindAllStringSubmatch(s, -1) {
		if !seen[m[1]] {
			seen[m[1]] = true
			out = append(out, m[1])
		}
	}
	sort.Strings(out)
	return out
}
