//go:build js && wasm

// Package webcrypto is the browser's AES-256-GCM for the engine: a
// manager.SeedCipher on SubtleCrypto (W3C Web Cryptography API, AES-GCM;
// NIST SP 800-38D), so hot device seeds are sealed and opened by the
// browser's native, constant-time AES instead of Go's portable table-based
// AES compiled to wasm.
//
// What runs where, for a hot device (manager.CreateHotDevice and
// UnlockHotDevice): the password goes through scrypt (RFC 7914) in Go, in
// the engine's Web Worker (WebCrypto has no scrypt); the 32-byte key, the
// 12-byte nonce, the plaintext and the header (GCM additional data) are then
// copied into JavaScript, the key is imported as a non-extractable AES-GCM
// CryptoKey and crypto.subtle.encrypt or decrypt runs with a 128-bit tag.
// The output, ciphertext||tag, is byte for byte what Go's cipher.AEAD.Seal
// writes, so seeds stored before this package existed still open, and a
// backup made in the browser opens natively (manager.GoAESGCM).
//
// The methods wait for the WebCrypto promises, so they must run on a
// goroutine, never inside a js.Func callback (the bridge runs every request
// on its own goroutine).
package webcrypto

import (
	"errors"
	"fmt"
	"syscall/js"

	"github.com/specterpwa/specter/shared/manager"
)

// ErrUnavailable is returned when the browser offers no crypto.subtle: the
// Web Cryptography API exists only in secure contexts (https, or http at
// localhost).
var ErrUnavailable = errors.New("the browser's WebCrypto (crypto.subtle) is not available, so the hot device seed cannot be encrypted or decrypted: open the app over https or at localhost")

// DOMError is a WebCrypto failure as the browser reported it: the
// DOMException's name (e.g. "OperationError", "DataError") and message.
type DOMError struct {
	Op      string // "importKey", "encrypt" or "decrypt"
	Name    string
	Message string
}

// Error says which WebCrypto step failed and what the browser said.
func (e *DOMError) Error() string {
	s := "WebCrypto " + e.Op + " failed"
	if e.Name != "" {
		s += ": " + e.Name
	}
	if e.Message != "" {
		s += ": " + e.Message
	}
	return s
}

// AESGCM is a manager.SeedCipher on the browser's SubtleCrypto AES-GCM with
// a 256-bit key, a 96-bit nonce and a 128-bit tag. It holds no key between
// calls: each call imports the key, uses it and drops it.
type AESGCM struct {
	subtle js.Value
}

var _ manager.SeedCipher = (*AESGCM)(nil)

// New returns the cipher of globalThis.crypto.subtle. When the browser has
// none (not a secure context) every call returns ErrUnavailable.
func New() *AESGCM { return newWith(js.Global()) }

func newWith(global js.Value) *AESGCM {
	c := global.Get("crypto")
	if c.Type() != js.TypeObject {
		return &AESGCM{subtle: js.Undefined()}
	}
	return &AESGCM{subtle: c.Get("subtle")}
}

// Available reports whether crypto.subtle exists.
func (a *AESGCM) Available() bool { return a.subtle.Type() == js.TypeObject }

// Seal encrypts and authenticates plaintext and authenticates
// additionalData with crypto.subtle.encrypt; it returns ciphertext||tag.
func (a *AESGCM) Seal(key, nonce, plaintext, additionalData []byte) ([]byte, error) {
	return a.run("encrypt", key, nonce, plaintext, additionalData)
}

// Open verifies and decrypts ciphertext||tag with crypto.subtle.decrypt. A
// tag that does not verify (the browser's OperationError) gives an error
// wrapping manager.ErrSeedAuthentication: a wrong password or a damaged
// record.
func (a *AESGCM) Open(key, nonce, ciphertext, additionalData []byte) ([]byte, error) {
	return a.run("decrypt", key, nonce, ciphertext, additionalData)
}

func (a *AESGCM) run(op string, key, nonce, data, additionalData []byte) ([]byte, error) {
	if err := manager.CheckSeedCipherSizes(key, nonce); err != nil {
		return nil, err
	}
	if !a.Available() {
		return nil, ErrUnavailable
	}
	keyJS := bytesToJS(key)
	ck, err := await("importKey", func() js.Value {
		return a.subtle.Call("importKey", "raw", keyJS, "AES-GCM", false, js.ValueOf([]any{"encrypt", "decrypt"}))
	})
	keyJS.Call("fill", 0)
	if err != nil {
		return nil, err
	}
	params := js.Global().Get("Object").New()
	params.Set("name", "AES-GCM")
	params.Set("iv", bytesToJS(nonce))
	params.Set("additionalData", bytesToJS(additionalData))
	params.Set("tagLength", manager.SeedTagSize*8)
	dataJS := bytesToJS(data)
	out, err := await(op, func() js.Value { return a.subtle.Call(op, params, ck, dataJS) })
	dataJS.Call("fill", 0)
	if err != nil {
		var de *DOMError
		if op == "decrypt" && errors.As(err, &de) && de.Name == "OperationError" {
			return nil, fmt.Errorf("%w (%w)", manager.ErrSeedAuthentication, err)
		}
		return nil, err
	}
	u8 := js.Global().Get("Uint8Array").New(out)
	res := make([]byte, u8.Get("length").Int())
	js.CopyBytesToGo(res, u8)
	u8.Call("fill", 0)
	return res, nil
}

// bytesToJS copies b into a new Uint8Array.
func bytesToJS(b []byte) js.Value {
	u8 := js.Global().Get("Uint8Array").New(len(b))
	js.CopyBytesToJS(u8, b)
	return u8
}

// await calls start, which returns a promise, and waits for it to settle.
// The callbacks only hand the outcome to a buffered channel; both are
// released once it has settled. A synchronous throw of start is returned as
// an error too.
func await(op string, start func() js.Value) (js.Value, error) {
	type settled struct {
		v   js.Value
		err error
	}
	ch := make(chan settled, 1)
	onOK := js.FuncOf(func(_ js.Value, args []js.Value) any {
		v := js.Undefined()
		if len(args) > 0 {
			v = args[0]
		}
		ch <- settled{v: v}
		return nil
	})
	onErr := js.FuncOf(func(_ js.Value, args []js.Value) any {
		reason := js.Undefined()
		if len(args) > 0 {
			reason = args[0]
		}
		ch <- settled{err: domError(op, reason)}
		return nil
	})
	defer onOK.Release()
	defer onErr.Release()
	if err := func() (err error) {
		defer func() {
			if r := recover(); r != nil {
				if je, ok := r.(js.Error); ok {
					err = domError(op, je.Value)
					return
				}
				err = &DOMError{Op: op, Message: fmt.Sprint(r)}
			}
		}()
		start().Call("then", onOK, onErr)
		return nil
	}(); err != nil {
		return js.Value{}, err
	}
	s := <-ch
	return s.v, s.err
}

// domError reads a rejection reason (normally a DOMException).
func domError(op string, reason js.Value) error {
	e := &DOMError{Op: op}
	if reason.Type() == js.TypeObject {
		if n := reason.Get("name"); n.Type() == js.TypeString {
			e.Name = n.String()
		}
		if m := reason.Get("message"); m.Type() == js.TypeString {
			e.Message = m.String()
		}
	} else if reason.Type() != js.TypeUndefined {
		e.Message = reason.String()
	}
	return e
}
