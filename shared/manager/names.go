package manager

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxNameLength is the longest device or wallet name, in characters.
const MaxNameLength = 64

// maxAliasLength bounds the id derived from a name.
const maxAliasLength = 40

// Alias derives Specter Desktop's id from a name (helpers.alias): spaces
// become "_", only letters, digits and "_" are kept, all lower case. Unlike
// Specter it keeps ASCII only, so ids are URL- and IndexedDB-key-safe, and
// it cuts them at 40 characters.
func Alias(name string) string {
	var b strings.Builder
	for _, r := range strings.ReplaceAll(name, " ", "_") {
		r = unicode.ToLower(r)
		if r == '_' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
		if b.Len() >= maxAliasLength {
			break
		}
	}
	return b.String()
}

// uniqueID returns Alias(name), or fallback when that is empty, made unique
// against taken the way Specter's DeviceManager.add_device does: the alias of
// "name 2", "name 3", ... until one is free.
func uniqueID(name, fallback string, taken func(string) bool) string {
	base := Alias(name)
	if base == "" {
		base = fallback
	}
	id := base
	for i := 2; taken(id); i++ {
		suffix := "_" + strconv.Itoa(i)
		b := base
		if len(b)+len(suffix) > maxAliasLength {
			b = b[:maxAliasLength-len(suffix)]
		}
		id = b + suffix
	}
	return id
}

// cleanName trims a name and checks it: not empty, at most MaxNameLength
// characters, no control characters.
func cleanName(kind, name string) (string, error) {
	n := strings.TrimSpace(name)
	if n == "" {
		return "", invalid("the "+kind+" name is empty", "give the "+kind+" a name")
	}
	if utf8.RuneCountInString(n) > MaxNameLength {
		return "", invalid("the "+kind+" name is longer than "+strconv.Itoa(MaxNameLength)+" characters", "use a shorter name")
	}
	if !utf8.ValidString(n) || strings.IndexFunc(n, unicode.IsControl) >= 0 {
		return "", invalid("the "+kind+" name contains control characters", "use letters, digits, spaces and punctuation")
	}
	return n, nil
}

// sameName compares names as the user sees them: case-insensitively.
func sameName(a, b string) bool { return strings.EqualFold(a, b) }

// validID reports whether s could be an id made by uniqueID (for checking
// ids read from a backup file).
func validID(s string) bool {
	if s == "" || len(s) > maxAliasLength {
		return false
	}
	for _, r := range s {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}
