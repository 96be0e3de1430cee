package users

import (
	"crypto/subtle"
	"fmt"
	"math"
	"net/http"
	"sort"
	"strings"
	"time"
)

// Session is a logged-in session: ID goes in the HttpOnly cookie (only its
// hash is stored), CSRF in the readable cookie and the X-CSRF-Token header.
type Session struct {
	ID        string
	CSRF      string
	User      User
	ExpiresAt time.Time
}

// newSession stores a session for username (caller holds mu, and saves).
func (m *Manager) newSession(username string) (Session, *storedSession, error) {
	id, err := randomToken(32) // 256 bits
	if err != nil {
		return Session{}, nil, err
	}
	csrf, err := randomToken(32)
	if err != nil {
		return Session{}, nil, err
	}
	now := m.opts.Now().UTC()
	m.trimSessions(username)
	s := &storedSession{IDHash: hashID(id), Username: username, CSRF: csrf, CreatedAt: now, ExpiresAt: now.Add(m.opts.SessionTTL)}
	m.sessions[s.IDHash] = s
	return Session{ID: id, CSRF: csrf, User: m.users[username].public(), ExpiresAt: s.ExpiresAt}, s, nil
}

// MaxSessionsPerUser bounds a user's open sessions; a new login beyond it
// ends that user's oldest session.
const MaxSessionsPerUser = 20

// trimSessions makes room for one more session of username (caller holds mu).
func (m *Manager) trimSessions(username string) {
	var mine []*storedSession
	for _, s := range m.sessions {
		if s.Username == username {
			mine = append(mine, s)
		}
	}
	if len(mine) < MaxSessionsPerUser {
		return
	}
	sort.Slice(mine, func(i, j int) bool {
		if !mine[i].CreatedAt.Equal(mine[j].CreatedAt) {
			return mine[i].CreatedAt.Before(mine[j].CreatedAt)
		}
		return mine[i].IDHash < mine[j].IDHash
	})
	for _, s := range mine[:len(mine)-MaxSessionsPerUser+1] {
		delete(m.sessions, s.IDHash)
	}
}

// Setup creates the first admin with the console's setup token and logs
// them in. The token works once; it is compared in constant time, and
// wrong tokens count as failed logins of the client IP.
func (m *Manager) Setup(token, username, password, clientIP string) (Session, error) {
	now := m.opts.Now()
	ipKey := "ip:" + clientIP
	if wait := m.limiter.wait(ipKey, now); wait > 0 {
		return Session{}, tooMany("from this address", wait)
	}
	m.mu.Lock()
	done := !m.needsSetupLocked()
	want := m.token
	m.mu.Unlock()
	if done {
		return Session{}, apiErr(http.StatusConflict, "the relay already has an admin", "log in instead (POST /api/auth/login)")
	}
	if token == "" || subtle.ConstantTimeCompare([]byte(token), []byte(want)) != 1 {
		m.limiter.fail(ipKey, now)
		return Session{}, apiErr(http.StatusForbidden, "the setup token is wrong",
			"copy the setup token the relay printed to its console when it started (a restart prints a new one)")
	}
	if err := checkUsername(username); err != nil {
		return Session{}, err
	}
	if err := checkPassword(password); err != nil {
		return Session{}, err
	}
	hash, err := m.hash(password, m.opts.KDF)
	if err != nil {
		return Session{}, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.needsSetupLocked() || m.token != want {
		return Session{}, apiErr(http.StatusConflict, "the relay already has an admin", "log in instead (POST /api/auth/login)")
	}
	if _, ok := m.users[username]; ok {
		return Session{}, apiErr(http.StatusConflict, fmt.Sprintf("user %q already exists", username), "choose another name for the admin")
	}
	m.users[username] = &storedUser{Username: username, PasswordHash: hash, Admin: true, Nodes: []string{}, CreatedAt: now.UTC()}
	sess, stored, err := m.newSession(username)
	if err == nil {
		err = m.save()
	}
	if err != nil {
		delete(m.users, username)
		if stored != nil {
			delete(m.sessions, stored.IDHash)
		}
		return Session{}, m.saveErr(err)
	}
	m.token = ""
	m.limiter.reset(ipKey)
	return sess, nil
}

func tooMany(what string, wait time.Duration) *Error {
	secs := int(math.Ceil(wait.Seconds()))
	return &Error{Status: http.StatusTooManyRequests, Msg: "too many failed logins " + what,
		Hint: fmt.Sprintf("wait %d seconds, then try again", secs), RetryAfter: time.Duration(secs) * time.Second}
}

// Login checks username and password and opens a session. Failed attempts
// are counted per client IP and per user name; after RateLimit.Free
// failures each further attempt must wait exponentially longer (429).
func (m *Manager) Login(username, password, clientIP string) (Session, error) {
	now := m.opts.Now()
	username = strings.ToLower(strings.TrimSpace(username))
	ipKey, userKey := "ip:"+clientIP, "user:"+username
	if wait := m.limiter.wait(ipKey, now); wait > 0 {
		return Session{}, tooMany("from this address", wait)
	}
	if wait := m.limiter.wait(userKey, now); wait > 0 {
		return Session{}, tooMany("for this user", wait)
	}
	m.mu.Lock()
	if m.needsSetupLocked() {
		m.mu.Unlock()
		return Session{}, needsSetupErr()
	}
	hash := m.dummy
	u, known := m.users[username]
	if known {
		hash = u.PasswordHash
	}
	m.mu.Unlock()
	ok, err := m.verify(password, hash)
	if err != nil {
		return Session{}, fmt.Errorf("checking the password of %q: %w", username, err)
	}
	if !ok || !known {
		m.limiter.fail(ipKey, now)
		m.limiter.fail(userKey, now)
		return Session{}, apiErr(http.StatusUnauthorized, "wrong user name or password",
			fmt.Sprintf("check both and try again; after %d failures each attempt has to wait longer", m.opts.RateLimit.Free))
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if cur, still := m.users[username]; !still || cur.PasswordHash != hash {
		return Session{}, apiErr(http.StatusUnauthorized, "wrong user name or password", "the account changed meanwhile; try again")
	}
	sess, stored, err := m.newSession(username)
	if err == nil {
		err = m.save()
	}
	if err != nil {
		if stored != nil {
			delete(m.sessions, stored.IDHash)
		}
		return Session{}, m.saveErr(err)
	}
	m.limiter.reset(ipKey)
	m.limiter.reset(userKey)
	return sess, nil
}

func needsSetupErr() *Error {
	return apiErr(http.StatusUnauthorized, "the relay has no admin account yet",
		"create it with the setup token printed in the relay's console (POST /api/auth/setup)")
}

// lookup finds the live session for a cookie value (caller holds mu).
func (m *Manager) lookup(id string) (*storedSession, *storedUser, bool) {
	if id == "" {
		return nil, nil, false
	}
	s, ok := m.sessions[hashID(id)]
	if !ok || !m.opts.Now().Before(s.ExpiresAt) {
		return nil, nil, false
	}
	u, ok := m.users[s.Username]
	if !ok {
		return nil, nil, false
	}
	return s, u, true
}

// Logout ends the session with cookie value id.
func (m *Manager) Logout(id string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	k := hashID(id)
	s, ok := m.sessions[k]
	if !ok {
		return nil
	}
	delete(m.sessions, k)
	if err := m.save(); err != nil {
		m.sessions[k] = s
		return m.saveErr(err)
	}
	return nil
}

// ChangePassword lets a user change their own password, given the current
// one; their other sessions end, keepSession (a cookie value) stays.
func (m *Manager) ChangePassword(username, current, next, keepSession string) error {
	if err := checkPassword(next); err != nil {
		return err
	}
	m.mu.Lock()
	u, ok := m.users[username]
	var hash string
	if ok {
		hash = u.PasswordHash
	}
	m.mu.Unlock()
	if !ok {
		return notFound(username)
	}
	good, err := m.verify(current, hash)
	if err != nil {
		return err
	}
	if !good {
		return apiErr(http.StatusForbidden, "the current password is wrong", "type your current password to confirm the change")
	}
	newHash, err := m.hash(next, m.opts.KDF)
	if err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	u, ok = m.users[username]
	if !ok || u.PasswordHash != hash {
		return apiErr(http.StatusConflict, "the account changed meanwhile", "reload and try again")
	}
	u.PasswordHash = newHash
	dropped := m.dropSessions(username, hashID(keepSession))
	if err := m.save(); err != nil {
		u.PasswordHash = hash
		for _, s := range dropped {
			m.sessions[s.IDHash] = s
		}
		return m.saveErr(err)
	}
	return nil
}
