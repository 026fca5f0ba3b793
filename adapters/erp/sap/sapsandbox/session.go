package sapsandbox

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"sync"
	"time"
)

// sessionCookie names the session cookie, as SAP names it after the
// system id and the client.
const sessionCookie = "SAP_SESSIONID_ER1_100"

// sessionTTL is how long a session lives after its last token fetch.
const sessionTTL = 30 * time.Minute

// sessions holds the CSRF token of each session, by session id.
type sessions struct {
	mu     sync.Mutex
	tokens map[string]session
}

type session struct {
	token   string
	expires time.Time
}

func newSessions() *sessions {
	return &sessions{tokens: map[string]session{}}
}

// fetch returns the token of the request's session, starting a session
// with cookies on w when the request has none that is alive.
func (s *sessions) fetch(w http.ResponseWriter, r *http.Request, now time.Time) string {
	s.mu.Lock()
	defer s.mu.Unlock()

	if c, err := r.Cookie(sessionCookie); err == nil {
		if sess, ok := s.tokens[c.Value]; ok && now.Before(sess.expires) {
			sess.expires = now.Add(sessionTTL)
			s.tokens[c.Value] = sess
			return sess.token
		}
	}

	id, token := randomString(), randomString()
	s.tokens[id] = session{token: token, expires: now.Add(sessionTTL)}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: id, Path: "/", HttpOnly: true})
	http.SetCookie(w, &http.Cookie{Name: "sap-usercontext", Value: "sap-client=100", Path: "/"})
	return token
}

// valid reports whether token is the token of the request's session.
func (s *sessions) valid(r *http.Request, token string) bool {
	c, err := r.Cookie(sessionCookie)
	if err != nil || token == "" {
		return false
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	sess, ok := s.tokens[c.Value]
	if !ok || time.Now().After(sess.expires) {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(sess.token), []byte(token)) == 1
}

func (s *sessions) expireAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokens = map[string]session{}
}

// randomString returns 24 random bytes in URL-safe base64.
func randomString() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b) // crypto/rand never fails on supported platforms
	return base64.RawURLEncoding.EncodeToString(b)
}
