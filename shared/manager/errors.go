package manager

import (
	"errors"
	"strings"

	"github.com/specterpwa/specter/shared/store"
)

// Kind classifies an Error so the UI can react (highlight a field, offer a
// retry) without parsing messages.
type Kind string

// The kinds of Error.
const (
	// KindInvalid: the input is wrong (bad name, key, descriptor, setting).
	KindInvalid Kind = "invalid"
	// KindNotFound: no device, wallet or PSBT has the given id.
	KindNotFound Kind = "not_found"
	// KindDuplicate: the name (or key, or PSBT input) is already taken.
	KindDuplicate Kind = "duplicate"
	// KindInUse: a device is used by wallets and cannot be deleted.
	KindInUse Kind = "in_use"
	// KindWrongPassword: a hot device's password does not decrypt its seed.
	KindWrongPassword Kind = "wrong_password"
	// KindStorage: the store failed; nothing was changed.
	KindStorage Kind = "storage"
	// KindCorrupt: stored data cannot be read.
	KindCorrupt Kind = "corrupt"
)

// Error is the typed error of every Engine method: Message says what was
// wrong, Hint what to do. Wallets names the wallets that use a device when
// Kind is KindInUse.
type Error struct {
	Kind    Kind     `json:"kind"`
	Message string   `json:"message"`
	Hint    string   `json:"hint,omitempty"`
	Wallets []string `json:"wallets,omitempty"`
	Err     error    `json:"-"`
}

// Error returns the message, the cause and the hint.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Message)
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	if e.Hint != "" {
		b.WriteString(" (")
		b.WriteString(e.Hint)
		b.WriteString(")")
	}
	return b.String()
}

// Text is the message with its cause but without the hint: what the UI
// shows as the error line, with Hint below it.
func (e *Error) Text() string {
	if e.Err != nil {
		return e.Message + ": " + e.Err.Error()
	}
	return e.Message
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Is matches the sentinel errors below by Kind, so callers can write
// errors.Is(err, manager.ErrNotFound).
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Message == "" && t.Kind == e.Kind
}

// Sentinels for errors.Is, one per Kind.
var (
	ErrInvalid       error = &Error{Kind: KindInvalid}
	ErrNotFound      error = &Error{Kind: KindNotFound}
	ErrDuplicate     error = &Error{Kind: KindDuplicate}
	ErrInUse         error = &Error{Kind: KindInUse}
	ErrWrongPassword error = &Error{Kind: KindWrongPassword}
	ErrStorage       error = &Error{Kind: KindStorage}
	ErrCorrupt       error = &Error{Kind: KindCorrupt}
)

func invalid(msg, hint string) *Error { return &Error{Kind: KindInvalid, Message: msg, Hint: hint} }

func invalidErr(msg, hint string, err error) *Error {
	return &Error{Kind: KindInvalid, Message: msg, Hint: hint, Err: err}
}

func notFound(what, id string) *Error {
	return &Error{Kind: KindNotFound, Message: "no " + what + " with id " + quote(id), Hint: "reload the list: it may have been deleted"}
}

func storageErr(what string, err error) *Error {
	return &Error{Kind: KindStorage, Message: "storage failed while " + what + "; nothing was changed", Hint: "try again; if it keeps failing, free browser storage or export a backup", Err: err}
}

func corruptErr(what string, err error) *Error {
	return &Error{Kind: KindCorrupt, Message: "stored " + what + " cannot be read", Hint: "restore from a backup", Err: err}
}

func isNotFound(err error) bool { return errors.Is(err, store.ErrNotFound) }

func quote(s string) string { return "\"" + s + "\"" }
