package codec

import (
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"

	commonpb "go.temporal.io/api/common/v1"
	"google.golang.org/protobuf/encoding/protojson"
)

// maxBody bounds a request to the codec endpoints; Temporal limits a
// payload to 2 MiB by default and a request may carry several.
const maxBody = 16 << 20

// corsHeaders are the request headers the Web UI sends to a codec server.
const corsHeaders = "Authorization, Content-Type, X-Namespace"

// ServerOptions configures [NewServer].
type ServerOptions struct {
	// Token, when set, is the bearer token every request must carry in
	// its Authorization header.
	Token string

	// Origins are the browser origins, such as the Temporal Web UI's
	// "http://localhost:8233", that may call the endpoints.
	Origins []string
}

// Server serves Temporal's codec server protocol for one codec: POST
// .../encode and POST .../decode take and return {"payloads": [...]} in
// protobuf JSON. It answers CORS preflights for the configured origins and
// requires the configured bearer token. The X-Namespace header the clients
// send is accepted for every namespace, since one set of keys serves them
// all.
type Server struct {
	codec *Codec
	opts  ServerOptions
}

// NewServer returns the codec server of c.
func NewServer(c *Codec, opts ServerOptions) *Server {
	return &Server{codec: c, opts: opts}
}

// ServeHTTP implements [http.Handler].
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.allowOrigin(w, r)
	if r.Method == http.MethodOptions {
		s.preflight(w, r)
		return
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST, OPTIONS")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	if !s.authorized(r) {
		w.Header().Set("WWW-Authenticate", `Bearer realm="codec"`)
		http.Error(w, "missing or wrong bearer token", http.StatusUnauthorized)
		return
	}

	switch {
	case strings.HasSuffix(r.URL.Path, "/encode"):
		s.transform(w, r, s.codec.Encode)
	case strings.HasSuffix(r.URL.Path, "/decode"):
		s.transform(w, r, s.codec.Decode)
	default:
		http.NotFound(w, r)
	}
}

// allowOrigin lets the request's origin read the response when it is one of
// the configured origins.
func (s *Server) allowOrigin(w http.ResponseWriter, r *http.Request) {
	w.Header().Add("Vary", "Origin")
	origin := r.Header.Get("Origin")
	if origin == "" || !slices.Contains(s.opts.Origins, origin) {
		return
	}
	w.Header().Set("Access-Control-Allow-Origin", origin)
	w.Header().Set("Access-Control-Allow-Credentials", "true")
}

// preflight answers a CORS preflight: allowed origins learn the methods and
// headers they may use, other origins get a 403 without them.
func (s *Server) preflight(w http.ResponseWriter, r *http.Request) {
	if !slices.Contains(s.opts.Origins, r.Header.Get("Origin")) {
		http.Error(w, "origin not allowed", http.StatusForbidden)
		return
	}
	w.Header().Set("Access-Control-Allow-Methods", "POST, OPTIONS")
	w.Header().Set("Access-Control-Allow-Headers", corsHeaders)
	w.Header().Set("Access-Control-Max-Age", "600")
	w.WriteHeader(http.StatusNoContent)
}

// authorized reports whether r carries the bearer token, when one is set.
//
// TODO: accept the Web UI's sign-in token, which the UI sends when its codec
// setting passes the access token, checked with the identity provider; only
// a static token is checked today, which the Web UI cannot send.
func (s *Server) authorized(r *http.Request) bool {
	if s.opts.Token == "" {
		return true
	}
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	return ok && strings.EqualFold(scheme, "Bearer") && equalSecret(token, s.opts.Token)
}

// transform reads the request's payloads, passes them through f and writes
// the result.
func (s *Server) transform(w http.ResponseWriter, r *http.Request,
	f func([]*commonpb.Payload) ([]*commonpb.Payload, error)) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		http.Error(w, "payloads exceed 16 MiB", http.StatusRequestEntityTooLarge)
		return
	}
	if err != nil {
		http.Error(w, fmt.Sprintf("read payloads: %v", err), http.StatusBadRequest)
		return
	}

	var in commonpb.Payloads
	if err := protojson.Unmarshal(body, &in); err != nil {
		http.Error(w, fmt.Sprintf("parse payloads: %v", err), http.StatusBadRequest)
		return
	}

	out, err := f(in.Payloads)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}

	resp, err := protojson.Marshal(&commonpb.Payloads{Payloads: out})
	if err != nil {
		http.Error(w, fmt.Sprintf("marshal payloads: %v", err), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(resp)
}

// equalSecret compares a and b in time that does not depend on where they
// differ.
func equalSecret(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}
