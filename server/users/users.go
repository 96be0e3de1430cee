// Package users is the relay's UserManager (Specter Desktop's UserManager,
// rebuilt): who may use the relay. On first start there is no admin: the
// relay prints a one-time setup token to its console and the admin account
// is created with it (POST /api/auth/setup). Passwords are hashed with
// Argon2id (RFC 9106) in the PHC string format. Sessions are random 256-bit
// ids in HttpOnly, SameSite=Strict cookies (Secure over TLS), kept
// server-side; CSRF is blocked by Go's cross-origin protection (Origin /
// Sec-Fetch-Site) plus a double-submit token (cookie specter_csrf, header
// X-CSRF-Token) bound to the session. An app served by another relay, from
// an origin in Options.TrustedOrigins, gets the session as a bearer token
// instead (its browser sends no cookies across sites; RFC 6750
// Authorization: Bearer, no CSRF token needed). Failed logins are throttled per client
// IP and per user name. An admin manages the other users and the node ids
// each may use.
//
// State lives in dataDir/users.json (mode 0600, written atomically). Sessions
// are persisted there too, as SHA-256 hashes of their ids, so a relay restart
// keeps users logged in while a copy of the file does not hand out live
// sessions. The setup token is never stored: a restart before setup prints a
// new one.
package users

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/specterpwa/specter/server/internal/atomicfile"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
)

// FileName is the state file inside the data dir.
const FileName = "users.json"

// Password and name limits.
const (
	MinPasswordLen = 8 // NIST SP 800-63B section 5.1.1.2 minimum
	MaxPasswordLen = 1024
	MaxUsernameLen = 64
	MaxNodeIDLen   = 128
)

// Options tunes a Manager; the zero value gives the defaults.
type Options struct {
	// Now is the clock (time.Now when nil); tests inject one.
	Now func() time.Time
	// KDF are the Argon2id costs for new hashes (DefaultKDF when zero).
	KDF KDFParams
	// SessionTTL is a session's lifetime from login (24 h when zero).
	SessionTTL time.Duration
	// RateLimit throttles failed logins (DefaultRateLimit when zero).
	RateLimit RateLimit
	// SecureCookies marks cookies Secure even on plain HTTP requests (a
	// TLS-terminating proxy in front); they are always Secure over TLS.
	SecureCookies bool
	// TrustedOrigins are extra origins ("https://relay.example:8443")
	// allowed to make state-changing requests besides the relay's own.
	TrustedOrigins []string
}

// User is a user as the API shows it (never with the password hash).
type User struct {
	Username  string    `json:"username"`
	Admin     bool      `json:"admin"`
	Nodes     []string  `json:"nodes"`
	CreatedAt time.Time `json:"created_at"`
}

type storedUser struct {
	Username     string    `json:"username"`
	PasswordHash string    `json:"password_hash"`
	Admin        bool      `json:"admin"`
	Nodes        []string  `json:"nodes"`
	CreatedAt    time.Time `json:"created_at"`
}

type storedSession struct {
	IDHash    string    `json:"id_sha256"`
	Username  string    `json:"username"`
	CSRF      string    `json:"csrf"`
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at"`
}

type fileState struct {
	Version  int              `json:"version"`
	Users    []storedUser     `json:"users"`
	Sessions []*storedSession `json:"sessions"`
}

// Manager holds the users and sessions. Create it with Open.
type Manager struct {
	path     string
	opts     Options
	mu       sync.Mutex
	users    map[string]*storedUser
	sessions map[string]*storedSession // by IDHash
	token    string
	limiter  *limiter
	cop      *http.CrossOriginProtection
	dummy    string // hash verified for unknown users, to even out timing
	kdf      chan struct{}
}

// MaxConcurrentKDF caps simultaneous Argon2id computations (each takes
// KDFParams.MemoryKiB of memory), so a burst of logins cannot exhaust memory.
const MaxConcurrentKDF = 2

// hash and verify run the KDF under the concurrency cap.
func (m *Manager) hash(password string, p KDFParams) (string, error) {
	m.kdf <- struct{}{}
	defer func() { <-m.kdf }()
	return HashPassword(password, p)
}

func (m *Manager) verify(password, encoded string) (bool, error) {
	m.kdf <- struct{}{}
	defer func() { <-m.kdf }()
	return VerifyPassword(password, encoded)
}

// Error is an API error: an HTTP status, what went wrong, and what to do.
type Error struct {
	Status     int
	Msg        string
	Hint       string
	RetryAfter time.Duration
}

// Error returns the message (the hint is in Hint).
func (e *Error) Error() string { return e.Msg }

func apiErr(status int, msg, hint string) *Error {
	return &Error{Status: status, Msg: msg, Hint: hint}
}

// Open loads dataDir/users.json (creating dataDir 0700 if needed). When
// there is no admin yet it creates the one-time setup token (SetupToken).
func Open(dataDir string, opts Options) (*Manager, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.KDF == (KDFParams{}) {
		opts.KDF = DefaultKDF
	}
	if opts.SessionTTL <= 0 {
		opts.SessionTTL = 24 * time.Hour
	}
	if opts.RateLimit == (RateLimit{}) {
		opts.RateLimit = DefaultRateLimit
	}
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return nil, fmt.Errorf("creating the data dir %s: %w", dataDir, err)
	}
	m := &Manager{
		path:     filepath.Join(dataDir, FileName),
		opts:     opts,
		users:    map[string]*storedUser{},
		sessions: map[string]*storedSession{},
		limiter:  newLimiter(opts.RateLimit),
		cop:      http.NewCrossOriginProtection(),
		kdf:      make(chan struct{}, MaxConcurrentKDF),
	}
	for _, o := range opts.TrustedOrigins {
		if err := m.cop.AddTrustedOrigin(o); err != nil {
			return nil, fmt.Errorf("trusted origin %q: %w", o, err)
		}
	}
	b, err := os.ReadFile(m.path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return nil, fmt.Errorf("reading %s: %w", m.path, err)
	default:
		st, err := decodeState(b)
		if err != nil {
			return nil, fmt.Errorf("%s: %w; restore it from a backup, or delete it to start over (the relay then prints a new setup token)", m.path, err)
		}
		now := opts.Now()
		for i := range st.Users {
			u := st.Users[i]
			m.users[u.Username] = &u
		}
		for _, s := range st.Sessions {
			if _, ok := m.users[s.Username]; ok && now.Before(s.ExpiresAt) {
				m.sessions[s.IDHash] = s
			}
		}
	}
	dummy, err := m.hash("not a password", opts.KDF)
	if err != nil {
		return nil, err
	}
	m.dummy = dummy
	if m.needsSetupLocked() {
		if m.token, err = randomToken(16); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// decodeState parses and checks users.json.
func decodeState(b []byte) (fileState, error) {
	var st fileState
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&st); err != nil {
		return st, fmt.Errorf("not a valid users file: %w", err)
	}
	if dec.More() {
		return st, errors.New("not a valid users file: data after the JSON object")
	}
	if st.Version != 1 {
		return st, fmt.Errorf("users file version %d is not supported (expected 1)", st.Version)
	}
	seen := map[string]bool{}
	for _, u := range st.Users {
		if err := checkUsername(u.Username); err != nil {
			return st, err
		}
		if seen[u.Username] {
			return st, fmt.Errorf("user %q appears twice", u.Username)
		}
		seen[u.Username] = true
		if _, err := ParsePHC(u.PasswordHash); err != nil {
			return st, fmt.Errorf("user %q: %w", u.Username, err)
		}
		if _, err := cleanNodes(u.Nodes); err != nil {
			return st, fmt.Errorf("user %q: %w", u.Username, err)
		}
	}
	for _, s := range st.Sessions {
		if s == nil {
			return st, errors.New("a session entry is null")
		}
		if h, err := hex.DecodeString(s.IDHash); err != nil || len(h) != sha256.Size {
			return st, errors.New("a session id hash is not 64 hex characters")
		}
	}
	return st, nil
}

// save writes users.json atomically: a 0600 temp file in the same
// directory, synced, then renamed over the old one. Caller holds mu.
func (m *Manager) save() error {
	st := fileState{Version: 1, Users: []storedUser{}, Sessions: []*storedSession{}}
	for _, name := range m.sortedNames() {
		st.Users = append(st.Users, *m.users[name])
	}
	now := m.opts.Now()
	for k, s := range m.sessions {
		if !now.Before(s.ExpiresAt) {
			delete(m.sessions, k)
			continue
		}
		st.Sessions = append(st.Sessions, s)
	}
	sort.Slice(st.Sessions, func(i, j int) bool { return st.Sessions[i].IDHash < st.Sessions[j].IDHash })
	b, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return fmt.Errorf("encoding the users file: %w", err)
	}
	return atomicfile.Write(m.path, append(b, '\n'), 0o600)
}

func (m *Manager) saveErr(err error) *Error {
	return apiErr(http.StatusInternalServerError, "could not save the users file: "+err.Error(),
		"check free disk space and the permissions of the relay's data dir, then retry")
}

func (m *Manager) sortedNames() []string {
	names := make([]string, 0, len(m.users))
	for n := range m.users {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func randomToken(n int) (string, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("generating a random token: %w", err)
	}
	if n == 16 {
		return hex.EncodeToString(b), nil
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

func hashID(id string) string {
	h := sha256.Sum256([]byte(id))
	return hex.EncodeToString(h[:])
}

func (m *Manager) needsSetupLocked() bool {
	for _, u := range m.users {
		if u.Admin {
			return false
		}
	}
	return true
}

// NeedsSetup reports that no admin exists yet: the relay must be set up
// with the setup token before anyone can log in.
func (m *Manager) NeedsSetup() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.needsSetupLocked()
}

// SetupMessage is the console text announcing the setup token, or "" once
// an admin exists. The relay prints it once at start.
func (m *Manager) SetupMessage() string {
	tok := m.SetupToken()
	if tok == "" {
		return ""
	}
	return "No admin account yet. Open the relay in a browser and create the admin with this one-time setup token:\n\n    " +
		tok + "\n\n(The token is not stored: restarting the relay before setup prints a new one.)"
}

// SetupToken is the one-time token that creates the admin, to print once to
// the console at start; "" once an admin exists. It lives only in memory.
func (m *Manager) SetupToken() string {
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.needsSetupLocked() {
		return ""
	}
	return m.token
}

func checkUsername(name string) error {
	if name == "" || len(name) > MaxUsernameLen {
		return apiErr(http.StatusBadRequest, fmt.Sprintf("user name %q must be 1 to %d characters", name, MaxUsernameLen),
			"use lower-case letters, digits, '.', '_' or '-'")
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		ok := (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (i > 0 && (c == '.' || c == '_' || c == '-'))
		if !ok {
			return apiErr(http.StatusBadRequest, fmt.Sprintf("user name %q has a character that is not allowed", name),
				"use lower-case letters, digits, '.', '_' or '-' (not first)")
		}
	}
	return nil
}

func checkPassword(pw string) error {
	if n := len([]rune(pw)); n < MinPasswordLen {
		return apiErr(http.StatusBadRequest, fmt.Sprintf("the password is too short (%d characters)", n),
			fmt.Sprintf("choose a password of at least %d characters; a few random words work well", MinPasswordLen))
	}
	if len(pw) > MaxPasswordLen {
		return apiErr(http.StatusBadRequest, "the password is too long", fmt.Sprintf("use at most %d bytes", MaxPasswordLen))
	}
	return nil
}

// cleanNodes checks node ids and returns them sorted without duplicates.
func cleanNodes(nodes []string) ([]string, error) {
	out := make([]string, 0, len(nodes))
	for _, n := range nodes {
		if n == "" || len(n) > MaxNodeIDLen || strings.ContainsAny(n, "\x00\r\n") {
			return nil, apiErr(http.StatusBadRequest, fmt.Sprintf("node id %q is not valid", n),
				fmt.Sprintf("use the ids listed by GET /api/nodes (1 to %d characters)", MaxNodeIDLen))
		}
		out = append(out, n)
	}
	sort.Strings(out)
	return slices.Compact(out), nil
}

func (u *storedUser) public() User {
	nodes := slices.Clone(u.Nodes)
	if nodes == nil {
		nodes = []string{}
	}
	return User{Username: u.Username, Admin: u.Admin, Nodes: nodes, CreatedAt: u.CreatedAt}
}

// Users lists all users, sorted by name.
func (m *Manager) Users() []User {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]User, 0, len(m.users))
	for _, n := range m.sortedNames() {
		out = append(out, m.users[n].public())
	}
	return out
}

// CreateUser adds a user. Non-admins may use only the given node ids.
func (m *Manager) CreateUser(username, password string, admin bool, nodes []string) (User, error) {
	if err := checkUsername(username); err != nil {
		return User{}, err
	}
	if err := checkPassword(password); err != nil {
		return User{}, err
	}
	clean, err := cleanNodes(nodes)
	if err != nil {
		return User{}, err
	}
	hash, err := m.hash(password, m.opts.KDF)
	if err != nil {
		return User{}, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.users[username]; ok {
		return User{}, apiErr(http.StatusConflict, fmt.Sprintf("user %q already exists", username), "choose another name, or edit that user")
	}
	u := &storedUser{Username: username, PasswordHash: hash, Admin: admin, Nodes: clean, CreatedAt: m.opts.Now().UTC()}
	m.users[username] = u
	if err := m.save(); err != nil {
		delete(m.users, username)
		return User{}, m.saveErr(err)
	}
	return u.public(), nil
}

// Update changes a user; nil fields stay as they are.
type Update struct {
	Password *string   `json:"password,omitempty"`
	Admin    *bool     `json:"admin,omitempty"`
	Nodes    *[]string `json:"nodes,omitempty"`
}

// UpdateUser applies upd to username. A new password ends the user's
// sessions. The last admin cannot lose the admin right.
func (m *Manager) UpdateUser(username string, upd Update) (User, error) {
	var hash string
	if upd.Password != nil {
		if err := checkPassword(*upd.Password); err != nil {
			return User{}, err
		}
		var err error
		if hash, err = m.hash(*upd.Password, m.opts.KDF); err != nil {
			return User{}, err
		}
	}
	var nodes []string
	if upd.Nodes != nil {
		var err error
		if nodes, err = cleanNodes(*upd.Nodes); err != nil {
			return User{}, err
		}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	u, ok := m.users[username]
	if !ok {
		return User{}, notFound(username)
	}
	if upd.Admin != nil && !*upd.Admin && u.Admin && m.adminCount() == 1 {
		return User{}, apiErr(http.StatusConflict, fmt.Sprintf("%q is the only admin", username), "make another user admin first")
	}
	old := *u
	if hash != "" {
		u.PasswordHash = hash
	}
	if upd.Admin != nil {
		u.Admin = *upd.Admin
	}
	if upd.Nodes != nil {
		u.Nodes = nodes
	}
	var dropped []*storedSession
	if hash != "" {
		dropped = m.dropSessions(username, "")
	}
	if err := m.save(); err != nil {
		*u = old
		for _, s := range dropped {
			m.sessions[s.IDHash] = s
		}
		return User{}, m.saveErr(err)
	}
	return u.public(), nil
}

// DeleteUser removes a user and ends their sessions. The last admin cannot
// be deleted.
func (m *Manager) DeleteUser(username string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	u, ok := m.users[username]
	if !ok {
		return notFound(username)
	}
	if u.Admin && m.adminCount() == 1 {
		return apiErr(http.StatusConflict, fmt.Sprintf("%q is the only admin", username), "make another user admin first")
	}
	delete(m.users, username)
	dropped := m.dropSessions(username, "")
	if err := m.save(); err != nil {
		m.users[username] = u
		for _, s := range dropped {
			m.sessions[s.IDHash] = s
		}
		return m.saveErr(err)
	}
	return nil
}

func notFound(username string) *Error {
	return apiErr(http.StatusNotFound, fmt.Sprintf("no user %q", username), "list the users with GET /api/auth/users")
}

func (m *Manager) adminCount() int {
	n := 0
	for _, u := range m.users {
		if u.Admin {
			n++
		}
	}
	return n
}

// dropSessions removes username's sessions except keep (an id hash).
func (m *Manager) dropSessions(username, keep string) []*storedSession {
	var out []*storedSession
	for k, s := range m.sessions {
		if s.Username == username && k != keep {
			out = append(out, s)
			delete(m.sessions, k)
		}
	}
	return out
}
